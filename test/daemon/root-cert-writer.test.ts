import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RootCertError, RootCertWriter } from "../../src/daemon/root-cert-writer.js";
import { createRootCa, fingerprintSha256, generateKeyPair } from "../../src/x509/index.js";
import { scratchDir } from "../support/openssl.js";

const pemOf = async (cn: string) => createRootCa({ keys: await generateKeyPair("p256"), subject: `CN=${cn}`, validityDays: 30 });
const bytes = (s: string) => new TextEncoder().encode(s);

describe("RootCertWriter", () => {
  it("replaces the file by rename with mode 0644 whatever the umask, and keeps the history", async () => {
    const dir = scratchDir();
    const path = join(dir, "bmcweb", "RootCert");
    const writer = new RootCertWriter(path, undefined, join(dir, "history.jsonl"));
    const old = process.umask(0o077);
    try {
      const first = await writer.write(bytes(await pemOf("root one")));
      expect(first.changed).toBe(true);
      expect(statSync(path).mode & 0o777).toBe(0o644);
      const inodeBefore = statSync(path).ino;
      const second = await writer.write(bytes(await pemOf("root two")));
      expect(statSync(path).ino).not.toBe(inodeBefore); // a new file renamed in, never rewritten in place
      expect(second.fingerprint).toBe(await fingerprintSha256(readFileSync(path, "utf8")));
      expect((await writer.write(bytes(readFileSync(path, "utf8")))).changed).toBe(false);
    } finally {
      process.umask(old);
    }
    const lines = readFileSync(join(dir, "history.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { fingerprint: string });
    expect(lines.map((l) => l.fingerprint)).toEqual(writer.history.map((h) => h.fingerprint));
    expect(readdirSync(join(dir, "bmcweb"))).toEqual(["RootCert"]);
  });

  it("refuses a push that is not a PEM certificate and leaves the old root in place", async () => {
    const dir = scratchDir();
    const path = join(dir, "RootCert");
    const writer = new RootCertWriter(path);
    const good = await pemOf("keep me");
    await writer.write(bytes(good));
    await expect(writer.write(bytes("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n"))).rejects.toThrow(RootCertError);
    await expect(writer.write(new Uint8Array(0))).rejects.toThrow(/not-pem/);
    expect(readFileSync(path, "utf8")).toBe(good);
  });

  it("after a restart knows the root in place and removes temporary files a killed run left", async () => {
    const dir = scratchDir();
    const path = join(dir, "RootCert");
    const pem = await pemOf("survivor");
    writeFileSync(path, pem);
    writeFileSync(join(dir, ".RootCert.4242.1.tmp"), pem.slice(0, 100));
    writeFileSync(join(dir, "unrelated.tmp"), "x");
    const writer = new RootCertWriter(path);
    await writer.loadExisting();
    expect(writer.currentFingerprint).toBe(await fingerprintSha256(pem));
    expect(existsSync(join(dir, ".RootCert.4242.1.tmp"))).toBe(false);
    expect(existsSync(join(dir, "unrelated.tmp"))).toBe(true);
    expect((await writer.write(bytes(pem))).changed).toBe(false);
  });
});
