/**
 * The one atomic write for secrets, certificates, state and status files, so a reader never
 * sees half a file: temporary file beside the target, fsync, rename, fsync of the directory.
 * The steps are written once (`atomicSteps`) and run by an async and a sync driver.
 */
import * as fs from "node:fs";
import { basename, dirname, join } from "node:path";
import { promisify } from "node:util";

/** File system calls the steps need, on numeric descriptors, in one flavour (sync or async). */
interface FileIo<R> {
  open(path: string, flags: string, mode?: number): R;
  write(fd: number, data: string | Uint8Array): R;
  chmod(fd: number, mode: number): R;
  sync(fd: number): R;
  close(fd: number): R;
  rename(from: string, to: string): R;
  remove(path: string): R;
}

const syncIo: FileIo<unknown> = {
  open: (p, flags, mode) => fs.openSync(p, flags, mode),
  write: (fd, data) => fs.writeFileSync(fd, data),
  chmod: (fd, mode) => fs.fchmodSync(fd, mode),
  sync: (fd) => fs.fsyncSync(fd),
  close: (fd) => fs.closeSync(fd),
  rename: (from, to) => fs.renameSync(from, to),
  remove: (p) => fs.rmSync(p, { force: true }),
};

const asyncIo: FileIo<Promise<unknown>> = {
  open: (p, flags, mode) => promisify(fs.open)(p, flags, mode),
  write: (fd, data) => promisify(fs.writeFile)(fd, data),
  chmod: (fd, mode) => promisify(fs.fchmod)(fd, mode),
  sync: (fd) => promisify(fs.fsync)(fd),
  close: (fd) => promisify(fs.close)(fd),
  rename: (from, to) => promisify(fs.rename)(from, to),
  remove: (p) => fs.promises.rm(p, { force: true }),
};

let seq = 0;

/** `.<name>.<pid>.<n>.tmp` beside `path`: hidden, and unique within this process. */
function asidePath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${++seq}.tmp`);
}

/**
 * The steps, yielding each file system call; a driver resumes with its result. The file gets
 * exactly `mode` whatever the umask; the temporary file is removed on any failure.
 */
function* atomicSteps<R>(io: FileIo<R>, path: string, data: string | Uint8Array, mode: number): Generator<R, void, unknown> {
  const aside = asidePath(path);
  try {
    let fd: number;
    try {
      fd = (yield io.open(aside, "wx", mode)) as number;
    } catch (e) {
      // A leftover of a killed process with the same pid: ours by name, so remove it; "wx" still refuses a planted link.
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      yield io.remove(aside);
      fd = (yield io.open(aside, "wx", mode)) as number;
    }
    try {
      yield io.write(fd, data);
      yield io.chmod(fd, mode);
      yield io.sync(fd);
    } finally {
      yield io.close(fd);
    }
    yield io.rename(aside, path);
  } catch (error) {
    yield io.remove(aside);
    throw error;
  }
  yield* syncDirSteps(io, dirname(path));
}

/** Makes a rename in `dir` itself durable. */
function* syncDirSteps<R>(io: FileIo<R>, dir: string): Generator<R, void, unknown> {
  const fd = (yield io.open(dir, "r")) as number;
  try {
    yield io.sync(fd);
  } finally {
    yield io.close(fd);
  }
}

/** Writes `data` to `path` atomically and durably with exactly `mode`. */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode: number): Promise<void> {
  const steps = atomicSteps(asyncIo, path, data, mode);
  let next = steps.next();
  while (!next.done) {
    let result: unknown;
    try {
      result = await next.value;
    } catch (error) {
      next = steps.throw(error);
      continue;
    }
    next = steps.next(result);
  }
}

/** The synchronous twin of `writeFileAtomic` (same steps), for state saved inside a D-Bus call. */
export function writeFileAtomicSync(path: string, data: string | Uint8Array, mode: number): void {
  runSync(atomicSteps(syncIo, path, data, mode));
}

/** Each sync call runs where the generator makes it, so its errors meet the steps' own try blocks. */
function runSync(steps: Generator<unknown, void, unknown>): void {
  for (let next = steps.next(); !next.done; next = steps.next(next.value));
}

/** Renames `from` to `to` in one directory and makes the rename durable. */
export function renameDurablySync(from: string, to: string): void {
  syncIo.rename(from, to);
  runSync(syncDirSteps(syncIo, dirname(to)));
}

/** Removes temporary files a killed writer left beside `path`; returns their paths. */
export async function removeAtomicLeftovers(path: string): Promise<string[]> {
  const dir = dirname(path);
  const prefix = `.${basename(path)}.`;
  const removed: string[] = [];
  for (const name of await fs.promises.readdir(dir).catch(() => [] as string[])) {
    if (name.startsWith(prefix) && name.endsWith(".tmp")) {
      await fs.promises.rm(join(dir, name), { force: true });
      removed.push(join(dir, name));
    }
  }
  return removed;
}
