/** How long-running sub-commands stop: cleanly on SIGTERM/SIGINT, or for their supervisor. */
import type { Logger } from "../log.js";

/** Exit code for "lost the bus or the link": the supervisor (systemd, `hostbridge up`) restarts us. */
export const EXIT_RESTART = 75;

/** Stops on SIGTERM/SIGINT within the bound, exits for the supervisor when the bus or link is lost. */
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
  process.on("SIGTERM", () => finish(0, "SIGTERM"));
  process.on("SIGINT", () => finish(0, "SIGINT"));
  void fatal.then((why) => {
    log.error({ why }, "cannot go on; exiting for the supervisor to restart us");
    finish(EXIT_RESTART, why);
  });
}

