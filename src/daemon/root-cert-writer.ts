/**
 * Keeps the root certificate file fresh without ever exposing a partial one: the new
 * file is written aside, synced, and renamed over the old (rename is atomic on one
 * file system), so a reader sees the old root or the new, never a truncated file.
 */
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import { basename, dirname, join } from "node:path";
import { silentLogger, type Logger } from "../log.js";
import { fingerprintSha256 } from "../x509/fingerprint.js"; // not index.js: that loads @peculiar/x509

export interface RootChange {
  fingerprint: string;
  at: string;
  bytes: number;
}

export class RootCertError extends Error {
  override readonly name = "RootCertError";
}

export class RootCertWriter {
  private seq = 0;
  private readonly changes: RootChange[] = [];
  private last: string | null = null;

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

  /**
   * Reads the fingerprint of the file already in place, so "unchanged" is known after a
   * restart, and removes temporary files a killed run left beside it.
   */
  async loadExisting(): Promise<void> {
    const dir = dirname(this.path);
    const prefix = `.${basename(this.path)}.`;
    for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
      if (name.startsWith(prefix) && name.endsWith(".tmp")) {
        await fs.rm(join(dir, name), { force: true });
        this.log.warn({ file: join(dir, name) }, "removed a temporary root file left by an earlier run");
      }
    }
    try {
      const pem = await fs.readFile(this.path, "utf8");
      this.last = await fingerprintSha256(pem);
      this.changes.push({ fingerprint: this.last, at: (await fs.stat(this.path)).mtime.toISOString(), bytes: pem.length });
    } catch {
      /* no root yet */
    }
  }

  /** Replaces the root file atomically. Refuses data that is not a PEM certificate (the old file stays). */
  async write(data: Uint8Array): Promise<RootChange & { changed: boolean }> {
    const text = new TextDecoder().decode(data);
    let fingerprint: string;
    try {
      fingerprint = await fingerprintSha256(text);
    } catch (e) {
      const digest = createHash("sha256").update(data).digest("hex");
      throw new RootCertError(`refusing root push (${data.length} bytes, sha256 ${digest}): not a PEM certificate: ${(e as Error).message}`);
    }
    const at = new Date().toISOString();
    if (fingerprint === this.last) {
      this.log.info({ fingerprint }, "root certificate unchanged");
      return { fingerprint, at, bytes: data.length, changed: false };
    }
    const dir = dirname(this.path);
    await fs.mkdir(dir, { recursive: true });
    const tmp = join(dir, `.${basename(this.path)}.${process.pid}.${++this.seq}.tmp`);
    const fh = await fs.open(tmp, "wx", 0o644);
    try {
      await fh.writeFile(data);
      await fh.chmod(0o644); // the umask must not narrow what bmcweb may read
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await fs.rename(tmp, this.path);
    } catch (e) {
      await fs.rm(tmp, { force: true });
      throw e;
    }
    await syncDir(dir);
    const change = { fingerprint, at, bytes: data.length };
    this.last = fingerprint;
    this.changes.push(change);
    if (this.changes.length > 100) this.changes.shift();
    if (this.historyPath) await fs.appendFile(this.historyPath, `${JSON.stringify(change)}\n`);
    this.log.info({ fingerprint, path: this.path, bytes: data.length }, "root certificate replaced");
    return { ...change, changed: true };
  }
}

/** Makes the rename itself durable. */
async function syncDir(dir: string): Promise<void> {
  const d = await fs.open(dir, "r");
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}
