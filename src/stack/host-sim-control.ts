/**
 * Client of host-sim's control socket (JSON lines): power on, off, reboot, or status.
 * host-sim may be (re)starting, so a missing socket is retried until the bound.
 */
import { connect } from "node:net";

export type HostSimRequest = { power: "on" | "off" | "reboot" } | { status: true };
export type HostSimStatus = Record<string, unknown> & { power?: string };

export async function hostSimControl(path: string, request: HostSimRequest, timeoutMs = 10_000): Promise<HostSimStatus> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await once(path, request, Math.max(100, until - Date.now()));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if ((code !== "ENOENT" && code !== "ECONNREFUSED") || Date.now() > until) throw new Error(`host-sim control ${path}: ${(e as Error).message}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function once(path: string, request: HostSimRequest, timeoutMs: number): Promise<HostSimStatus> {
  return new Promise((resolve, reject) => {
    const sock = connect(path);
    let buf = "";
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no answer in ${timeoutMs} ms`));
    }, timeoutMs);
    sock.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    sock.on("connect", () => sock.write(`${JSON.stringify(request)}\n`));
    sock.on("data", (d) => {
      buf += d.toString();
      if (!buf.includes("\n")) return;
      clearTimeout(timer);
      sock.end();
      const answer = JSON.parse(buf.split("\n")[0]!) as HostSimStatus;
      if (answer.ok === false) reject(new Error(String(answer.error)));
      else resolve(answer);
    });
  });
}
