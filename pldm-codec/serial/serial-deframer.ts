/**
 * Streaming DSP0253 deframer: feed it chunks of any size, get frames and errors back.
 *
 * Length-driven like the Linux mctp-serial driver: once the count byte is read, that
 * many unescaped bytes are body, and a raw 0x7E among them is data (a correct sender
 * never puts one there, so it only happens on a damaged line, where the FCS catches
 * it). Idle 0x7E flags before a frame are allowed; each frame needs its closing 0x7E.
 *
 * Every byte pushed is accounted for exactly once:
 *   bytesIn === bytesInFrames + bytesInBadFrames + bytesSkipped + pendingBytes()
 */
import { CRC16_INIT, CRC16_TABLE, crc16Update } from "./crc16.js";
import { DEFAULT_MAX_COUNT, FRAME_ESCAPE, FRAME_FLAG, MIN_COUNT, SERIAL_REVISION } from "./frame-encoder.js";

export type SerialEvent =
  | { kind: "frame"; packet: Uint8Array; fcs: "ok" | "legacy-zero" | "legacy-init0"; raw: Uint8Array }
  | { kind: "error"; reason: "bad-fcs" | "bad-count" | "bad-frame"; raw: Uint8Array };

export interface SerialDeframerStats {
  goodFrames: number;
  fcsErrors: number;
  badCounts: number;
  badFrames: number;
  /** Times the decoder lost sync and hunted for the next flag. */
  resyncs: number;
  /** Bytes outside any frame: idle flags and garbage. */
  bytesSkipped: number;
  legacyFcsFrames: number;
  bytesIn: number;
  bytesInFrames: number;
  bytesInBadFrames: number;
}

const enum State {
  Hunt,
  Revision,
  Count,
  Body,
  BodyEscaped,
  FcsHi,
  FcsLo,
  End,
}

export class SerialDeframer {
  readonly stats: SerialDeframerStats = {
    goodFrames: 0,
    fcsErrors: 0,
    badCounts: 0,
    badFrames: 0,
    resyncs: 0,
    bytesSkipped: 0,
    legacyFcsFrames: 0,
    bytesIn: 0,
    bytesInFrames: 0,
    bytesInBadFrames: 0,
  };
  private readonly acceptLegacyFcs: boolean;
  private readonly maxCount: number;
  private state = State.Hunt;
  private count = 0;
  private filled = 0;
  private fcs = 0;
  private readonly body: Uint8Array;
  /** Raw bytes of the frame in progress that arrived in earlier chunks. */
  private carried: Uint8Array[] = [];
  private carriedBytes = 0;
  /** Where the frame in progress starts in the current chunk; -1 when it began in an earlier one. */
  private frameStart = -1;
  /** Inside a run of garbage already counted as one resync. */
  private hunting = false;

  constructor(opts: { acceptLegacyFcs?: boolean; maxCount?: number } = {}) {
    this.acceptLegacyFcs = opts.acceptLegacyFcs ?? false;
    this.maxCount = Math.min(255, opts.maxCount ?? DEFAULT_MAX_COUNT);
    this.body = new Uint8Array(this.maxCount);
  }

  /** Bytes held for a frame not yet finished. */
  pendingBytes(): number {
    return this.state === State.Hunt ? 0 : this.carriedBytes;
  }

