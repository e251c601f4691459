/** The JSON shape of a decoded PLDM message (the `pldm` object of `hostbridge decode`). */
import { PLDM_HEADER_SIZE } from "./header.js";
import { errorShapeOf, type PldmMessage } from "./message.js";
import { completionCodeName, IBM_FILE_TYPE_NAMES, PLDM_TYPE_NAMES, PldmType } from "./names.js";
import { commandName } from "./registry.js";

export interface PldmJson {
  request: boolean;
  datagram: boolean;
  instanceId: number;
  type: number;
  typeName: string | null;
  command: number;
  commandName: string | null;
  completionCode: number | null;
  completionCodeName: string | null;
  fields: Record<string, unknown> | null;
}

/** `Object.keys(o).length > 0` without the array: this runs for every message of a trace. */
function hasKeys(o: object): boolean {
  for (const _ in o) return true;
  return false;
}

export function pldmMessageToJson(m: PldmMessage): PldmJson {
  const { header: h } = m;
  let fields: Record<string, unknown> | null = null;
  if (m.def && m.fields) {
    const shape =
      m.completionCode === null || m.completionCode === 0
        ? m.header.request
          ? m.def.request
          : m.def.response
        : errorShapeOf(m.def, m.bytes.length - PLDM_HEADER_SIZE - 1);
    fields = shape && hasKeys(m.fields) ? shape.toJson(m.fields) : {};
    if (typeof m.fields.fileType === "number" && h.type === PldmType.Oem) fields.fileTypeName = IBM_FILE_TYPE_NAMES[m.fields.fileType] ?? null;
    if (m.fields.data instanceof Uint8Array) fields.dataLength = m.fields.data.length;
  }
  return {
    request: h.request,
    datagram: h.datagram,
    instanceId: h.instanceId,
    type: h.type,
    typeName: PLDM_TYPE_NAMES[h.type] ?? null,
    command: h.command,
    commandName: commandName(h.type, h.command),
    completionCode: m.completionCode,
    completionCodeName: m.completionCode === null ? null : completionCodeName(m.completionCode, h.type),
    fields,
  };
}
