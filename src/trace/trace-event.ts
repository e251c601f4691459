/**
 * What an input parser hands the decoder: bytes at one protocol layer, or bytes it
 * could not make sense of. The decoder turns them into TraceRecords.
 */
export type Direction = "tx" | "rx";

export interface EventMeta {
  dir: Direction | null;
  /** The trace's own timestamp, normalised (ISO when it has a date and zone). */
  time: string | null;
  /** `time` in milliseconds when the reader has it as a number (captures). */
  ms?: number | null;
  /** When `time` is null: `ms` as ISO with this many fraction digits, made only if a record needs it. */
  timeDigits?: number;
  src?: number | null;
  dest?: number | null;
  /** The trace's author cut the bytes short ("..."). */
  truncated?: boolean;
}

export type TraceEvent =
  /** A bare PLDM message (header + payload), as pldmd and pldmtool print them. */
  | ({ kind: "pldm"; bytes: Uint8Array } & EventMeta)
  /** One MCTP packet (transport header + body), as pcaps and mctp hex lines carry them. */
  | ({ kind: "mctp-packet"; bytes: Uint8Array } & EventMeta)
  /** Bytes of a DSP0253 serial stream; frames may span events. */
  | ({ kind: "serial"; bytes: Uint8Array } & EventMeta)
  | ({ kind: "error"; raw: Uint8Array; reason: string } & EventMeta);

/** Where a parser puts its events: an array, or a decoder that takes each one as it comes. */
export interface EventSink {
  push(ev: TraceEvent): void;
}

export const INPUT_FORMATS = ["auto", "pldmtool", "serial", "serial-hex", "pldm-hex", "mctp-hex", "pcap"] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];
