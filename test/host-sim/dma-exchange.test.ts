/**
 * The whole exchange with files crossing by DMA: the real daemon (--dma-region) and
 * host-sim (--transfer dma|mixed, --host-memory) on its pty, a private bus, busctl and openssl.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { EntryState } from "../../src/dbus/names.js";
import type { LocalStack } from "../../src/stack/local-stack.js";
import { eventually } from "../support/dbus.js";
import { opensslCsr, opensslVerify, publicKeyOf, scratchDir } from "../support/openssl.js";
import { createRootCa, generateKeyPair } from "../../src/x509/index.js";
import { hostBridgeProperty, readRoot, signCsr, startStack, waitForRoot, waitForStatus } from "../support/local-stack.js";

interface MemoryStatus {
  path: string;
  dmaTransfers: number;
  bytesByDma: number;
}

let stack: LocalStack | null = null;
afterEach(async () => {
  await stack?.stop();
  stack = null;
});

function hostMemoryStatus(s: LocalStack): MemoryStatus | null {
  try {
    return (JSON.parse(readFileSync(join(s.hostSimStatePath, "host-sim.json"), "utf8")) as { hostMemory: MemoryStatus | null }).hostMemory;
  } catch {
    return null; // not written yet
  }
}

async function startDmaStack(transfer: "dma" | "mixed", faults: string[] = [], stateDir?: string): Promise<{ stack: LocalStack; memory: string }> {
  const memory = join(scratchDir("hb-hostmem-"), "host-memory.bin");
  const s = await startStack({
    ...(stateDir ? { stateDir } : {}),
    hostSimArgs: ["--transfer", transfer, "--host-memory", memory, ...faults],
    daemonArgs: ["--dma-region", memory],
  });
  return { stack: s, memory };
}

const counter = async (s: LocalStack, name: string) => Number(await hostBridgeProperty(s, name));

/** Text before the PEM block is ignored by every reader: pads a CSR to exactly `bytes`. */
function padCsr(pem: string, bytes: number): string {
  const pad = bytes - Buffer.byteLength(pem) - 1;
  if (pad < 0) throw new Error(`CSR is already ${Buffer.byteLength(pem)} bytes`);
  return `${"#".repeat(pad)}\n${pem}`;
}

describe("host-sim and the daemon exchanging files by DMA", () => {
  it("--transfer dma: the root push and SignCSR complete with the bulk of every file moved through host memory", async () => {
    let memory: string;
    ({ stack, memory } = await startDmaStack("dma"));
    const root = await waitForRoot(stack);
    const dir = scratchDir();
    const { csrPem } = opensslCsr(dir, "dma-1");
    const out = await waitForStatus(stack, await signCsr(stack, csrPem));
    expect(out.status).toBe(EntryState.Complete);
    expect(publicKeyOf("x509", out.cert)).toBe(publicKeyOf("req", csrPem));
    expect(opensslVerify(dir, root, out.cert)).toMatch(/: OK$/);
    // Root and certificate by DMA to their last whole 16-byte unit, the CSR (plus pldmd's newline) whole.
    const expected = Math.floor(root.length / 16) * 16 + (csrPem.length + 1) + Math.floor(out.cert.length / 16) * 16;
    const m = await eventually(
      () => {
        const st = hostMemoryStatus(stack!);
        return st && st.dmaTransfers >= 3 ? st : undefined;
      },
      10_000,
      "host-sim status with 3 DMA transfers",
    );
    expect(m).toMatchObject({ path: memory, dmaTransfers: 3, bytesByDma: expected });
  });

  it("--transfer mixed: DMA for the 4 KiB-aligned bulk of a CSR, in band for the rest and for smaller files", async () => {
    let memory: string;
    ({ stack, memory } = await startDmaStack("mixed"));
    const root = await waitForRoot(stack);
    const dir = scratchDir();
    // 4096 bytes, the CA manager's limit; the daemon sends it with a newline: 4096 by DMA, 1 in band.
    const csrPem = padCsr(opensslCsr(dir, "mixed-1").csrPem, 4096);
    const small = opensslCsr(dir, "mixed-2", "ec").csrPem;
    const [big, little] = await Promise.all([signCsr(stack, csrPem), signCsr(stack, small)]);
    for (const [path, csr] of [
      [big, csrPem],
      [little, small],
    ] as const) {
      const out = await waitForStatus(stack, path);
      expect(out.status).toBe(EntryState.Complete);
      expect(publicKeyOf("x509", out.cert)).toBe(publicKeyOf("req", csr));
      expect(opensslVerify(dir, root, out.cert)).toMatch(/: OK$/);
    }
    const m = await eventually(
      () => {
        const st = hostMemoryStatus(stack!);
        return st && st.dmaTransfers >= 1 ? st : undefined;
      },
      10_000,
      "host-sim status with a DMA transfer",
    );
    expect(m).toMatchObject({ path: memory, dmaTransfers: 1, bytesByDma: 4096 });
  });

  it("--transfer dma, a hostile host: a bad root or certificate read from host memory is refused as one sent in band is", async () => {
    // A bad root: RootCert keeps the root in place.
    const stateDir = scratchDir("hb-stack-");
    const good = await createRootCa({ keys: await generateKeyPair("p256"), subject: "CN=the root in place", validityDays: 30 });
    writeFileSync(join(stateDir, "RootCert"), good);
    ({ stack } = await startDmaStack("dma", ["--faults", "bad-root=leaf"], stateDir));
    await eventually(async () => ((await counter(stack!, "RootsRefused")) >= 2 ? true : undefined), 20_000, "two refused roots");
    expect(readRoot(stack)).toBe(good);
    // Both pushes crossed by DMA (host-sim writes its status a little later).
    await eventually(() => ((hostMemoryStatus(stack!)?.dmaTransfers ?? 0) >= 2 ? true : undefined), 10_000, "two roots moved by DMA");
    await stack.stop();
    // A certificate for another root, once: refused, then the honest one completes the entry.
    ({ stack } = await startDmaStack("dma", ["--faults", "bad-cert=other-root,bad-times=1"]));
    const root = await waitForRoot(stack);
    const dir = scratchDir();
    const { csrPem } = opensslCsr(dir, "dma-hostile");
    const out = await waitForStatus(stack, await signCsr(stack, csrPem), 30_000);
    expect(out.status).toBe(EntryState.Complete);
    expect(opensslVerify(dir, root, out.cert)).toMatch(/: OK$/);
    expect(await counter(stack, "CertificatesRefused")).toBe(1);
  }, 90_000);
});
