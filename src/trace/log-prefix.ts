/**
 * What journald and syslog put before a program's own text, in the shapes `journalctl`
 * prints: `short` and `short-precise` ("Apr 03 20:27:21[.041500] host pldmd[3179]: "),
 * `short-iso` ("2025-04-03T20:27:21[.041500]+0000 host pldmd[3179]: "), lines copied without
 * the date ("pldmd[21347]: "), and `cat` (nothing). Our TraceRecorder writes the ISO shape.
 */
// After the time: an optional host, then the program ("pldmd[3179]"), neither with a colon.
const SYSLOG = /^([A-Z][a-z]{2} +\d{1,2} \d\d:\d\d:\d\d(?:\.\d+)?) (?:[^\s:]+ )?[^\s:]+: */;
const ISO = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?) (?:[^\s:]+ )?[^\s:]+: */;
/** A program with its pid and no date: a pid is what tells "pldmd[1]: " from "Tx: ". */
const PROGRAM = /^[\w.@-]+\[\d+\]: */;

export interface LogLine {
  /** The time as the log wrote it, or null. */
  time: string | null;
  /** The program's own text. */
  message: string;
}

export function splitLogPrefix(line: string): LogLine {
  const c = line.charCodeAt(0);
  // The first character picks the one pattern that could match: most lines try one.
  const m = c >= 0x30 && c <= 0x39 ? ISO.exec(line) : c >= 0x41 && c <= 0x5a ? SYSLOG.exec(line) : null;
  if (m) return { time: m[1]!, message: line.slice(m[0].length) };
  const p = PROGRAM.exec(line);
  return p ? { time: null, message: line.slice(p[0].length) } : { time: null, message: line };
}