  push(chunk: Uint8Array): SerialEvent[] {
    const out: SerialEvent[] = [];
    const s = this.stats;
    s.bytesIn += chunk.length;
    this.frameStart = -1;
    const n = chunk.length;
    const body = this.body;
    let i = 0;
    while (i < n) {
      const b = chunk[i]!;
      switch (this.state) {
        case State.Hunt:
          if (b === FRAME_FLAG) {
            this.state = State.Revision;
            this.frameStart = i;
            this.hunting = false;
          } else {
            if (!this.hunting) s.resyncs++;
            this.hunting = true;
            s.bytesSkipped++;
          }
          break;
        case State.Revision:
          if (b === FRAME_FLAG) {
            // The flag before was idle fill; this one may open the frame.
            s.bytesSkipped++;
            this.carried = [];
            this.carriedBytes = 0;
            this.frameStart = i;
          } else if (b === SERIAL_REVISION) {
            this.state = State.Count;
          } else {
            out.push(this.fail(chunk, i, "bad-frame"));
          }
          break;
        case State.Count:
          if (b < MIN_COUNT || b > this.maxCount) {
            out.push(this.fail(chunk, i, "bad-count"));
          } else {
            this.count = b;
            this.filled = 0;
            this.state = State.Body;
          }
          break;
        case State.Body: {
          // Hot loop: copy plain bytes until the body is full or an escape comes.
          let f = this.filled;
          const want = this.count;
          while (i < n && f < want) {
            const c = chunk[i]!;
            if (c === FRAME_ESCAPE) break;
            body[f++] = c;
            i++;
          }
          this.filled = f;
          if (f === want) {
            this.state = State.FcsHi;
            continue;
          }
          if (i < n) this.state = State.BodyEscaped; // chunk[i] is the escape byte
          break;
        }
        case State.BodyEscaped:
          body[this.filled++] = b ^ 0x20;
          this.state = this.filled === this.count ? State.FcsHi : State.Body;
          break;
        case State.FcsHi:
          this.fcs = b << 8;
          this.state = State.FcsLo;
          break;
        case State.FcsLo:
          this.fcs |= b;
          this.state = State.End;
          break;
        case State.End:
          out.push(b === FRAME_FLAG ? this.finish(chunk, i) : this.fail(chunk, i, "bad-frame"));
          break;
      }
      i++;
    }
    if (this.state !== State.Hunt) {
      const from = this.frameStart >= 0 ? this.frameStart : 0;
      this.carried.push(chunk.slice(from, n));
      this.carriedBytes += n - from;
    }
    return out;
  }

  /** Raw bytes of the frame ending at chunk[i], inclusive; the frame is over after this. */
  private takeRaw(chunk: Uint8Array, i: number): Uint8Array {
    const tail = chunk.subarray(this.frameStart >= 0 ? this.frameStart : 0, i + 1);
    this.state = State.Hunt;
    this.frameStart = -1;
    if (this.carriedBytes === 0) return tail;
    const raw = new Uint8Array(this.carriedBytes + tail.length);
    let o = 0;
    for (const c of this.carried) {
      raw.set(c, o);
      o += c.length;
    }
    raw.set(tail, o);
    this.carried = [];
    this.carriedBytes = 0;
    return raw;
  }

  private finish(chunk: Uint8Array, i: number): SerialEvent {
    const raw = this.takeRaw(chunk, i);
    const count = this.count;
    const t = CRC16_TABLE;
    let crc = (CRC16_INIT >>> 8) ^ t[(CRC16_INIT ^ SERIAL_REVISION) & 0xff]!;
    crc = (crc >>> 8) ^ t[(crc ^ count) & 0xff]!;
    crc = crc16Update(crc, this.body, 0, count);
    let fcs: "ok" | "legacy-zero" | "legacy-init0" | null = crc === this.fcs ? "ok" : null;
    if (!fcs && this.acceptLegacyFcs) {
      if (this.fcs === 0) fcs = "legacy-zero";
      else if (crc16Update(crc16Update(0, Uint8Array.of(SERIAL_REVISION, count)), this.body, 0, count) === this.fcs) fcs = "legacy-init0";
    }
    if (!fcs) {
      this.stats.fcsErrors++;
      this.stats.bytesInBadFrames += raw.length;
      return { kind: "error", reason: "bad-fcs", raw };
    }
    if (fcs !== "ok") this.stats.legacyFcsFrames++;
    this.stats.goodFrames++;
    this.stats.bytesInFrames += raw.length;
    return { kind: "frame", packet: this.body.slice(0, count), fcs, raw };
  }

  private fail(chunk: Uint8Array, i: number, reason: "bad-count" | "bad-frame"): SerialEvent {
    const raw = this.takeRaw(chunk, i);
    // Hunting for the next flag from here is part of this one resync.
    this.hunting = true;
    if (reason === "bad-count") this.stats.badCounts++;
    else this.stats.badFrames++;
    this.stats.resyncs++;
    this.stats.bytesInBadFrames += raw.length;
    return { kind: "error", reason, raw };
  }
}
