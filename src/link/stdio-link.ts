import { StreamLink, destroyStream } from "./stream-link.js";
import { makeRawSync } from "./termios.js";

const STDIN_FD = 0;
const STDOUT_FD = 1;

/**
 * The far end's view of the line: the link is this process's stdin (bytes in) and stdout
 * (bytes out), as when host-sim is started on a pty or on pipes.
 *
 * On a tty both ends are made raw with stty before the first byte moves. Node's own
 * setRawMode is not enough: libuv's raw mode keeps OPOST|ONLCR, so every 0x0a written
 * would reach the far end as 0x0d 0x0a. Pipes need nothing.
 *
 * End of stdin closes the link. close() stops reading stdin; stdout is left to Node, which
 * writes to pipes and ttys synchronously, so nothing queued is lost.
 */
export function openStdioLink(): StreamLink {
  const kind = process.stdin.isTTY ? "tty" : "pipe";
  if (process.stdin.isTTY) makeRawSync(STDIN_FD, "stdin");
  if (process.stdout.isTTY) makeRawSync(STDOUT_FD, "stdout");
  return new StreamLink(`stdio (${kind}) pid ${process.pid}`, process.stdin, process.stdout, () => destroyStream(process.stdin));
}
