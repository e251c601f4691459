/**
 * The built-in root allowlist: SHA-256 fingerprints of the VMI roots that may replace
 * RootCert, one a line (# comments), in a file that is checked against a checksum file
 * (`sha256sum` output: the hex digest first) every time it is used. A list that does
 * not match its checksum, or either file missing, fails closed whatever the hook's mode.
 */
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import { normalizeSha256Fingerprint } from "../x509/checks.js";

export interface RootAllowlistSetting {
  readonly file: string;
  readonly checksumFile: string;
}

export type AllowlistVerdict = { readonly allow: boolean; readonly reason: string; readonly tampered?: boolean };

export async function checkRootAllowlist(setting: RootAllowlistSetting, fingerprint: string): Promise<AllowlistVerdict> {
  let list: Buffer;
  let checksum: string;
  try {
    [list, checksum] = await Promise.all([fs.readFile(setting.file), fs.readFile(setting.checksumFile, "utf8")]);
  } catch (error) {
    return { allow: false, tampered: true, reason: `root allowlist unusable: ${(error as Error).message}` };
  }
  const expected = /^\s*([0-9a-fA-F]{64})\b/.exec(checksum)?.[1]?.toLowerCase();
  const actual = createHash("sha256").update(list).digest("hex");
  if (expected !== actual) {
    return {
      allow: false,
      tampered: true,
      reason: `root allowlist ${setting.file} does not match its checksum (sha256 ${actual}, checksum file says ${expected ?? "nothing readable"})`,
    };
  }
  const allowed = new Set<string>();
  for (const [i, raw] of list.toString("utf8").split("\n").entries()) {
    const line = raw.replace(/#.*/, "").trim();
    if (line === "") continue;
    const fp = normalizeSha256Fingerprint(line);
    if (fp === null) return { allow: false, tampered: true, reason: `root allowlist ${setting.file} line ${i + 1} is not a SHA-256 fingerprint` };
    allowed.add(fp);
  }
  return allowed.has(fingerprint)
    ? { allow: true, reason: `root ${fingerprint} is on the allowlist` }
    : { allow: false, reason: `root allowlist: ${fingerprint} is not on it` };
}
