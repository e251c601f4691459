/**
 * PLDM platform monitoring and control (DSP0248, type 2): the commands real pldmd
 * traces carry beside the IBM file I/O. Layouts follow DSP0248 and libpldm platform.h.
 */
import { listCountedBy, restBytes, u16, u32, u8, u8Enum, type Field } from "../wire/fields.js";
import { empty, struct } from "../wire/struct.js";
import { defineCommand } from "../wire/command.js";
import { TransferOperationFlag } from "./base.js";
import { PldmType } from "./names.js";

/** DSP0248's flag on a GetPDR response part (libpldm `pldm_platform_transfer_flag`): not DSP0240's values. */
export const PlatformTransferFlag = { Start: 0x00, Middle: 0x01, End: 0x04, StartAndEnd: 0x05 } as const;

const transferOperationFlag = u8Enum(Object.values(TransferOperationFlag));
const transferFlag = u8Enum(Object.values(PlatformTransferFlag));

/**
 * A list of fixed composite items carried as packed little-endian words: the wire and the
 * property generators see plain numbers, the JSON shows each item's named bytes.
 */
function packedList(word: Field<number>, countField: string, names: readonly string[]): Field<number[]> {
  const list = listCountedBy(word, countField);
  return {
    ...list,
    toJson: (v) => v.map((w) => Object.fromEntries(names.map((n, i) => [n, (w >>> (8 * i)) & 0xff]))),
  };
}

export const SetEventReceiver = defineCommand({
  type: PldmType.Platform,
  command: 0x04,
  name: "SetEventReceiver",
  // Transport 0 (MCTP) carries a one-byte EID as the receiver address, as libpldm encodes it.
  request: struct({ eventMessageGlobalEnable: u8, transportProtocolType: u8, eventReceiverAddressInfo: u8, heartbeatTimer: u16 }),
  response: empty,
});

export const PlatformEventMessage = defineCommand({
  type: PldmType.Platform,
  command: 0x0a,
  name: "PlatformEventMessage",
  request: struct({ formatVersion: u8, tid: u8, eventClass: u8, eventData: restBytes }),
  response: struct({ platformEventStatus: u8 }),
});

export const GetSensorReading = defineCommand({
  type: PldmType.Platform,
  command: 0x11,
  name: "GetSensorReading",
  request: struct({ sensorId: u16, rearmEventState: u8 }),
  // presentReading is 1, 2 or 4 bytes as sensorDataSize says (0/1: 8 bit, 2/3: 16, 4/5: 32).
  response: struct({
    sensorDataSize: u8,
    sensorOperationalState: u8,
    sensorEventMessageEnable: u8,
    presentState: u8,
    previousState: u8,
    eventState: u8,
    presentReading: restBytes,
  }),
});

export const GetStateSensorReadings = defineCommand({
  type: PldmType.Platform,
  command: 0x21,
  name: "GetStateSensorReadings",
  request: struct({ sensorId: u16, sensorRearm: u8, reserved: u8 }),
  response: struct({
    compositeSensorCount: u8,
    stateFields: packedList(u32, "compositeSensorCount", ["sensorOperationalState", "presentState", "previousState", "eventState"]),
  }),
});

export const SetStateEffecterStates = defineCommand({
  type: PldmType.Platform,
  command: 0x39,
  name: "SetStateEffecterStates",
  request: struct({
    effecterId: u16,
    compositeEffecterCount: u8,
    stateFields: packedList(u16, "compositeEffecterCount", ["setRequest", "effecterState"]),
  }),
  response: empty,
});

export const GetPDR = defineCommand({
  type: PldmType.Platform,
  command: 0x51,
  name: "GetPDR",
  request: struct({ recordHandle: u32, dataTransferHandle: u32, transferOperationFlag, requestCount: u16, recordChangeNumber: u16 }),
  // recordData ends with the one-byte transferCRC when transferFlag is END (DSP0248 26.2).
  response: struct({ nextRecordHandle: u32, nextDataTransferHandle: u32, transferFlag, responseCount: u16, recordData: restBytes }),
});

export const PLATFORM_COMMANDS = [SetEventReceiver, PlatformEventMessage, GetSensorReading, GetStateSensorReadings, SetStateEffecterStates, GetPDR] as const;
