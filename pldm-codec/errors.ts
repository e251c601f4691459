/** Why a decode failed; stable strings that tools and tests match on. */
export type DecodeReason =
  | "truncated" // fewer bytes than the layout needs
  | "trailing-bytes" // more bytes than the layout allows
  | "length-mismatch" // a length field disagrees with the bytes carried
  | "reserved-value" // a reserved bit or enum value is set
  | "unsupported-version" // header version we do not speak
  | "unknown-command" // no definition for (type, command)
  | "value-out-of-range" // a number we cannot represent (u64 above 2^53)
  | "bad-fcs" // serial frame check failed
  | "bad-count" // serial count byte outside 4..68
  | "bad-frame"; // serial framing otherwise broken

export class DecodeError extends Error {
  override readonly name = "DecodeError";
  constructor(
    readonly reason: DecodeReason,
    detail: string,
    /** Byte offset in the input where the problem was found, when known. */
    readonly offset?: number,
  ) {
    super(`${reason}: ${detail}`);
  }
}

/** Raised when asked to encode a value the wire format cannot carry. */
export class EncodeError extends Error {
  override readonly name = "EncodeError";
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`${field}: ${detail}`);
  }
}
