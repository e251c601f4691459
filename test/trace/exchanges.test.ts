import { describe, expect, it } from "vitest";
import { decodeInputs } from "../../src/cli/decode.js";
import { formatSummary } from "../../src/trace/exchanges.js";
import { enc } from "./samples.js";

const log = (lines: [ms: number, dir: "Tx" | "Rx", hex: string][]) =>
  enc(
    lines
      .map(
        ([ms, dir, hex]) =>
          `2025-04-03T20:27:${String(21 + Math.floor(ms / 1000)).padStart(2, "0")}.${String(ms % 1000).padStart(3, "0")}Z bmc pldmd[1]: ${dir}: ${hex}`,
      )
      .join("\n"),
  );

describe("pairing requests and responses", () => {
  it("measures latency from the first send and counts a resend with the same instance id as a retry", () => {
    const { records, summary } = decodeInputs([
      log([
        [0, "Tx", "853f0a040007000000d204000000000000"],
        [2000, "Tx", "853f0a040007000000d204000000000000"],
        [2100, "Rx", "053f0a00"],
      ]),
    ]);
    expect(records.map((r) => r.exchange)).toEqual([
      { role: "request", peer: 2, latencyMs: 2100, retry: 0 },
      { role: "request", peer: 2, latencyMs: null, retry: 1 },
      { role: "response", peer: 1, latencyMs: 2100, retry: 0 },
    ]);
    expect(summary).toMatchObject({ requests: 2, answered: 1, retries: 1, unanswered: 0, lateResponses: 1, latencyMs: { min: 2100, max: 2100 } });
  });

  it("reports time-outs, unmatched and duplicate responses, and error completion codes", () => {
    const { records, summary } = decodeInputs([
      log([
        [0, "Tx", "800002"], // GetTID, never answered
        [10, "Rx", "013f0b8600000000"], // ReadFileByType error answer nobody asked for
        [20, "Rx", "833f0b04000700000000000000d2040000"], // host asks for the CSR
        [25, "Tx", "033f0b8600000000"], // INVALID_FILE_HANDLE
        [26, "Tx", "033f0b8600000000"], // the same answer again
        [30, "Tx", "810002"], // GetTID iid 1 ...
        [40, "Tx", "810004"], // ... and GetPLDMTypes iid 1: another command, its own exchange
      ]),
    ]);
    expect(summary).toMatchObject({
      requests: 4,
      answered: 1,
      unanswered: 3,
      unmatchedResponses: 1,
      duplicateResponses: 1,
      errorCompletionCodes: { INVALID_FILE_HANDLE: 3 },
      unansweredRequests: [0, 5, 6],
    });
    expect(records[3]!.exchange).toEqual({ role: "response", peer: 2, latencyMs: 5, retry: 0 });
    expect(formatSummary(summary)).toContain("time-outs 3");
    expect(formatSummary(summary)).toContain("INVALID_FILE_HANDLE x3");
  });

  it("takes a new request on a busy instance id as the end of the old one", () => {
    const { summary } = decodeInputs([
      log([
        [0, "Tx", "800002"],
        [6000, "Tx", "800004"],
        [6001, "Rx", "000004001d00000000000080"],
      ]),
    ]);
    expect(summary).toMatchObject({ requests: 2, answered: 1, unanswered: 1, unansweredRequests: [0] });
  });

  it("keeps datagrams out of pairing", () => {
    const { records, summary } = decodeInputs([enc("c00002\n")]);
    expect(records[0]!.exchange?.role).toBe("datagram");
    expect(summary).toMatchObject({ datagrams: 1, requests: 0, unanswered: 0 });
  });
});
