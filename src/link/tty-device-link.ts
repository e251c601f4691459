import { constants, open, close as closeFd } from "node:fs";
import { promisify } from "node:util";
import { isatty, ReadStream as TtyStream } from "node:tty";
import type { SerialLink } from "./serial-link.js";
import { StreamLink, destroyStream } from "./stream-link.js";
import { makeRaw } from "./termios.js";

export interface TtyDeviceOptions {
  /** Line speed to set (e.g. 115200); left as it is when omitted (a pty has no real speed). */
  baud?: number;
}

export class TtyDeviceError extends Error {
  constructor(
    readonly reason: "open-failed" | "not-a-tty",
    readonly path: string,
    detail: string,
  ) {
    super(`tty ${path}: ${detail}`);
    this.name = "TtyDeviceError";
  }
}

/** An existing terminal device (a pty end, a UART), raw, read and written through one socket. */
export class TtyDeviceLink extends StreamLink implements SerialLink {
  constructor(
    readonly path: string,
    socket: TtyStream,
  ) {
    super(`tty ${path}`, socket, socket, () => destroyStream(socket));
  }
}

const openFd = promisify(open);

/**
 * Opens path, makes it raw (and sets the speed when given), and wraps it.
 *
 * The fd is read through a tty.ReadStream: libuv polls a tty with epoll, so destroying it
 * returns at once. An fs.ReadStream would park a thread-pool thread in a blocking read()
 * that close() cannot interrupt, and the process would hang on exit. One duplex socket is
 * used for both directions because libuv allows only one watcher per fd.
 */
export async function openTtyDevice(path: string, options: TtyDeviceOptions = {}): Promise<TtyDeviceLink> {
  let fd: number;
  try {
    // O_NOCTTY: a daemon must never acquire the line as its controlling terminal.
    fd = await openFd(path, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
  } catch (err) {
    throw new TtyDeviceError("open-failed", path, (err as Error).message);
  }
  try {
    if (!isatty(fd)) throw new TtyDeviceError("not-a-tty", path, "not a terminal device");
    await makeRaw(fd, path, options.baud);
    return new TtyDeviceLink(path, new TtyStream(fd));
  } catch (err) {
    closeFd(fd, () => undefined);
    throw err;
  }
}
