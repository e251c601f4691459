/**
 * Attestation hooks at the exchange's transitions (the Ironic/Keylime "interface of
 * hooks"): before a CSR is announced to the host, before a signed certificate is
 * written to its entry, and before a new root replaces RootCert. The daemon asks; a
 * hook never drives it. At each point the built-in checks run first (key policy for
 * CSRs and certificates, the root allowlist for roots), then the external command if
 * one is set. A denial is final; a hook error allows only when that point is
 * fail-open. Every decision is logged with its reason and counted.
 */
import { silentLogger, type Logger } from "../log.js";
import { describeCertificate, describeCsr, type KeyKind } from "../x509/checks.js";
import { runHook, type HookOutcome } from "./hook-runner.js";
import { keyPolicyDenial, type KeyPolicy } from "./key-policy.js";
import { checkRootAllowlist, type RootAllowlistSetting } from "./root-allowlist.js";

export type HookPoint = "pre-announce" | "pre-deliver" | "pre-root";
export const HOOK_POINTS: readonly HookPoint[] = ["pre-announce", "pre-deliver", "pre-root"];

export interface HookSetting {
  /** Program and arguments (no shell); none runs only the built-in checks. */
  readonly command?: readonly string[];
  /** Default 5000. */
  readonly timeoutMs?: number;
  /** On a hook error (not a denial): allow (true) or deny (false, the default). */
  readonly failOpen?: boolean;
}

export interface AttestationSettings {
  readonly hooks?: Partial<Record<HookPoint, HookSetting>>;
  /** Applies to CSRs (pre-announce) and certificates (pre-deliver). */
  readonly keyPolicy?: KeyPolicy;
  /** Applies to roots (pre-root). */
  readonly rootAllowlist?: RootAllowlistSetting;
}

/** What the hook learns about the host, from the daemon. */
export interface HostFacts {
  readonly linkState: string;
  readonly lastSeen: string;
  readonly rootFingerprint: string;
}

export interface HookSubject {
  readonly entryId?: number;
  readonly path?: string;
  readonly pem: string;
}

export type Decision = { readonly allow: true; readonly reason: string } | { readonly allow: false; readonly reason: string };

export const DEFAULT_HOOK_TIMEOUT_MS = 5000;
/** Hook processes at once: a burst of 100 CSRs must not fork 100 checkers on a BMC. */
export const MAX_CONCURRENT_HOOKS = 4;

export class AttestationHooks {
  readonly counters = { allowed: 0, denied: 0, errors: 0 };
  readonly byPoint: Record<HookPoint, { allowed: number; denied: number; errors: number }> = {
    "pre-announce": { allowed: 0, denied: 0, errors: 0 },
    "pre-deliver": { allowed: 0, denied: 0, errors: 0 },
    "pre-root": { allowed: 0, denied: 0, errors: 0 },
  };

  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly settings: AttestationSettings,
    private readonly host: () => HostFacts,
    private readonly log: Logger = silentLogger,
  ) {}

  /** Whether anything is checked at this point (else the daemon need not ask). */
  active(point: HookPoint): boolean {
    if (this.settings.hooks?.[point]?.command) return true;
    return point === "pre-root" ? !!this.settings.rootAllowlist : !!this.settings.keyPolicy;
  }

  async check(point: HookPoint, subject: HookSubject): Promise<Decision> {
    const described = await describe(point, subject.pem);
    let decision: Decision;
    let error = false;
    const builtIn = await this.builtIn(point, described);
    if (builtIn) {
      decision = builtIn.decision;
      error = builtIn.error;
    } else {
      const setting = this.settings.hooks?.[point];
      if (setting?.command) {
        const outcome = await this.limited(() =>
          runHook({ argv: setting.command!, timeoutMs: setting.timeoutMs ?? DEFAULT_HOOK_TIMEOUT_MS }, this.document(point, subject, described)),
        );
        [decision, error] = decide(outcome, setting.failOpen ?? false);
      } else {
        decision = { allow: true, reason: "no hook configured beyond the built-in checks" };
      }
    }
    const outcome = error ? "errors" : decision.allow ? "allowed" : "denied";
    this.counters[outcome]++;
    this.byPoint[point][outcome]++;
    const fields = { hook: point, entryId: subject.entryId, fingerprint: described.fingerprint, allow: decision.allow, error, reason: decision.reason };
    if (decision.allow && !error) this.log.info(fields, `attestation ${point}: allowed`);
    else this.log.warn(fields, `attestation ${point}: ${decision.allow ? "allowed despite an error (fail-open)" : "denied"}`);
    return decision;
  }

  /** Runs `work` when fewer than MAX_CONCURRENT_HOOKS run; each run keeps its own time-out. */
  private async limited<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= MAX_CONCURRENT_HOOKS) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await work();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  /** A built-in check's denial or error, or null to go on to the command. */
  private async builtIn(point: HookPoint, d: Described): Promise<{ decision: Decision; error: boolean } | null> {
    if (point === "pre-root") {
      if (!this.settings.rootAllowlist) return null;
      if (d.fingerprint === null) return { decision: { allow: false, reason: `the root cannot be read: ${d.unreadable}` }, error: false };
      const verdict = await checkRootAllowlist(this.settings.rootAllowlist, d.fingerprint);
      // A tampered or missing list fails closed whatever the point's mode.
      return verdict.allow ? null : { decision: { allow: false, reason: verdict.reason }, error: verdict.tampered === true };
    }
    if (!this.settings.keyPolicy) return null;
    if (d.keyType === null) return { decision: { allow: false, reason: `key policy: the ${d.what} cannot be read: ${d.unreadable}` }, error: false };
    const denial = keyPolicyDenial(this.settings.keyPolicy, d.keyType);
    return denial ? { decision: { allow: false, reason: denial }, error: false } : null;
  }

  private document(point: HookPoint, subject: HookSubject, d: Described): Record<string, unknown> {
    const pemField = point === "pre-announce" ? "csrPem" : point === "pre-deliver" ? "certificatePem" : "rootPem";
    return {
      hook: point,
      entryId: subject.entryId ?? null,
      entryPath: subject.path ?? null,
      [pemField]: subject.pem,
      subject: d.subject,
      keyType: d.keyType,
      fingerprints: { sha256: d.fingerprint },
      host: this.host(),
    };
  }
}

function decide(outcome: HookOutcome, failOpen: boolean): [Decision, boolean] {
  if (outcome.verdict === "allow") return [{ allow: true, reason: `hook allowed: ${outcome.reason}` }, false];
  if (outcome.verdict === "deny") return [{ allow: false, reason: `hook denied: ${outcome.reason}` }, false];
  return [{ allow: failOpen, reason: `hook error (${failOpen ? "fail-open" : "fail-closed"}): ${outcome.reason}` }, true];
}

interface Described {
  readonly what: string;
  readonly subject: string | null;
  readonly keyType: KeyKind | null;
  readonly fingerprint: string | null;
  readonly unreadable: string;
}

async function describe(point: HookPoint, pem: string): Promise<Described> {
  const what = point === "pre-announce" ? "CSR" : point === "pre-deliver" ? "certificate" : "root";
  try {
    const d = point === "pre-announce" ? await describeCsr(pem) : await describeCertificate(pem);
    return { what, subject: d.subject, keyType: d.keyKind, fingerprint: d.sha256Fingerprint, unreadable: "" };
  } catch (error) {
    return { what, subject: null, keyType: null, fingerprint: null, unreadable: (error as Error).message };
  }
}
