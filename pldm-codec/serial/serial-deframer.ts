/**
 * Streaming DSP0253 deframer: feed it chunks of any size, get frames and errors back.
 *
 * Length-driven like the Linux mctp-serial driver: once the count byte is read, that many
 * unescaped bytes are body, then two FCS bytes (never escaped) and the closing 0x7E. Idle
 * 0x7E flags before a frame are allowed.
 *
 * Resync beyond libmctp and mctp-serial, which let a frame cut short swallow the next one:
 * lost bytes move the closing flag, and the next frame's opening one, earlier. So
 * - a raw 0x7E in the body (a sender always escapes it there) ends the frame as "truncated",
 *   and that flag opens the next frame;
 * - a bad FCS whose low byte is 0x7E: that was the closing flag, and the flag read as the
 *   closing one opens the next frame;
 * - no closing flag, FCS low byte 0x7E: the byte read as the closing flag is the next
 *   frame's revision; FCS bytes 7E 01: that byte is the next frame's count;
 * - a revision byte right after a closing flag opens a frame: that flag was its opening
 *   one, taken to close a frame that had lost its own.
 * Each counts a resync, and one lost byte then costs only the frame it was in.
 *
 * Every byte pushed is accounted for exactly once:
 *   bytesIn === bytesInFrames + bytesInBadFrames + bytesSkipped + pendingBytes()
 *
 * Speed: a frame that lies whole in one chunk is checked in one pass (unstuff and CRC
 * together), and when it has no escapes its packet is a view into the chunk, not a copy
 * (as `raw` always was): callers must not reuse a chunk's memory after pushing it. Frames
 * split across chunks, and damaged ones, go through the byte-at-a-time state machine.
 */
import { BytePool, view } from "../wire/byte-pool.js";
import { CRC16_INIT, CRC16_TABLE, crc16Update } from "./crc16.js";
import { DEFAULT_MAX_COUNT, FRAME_ESCAPE, FRAME_FLAG, MIN_COUNT, SERIAL_REVISION } from "./frame-encoder.js";

export type FcsVerdict = "ok" | "legacy-zero" | "legacy-init0";

export type SerialEvent =
  | { kind: "frame"; packet: Uint8Array; fcs: FcsVerdict; raw: Uint8Array }
  | { kind: "error"; reason: "bad-fcs" | "bad-count" | "bad-frame" | "truncated"; raw: Uint8Array };

/** A good frame. Its `raw` view is made on first use: the receive path never looks at it, and a view costs an allocation. */
class FrameEvent {
  readonly kind = "frame";
  constructor(
    readonly packet: Uint8Array,
    readonly fcs: FcsVerdict,
    private readonly rawIn: Uint8Array,
    private readonly rawFrom: number,
    private readonly rawLength: number,
  ) {}

  get raw(): Uint8Array {
    const a = this.rawIn;
    return this.rawFrom === 0 && this.rawLength === a.length ? a : view(a, this.rawFrom, this.rawLength);
  }
}

