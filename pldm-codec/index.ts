/**
 * `pldm-hostbridge/codec`: the package's public codec, pure (Uint8Array in and out, no
 * Node built-ins). PLDM messages are built from and read into the command definitions
 * below; MCTP packets carry them, DSP0253 serial frames carry the packets.
 *
 *   const bytes = encodeRequest(GetTID, {}, { instanceId: 1 });
 *   const m = decodePldmMessage(bytes); // m.def === GetTID
 *
 * Everything else under pldm-codec/ is internal and may change without notice.
 */
export { DecodeError, EncodeError, type DecodeReason } from "./errors.js";

// PLDM messages.
export { PLDM_HEADER_SIZE, decodePldmHeader, encodePldmHeader, type PldmHeader } from "./pldm/header.js";
export {
  decodePldmMessage,
  decodeRequest,
  decodeResponse,
  encodeErrorResponse,
  encodeRequest,
  encodeResponse,
  type DecodedResponse,
  type ResponseOutcome,
  type PldmMessage,
} from "./pldm/message.js";
export { pldmMessageToJson, type PldmJson } from "./pldm/json.js";
export { CommandRegistry, type AnyCommandDef, type CommandDef, type RequestOf, type ResponseOf } from "./wire/command.js";
export { commandName, defaultRegistry } from "./pldm/registry.js";
export { CompletionCode, completionCodeName, FileStatus, IBM_FILE_TYPE_NAMES, IbmFileType, PLDM_TYPE_NAMES, PldmType } from "./pldm/names.js";

// Command definitions, one module per PLDM type (test/package checks each is in defaultRegistry).
export * from "./pldm/base.js";
export * from "./pldm/ibm-file-io.js";
export * from "./pldm/platform.js";

// MCTP packets and messages.
export {
  MCTP_BASELINE_MTU,
  MCTP_HEADER_SIZE,
  MctpMessageType,
  decodeMctpPacket,
  decodeMctpPacketHeader,
  encodeMctpPacket,
  encodeMctpPacketHeader,
  type MctpPacketHeader,
} from "./mctp/packet.js";
export { fragmentMessage, type FragmentRequest } from "./mctp/fragmenter.js";
export { MctpReassembler, type ReassembledMessage, type ReassemblyDropReason } from "./mctp/reassembler.js";
export {
  MCTP_CONTROL_TYPE,
  MctpControlCode,
  controlRegistry,
  decodeControlMessage,
  encodeControlError,
  encodeControlRequest,
  encodeControlResponse,
  GetEndpointId,
  GetMctpVersionSupport,
  GetMessageTypeSupport,
  type MctpControlMessage,
} from "./mctp/control.js";

// DSP0253 serial framing.
export { encodeSerialFrame, DEFAULT_MAX_COUNT } from "./serial/frame-encoder.js";
export { SerialDeframer, type FcsVerdict, type SerialDeframerStats, type SerialEvent } from "./serial/serial-deframer.js";
export { crc16Mcrf4xx } from "./serial/crc16.js";
