import { describe, expect, it } from "vitest";
import { decodeInputs } from "../../src/cli/decode.js";
import { detectInput } from "../../src/trace/trace-decoder.js";
import { field } from "./field-samples.js";
import { enc, EXCHANGE } from "./samples.js";

const ALL = EXCHANGE.map((m) => m.hex);
const decode = (text: string) => decodeInputs([enc(text)]);
const raws = (text: string) =>
  decode(text)
    .records.filter((r) => r.pldm)
    .map((r) => r.raw);

describe("log formats seen in the field, each detected and decoded", () => {
  for (const [name, make] of [
    ["journal lines without a date", field.noDate],
    ["journalctl -o short-iso", field.shortIso],
    ["journalctl -o cat", field.cat],
    ["a hex line wrapped onto continuation lines", field.wrapped],
  ] as const) {
    it(`${name}: the same messages, no errors`, () => {
      expect(detectInput(enc(make()))).toBe("pldmtool");
      const { records, summary } = decode(make());
      expect(records.map((r) => r.raw)).toEqual(ALL);
      expect(summary).toMatchObject({ decodeErrors: 0, answered: 4, unanswered: 0 });
    });
  }

  it("keeps short-iso times and pairs with their latency", () => {
    const { records } = decode(field.shortIso());
    expect(records[0]!.time).toBe("2025-04-03T20:27:21+0000");
    expect(records[5]!.exchange).toMatchObject({ role: "response", peer: 4, latencyMs: 0 });
  });

  it("pldmd --verbose before 2021-09: Received/Sending Msg, the prefix only where it is, other output around it", () => {
    const { records, summary } = decode(field.oldVerbose());
    expect(records.map((r) => r.raw)).toEqual(ALL);
    expect(records.map((r) => r.dir)).toEqual(EXCHANGE.map((m) => m.dir));
    // The received messages carried [EID 9][type 1]: the far end is their source.
    expect(records.filter((r) => r.dir === "rx").every((r) => r.src === 9)).toBe(true);
    expect(summary).toMatchObject({ decodeErrors: 0, answered: 4, skippedLines: 6 });
  });

  it("old pldmtool blocks: the prefix is stripped even when the payload has a stray byte, and the label gives the direction", () => {
    const { records } = decode(field.pldmtoolExtraBytes());
    expect(records.map((r) => [r.dir, r.raw])).toEqual([
      ["tx", "800002"],
      ["rx", "0000020001ff"],
    ]);
    expect(records[0]).toMatchObject({ dest: 8, pldm: { commandName: "GetTID" } });
    expect(records[1]!.error).toMatch(/^pldm trailing-bytes/);
  });

  it("decodes an author-shortened line as far as it goes and marks it cut short, not as an error", () => {
    const { records, summary } = decode(field.cutShort());
    expect(summary.decodeErrors).toBe(0);
    expect(records.map((r) => r.truncated)).toEqual([true, true]);
    expect(records[0]!.pldm).toMatchObject({ request: true, instanceId: 1, typeName: "platform", commandName: "PlatformEventMessage", fields: null });
    expect(records[1]!.pldm).toMatchObject({ type: 0x3f, commandName: "WriteFileByType", interpretation: "ibm-file-io" });
    expect(records[1]!.raw).toBe("843f0c0500070000000000000096000000414243");
  });

  it("puts a wrapped flight-recorder ring back in time order before pairing", () => {
    const { records, summary } = decode(field.flightWrapped());
    expect(records.map((r) => r.raw)).toEqual(ALL);
    expect(records[1]!.time).toBe("2025-04-03T20:27:21.012000Z");
    expect(summary).toMatchObject({ answered: 4, unanswered: 0, unmatchedResponses: 0 });
  });

  it("skips and counts prose, JSON, prompts and other daemons' lines without an error", () => {
    const { records, summary } = decode(field.chatter());
    expect(records.map((r) => r.raw)).toEqual(ALL);
    expect(summary).toMatchObject({ decodeErrors: 0, skippedLines: 6 });
  });

  it("names type 0x3F oem and reads it as IBM file I/O only when the command fits", () => {
    const [ibm, other] = decode(field.oem()).records;
    expect(ibm!.pldm).toMatchObject({ typeName: "oem", interpretation: "ibm-file-io", commandName: "NewFileAvailable", fields: { fileType: 4 } });
    expect(other!.error).toBeNull();
    expect(other!.pldm).toMatchObject({ typeName: "oem", interpretation: null, commandName: null, fields: null });
    expect(other!.pldm!.note).toMatch(/^not read as IBM NewFileAvailable: truncated/);
    expect(raws(field.oem())).toHaveLength(2);
  });
});
