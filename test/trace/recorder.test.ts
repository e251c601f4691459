import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { HostSimulator } from "../../host-sim/host-simulator.js";
import { createMemoryLinkPair } from "../../src/link/memory-link.js";
import type { PtyChildLink } from "../../src/link/pty-child-link.js";
import { decodeInputs } from "../../src/cli/decode.js";
import { rebuildFiles, writeRebuiltFiles } from "../../src/trace/extract-files.js";
import { formatMermaid } from "../../src/trace/format-mermaid.js";
import { recordLink, traceFormatFor } from "../../src/trace/trace-recorder.js";
import { bmcSide } from "../support/bmc-side.js";
import { spawnHostSim } from "../support/host-sim-process.js";
import { opensslCsr, scratchDir, subjectOf } from "../support/openssl.js";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const dec = new TextDecoder();

describe("TraceRecorder", () => {
  it("chooses pcapng by extension and a text log otherwise", () => {
    expect([traceFormatFor("a.pcapng"), traceFormatFor("b.PCAP"), traceFormatFor("c.log"), traceFormatFor("pcapng.txt")]).toEqual([
      "pcapng",
      "pcapng",
      "text",
      "text",
    ]);
  });

  for (const file of ["exchange.pcapng", "exchange.log"]) {
    it(`records a whole certificate exchange to ${file}, which decodes into the diagram and the rebuilt files`, async () => {
      const dir = scratchDir("hb-trace-");
      const path = join(dir, file);
      const [bmcLink, hostLink] = createMemoryLinkPair(["bmc", "host"]);
      const recorded = recordLink(hostLink, path, { name: "host-sim", localEid: 9 });
      const sim = new HostSimulator(recorded, { readChunk: 200, writeChunk: 300 });
      const bmc = bmcSide(bmcLink);
      cleanups.push(
        () => bmc.close(),
        () => sim.close(),
        () => bmcLink.close(),
      );
      const rootSeen = bmc.nextRoot();
      await sim.powerOn();
      const root = await rootSeen;
      const { csrPem } = opensslCsr(dir, "traced-hmc");
      const out = await bmc.sign(7, csrPem);
      expect(out.status).toBe("Complete");
      // The BMC's answer to the last write is still on its way to the host.
      await new Promise((r) => setTimeout(r, 100));
      sim.close();
      await recorded.close();

      const { records, formats, summary } = decodeInputs([new Uint8Array(readFileSync(path))]);
      expect(formats).toEqual([file.endsWith(".pcapng") ? "pcap" : "pldmtool"]);
      expect(summary).toMatchObject({ decodeErrors: 0, unanswered: 0, unmatchedResponses: 0 });
      // Both ends are named: the recording side is the host, EID 9.
      expect(records.every((r) => r.src !== null && r.dest !== null)).toBe(true);
      expect(records.find((r) => r.pldm?.commandName === "ReadFileByType" && r.pldm.request)?.dir).toBe("tx");

      const files = rebuildFiles(records);
      const byType = (t: number) => files.filter((f) => f.type === t && f.complete).map((f) => dec.decode(f.bytes));
      expect(byType(6)).toEqual([root]);
      expect(byType(5)).toEqual([out.cert]);
      expect(byType(4)[0]!.trim()).toBe(csrPem.trim());

      const written = await writeRebuiltFiles(files, join(dir, "out"));
      const cert = written.find((w) => w.file.type === 5)!;
      expect(cert.path).toBe(join(dir, "out", "cert-7.pem"));
      expect(readFileSync(cert.path, "utf8")).toBe(out.cert);
      expect(cert.description).toContain(`subject "${subjectOf("x509", out.cert).split(",").reverse().join(", ")}"`);
      expect(cert.description).toMatch(/issuer ".+", valid \S+Z to \S+Z, sha256 ([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      expect(written.find((w) => w.file.type === 4)!.description).toContain("signature valid");

      const diagram = formatMermaid(records);
      expect(diagram).toContain("participant E9 as Host (EID 9)");
      expect(diagram).toMatch(/E8->>E9: \d+: NewFileAvailable CERT_SIGNING_REQUEST handle 7 length \d+ iid \d+/);
      expect(diagram).toMatch(/E9->>E8: \d+: WriteFileByType SIGNED_CERT handle 7 offset 300 length \d+/);
    });
  }

  it("is what `hostbridge host-sim --trace` writes", async () => {
    const path = join(scratchDir("hb-trace-cli-"), "host.log");
    const child: PtyChildLink = spawnHostSim(["--trace", path]);
    const bmc = bmcSide(child);
    cleanups.push(
      () => child.close(),
      () => bmc.close(),
    );
    const root = await bmc.nextRoot();
    await new Promise((r) => setTimeout(r, 200));
    await child.close();
    const { records } = decodeInputs([new Uint8Array(readFileSync(path))]);
    expect(records.find((r) => r.pldm?.commandName === "NewFileAvailable")).toMatchObject({ dir: "tx", src: 9, dest: 8 });
    expect(records.every((r) => r.time !== null && !r.error)).toBe(true);
    expect(rebuildFiles(records).map((f) => dec.decode(f.bytes))).toContain(root);
  });
});