export interface SerialDeframerStats {
  goodFrames: number;
  fcsErrors: number;
  badCounts: number;
  badFrames: number;
  /** Frames cut short by a flag in their body (bytes lost on the line); each is also a resync. */
  truncatedFrames: number;
  /** Times the decoder lost sync and hunted for the next flag, or restarted at one. */
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
    truncatedFrames: 0,
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
  /** CRC over revision, count and the body bytes so far (updated as they arrive). */
  private crc = 0;
  private fcs = 0;
  private readonly body: Uint8Array;
  /** Raw bytes of the frame in progress that arrived in earlier chunks. */
  private carried: Uint8Array[] = [];
  private carriedBytes = 0;
  /** Where the frame in progress starts in the current chunk; -1 when it began in an earlier one. */
  private frameStart = -1;
  /** Inside a run of garbage already counted as one resync. */
  private hunting = false;
  /** The last byte was a frame's closing flag, which may have been the next frame's opening one. */
  private justClosed = false;
  /** The frame just judged was cut short: its last flag opens the next frame. */
  private reopen = false;
  /** Packets that must be copied (escaped or split frames) come from here. */
  private readonly pool = new BytePool();

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
    const t = CRC16_TABLE;
    let i = 0;
    while (i < n) {
      const b = chunk[i]!;
      switch (this.state) {
        case State.Hunt:
          if (b === FRAME_FLAG) {
            this.hunting = false;
            this.justClosed = false;
            const next = this.wholeFrame(chunk, i, out);
            if (next > 0) {
              i = next;
              continue;
            }
            this.state = State.Revision;
            this.frameStart = i;
          } else if (this.justClosed && b === SERIAL_REVISION) {
            // This frame's opening flag closed the one before, which had lost its own.
            this.justClosed = false;
            this.state = State.Count;
            this.frameStart = i;
          } else {
            this.justClosed = false;
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
          if (b === FRAME_FLAG && b > this.maxCount) {
            out.push(this.cutShort(chunk, i));
            continue;
          } else if (b < MIN_COUNT || b > this.maxCount) {
            out.push(this.fail(chunk, i, "bad-count"));
          } else {
            this.count = b;
            this.filled = 0;
            this.crc = (CRC_AFTER_REVISION >>> 8) ^ t[(CRC_AFTER_REVISION ^ b) & 0xff]!;
            this.state = State.Body;
          }
          break;
        case State.Body: {
          // Copy and checksum plain bytes until the body is full or an escape comes.
          let f = this.filled;
          let crc = this.crc;
          const want = this.count;
          while (i < n && f < want) {
            const c = chunk[i]!;
            if (c === FRAME_ESCAPE || c === FRAME_FLAG) break;
            body[f++] = c;
            crc = (crc >>> 8) ^ t[(crc ^ c) & 0xff]!;
            i++;
          }
          this.filled = f;
          this.crc = crc;
          if (f === want) {
            this.state = State.FcsHi;
            continue;
          }
          if (i === n) break;
          if (chunk[i] === FRAME_FLAG) {
            out.push(this.cutShort(chunk, i));
            continue;
          }
          this.state = State.BodyEscaped; // chunk[i] is the escape byte
          break;
        }
        case State.BodyEscaped: {
          if (b === FRAME_FLAG) {
            out.push(this.cutShort(chunk, i));
            continue;
          }
          const c = b ^ 0x20;
          body[this.filled++] = c;
          this.crc = (this.crc >>> 8) ^ t[(this.crc ^ c) & 0xff]!;
          this.state = this.filled === this.count ? State.FcsHi : State.Body;
          break;
        }
        case State.FcsHi:
          this.fcs = b << 8;
          this.state = State.FcsLo;
          break;
        case State.FcsLo:
          this.fcs |= b;
          this.state = State.End;
          break;
        case State.End:
          if (b === FRAME_FLAG) {
            const raw = this.takeRaw(chunk, i);
            const packet = this.pool.take(this.count);
            packet.set(view(this.body, 0, this.count));
            out.push(this.verdict(this.crc, this.fcs, packet, raw, 0, raw.length));
            if (this.reopen) continue; // this flag opens the next frame
          } else if ((this.fcs & 0xff) === FRAME_FLAG) {
            // Two bytes short: the "FCS" was the closing flag and the next frame's opening one; b is its revision.
            out.push(this.cutShort(chunk, i));
            this.justClosed = true;
            continue;
          } else if (this.fcs === ((FRAME_FLAG << 8) | SERIAL_REVISION)) {
            // Three bytes short: the "FCS" was the next frame's flag and revision; b is its count.
            out.push(this.cutShort(chunk, i));
            this.state = State.Count;
            this.frameStart = i;
            continue;
          } else {
            out.push(this.fail(chunk, i, "bad-frame"));
          }
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

  /**
   * The fast path: a well-formed frame opening at chunk[start] and closing inside this chunk
   * is unstuffed and checksummed in one pass. Returns the index after it, or 0 (nothing
   * consumed, no state touched) for the state machine to take the bytes one at a time.
   */
  private wholeFrame(chunk: Uint8Array, start: number, out: SerialEvent[]): number {
    const n = chunk.length;
    if (start + 3 >= n) return 0;
    const count = chunk[start + 2]!;
    if (start + 6 + count > n || chunk[start + 1] !== SERIAL_REVISION || count < MIN_COUNT || count > this.maxCount) return 0;
    const t = CRC16_TABLE;
    let crc = (CRC_AFTER_REVISION >>> 8) ^ t[(CRC_AFTER_REVISION ^ count) & 0xff]!;
    let j = start + 3;
    // The body ends at `end`, one byte later for each escape; FCS and flag must fit after it.
    let end = j + count;
    let escapes = 0;
    for (; j < end; j++) {
      let c = chunk[j]!;
      // One unsigned compare catches both 0x7D and 0x7E, keeping the plain-byte path short.
      if ((c - FRAME_ESCAPE) >>> 0 <= 1) {
        // A flag (raw, or after an escape) means the frame was cut short: the state machine ends it.
        if (c === FRAME_FLAG || ++end + 3 > n) return 0;
        c = chunk[++j]!;
        if (c === FRAME_FLAG) return 0;
        c ^= 0x20;
        escapes++;
      }
      crc = (crc >>> 8) ^ t[(crc ^ c) & 0xff]!;
    }
    if (chunk[j + 2] !== FRAME_FLAG) return 0;
    const fcs = (chunk[j]! << 8) | chunk[j + 1]!;
    let packet: Uint8Array;
    if (escapes === 0) {
      packet = view(chunk, start + 3, count);
    } else {
      packet = this.pool.take(count);
      for (let k = start + 3, f = 0; k < j; k++) packet[f++] = chunk[k] === FRAME_ESCAPE ? chunk[++k]! ^ 0x20 : chunk[k]!;
    }
    out.push(this.verdict(crc, fcs, packet, chunk, start, j + 3 - start));
    return this.reopen ? j + 2 : j + 3;
  }

  /** Raw bytes of the frame ending at chunk[i], inclusive; the frame is over after this. */
  private takeRaw(chunk: Uint8Array, i: number): Uint8Array {
    const from = this.frameStart >= 0 ? this.frameStart : 0;
    const tail = view(chunk, from, i + 1 - from);
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

  /**
   * Judges a complete frame by its FCS (`crc` already covers revision, count and packet); raw is
   * rawIn[from, from + length), ending with the closing flag. Sets `reopen` when that flag must
   * be read again as the next frame's opening one.
   */
  private verdict(crc: number, fcsIn: number, packet: Uint8Array, rawIn: Uint8Array, from: number, length: number): SerialEvent {
    const s = this.stats;
    this.justClosed = true;
    this.reopen = false;
    let fcs: FcsVerdict | null = crc === fcsIn ? "ok" : null;
    if (!fcs && this.acceptLegacyFcs) {
      if (fcsIn === 0) fcs = "legacy-zero";
      else if (crc16Update(crc16Update(0, Uint8Array.of(SERIAL_REVISION, packet.length)), packet) === fcsIn) fcs = "legacy-init0";
    }
    if (!fcs) {
      if ((fcsIn & 0xff) === FRAME_FLAG) {
        // The "FCS low byte" was this frame's closing flag, bytes short: the flag after it is the next frame's.
        this.justClosed = false;
        this.reopen = true;
        s.truncatedFrames++;
        s.resyncs++;
        s.bytesInBadFrames += length - 1;
        return { kind: "error", reason: "truncated", raw: view(rawIn, from, length - 1) };
      }
      s.fcsErrors++;
      s.bytesInBadFrames += length;
      return { kind: "error", reason: "bad-fcs", raw: from === 0 && length === rawIn.length ? rawIn : view(rawIn, from, length) };
    }
    if (fcs !== "ok") s.legacyFcsFrames++;
    s.goodFrames++;
    s.bytesInFrames += length;
    return new FrameEvent(packet, fcs, rawIn, from, length);
  }

  /**
   * The frame in progress was cut short by the flag at chunk[i]: it ends as bad just before
   * that flag, and the caller hands the flag to the hunt (without i++) to open the next frame.
   */
  private cutShort(chunk: Uint8Array, i: number): SerialEvent {
    const raw = this.takeRaw(chunk, i - 1);
    const s = this.stats;
    s.truncatedFrames++;
    s.resyncs++;
    s.bytesInBadFrames += raw.length;
    return { kind: "error", reason: "truncated", raw };
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

/** The CRC after the revision byte, which every frame starts with. */
const CRC_AFTER_REVISION = (CRC16_INIT >>> 8) ^ CRC16_TABLE[(CRC16_INIT ^ SERIAL_REVISION) & 0xff]!;
