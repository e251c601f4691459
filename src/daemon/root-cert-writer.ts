/**
 * Keeps the root certificate file fresh without ever exposing a partial one: the new
 * file is written aside, synced, and renamed over the old (rename is atomic on one
 * file system), so a reader sees the old root or the new, never a truncated file. Only a
 * root that passes `validateRoot` is written; anything else leaves the old file as it was.
 */
import { promises as fs } from "node:fs";
import { dirname } from "node:path";
import { silentLogger, type Logger } from "../log.js";
import { removeAtomicLeftovers, writeFileAtomic } from "../os/files.js";
import { fingerprintSha256, validateRoot } from "../x509/checks.js";

export interface RootChange {
  fingerprint: string;
  at: string;
  bytes: number;
}

export class RootCertError extends Error {
  override readonly name = "RootCertError";
}

export class RootCertWriter {
  private readonly changes: RootChange[] = [];
  private last: string | null = null;
  private lastPem: string | null = null;

  constructor(
    readonly path: string,
    private readonly log: Logger = silentLogger,
    private readonly historyPath: string | null = null,
  ) {}

  get history(): readonly RootChange[] {
    return this.changes;
  }

  get currentFingerprint(): string | null {
    return this.changes.at(-1)?.fingerprint ?? null;
  }

  /** The root in place (as loaded or last written), or null. */
  get currentPem(): string | null {
    return this.lastPem;
  }

  /**
   * Reads the fingerprint of the file already in place, so "unchanged" is known after a
   * restart, and removes temporary files a killed run left beside it.
   */
  async loadExisting(): Promise<void> {
    for (const file of await removeAtomicLeftovers(this.path)) {
      this.log.warn({ file }, "removed a temporary root file left by an earlier run");
    }
    try {
      const pem = await fs.readFile(this.path, "utf8");
      this.last = await fingerprintSha256(pem);
      this.lastPem = pem;
      this.changes.push({ fingerprint: this.last, at: (await fs.stat(this.path)).mtime.toISOString(), bytes: pem.length });
    } catch {
      /* no root yet */
    }
  }

  /** Replaces the root file atomically. Refuses anything but a valid CA root (the old file stays). */
  async write(data: Uint8Array): Promise<RootChange & { changed: boolean }> {
    const text = new TextDecoder().decode(data);
    const verdict = await validateRoot(text);
    if (!verdict.ok) {
      throw new RootCertError(`refusing root push (${data.length} bytes, fingerprint ${verdict.fingerprint}): ${verdict.reason}: ${verdict.message}`);
    }
    const { fingerprint } = verdict;
    const at = new Date().toISOString();
    if (fingerprint === this.last) {
      this.log.info({ fingerprint }, "root certificate unchanged");
      return { fingerprint, at, bytes: data.length, changed: false };
    }
    await fs.mkdir(dirname(this.path), { recursive: true });
    await writeFileAtomic(this.path, data, 0o644); // exactly 0644: the umask must not narrow what bmcweb may read
    const change = { fingerprint, at, bytes: data.length };
    this.last = fingerprint;
    this.lastPem = text;
    this.changes.push(change);
    if (this.changes.length > 100) this.changes.shift();
    if (this.historyPath) await fs.appendFile(this.historyPath, `${JSON.stringify(change)}\n`);
    this.log.info({ fingerprint, path: this.path, bytes: data.length }, "root certificate replaced");
    return { ...change, changed: true };
  }
}
