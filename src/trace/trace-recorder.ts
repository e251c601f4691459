/**
 * Records a serial link: wraps any SerialLink and writes every MCTP packet crossing it,
 * both ways and timestamped, to a file `hostbridge decode` reads back:
 *   *.pcapng / *.pcap  pcapng, one SLL2 0x00FA packet per MCTP packet (Wireshark, tshark)
 *   anything else      a pldmtool-style text log, one line per PLDM message:
 *                      `<ISO time> hostbridge[<name>]: Tx: <EID> 01 <PLDM bytes>`
 * Each direction is deframed on its own; frames that fail (bad FCS, ...) are logged too.
 * Bytes pass through unchanged and unblocked: the file is written behind them.
 */
import { createWriteStream, type WriteStream } from "node:fs";
import { MctpMessageType } from "../../pldm-codec/mctp/packet.js";
import { MctpReassembler } from "../../pldm-codec/mctp/reassembler.js";
import { SerialDeframer } from "../../pldm-codec/serial/serial-deframer.js";
import { BaseLink, type SerialLink } from "../link/serial-link.js";
import { systemClock, type Clock } from "../os/clock.js";
import { pcapngPacket, pcapngPreamble } from "./pcapng-writer.js";
import type { Direction } from "./trace-event.js";

export interface TraceRecorderOptions {
  /** Names the recording side in text logs, e.g. "host-sim". */
  name?: string;
  /** Our EID, written as `# local-eid` so a text log keeps both ends. */
  localEid?: number;
  clock?: Clock;
}

export type TraceFileFormat = "pcapng" | "text";

export function traceFormatFor(path: string): TraceFileFormat {
  return /\.pcap(ng)?$/i.test(path) ? "pcapng" : "text";
}

const hexBytes = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(" ");

interface Side {
  deframer: SerialDeframer;
  reassembler: MctpReassembler;
}

export class TraceRecorder extends BaseLink implements SerialLink {
  readonly description: string;
  readonly format: TraceFileFormat;
  /** MCTP packets and bad frames written so far. */
  readonly stats = { packets: 0, badFrames: 0, messages: 0 };
  private readonly out: WriteStream;
  private readonly clock: Clock;
  private readonly name: string;
  private readonly sides: Record<Direction, Side>;
  private writeError: Error | null = null;

  constructor(
    private readonly inner: SerialLink,
    readonly path: string,
    opts: TraceRecorderOptions = {},
  ) {
    super();
    this.format = traceFormatFor(path);
    this.clock = opts.clock ?? systemClock;
    this.name = opts.name ?? "hostbridge";
    this.description = `${inner.description} recorded to ${path}`;
    const side = (): Side => ({ deframer: new SerialDeframer({ acceptLegacyFcs: true }), reassembler: new MctpReassembler() });
    this.sides = { tx: side(), rx: side() };
    this.out = createWriteStream(path);
    // A full disk must not take the link down: recording stops, the error is reported once.
    this.out.on("error", (e) => {
      if (!this.writeError) this.failed(new Error(`trace ${path}: ${e.message}`));
      this.writeError = e;
    });
    if (this.format === "pcapng") this.out.write(pcapngPreamble(`hostbridge ${this.name}`));
    else {
      this.out.write(`# hostbridge trace of ${inner.description}, started ${new Date(this.clock.now()).toISOString()}\n`);
      if (opts.localEid !== undefined) this.out.write(`# local-eid ${opts.localEid}\n`);
    }
    inner.on("data", (chunk) => {
      this.observe("rx", chunk);
      this.received(chunk);
    });
    inner.on("error", (err) => this.failed(err));
    inner.on("close", (reason) => this.closed(reason));
  }

  protected transmit(bytes: Uint8Array): void {
    this.inner.write(bytes);
    this.observe("tx", bytes);
  }

  protected async release(): Promise<void> {
    await this.inner.close();
    await new Promise<void>((resolve) => this.out.end(resolve));
  }

  private observe(dir: Direction, bytes: Uint8Array): void {
    if (this.writeError) return;
    const now = this.clock.now();
    const side = this.sides[dir];
    for (const ev of side.deframer.push(bytes)) {
      if (ev.kind === "error") {
        this.stats.badFrames++;
        if (this.format === "text") this.line(now, `${dir === "tx" ? "Tx" : "Rx"} error serial-${ev.reason}: ${hexBytes(ev.raw)}`);
        continue;
      }
      this.stats.packets++;
      if (this.format === "pcapng") {
        this.out.write(pcapngPacket(ev.packet, now, dir));
        continue;
      }
      const m = side.reassembler.push(ev.packet, now);
      if (!m || m.messageType !== MctpMessageType.Pldm) continue;
      this.stats.messages++;
      const far = dir === "tx" ? m.dest : m.src;
      // The older pldmtool form: far EID, MCTP type 01, then the PLDM message.
      this.line(now, `${dir === "tx" ? "Tx" : "Rx"}: ${hexBytes(Uint8Array.of(far, m.message[0]!))} ${hexBytes(m.message.subarray(1))}`);
    }
  }

  private line(now: number, text: string): void {
    this.out.write(`${new Date(now).toISOString()} hostbridge[${this.name}]: ${text}\n`);
  }
}

/** Wraps `link` so all it carries is recorded to `path` (format by extension). */
export function recordLink(link: SerialLink, path: string, opts: TraceRecorderOptions = {}): TraceRecorder {
  return new TraceRecorder(link, path, opts);
}
