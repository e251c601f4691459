/**
 * Checks the `attestation` daemon setting (JSON config or flags) so the daemon starts
 * with hooks it can run or not at all: argv arrays of strings with an absolute program
 * path, time-outs within bounds, a key policy of known types, both allowlist files.
 */
import { HOOK_POINTS, type AttestationSettings, type HookPoint, type HookSetting } from "./attestation-hooks.js";
import { parseKeyPolicy, type KeyPolicy } from "./key-policy.js";

const KEYS = new Set(["hooks", "keyPolicy", "rootAllowlist"]);

/** Throws Error naming the bad field. */
export function checkAttestationSettings(raw: unknown): AttestationSettings {
  const where = "attestation";
  const obj = record(raw, where);
  for (const k of Object.keys(obj)) if (!KEYS.has(k)) throw new Error(`${where}: unknown field "${k}"`);
  const hooks: Partial<Record<HookPoint, HookSetting>> = {};
  if (obj.hooks !== undefined) {
    for (const [point, value] of Object.entries(record(obj.hooks, `${where}.hooks`))) {
      if (!HOOK_POINTS.includes(point as HookPoint)) throw new Error(`${where}.hooks: unknown point "${point}" (${HOOK_POINTS.join(", ")})`);
      hooks[point as HookPoint] = checkHook(value, `${where}.hooks.${point}`);
    }
  }
  let keyPolicy: KeyPolicy | undefined;
  if (obj.keyPolicy !== undefined) {
    const policy = record(obj.keyPolicy, `${where}.keyPolicy`);
    keyPolicy = parseKeyPolicy(
      Object.entries(policy)
        .map(([type, min]) => `${type}:${String(min)}`)
        .join(","),
    );
  }
  let rootAllowlist: AttestationSettings["rootAllowlist"];
  if (obj.rootAllowlist !== undefined) {
    const r = record(obj.rootAllowlist, `${where}.rootAllowlist`);
    if (typeof r.file !== "string" || !r.file.startsWith("/") || typeof r.checksumFile !== "string" || !r.checksumFile.startsWith("/")) {
      throw new Error(`${where}.rootAllowlist: needs absolute "file" and "checksumFile" paths`);
    }
    rootAllowlist = { file: r.file, checksumFile: r.checksumFile };
  }
  return { hooks, keyPolicy, rootAllowlist };
}

function checkHook(raw: unknown, where: string): HookSetting {
  const h = record(raw, where);
  const { command, timeoutMs, failOpen } = h;
  if (
    command !== undefined &&
    (!Array.isArray(command) || command.length === 0 || !command.every((a) => typeof a === "string") || !String(command[0]).startsWith("/"))
  ) {
    throw new Error(`${where}.command: expected an argv array whose first element is an absolute program path (no shell)`);
  }
  if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && (timeoutMs as number) >= 10 && (timeoutMs as number) <= 600_000)) {
    throw new Error(`${where}.timeoutMs: expected a whole number from 10 to 600000`);
  }
  if (failOpen !== undefined && typeof failOpen !== "boolean") throw new Error(`${where}.failOpen: expected true or false`);
  return { command: command, timeoutMs: timeoutMs as number | undefined, failOpen: failOpen };
}

function record(raw: unknown, where: string): Record<string, unknown> {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new Error(`${where}: expected an object`);
  return raw as Record<string, unknown>;
}
