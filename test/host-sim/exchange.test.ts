import { describe, expect, it } from "vitest";
import { hostSimHarness } from "../support/host-sim-process.js";
import { opensslCsr, opensslVerify, publicKeyOf, scratchDir, subjectOf } from "../support/openssl.js";

const harness = hostSimHarness();

describe("host-sim over a real pty", () => {
  it("pushes a root at power on and signs an openssl CSR into a certificate openssl verifies", async () => {
    const dir = scratchDir();
    const bmc = harness.start();
    const root = await bmc.nextRoot();
    expect(root).toContain("BEGIN CERTIFICATE");
    for (const [id, key] of [
      [1, "rsa"],
      [2, "ec"],
    ] as const) {
      const { csrPem } = opensslCsr(dir, `hmc-${id}`, key);
      const out = await bmc.sign(id, csrPem);
      expect(out.status).toBe("Complete");
      expect(opensslVerify(dir, root, out.cert)).toMatch(/: OK$/);
      expect(subjectOf("x509", out.cert)).toBe(subjectOf("req", csrPem));
      expect(publicKeyOf("x509", out.cert)).toBe(publicKeyOf("req", csrPem));
    }
  });

  it("handles many CSRs at once, each certificate carrying its own CSR's key", async () => {
    const dir = scratchDir();
    const bmc = harness.start(["--key", "p256"]);
    const root = await bmc.nextRoot();
    const csrs = Array.from({ length: 8 }, (_, i) => opensslCsr(dir, `multi-${i}`, i % 2 ? "ec" : "rsa").csrPem);
    const outs = await Promise.all(csrs.map((csr, i) => bmc.sign(100 + i, csr)));
    outs.forEach((o, i) => {
      expect(o.status).toBe("Complete");
      expect(publicKeyOf("x509", o.cert)).toBe(publicKeyOf("req", csrs[i]!));
      expect(opensslVerify(dir, root, o.cert)).toMatch(/: OK$/);
    });
  });

  for (const signal of ["file-ack-metadata", "new-file-metadata", "empty-write"]) {
    it(`refuses a CSR with a bad signature by ${signal}, which the BMC reads as BadCSR`, async () => {
      const dir = scratchDir();
      const bmc = harness.start(["--bad-csr", signal]);
      await bmc.nextRoot();
      const { csrPem } = opensslCsr(dir, "forged");
      // Flip one character inside the base64 body near the end (the signature).
      const lines = csrPem.trim().split("\n");
      const i = lines.length - 3;
      lines[i] = lines[i]!.slice(0, 10) + (lines[i]![10] === "A" ? "B" : "A") + lines[i]!.slice(11);
      const out = await bmc.sign(5, `${lines.join("\n")}\n`);
      expect(out.status).toBe("BadCSR");
    });
  }
});
