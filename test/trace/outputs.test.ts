import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeInputs } from "../../src/cli/decode.js";
import { formatMermaid } from "../../src/trace/format-mermaid.js";
import { formatRecord } from "../../src/trace/format-text.js";
import { recordsToPcapng } from "../../src/trace/records-to-pcapng.js";
import { recordToJson } from "../../src/trace/decoded-record.js";
import { cliPath } from "../support/host-sim-process.js";
import { field } from "./field-samples.js";
import { enc, EXCHANGE, render } from "./samples.js";

const cli = (args: string[], input?: Uint8Array | string, env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [cliPath, "decode", ...args], { input, env: { ...process.env, ...env }, maxBuffer: 1 << 26 });

describe("text output", () => {
  const { records } = decodeInputs([enc(render.journald())]);

  it("is one aligned line per record, naming command, fields, pairing and latency", () => {
    const lines = records.map((r) => formatRecord(r));
    expect(lines[0]).toMatch(
      /^#0 +Apr 03 20:27:21\.000000 +tx +req iid5 +oem\(ibm\)\/NewFileAvailable +fileType=4\(CERT_SIGNING_REQUEST\) fileHandle=7 length=1234$/,
    );
    expect(lines[1]).toContain("cc=SUCCESS (#0 +12ms)");
    // The command column starts at the same place on every line.
    const col = (l: string) => (l.indexOf("oem(ibm)/") >= 0 ? l.indexOf("oem(ibm)/") : l.indexOf("base/"));
    expect(new Set(lines.map(col)).size).toBe(1);
  });

  it("colours only when asked, and the CLI never colours a pipe or under NO_COLOR", () => {
    expect(formatRecord(records[1]!, true)).toContain("\x1b[32m");
    expect(formatRecord(records[1]!, false)).not.toContain("\x1b[");
    const out = cli([], render.pldmtool(), { NO_COLOR: "1" }).stdout.toString();
    expect(out).not.toContain("\x1b[");
    expect(out.trim().split("\n")).toHaveLength(EXCHANGE.length);
  });
});

describe("JSON output", () => {
  it("keeps the first version's contract and adds time and exchange", () => {
    const out = cli(["-o", "json"], render.pcapSll()).stdout.toString().trim().split("\n");
    const first = JSON.parse(out[0]!) as Record<string, unknown>;
    expect(Object.keys(first)).toEqual([
      "index",
      "dir",
      "time",
      "src",
      "dest",
      "tag",
      "tagOwner",
      "messageType",
      "pldm",
      "error",
      "raw",
      "exchange",
      "truncated",
    ]);
    expect(first).toMatchObject({ dir: "tx", src: 8, dest: 9, time: "2025-04-03T20:27:21.000000Z", pldm: { commandName: "NewFileAvailable" } });
  });

  it("is written by hand exactly as JSON.stringify writes the record, for every kind of record", () => {
    const inputs = [
      render.pcapng(),
      enc(render.journald()),
      enc("Tx: 80 00 0\nRx: 00 00 04 00 1d 00\nTx: 81 02 0a ...\n"),
      enc("010908c801800002\n0108090301\n"),
      // Every field shape, vendor messages IBM's and not, cut-short lines, errors (with a
      // quote, a backslash and non-ASCII to escape), a message of another MCTP type, garbage.
      ...Object.values(field).map((f) => enc(f())),
      enc('Tx: 81 3f 0d 01\nRx: 01 3f 0d 80\nTx: 80 3f 7e 00 ff\nRx: 00 3f 0a 01 02 03\nTx error bad-fcs: 7e "q\\" é\nTx: 80 02 zz\nRx: 00 é\n'),
      enc("0108c8\n7e0108090300c8010203\n"),
      enc("07 08 09 c8 00 81 02\nzz\n"),
      render.serialBinary().subarray(5),
    ];
    for (const input of inputs) {
      for (const r of decodeInputs([input]).records) expect(recordToJson(r)).toBe(JSON.stringify(r));
    }
    const control = decodeInputs([enc("01 09 08 c8 00 02 03\n")], "mctp-hex").records;
    expect(control[0]).toMatchObject({ messageType: 0, length: 2 });
    for (const r of control) expect(recordToJson(r)).toBe(JSON.stringify(r));
  });

  it("prints only the summary object under --summary, and the records too with --records", () => {
    const out = cli(["-o", "json", "--summary"], render.pldmtool()).stdout.toString().trim().split("\n");
    expect(out).toHaveLength(1);
    expect(JSON.parse(out[0]!)).toMatchObject({ summary: { requests: 4, answered: 4, unanswered: 0 } });
    const both = cli(["-o", "json", "--summary", "--records"], render.pldmtool()).stdout.toString().trim().split("\n");
    expect(both).toHaveLength(9);
    expect(JSON.parse(both[8]!)).toMatchObject({ summary: { requests: 4 } });
  });

  it("prints only the summary lines in text under --summary", () => {
    const lines = cli(["--summary"], render.pldmtool()).stdout.toString().trim().split("\n");
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l).toMatch(/^summary: /);
  });
});

