import { createRequire } from "node:module";
import { isatty } from "node:tty";
import { pino, type DestinationStream, type Logger } from "pino";

export type { Logger };

export type LogFormat = "json" | "pretty";

/** HOSTBRIDGE_LOG_FORMAT=json|pretty; by default pretty on a terminal, JSON lines otherwise. */
export function logFormat(env: NodeJS.ProcessEnv = process.env, stderrIsTty = isatty(2)): LogFormat {
  const asked = env.HOSTBRIDGE_LOG_FORMAT;
  if (asked === "json" || asked === "pretty") return asked;
  return stderrIsTty ? "pretty" : "json";
}

/**
 * One line per event for people: local time, level, part and message, then the fields.
 * pino-pretty is loaded only here, so a part logging JSON (a service, the daemon under up)
 * never pays for it; it runs in-process and synchronously, like the JSON destination.
 */
function prettyStream(colorize: boolean): DestinationStream {
  const pretty = createRequire(import.meta.url)("pino-pretty") as (opts: Record<string, unknown>) => DestinationStream;
  return pretty({
    destination: 2,
    sync: true,
    colorize,
    translateTime: "SYS:HH:MM:ss.l",
    ignore: "pid,hostname,name",
    messageFormat: "{name}: {msg}",
    singleLine: true,
    // An error stays on its line (see createLogger): its message, not a stack over several lines.
    errorLikeObjectKeys: [],
  });
}

function errorMessage(err: unknown): unknown {
  return err instanceof Error ? err.message : err;
}

/**
 * Logs go to stderr: stdout may be a serial link (host-sim on stdio) or a command's output,
 * so it is never written by the logger. JSON lines unless pretty (see logFormat).
 */
export function createLogger(name: string, level = process.env.HOSTBRIDGE_LOG ?? "info"): Logger {
  if (logFormat() === "json") return pino({ name, level, base: { pid: process.pid } }, pino.destination({ fd: 2, sync: true }));
  // pino-pretty always lays out pino's errorKey over several lines, so pretty logs move it off
  // `err`, and `err` (how our code logs errors) is shown by its message, on the event's line.
  return pino({ name, level, base: { pid: process.pid }, errorKey: "errorStack", serializers: { err: errorMessage } }, prettyStream(isatty(2)));
}

/** A logger that drops everything, for library use and tests that do not read logs. */
export const silentLogger: Logger = pino({ level: "silent" });
