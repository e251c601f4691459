import { pino, type Logger } from "pino";

export type { Logger };

/**
 * Logs go to stderr as JSON lines: stdout may be a serial link (host-sim on stdio)
 * or a command's output, so it is never written by the logger.
 */
export function createLogger(name: string, level = process.env.HOSTBRIDGE_LOG ?? "info"): Logger {
  return pino({ name, level, base: { pid: process.pid } }, pino.destination({ fd: 2, sync: true }));
}

/** A logger that drops everything, for library use and tests that do not read logs. */
export const silentLogger: Logger = pino({ level: "silent" });
