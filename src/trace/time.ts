/**
 * Trace timestamps: kept as the trace wrote them (normalised to ISO where the trace gives
 * a date and zone) and turned into milliseconds only to measure latency between records.
 */
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const ISO = /^(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)?$/;
const SYSLOG = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d\d):(\d\d):(\d\d)(?:\.(\d+))?$/;
/** pldmd's flight recorder: "%F %Z %T." then the microseconds, not zero-padded. */
const FLIGHT = /^(\d{4}-\d\d-\d\d) (\S+) (\d\d:\d\d:\d\d)\.(\d+)$/;

const fractionMs = (digits: string | undefined) => (digits ? Number(`0.${digits}`) * 1000 : 0);

/** ISO-8601 with the full sub-second precision of a capture (pcap gives µs or ns). */
export function isoFromEpoch(seconds: number, fraction: number, fractionDigits: number): string {
  // A damaged capture can claim a time Date cannot hold; it is shown as the raw count instead.
  if (!(Math.abs(seconds) <= 8.64e12)) return `${seconds}.${String(fraction).padStart(fractionDigits, "0")} s`;
  // Packets come many to a second: the date part is made once per second.
  if (seconds !== lastSecond) {
    lastSecond = seconds;
    lastWhole = new Date(seconds * 1000).toISOString().slice(0, 19);
  }
  return `${lastWhole}.${String(fraction).padStart(fractionDigits, "0")}Z`;
}
let lastSecond = NaN;
let lastWhole = "";

/** `isoFromEpoch` for a time held as milliseconds, exact to the microsecond (digits <= 6). */
export function isoFromMs(ms: number, fractionDigits: number): string {
  const total = Math.round(ms * 10 ** (fractionDigits - 3));
  const seconds = Math.floor(total / 10 ** fractionDigits);
  return isoFromEpoch(seconds, total - seconds * 10 ** fractionDigits, fractionDigits);
}

/** The flight recorder's "2023-04-03 UTC 20:27:21.4567" as ISO when the zone is UTC, else zero-padded as written. */
export function normaliseFlightRecorderTime(text: string): string {
  const m = FLIGHT.exec(text.trim());
  if (!m) return text.trim();
  const micros = m[4]!.padStart(6, "0");
  return m[2] === "UTC" || m[2] === "GMT" ? `${m[1]}T${m[3]}.${micros}Z` : `${m[1]} ${m[2]} ${m[3]}.${micros}`;
}

let lastIsoWhole = "";
let lastIsoZone: string | undefined;
let lastIsoBase = NaN;

/**
 * Milliseconds for latency arithmetic. Syslog times have no year (2000 is assumed) and
 * zones other than UTC are read as UTC: both cancel out between records of one trace.
 */
export function timeToMs(time: string | null): number | null {
  if (!time) return null;
  let m = ISO.exec(time);
  if (m) {
    // A log has many lines a second: the whole second is parsed once.
    if (m[1] !== lastIsoWhole || m[3] !== lastIsoZone) {
      const zone = m[3] ? (m[3] === "Z" ? "Z" : `${m[3].slice(0, 3)}:${m[3].slice(-2)}`) : "Z";
      lastIsoWhole = m[1]!;
      lastIsoZone = m[3];
      lastIsoBase = Date.parse(`${m[1]!.replace(" ", "T")}${zone}`);
    }
    return Number.isNaN(lastIsoBase) ? null : lastIsoBase + fractionMs(m[2]);
  }
  m = SYSLOG.exec(time);
  if (m) {
    const month = MONTHS.indexOf(m[1]!);
    if (month < 0) return null;
    return Date.UTC(2000, month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])) + fractionMs(m[6]);
  }
  m = FLIGHT.exec(time);
  if (m) {
    const base = Date.parse(`${m[1]}T${m[3]}Z`);
    return Number.isNaN(base) ? null : base + Number(m[4]) / 1000;
  }
  return null;
}
