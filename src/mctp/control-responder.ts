/** The MCTP control commands an endpoint must answer; anything else gets UnsupportedCommand. */
import { DecodeError } from "../../pldm-codec/errors.js";
import {
  decodeControlMessage,
  encodeControlError,
  encodeControlResponse,
  GetEndpointId,
  GetMctpVersionSupport,
  GetMessageTypeSupport,
  MctpControlCode,
} from "../../pldm-codec/mctp/control.js";

/** DSP0236 "message type number not supported" for Get MCTP Version Support. */
const MESSAGE_TYPE_NOT_SUPPORTED = 0x80;

/** Versions we speak, by the message type asked about (0xFF = the base specification). */
const VERSIONS: Readonly<Record<number, string[]>> = { 0xff: ["1.3.1"], 0x00: ["1.3.1"], 0x01: ["1.0.0"] };
const MESSAGE_TYPES = [0x00, 0x01];

/** Answers one control request; returns the response message (with its type byte), or null for non-requests. */
export function answerControlRequest(message: Uint8Array, localEid: number): Uint8Array | null {
  let m;
  try {
    m = decodeControlMessage(message);
  } catch (e) {
    if (!(e instanceof DecodeError) || message.length < 3 || !(message[1]! & 0x80)) return null;
    const to = { command: message[2]!, instanceId: message[1]! & 0x1f };
    const code = e.reason === "reserved-value" ? MctpControlCode.InvalidData : MctpControlCode.InvalidLength;
    return encodeControlError(to, code);
  }
  if (!m.request || m.datagram) return null;
  const to = { command: m.command, instanceId: m.instanceId };
  switch (m.command) {
    case GetEndpointId.command:
      return encodeControlResponse(GetEndpointId, m.instanceId, { eid: localEid, endpointType: 0, mediumSpecific: 0 });
    case GetMctpVersionSupport.command: {
      const versions = VERSIONS[(m.fields as { messageType: number }).messageType];
      if (!versions) return encodeControlError(to, MESSAGE_TYPE_NOT_SUPPORTED);
      return encodeControlResponse(GetMctpVersionSupport, m.instanceId, { versionCount: versions.length, versions });
    }
    case GetMessageTypeSupport.command:
      return encodeControlResponse(GetMessageTypeSupport, m.instanceId, { typeCount: MESSAGE_TYPES.length, types: MESSAGE_TYPES });
    default:
      return encodeControlError(to, MctpControlCode.UnsupportedCommand);
  }
}
