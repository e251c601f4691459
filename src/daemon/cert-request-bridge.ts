/**
 * Carries CA-manager entries to the host and results back. For each Pending entry:
 * offer its CSR for ReadFileByType and announce it (NewFileAvailable type 4, handle =
 * entry id); when the host pushes a complete certificate for that handle, hand it to
 * the sink; when it refuses the CSR (any of the three BadCSR signals), say so. While
 * the host does not answer, the entry stays Pending and is announced again with
 * backoff, and at once when the host is seen coming up. A certificate is handed on only
 * after `verifyCertificate` bound it to the entry's CSR and the current root; an entry
 * is known by its path and CSR digest, so a reused id never inherits an old exchange.
 */
import { createHash } from "node:crypto";
import { EventEmitter } from "eventemitter3";
import { GetTID } from "../../pldm-codec/pldm/base.js";
import { NewFileAvailable } from "../../pldm-codec/pldm/ibm-file-io.js";
import { CertVerdict, CompletionCode, FileStatus, IbmFileType } from "../../pldm-codec/pldm/names.js";
import type { FileIoService, Metadata } from "../files/file-io-service.js";
import { silentLogger, type Logger } from "../log.js";
import type { Clock, Timer } from "../os/clock.js";
import type { PldmRequester } from "../pldm/pldm-requester.js";
import { verifyIssuedCertificate } from "../x509/checks.js";

export interface CaEntry {
  id: number;
  path: string;
  csr: string;
}

/** Where results go (the D-Bus entry, in the daemon). */
export interface CaEntrySink {
  complete(entry: CaEntry, certPem: string): Promise<void>;
  badCsr(entry: CaEntry, why: string): Promise<void>;
}

export type HostLinkState = "unknown" | "up" | "down";

export interface BridgeSettings {
  hostEid: number;
  /** First re-announce delay after a failed announce; doubles up to maxBackoffMs. */
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** Announce again when no certificate came this long after a good announce. */
  certWaitMs: number;
  /** GetTID probe period while the host is down and entries wait. */
  probeIntervalMs: number;
}

export const DEFAULT_BRIDGE_SETTINGS: BridgeSettings = {
  hostEid: 9,
  initialBackoffMs: 1000,
  maxBackoffMs: 30_000,
  certWaitMs: 60_000,
  probeIntervalMs: 3000,
};

interface Tracked {
  entry: CaEntry;
  /** SHA-256 of the CSR: with the path, who this entry is. */
  csrDigest: string;
  /** The upload verifyCertificate accepted for this entry (the only one that may be delivered). */
  verified: Uint8Array | null;
  /** A certificate was refused and the retry timer runs: the host is still finishing its failed push. */
  refusedRetry: boolean;
  backoffMs: number;
  timer: Timer | null;
  announcing: boolean;
  /** The host took the last announcement and the cert-wait timer runs. */
  awaitingCert: boolean;
  settled: boolean;
}

export interface BridgeEvents {
  host: (state: HostLinkState) => void;
  settled: (entry: CaEntry, outcome: "complete" | "bad-csr") => void;
}

export class CertRequestBridge extends EventEmitter<BridgeEvents> {
  readonly settings: Readonly<BridgeSettings>;
  readonly counters = { completed: 0, refused: 0, announces: 0, announceFailures: 0, certificatesRefused: 0, idsReused: 0 };
  private readonly tracked = new Map<number, Tracked>();
  private hostState: HostLinkState = "unknown";
  private lastSeenMs: number | null = null;
  private probeTimer: Timer | null = null;
  private closed = false;
  /** A shorter certificate wait until a time (capCertWait). */
  private certWaitCap: { ms: number; untilMs: number } | null = null;
  /** Asked before a certificate is written to its entry (attestation pre-deliver): a reason denies it (BadCSR). */
  beforeDeliver: ((entry: CaEntry, certPem: string) => Promise<string | null>) | null = null;

