import { spawn, spawnSync, type SpawnOptions } from "node:child_process";

/**
 * Raw 8-bit termios for a binary link. GNU `raw` already clears ICANON, ISIG (0x03, 0x1c),
 * IXON/IXOFF (0x11, 0x13), ICRNL/INLCR/IGNCR (0x0d, 0x0a), ISTRIP and OPOST; it leaves echo on
 * and IEXTEN (0x16, 0x0f) set, and not every stty's `raw` forces 8N1, so those are named too.
 * -opost is repeated because it is the one that turns \n into \r\n on the way out.
 */
const RAW_SETTINGS = ["raw", "-echo", "-echonl", "-iexten", "cs8", "-parenb", "-opost", "min", "1", "time", "0"];

/** The raw settings as shell words, for a wrapper that runs stty before it execs a program. */
export const RAW_STTY_SHELL_WORDS = RAW_SETTINGS.join(" ");

const STTY_TIMEOUT_MS = 5000;

export class TermiosError extends Error {
  readonly reason = "stty-failed";
  constructor(target: string, detail: string) {
    super(`could not make ${target} raw: ${detail}`);
    this.name = "TermiosError";
  }
}

// stty acts on its stdin, so handing it our fd sets exactly the terminal we hold open,
// whatever its path (a pts, a UART, an inherited stdin), with no window where it is reopened.
function sttyOptions(fd: number): SpawnOptions {
  return { stdio: [fd, "ignore", "pipe"], timeout: STTY_TIMEOUT_MS };
}

function sttyArgs(baud: number | undefined): string[] {
  return baud === undefined ? RAW_SETTINGS : [...RAW_SETTINGS, String(baud)];
}

/** Makes the terminal behind fd raw before returning; for start-up paths that must not race bytes. */
export function makeRawSync(fd: number, target: string, baud?: number): void {
  const result = spawnSync("stty", sttyArgs(baud), sttyOptions(fd));
  if (result.error) throw new TermiosError(target, result.error.message);
  if (result.status !== 0) {
    throw new TermiosError(target, result.stderr?.toString().trim() || `stty exit ${result.status}`);
  }
}

export function makeRaw(fd: number, target: string, baud?: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("stty", sttyArgs(baud), sttyOptions(fd));
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", (err) => reject(new TermiosError(target, err.message)));
    child.once("close", (code, signal) => {
      if (code === 0) resolve();
      else reject(new TermiosError(target, stderr.trim() || `stty exit ${code ?? signal}`));
    });
  });
}
