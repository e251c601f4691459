import { describe, expect, it } from "vitest";
import { decodePldmMessage, encodeRequest, encodeResponse } from "../../pldm-codec/pldm/message.js";
import { pldmMessageToJson } from "../../pldm-codec/pldm/json.js";
import { PLATFORM_COMMANDS } from "../../pldm-codec/pldm/platform.js";
import { fromHex, toHex } from "../support/vectors.js";

/** Hand-encoded from DSP0248 and libpldm's platform.h layouts, as pldmd and a host exchange them. */
const vectors: { name: string; hex: string; command: string; json: Record<string, unknown> }[] = [
  {
    name: "SetEventReceiver request: async keep-alive to EID 8, heartbeat 120 s",
    hex: "8102040200087800",
    command: "SetEventReceiver",
    json: { eventMessageGlobalEnable: 2, transportProtocolType: 0, eventReceiverAddressInfo: 8, heartbeatTimer: 120 },
  },
  { name: "SetEventReceiver response", hex: "01020400", command: "SetEventReceiver", json: {} },
  {
    name: "PlatformEventMessage request: state sensor event from TID 9",
    hex: "8202 0a 01 09 00 1100 01 00 01 02".replace(/ /g, ""),
    command: "PlatformEventMessage",
    json: { formatVersion: 1, tid: 9, eventClass: 0, eventData: "110001000102" },
  },
  { name: "PlatformEventMessage response", hex: "02020a0000", command: "PlatformEventMessage", json: { platformEventStatus: 0 } },
  { name: "GetSensorReading request sensor 5", hex: "8302110500" + "00", command: "GetSensorReading", json: { sensorId: 5, rearmEventState: 0 } },
  {
    name: "GetSensorReading response uint16 reading 300",
    hex: "03021100020000010101" + "2c01",
    command: "GetSensorReading",
    json: { sensorDataSize: 2, presentState: 1, presentReading: "2c01" },
  },
  { name: "GetStateSensorReadings request sensor 2", hex: "840221020001" + "00", command: "GetStateSensorReadings", json: { sensorId: 2, sensorRearm: 1 } },
  {
    name: "GetStateSensorReadings response one composite sensor",
    hex: "04022100" + "01" + "00010200",
    command: "GetStateSensorReadings",
    json: { compositeSensorCount: 1, stateFields: [{ sensorOperationalState: 0, presentState: 1, previousState: 2, eventState: 0 }] },
  },
  {
    name: "SetStateEffecterStates request effecter 12, set state 2",
    hex: "8502390c00" + "01" + "0102",
    command: "SetStateEffecterStates",
    json: { effecterId: 12, compositeEffecterCount: 1, stateFields: [{ setRequest: 1, effecterState: 2 }] },
  },
  { name: "SetStateEffecterStates response", hex: "05023900", command: "SetStateEffecterStates", json: {} },
  {
    name: "GetPDR request first part of record 0",
    hex: "860251" + "00000000" + "00000000" + "01" + "ffff" + "0000",
    command: "GetPDR",
    json: { recordHandle: 0, transferOperationFlag: 1, requestCount: 0xffff, recordChangeNumber: 0 },
  },
  {
    name: "GetPDR response whole record, next handle 2",
    hex: "06025100" + "02000000" + "00000000" + "05" + "0400" + "01000000",
    command: "GetPDR",
    json: { nextRecordHandle: 2, transferFlag: 5, responseCount: 4, recordData: "01000000" },
  },
];

describe("platform (type 2) vectors", () => {
  it("defines every platform command the issue lists", () => {
    expect(PLATFORM_COMMANDS.map((c) => c.name).sort()).toEqual([
      "GetPDR",
      "GetSensorReading",
      "GetStateSensorReadings",
      "PlatformEventMessage",
      "SetEventReceiver",
      "SetStateEffecterStates",
    ]);
  });

  for (const v of vectors) {
    it(`decodes ${v.name} and re-encodes the same bytes`, () => {
      const m = decodePldmMessage(fromHex(v.hex));
      const json = pldmMessageToJson(m);
      expect(json.typeName).toBe("platform");
      expect(json.commandName).toBe(v.command);
      expect(json.fields).toMatchObject(v.json);
      const def = m.def!;
      const again = m.header.request ? encodeRequest(def, m.fields, { instanceId: m.header.instanceId }) : encodeResponse(def, m.header.instanceId, m.fields);
      expect(toHex(again)).toBe(v.hex);
    });
  }

  it("refuses a state list shorter than its count", () => {
    expect(() => decodePldmMessage(fromHex("0402210002" + "00010200"))).toThrow(/2 items/);
  });

  it("refuses a reserved GetPDR transfer flag", () => {
    expect(() => decodePldmMessage(fromHex("06025100" + "02000000" + "00000000" + "03" + "0000"))).toThrow(/reserved/);
  });
});