  constructor(
    private readonly files: FileIoService,
    private readonly requester: PldmRequester,
    private readonly sink: CaEntrySink,
    private readonly clock: Clock,
    settings: Partial<BridgeSettings> = {},
    private readonly log: Logger = silentLogger,
  ) {
    super();
    this.settings = { ...DEFAULT_BRIDGE_SETTINGS, ...settings };
    files.on("activity", () => this.hostSeen());
    files.on("announced", (type, handle, length, metadata) => this.onAnnounced(type, handle, length, metadata));
    files.on("uploaded", (type, handle, data) => {
      if (type === IbmFileType.SignedCert) void this.onCertificate(handle, data);
    });
    files.on("acked", (type, handle, status) => {
      if (type === IbmFileType.CertSigningRequest && status === FileStatus.BadCsr) void this.settleBad(handle, "host acknowledged the CSR with status BadCSR");
    });
  }

  get host(): { state: HostLinkState; lastSeenMs: number | null } {
    return { state: this.hostState, lastSeenMs: this.lastSeenMs };
  }

  pendingCount(): number {
    return this.tracked.size;
  }

  trackedIds(): number[] {
    return [...this.tracked.keys()];
  }

  isTracked(id: number): boolean {
    return this.tracked.has(id);
  }

  /** Whether the host may upload a certificate for this handle: only for entries we announced. */
  expectsCertificate(handle: number): boolean {
    const t = this.tracked.get(handle);
    return !!t && !t.settled;
  }

  /**
   * Takes up an entry (idempotent: the same entry already in flight is left alone). An id
   * that comes back with another path or CSR is another request: whatever was in flight for
   * the old one (offer, upload, timers) is cancelled first.
   */
  take(entry: CaEntry): void {
    if (this.closed) return;
    const csrDigest = createHash("sha256").update(entry.csr).digest("hex");
    const old = this.tracked.get(entry.id);
    if (old && old.entry.path === entry.path && old.csrDigest === csrDigest) return;
    if (old) {
      this.counters.idsReused++;
      this.log.warn(
        { id: entry.id, oldPath: old.entry.path, path: entry.path, oldCsr: old.csrDigest, csr: csrDigest },
        "entry id reused by another request; cancelling the old exchange",
      );
      this.drop(entry.id);
    }
    // pldmd sends the CSR with one newline appended, and counts it.
    this.files.offer(IbmFileType.CertSigningRequest, entry.id, new TextEncoder().encode(`${entry.csr}\n`));
    this.tracked.set(entry.id, {
      entry,
      csrDigest,
      verified: null,
      refusedRetry: false,
      backoffMs: this.settings.initialBackoffMs,
      timer: null,
      announcing: false,
      awaitingCert: false,
      settled: false,
    });
    this.log.info({ id: entry.id, path: entry.path }, "CSR entry taken up");
    if (this.hostState === "down") this.ensureProbe();
    else void this.announce(entry.id);
  }

  /** The entry is gone (deleted on D-Bus): forget it and everything it held. */
  drop(id: number): void {
    const t = this.tracked.get(id);
    if (!t) return;
    t.timer?.cancel();
    this.tracked.delete(id);
    this.files.withdraw(IbmFileType.CertSigningRequest, id);
    this.files.cancelUpload(IbmFileType.SignedCert, id);
    this.log.info({ id }, "CSR entry dropped");
  }

  /**
   * The host (re)started (a root push): it forgot what it was signing, so every waiting
   * entry is announced now, those it had already taken too.
   */
  hostRebooted(): void {
    this.hostUp("rebooted");
  }

  /**
   * The host is up: announce waiting entries now. When it is merely heard again, entries it
   * already took keep their cert-wait timer (re-announcing them all on every lost answer made
   * a noisy line announce O(n) entries per time-out).
   */
  private hostUp(why: "rebooted" | "heard-again"): void {
    this.setHost("up");
    for (const [id, t] of this.tracked) {
      // An entry whose certificate was just refused keeps its retry: an announcement now would
      // reach the host before it has taken in the refusal, and be ignored as already in hand.
      if (t.settled || t.announcing || (t.refusedRetry && t.timer) || (why === "heard-again" && t.awaitingCert && t.timer)) continue;
      t.timer?.cancel();
      t.timer = null;
      t.backoffMs = this.settings.initialBackoffMs;
      void this.announce(id);
    }
  }