describe("pcapng output", () => {
  it("reads back into the same messages, from any input", () => {
    for (const input of [enc(render.pldmtool()), render.serialBinary(), render.pcapSll()]) {
      const first = decodeInputs([input]).records;
      const again = decodeInputs([recordsToPcapng(first)]).records;
      expect(again.map((r) => [r.raw, r.dir])).toEqual(first.map((r) => [r.raw, r.dir]));
      expect(again.every((r) => r.src !== null && r.error === null)).toBe(true);
    }
  });

  it("keeps a capture's EIDs, tags and times through a round trip", () => {
    const first = decodeInputs([render.pcapng()]).records;
    const again = decodeInputs([recordsToPcapng(first)]).records;
    const key = (r: (typeof first)[number]) => [r.src, r.dest, r.tag, r.tagOwner, r.time];
    expect(again.map(key)).toEqual(first.map(key));
  });

  it("comes out of the CLI as a file tshark (when present) opens", () => {
    const dir = mkdtempSync(join(tmpdir(), "hb-pcap-"));
    const res = cli(["-o", "pcap"], render.pldmtool());
    expect(res.status).toBe(0);
    const file = join(dir, "out.pcapng");
    writeFileSync(file, res.stdout);
    expect(decodeInputs([new Uint8Array(res.stdout)]).records).toHaveLength(EXCHANGE.length);
    if (spawnSync("sh", ["-c", "command -v tshark"]).status !== 0) return;
    const count = execFileSync("tshark", ["-r", file, "-T", "fields", "-e", "frame.number"], { stdio: ["ignore", "pipe", "ignore"] });
    // The long WriteFileByType takes three 64-byte packets.
    expect(count.toString().trim().split("\n")).toHaveLength(EXCHANGE.length + 2);
  });
});

describe("Mermaid output", () => {
  it("draws requests solid and answers dashed between named endpoints", () => {
    const { records } = decodeInputs([render.pcapng()]);
    const text = formatMermaid(records);
    const lines = text.trim().split("\n");
    expect(lines.slice(0, 3)).toEqual(["sequenceDiagram", "    participant E8 as BMC (EID 8)", "    participant E9 as Host (EID 9)"]);
    expect(lines[3]).toBe("    E8->>E9: 0: NewFileAvailable CERT_SIGNING_REQUEST handle 7 length 1234 iid 5");
    expect(lines[4]).toBe("    E9-->>E8: 1: NewFileAvailable SUCCESS 12 ms");
    expect(text).not.toMatch(/[;#]/);
  });

  it("notes time-outs and error codes", () => {
    const { records } = decodeInputs([enc("Tx: 80 00 02\nRx: 03 3f 0b 86 00 00 00 00\n")]);
    const text = formatMermaid(records);
    expect(text).toContain("Note right of R: no response (time-out)");
    expect(text).toContain("INVALID_FILE_HANDLE unmatched");
  });
});
