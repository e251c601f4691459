/**
 * MCTP control messages (DSP0236 section 12), the few an endpoint must answer:
 * Get Endpoint ID, Get MCTP Version Support, Get Message Type Support.
 * Layout after the message-type byte: Rq|D|rsvd|instance id, command, payload.
 */
import { DecodeError, EncodeError } from "../errors.js";
import { defineCommand, CommandRegistry, type CommandDef } from "../wire/command.js";
import { listCountedBy, u8, ver32Mctp } from "../wire/fields.js";
import { empty, struct } from "../wire/struct.js";

export const MCTP_CONTROL_TYPE = 0x00;
const HEADER = 3; // type byte, Rq/D/iid, command

export const MctpControlCode = { Success: 0x00, Error: 0x01, InvalidData: 0x02, InvalidLength: 0x03, NotReady: 0x04, UnsupportedCommand: 0x05 } as const;

const control = <Q, R>(command: number, name: string, request: CommandDef<Q, R>["request"], response: CommandDef<Q, R>["response"]) =>
  defineCommand({ type: MCTP_CONTROL_TYPE, command, name, request, response });

export const GetEndpointId = control(0x02, "GetEndpointID", empty, struct({ eid: u8, endpointType: u8, mediumSpecific: u8 }));
export const GetMctpVersionSupport = control(
  0x04,
  "GetMCTPVersionSupport",
  struct({ messageType: u8 }),
  struct({ versionCount: u8, versions: listCountedBy(ver32Mctp, "versionCount") }),
);
export const GetMessageTypeSupport = control(0x05, "GetMessageTypeSupport", empty, struct({ typeCount: u8, types: listCountedBy(u8, "typeCount") }));

export const controlRegistry = new CommandRegistry([GetEndpointId, GetMctpVersionSupport, GetMessageTypeSupport]);

export interface MctpControlMessage {
  request: boolean;
  datagram: boolean;
  instanceId: number;
  command: number;
  commandName: string | null;
  completionCode: number | null;
  fields: Record<string, unknown> | null;
}

/** Decodes a whole control message, starting at its message-type byte. */
export function decodeControlMessage(m: Uint8Array): MctpControlMessage {
  if (m.length < HEADER) throw new DecodeError("truncated", `control message needs ${HEADER} bytes, has ${m.length}`, m.length);
  if ((m[0]! & 0x7f) !== MCTP_CONTROL_TYPE) throw new DecodeError("unknown-command", `message type ${m[0]! & 0x7f} is not control`, 0);
  const b1 = m[1]!;
  if (b1 & 0x20) throw new DecodeError("reserved-value", "reserved bit 5 is set", 1);
  const request = (b1 & 0x80) !== 0;
  const command = m[2]!;
  const def = controlRegistry.get(MCTP_CONTROL_TYPE, command) ?? null;
  const base = { request, datagram: (b1 & 0x40) !== 0, instanceId: b1 & 0x1f, command, commandName: def?.name ?? null };
  if (request) return { ...base, completionCode: null, fields: def ? def.request.decode(m, HEADER) : null };
  if (m.length < HEADER + 1) throw new DecodeError("truncated", "control response has no completion code", m.length);
  const completionCode = m[HEADER]!;
  const fields = def && completionCode === MctpControlCode.Success ? def.response.decode(m, HEADER + 1) : null;
  return { ...base, completionCode, fields };
}

function withHeader(request: boolean, instanceId: number, command: number, body: number): Uint8Array {
  if (!Number.isInteger(instanceId) || instanceId < 0 || instanceId > 31) throw new EncodeError("instanceId", `${instanceId} outside 0..31`);
  const out = new Uint8Array(HEADER + body);
  out[0] = MCTP_CONTROL_TYPE;
  out[1] = (request ? 0x80 : 0) | instanceId;
  out[2] = command;
  return out;
}

export function encodeControlRequest<Q, R>(def: CommandDef<Q, R>, fields: Q, instanceId: number): Uint8Array {
  const out = withHeader(true, instanceId, def.command, def.request.sizeOf(fields));
  def.request.encodeInto(out, HEADER, fields);
  return out;
}

export function encodeControlResponse<Q, R>(def: CommandDef<Q, R>, instanceId: number, fields: R): Uint8Array {
  const out = withHeader(false, instanceId, def.command, 1 + def.response.sizeOf(fields));
  def.response.encodeInto(out, HEADER + 1, fields);
  return out;
}

export function encodeControlError(to: { command: number; instanceId: number }, completionCode: number): Uint8Array {
  const out = withHeader(false, to.instanceId, to.command, 1);
  out[HEADER] = completionCode;
  return out;
}
