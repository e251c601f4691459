/**
 * Hex dumps, one message per line: bare PLDM messages, MCTP packets, or DSP0253 serial
 * frames (a serial stream may also run across lines). `#` starts a comment.
 */
import { decodeMctpPacketHeader } from "../../pldm-codec/mctp/packet.js";
import { decodePldmMessage } from "../../pldm-codec/pldm/message.js";
import { commandName } from "../../pldm-codec/pldm/registry.js";
import { HexError, parseHex } from "./hex.js";
import type { TraceEvent } from "./trace-event.js";

export type HexLineKind = "pldm" | "mctp" | "serial";

const ENCODER = new TextEncoder();
const knownCommand = (h: { type: number; command: number }) => commandName(h.type, h.command) !== null;

/** Decodes as PLDM and names its command: what a real message (and not a coincidence of bytes) does. */
export function isKnownPldm(b: Uint8Array): boolean {
  try {
    return knownCommand(decodePldmMessage(b).header);
  } catch {
    return false;
  }
}

/** EIDs 1..7 are reserved, so a real packet never names them; a first packet carries type 0 or 1. */
function isPlausibleMctpPacket(b: Uint8Array): boolean {
  if (b.length < 5) return false;
  try {
    const h = decodeMctpPacketHeader(b);
    if ((h.dest >= 1 && h.dest <= 7) || (h.src >= 1 && h.src <= 7)) return false;
    return !h.som || (b[4]! & 0x7f) <= 1;
  } catch {
    return false;
  }
}

/**
 * Which layer a hex line is. A PLDM response with instance id 1 also starts with 0x01, like
 * an MCTP header; then the line that reads well as one and not the other decides, and a line
 * that reads well as both keeps the kind of the line before it.
 */
export function classifyHexLine(b: Uint8Array, previous: HexLineKind | null): HexLineKind {
  if (b[0] === 0x7e) return "serial";
  const mctp = isPlausibleMctpPacket(b);
  const pldm = isKnownPldm(b);
  if (mctp && !pldm) return "mctp";
  if (pldm && !mctp) return "pldm";
  if (previous) return previous;
  return mctp && isKnownPldm(b.subarray(5)) ? "mctp" : "pldm";
}

/** Events for one line; `kind` fixed by --input, or null to classify each line. */
export function hexLineEvents(line: string, kind: HexLineKind | null, state: { previous: HexLineKind | null }): TraceEvent[] {
  if (!line.replace(/#.*$/, "").trim()) return [];
  let bytes: Uint8Array;
  try {
    bytes = parseHex(line);
  } catch (e) {
    if (!(e instanceof HexError)) throw e;
    return [{ kind: "error", raw: ENCODER.encode(line), reason: e.message, dir: null, time: null }];
  }
  const k = kind ?? classifyHexLine(bytes, state.previous);
  state.previous = k;
  const base = { bytes, dir: null, time: null };
  if (k === "serial") return [{ kind: "serial", ...base }];
  if (k === "mctp") return [{ kind: "mctp-packet", ...base }];
  return [{ kind: "pldm", ...base }];
}