  close(): void {
    this.closed = true;
    this.probeTimer?.cancel();
    for (const t of this.tracked.values()) t.timer?.cancel();
  }

  private hostSeen(): void {
    this.lastSeenMs = this.clock.now();
    if (this.hostState !== "up") this.hostUp("heard-again");
  }

  private setHost(state: HostLinkState): void {
    if (state === this.hostState) return;
    this.hostState = state;
    this.log.info({ host: state }, "host link state");
    this.emit("host", state);
    if (state === "down") this.ensureProbe();
  }

  private async announce(id: number): Promise<void> {
    const t = this.tracked.get(id);
    if (!t || t.settled || t.announcing || this.closed) return;
    t.announcing = true;
    this.counters.announces++;
    const length = new TextEncoder().encode(`${t.entry.csr}\n`).length;
    let ok = false;
    try {
      const r = await this.requester.request(this.settings.hostEid, NewFileAvailable, { fileType: IbmFileType.CertSigningRequest, fileHandle: id, length });
      ok = r.completionCode === CompletionCode.Success;
      if (!ok) this.log.warn({ id, completionCode: r.completionCode }, "host refused the CSR announcement");
      else this.hostSeen();
    } catch (e) {
      this.log.warn({ id, err: (e as Error).message }, "CSR announcement got no answer");
      // Only silence means down: on a noisy line one lost answer is not a dead host.
      const quietMs = this.lastSeenMs === null ? Infinity : this.clock.now() - this.lastSeenMs;
      if (quietMs > this.settings.probeIntervalMs) this.setHost("down");
    } finally {
      t.announcing = false;
    }
    if (!this.tracked.has(id) || t.settled || this.closed) return;
    // A certificate refused while this announcement was on its way: retry soon, not after the certificate wait.
    t.awaitingCert = ok && !t.refusedRetry;
    if (t.refusedRetry) {
      this.retrySoon(t);
    } else if (ok) {
      t.backoffMs = this.settings.initialBackoffMs;
      this.schedule(t, this.certWaitMs());
    } else {
      this.counters.announceFailures++;
      this.retrySoon(t);
    }
  }

  /**
   * For the next `forMs`, an announced entry waits at most `ms` for its certificate before it
   * is announced again (a standby that took over: see host-bridge-daemon.ts).
   */
  capCertWait(ms: number, forMs: number): void {
    this.certWaitCap = { ms, untilMs: this.clock.now() + forMs };
  }

  private certWaitMs(): number {
    const cap = this.certWaitCap;
    if (cap === null || this.clock.now() >= cap.untilMs) return this.settings.certWaitMs;
    return Math.min(cap.ms, this.settings.certWaitMs);
  }

  /** Announces again after the backoff, which doubles each time up to maxBackoffMs. */
  private retrySoon(t: Tracked): void {
    this.schedule(t, t.backoffMs);
    t.backoffMs = Math.min(this.settings.maxBackoffMs, t.backoffMs * 2);
  }

  private schedule(t: Tracked, ms: number): void {
    t.timer?.cancel();
    t.timer = this.clock.after(ms, () => {
      t.timer = null;
      t.refusedRetry = false;
      if (this.hostState === "down") this.ensureProbe();
      else void this.announce(t.entry.id);
    });
  }

  /** While the host is down and entries wait, ask GetTID now and then; an answer means it is back. */
  private ensureProbe(): void {
    if (this.probeTimer || this.closed) return;
    this.probeTimer = this.clock.after(this.settings.probeIntervalMs, () => {
      void this.requester.request(this.settings.hostEid, GetTID, {}).then(
        (r) => {
          this.probeTimer = null;
          if (r.completionCode === CompletionCode.Success) this.hostSeen();
          else this.ensureProbe();
        },
        () => {
          this.probeTimer = null;
          if (this.hostState === "down" && this.tracked.size > 0) this.ensureProbe();
        },
      );
    });
  }

