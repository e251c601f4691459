/** `hostbridge decode` as a stream: output while input still flows, bounded memory, a reader that leaves. */
import { spawn, spawnSync } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DecodeSession, decodeInputs } from "../../src/trace/trace-decoder.js";
import type { TraceRecord } from "../../src/trace/decoded-record.js";
import { writeBigPcapng } from "../bench/trace-bench.js";
import { cliPath } from "../support/host-sim-process.js";
import { scratchDir } from "../support/openssl.js";
import { field } from "./field-samples.js";
import { enc, EXCHANGE, render } from "./samples.js";

const spaced = (hex: string) => hex.replace(/(..)/g, "$1 ");
const line = (i: number) => `Apr 03 20:27:21 bmc pldmd[3179]: ${EXCHANGE[i]!.dir === "tx" ? "Tx" : "Rx"}: ${spaced(EXCHANGE[i]!.hex)}\n`;

/** A decoder reading a pipe we write by hand; `until` resolves once its output matches. */
function liveDecoder(args: string[]) {
  const child = spawn(process.execPath, [cliPath, "decode", ...args, "-"], { stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr.on("data", (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  const until = (test: (out: string) => boolean, ms = 20_000) =>
    new Promise<string>((resolve, reject) => {
      const started = Date.now();
      const poll = setInterval(() => {
        if (test(out)) {
          clearInterval(poll);
          resolve(out);
        } else if (Date.now() - started > ms) {
          clearInterval(poll);
          reject(new Error(`no such output in ${ms} ms; got:\n${out}\nstderr:\n${err}`));
        }
      }, 20);
    });
  return { child, until, exited, stderr: () => err };
}

describe("chunk boundaries", () => {
  it("give the same records wherever the input is cut, in every format", () => {
    const samples = [
      render.pcapng(),
      render.pcapSll(),
      render.serialBinary(),
      enc(render.serialHex()),
      enc(render.mctpHex()),
      enc(render.flightRecorder()),
      enc(field.oldVerbose()),
      enc(field.wrapped()),
      enc(field.chatter()),
      enc(`Température 30 °C — démarrage…\n${field.cat()}\nÉtat: ok ✓\n`),
    ];
    const key = (r: TraceRecord) => `${r.index} ${r.dir} ${r.time} ${r.raw} ${r.error} ${JSON.stringify(r.exchange)}`;
    fc.assert(
      fc.property(fc.constantFrom(...samples), fc.array(fc.nat(), { maxLength: 8 }), (b, cuts) => {
        const at = [...new Set(cuts.map((c) => c % (b.length + 1)))].sort((x, y) => x - y);
        const session = new DecodeSession();
        const out: TraceRecord[] = [];
        let from = 0;
        for (const c of [...at, b.length]) {
          session.push(b.subarray(from, c), out);
          from = c;
        }
        session.endInput(out);
        session.finish(out);
        expect(out.map(key)).toEqual(decodeInputs([b]).records.map(key));
      }),
      { numRuns: 300 },
    );
  });
});

describe("decoding a live input", () => {
  it("prints each exchange as it completes, before the input ends", async () => {
    const d = liveDecoder(["--summary", "--records"]);
    try {
      d.child.stdin.write(line(0));
      // The request waits for its answer; the answer lets both out.
      d.child.stdin.write(line(1));
      const first = await d.until((o) => o.includes("NewFileAvailable") && o.includes("cc=SUCCESS"));
      expect(first.trim().split("\n")).toHaveLength(2);
      expect(first).toContain("(#0 +0ms)");
      d.child.stdin.write(line(4) + line(5));
      await d.until((o) => o.includes("GetTID") && o.trim().split("\n").length === 4);
      expect(d.child.exitCode).toBeNull();
    } finally {
      d.child.stdin.end();
    }
    expect(await d.exited).toBe(0);
  }, 60_000);

  it("takes a log that starts with other lines and pauses as a log, not as hex", async () => {
    const d = liveDecoder([]);
    try {
      d.child.stdin.write("Apr 03 20:27:20 bmc systemd[1]: Started PLDM daemon.\n");
      await new Promise((r) => setTimeout(r, 1500));
      d.child.stdin.write(line(4) + line(5));
      const out = await d.until((o) => o.includes("cc=SUCCESS"));
      expect(out).not.toContain("ERROR");
      expect(out.trim().split("\n")).toHaveLength(2);
    } finally {
      d.child.stdin.end();
    }
    expect(await d.exited).toBe(0);
  }, 60_000);

  it("writes an extracted file as soon as its last chunk passes, before the input ends", async () => {
    const dir = scratchDir("hb-live-extract-");
    const d = liveDecoder(["--extract", dir]);
    try {
      // NewFileAvailable for a 150-byte signed certificate (type 5, handle 7), then the write carrying all of it.
      d.child.stdin.write(`Tx: 85 3f 0a 05 00 07 00 00 00 96 00 00 00 00 00 00 00\nRx: 05 3f 0a 00\n${line(6)}`);
      await d.until((o) => o.includes("extracted"));
      expect(readdirSync(dir)).toEqual(["cert-7.bin"]);
    } finally {
      d.child.stdin.end();
    }
    expect(await d.exited).toBe(0);
  }, 60_000);
});

describe("large captures", () => {
  const dir = scratchDir("hb-big-");
  // Prints the decoder's peak RSS on exit, whatever path it exits by.
  const rssHook = join(dir, "rss.cjs");
  writeFileSync(rssHook, "process.on('exit', () => require('fs').writeSync(2, `maxrss-kb ${process.resourceUsage().maxRSS}\\n`));\n");
  const peakRssMb = (file: string) => {
    const res = spawnSync(process.execPath, ["--require", rssHook, cliPath, "decode", "--summary", file], {
      stdio: ["ignore", "ignore", "pipe"],
      timeout: 300_000,
    });
    expect(res.status, res.stderr.toString()).toBe(0);
    return Number(/maxrss-kb (\d+)/.exec(res.stderr.toString())![1]) / 1024;
  };

  it("decodes in memory bounded by the open exchanges, not the input: 4x the input, the same RSS", () => {
    const small = join(dir, "small.pcapng");
    const big = join(dir, "big.pcapng");
    writeBigPcapng(small, 12e6);
    writeBigPcapng(big, 48e6);
    const a = peakRssMb(small);
    const b = peakRssMb(big);
    // Held whole, 36 MB more of capture would be hundreds of MB more of records.
    expect(b).toBeLessThan(a * 1.25 + 10);
    expect(b).toBeLessThan(200);
  }, 600_000);

  it("ends quietly with status 0 when its reader goes away (| head)", () => {
    const file = join(dir, "head.pcapng");
    writeBigPcapng(file, 8e6);
    const res = spawnSync(
      "bash",
      ["-c", `"${process.execPath}" "${cliPath}" decode "${file}" 2>"${dir}/head.err" | head -n 3; echo "status \${PIPESTATUS[0]}"`],
      { encoding: "utf8", timeout: 120_000 },
    );
    const lines = res.stdout.trim().split("\n");
    expect(lines.slice(0, 3).every((l) => l.startsWith("#"))).toBe(true);
    expect(lines[3]).toBe("status 0");
    expect(spawnSync("cat", [`${dir}/head.err`], { encoding: "utf8" }).stdout).toBe("");
  }, 120_000);
});
