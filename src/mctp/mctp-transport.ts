/**
 * The message-level seam the PLDM requester and responder sit on: whole MCTP messages in
 * and out, whatever carries them. `MctpEndpoint` does MCTP itself over a byte link (DSP0253
 * serial framing, fragmentation, tags); `MctpDemuxTransport` is a client of libmctp's
 * mctp-demux-daemon, which does all that for us. An AF_MCTP socket would be a third
 * (docs/transports.md).
 */
import type { SerialDeframerStats, SerialEvent } from "../../pldm-codec/serial/serial-deframer.js";
import type { EventEmitter } from "eventemitter3";
import type { TagAllocator } from "./tag-allocator.js";

export interface MctpMessage {
  src: number;
  dest: number;
  tag: number;
  tagOwner: boolean;
  messageType: number;
  /** The message body after the type byte. */
  body: Uint8Array;
}

/** "up": messages flow; "connecting": down, trying again (a demux daemon restarting); "down": closed for good. */
export type MctpLinkState = "up" | "connecting" | "down";

export interface MctpTransportEvents {
  pldm: (m: MctpMessage) => void;
  /** Every MCTP packet as it crosses a serial link, for trace recorders (serial only). */
  packet: (dir: "tx" | "rx", packet: Uint8Array) => void;
  "frame-error": (e: Extract<SerialEvent, { kind: "error" }>) => void;
  "link-state": (state: MctpLinkState) => void;
}

export interface MctpTransportStats {
  txMessages: number;
  rxMessages: number;
  txBytes: number;
  rxBytes: number;
  /** Messages that could not be sent (link down or full). */
  txDropped: number;
  /** DSP0253 counters; null when someone else reads the serial line (a demux daemon). */
  serial: SerialDeframerStats | null;
  linkState: MctpLinkState;
  /** Times the link came back after going down. */
  reconnects: number;
}

export interface MctpTransport extends Pick<EventEmitter<MctpTransportEvents>, "on" | "off" | "once"> {
  readonly localEid: number;
  /** Tags for our requests; where the carrier sets its own (the demux: always 0), they still bound concurrency. */
  readonly tags: TagAllocator;
  /** What carries the messages, for logs. */
  readonly description: string;
  send(dest: number, messageType: number, body: Uint8Array, tag: { tag: number; tagOwner: boolean }): void;
  stats(): MctpTransportStats;
  close(): void;
}

export const isMctpTransport = (x: object): x is MctpTransport => "send" in x && "localEid" in x && "tags" in x;
