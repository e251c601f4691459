/** How long-running sub-commands stop: cleanly on a stop signal, or for their supervisor. */
import type { Logger } from "../log.js";
import { STOP_WITH_PARENT_ENV } from "../os/stop-with-parent.js";

/** Exit code for "lost the bus or the link": the supervisor (systemd, `hostbridge up`) restarts us. */
export const EXIT_RESTART = 75;

/** Stops on SIGTERM/SIGINT/SIGHUP within the bound, exits for the supervisor when the bus or link is lost. */
export function supervise(log: Logger, stop: () => Promise<void>, fatal: Promise<string>): void {
  let stopping = false;
  const finish = (code: number, why: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ why }, "stopping");
    const hard = setTimeout(() => process.exit(code), 1800);
    void stop().finally(() => {
      clearTimeout(hard);
      process.exit(code);
    });
  };
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.on(signal, () => finish(0, signal));
  if (process.env[STOP_WITH_PARENT_ENV] === "1") {
    process.stdin.on("data", () => undefined); // nothing is sent: only the end matters
    process.stdin.once("close", () => finish(0, "the stack that started us is gone"));
  }
  void fatal.then((why) => {
    if (stopping) return; // the bus going away is expected once we are stopping
    log.error({ why }, "cannot go on; exiting for the supervisor to restart us");
    finish(EXIT_RESTART, why);
  });
}