  private onAnnounced(type: number, handle: number, _length: number, metadata: Metadata | null): void {
    if (type === IbmFileType.SignedCert && metadata?.metadata1 === CertVerdict.InvalidCertData) {
      void this.settleBad(handle, "host announced the certificate with metadata1 = 3 (bad CSR)");
    }
  }

  /**
   * Checks a complete certificate upload before it is accepted (FileIoPolicy.verifyUpload):
   * null accepts it for this entry; a refusal is logged with the fingerprint, counted, answers
   * the host's last write with ERROR (0x01, as pldmd answers a write its handler fails), and
   * the entry stays Pending and is announced again with backoff.
   */
  async verifyCertificate(handle: number, data: Uint8Array, rootPem: string | null): Promise<number | null> {
    const t = this.tracked.get(handle);
    if (!t || t.settled) return CompletionCode.InvalidFileHandle;
    const verdict = await verifyIssuedCertificate(new TextDecoder().decode(data), t.entry.csr, rootPem);
    // The entry may have gone or been replaced while the signature was checked.
    if (this.tracked.get(handle) !== t || t.settled) return CompletionCode.InvalidFileHandle;
    if (verdict.ok) {
      t.verified = data;
      return null;
    }
    this.counters.certificatesRefused++;
    const { reason, message, fingerprint } = verdict;
    this.log.warn(
      { id: handle, path: t.entry.path, reason, why: message, fingerprint, bytes: data.length, retryMs: t.backoffMs },
      "refused a certificate from the host; the entry stays Pending",
    );
    t.awaitingCert = false;
    t.refusedRetry = true;
    // An announcement on its way schedules the retry when its answer comes.
    if (!t.announcing && !this.closed) this.retrySoon(t);
    return CompletionCode.Error;
  }

  private async onCertificate(handle: number, data: Uint8Array): Promise<void> {
    if (data.length === 0) return this.settleBad(handle, "host wrote an empty certificate");
    const t = this.tracked.get(handle);
    if (!t || t.settled) return;
    if (t.verified !== data) {
      this.log.error({ id: handle }, "a certificate upload arrived that was not verified for this entry; ignored");
      return;
    }
    t.settled = true;
    t.timer?.cancel();
    const certPem = new TextDecoder().decode(data);
    // Attestation pre-deliver: a denied certificate is never written; the entry ends BadCSR.
    const denial = this.beforeDeliver
      ? await this.beforeDeliver(t.entry, certPem).catch((e: unknown) => `pre-deliver check failed: ${(e as Error).message}`)
      : null;
    if (denial !== null) return this.refuse(t, denial);
    await this.deliver(t, certPem);
  }

  /** Writes the certificate to the entry; a failed write is retried with backoff, never lost. */
  private async deliver(t: Tracked, certPem: string): Promise<void> {
    try {
      await this.sink.complete(t.entry, certPem);
    } catch (e) {
      if (this.tracked.get(t.entry.id) !== t || this.closed) return;
      this.log.error({ id: t.entry.id, err: (e as Error).message, retryMs: t.backoffMs }, "could not write the certificate to the entry; will retry");
      t.timer = this.clock.after(t.backoffMs, () => void this.deliver(t, certPem));
      t.backoffMs = Math.min(this.settings.maxBackoffMs, t.backoffMs * 2);
      return;
    }
    this.counters.completed++;
    this.emit("settled", t.entry, "complete");
    this.drop(t.entry.id);
  }

  private async settleBad(handle: number, why: string): Promise<void> {
    const t = this.tracked.get(handle);
    if (!t || t.settled) return;
    t.settled = true;
    t.timer?.cancel();
    this.log.info({ id: handle, why }, "CSR refused by the host");
    await this.refuse(t, why);
  }

  /** Marks a settled entry BadCSR and forgets it. */
  private async refuse(t: Tracked, why: string): Promise<void> {
    const handle = t.entry.id;
    if (this.tracked.get(handle) !== t) return;
    try {
      await this.sink.badCsr(t.entry, why);
      this.counters.refused++;
      this.emit("settled", t.entry, "bad-csr");
    } catch (e) {
      this.log.error({ id: handle, err: (e as Error).message }, "could not mark the entry BadCSR");
    }
    this.drop(handle);
  }
}
