import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AttestationHooks, checkRootAllowlist, keyPolicyDenial, parseKeyPolicy, runHook, type AttestationSettings } from "../../src/hooks/index.js";
import { createRootCa, fingerprintSha256, generateKeyPair } from "../../src/x509/index.js";
import { eventually } from "../support/dbus.js";
import { opensslCsr, scratchDir } from "../support/openssl.js";

const dir = scratchDir("hb-hooks-");

/** A real bash script in a temp folder, executable. */
function script(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/bash\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

const allow = script("allow.sh", 'cat > "$(dirname "$0")/allow.stdin"; echo "looks fine"; exit 0');
const deny = script("deny.sh", 'echo "subject not on the HMC list"; exit 1');
const crash = script("crash.sh", 'echo "oops" >&2; kill -SEGV $$');
const exit3 = script("exit3.sh", "exit 3");
const hang = script("hang.sh", 'sleep 30 & echo $! > "$(dirname "$0")/hang.child"; wait');
const host = () => ({ linkState: "up", lastSeen: "2026-11-26T00:00:00.000Z", rootFingerprint: "AA" });

describe("runHook: an external command with a JSON document on stdin", () => {
  it("exit 0 allows and the hook gets the document on stdin", async () => {
    expect(await runHook({ argv: [allow], timeoutMs: 5000 }, { hook: "pre-announce", entryId: 7 })).toEqual({ verdict: "allow", reason: "looks fine" });
    expect(JSON.parse(readFileSync(join(dir, "allow.stdin"), "utf8"))).toEqual({ hook: "pre-announce", entryId: 7 });
  });

  it("exit 1 denies with the hook's first line as the reason", async () => {
    expect(await runHook({ argv: [deny], timeoutMs: 5000 }, {})).toEqual({ verdict: "deny", reason: "subject not on the HMC list" });
  });

  it("a crash, another exit code or a missing program is an error", async () => {
    expect(await runHook({ argv: [crash], timeoutMs: 5000 }, {})).toEqual({ verdict: "error", reason: "killed by SIGSEGV: oops" });
    expect(await runHook({ argv: [exit3], timeoutMs: 5000 }, {})).toEqual({ verdict: "error", reason: "exit 3" });
    expect((await runHook({ argv: [join(dir, "missing.sh")], timeoutMs: 5000 }, {})).verdict).toBe("error");
  });

  it("a hang is an error at the time-out, and the hook's children are killed with it", async () => {
    const t0 = Date.now();
    const outcome = await runHook({ argv: [hang], timeoutMs: 300 }, {});
    expect(outcome).toEqual({ verdict: "error", reason: "no answer within 300 ms (killed)" });
    expect(Date.now() - t0).toBeLessThan(5000);
    const child = Number(readFileSync(join(dir, "hang.child"), "utf8"));
    // Gone, or a zombie waiting for init to reap it: either way no longer running.
    const running = () => {
      try {
        return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${child}/stat`, "utf8"));
      } catch {
        return false;
      }
    };
    await eventually(() => (running() ? undefined : true), 3000, "the hook's child killed");
  });
});

describe("AttestationHooks: built-ins first, then the command; fail-closed unless fail-open", () => {
  const csr = opensslCsr(dir, "hmc-hooks", "ec").csrPem;
  const rsaCsr = opensslCsr(dir, "hmc-rsa", "rsa").csrPem;

  it("a hook error denies by default and allows when the point is fail-open; each decision is counted", async () => {
    const closed = new AttestationHooks({ hooks: { "pre-announce": { command: [crash] } } }, host);
    expect(await closed.check("pre-announce", { entryId: 1, pem: csr })).toEqual({ allow: false, reason: "hook error (fail-closed): killed by SIGSEGV: oops" });
    const open = new AttestationHooks({ hooks: { "pre-announce": { command: [hang], timeoutMs: 200, failOpen: true } } }, host);
    expect(await open.check("pre-announce", { entryId: 1, pem: csr })).toEqual({
      allow: true,
      reason: "hook error (fail-open): no answer within 200 ms (killed)",
    });
    // A denial is a denial even when fail-open.
    const denyOpen = new AttestationHooks({ hooks: { "pre-announce": { command: [deny], failOpen: true } } }, host);
    expect((await denyOpen.check("pre-announce", { entryId: 1, pem: csr })).allow).toBe(false);
    expect([closed.counters, open.counters, denyOpen.counters]).toEqual([
      { allowed: 0, denied: 0, errors: 1 },
      { allowed: 0, denied: 0, errors: 1 },
      { allowed: 0, denied: 1, errors: 0 },
    ]);
  });

  it("hands the hook the CSR, its subject, key type, fingerprint and the host's state", async () => {
    const hooks = new AttestationHooks({ hooks: { "pre-announce": { command: [allow] } } }, host);
    expect((await hooks.check("pre-announce", { entryId: 9, path: "/e/9", pem: csr })).allow).toBe(true);
    const doc = JSON.parse(readFileSync(join(dir, "allow.stdin"), "utf8")) as Record<string, unknown>;
    expect(doc).toEqual({
      hook: "pre-announce",
      entryId: 9,
      entryPath: "/e/9",
      csrPem: csr,
      subject: "CN=hmc-hooks, O=IBM",
      keyType: "EC P-256",
      fingerprints: { sha256: await fingerprintSha256(csr) },
      host: host(),
    });
  });

  it("the key policy refuses a key type or size it does not allow, before any command runs", async () => {
    expect(parseKeyPolicy("RSA:3072,EC:256")).toEqual({ RSA: 3072, EC: 256 });
    expect(() => parseKeyPolicy("DSA:1024")).toThrow(RangeError);
    expect(keyPolicyDenial({ RSA: 2048 }, "EC P-256")).toMatch(/EC P-256 keys are not allowed/);
    expect(keyPolicyDenial({ EC: 384 }, "EC P-256")).toMatch(/below the minimum of 384 bits/);
    const settings: AttestationSettings = { keyPolicy: { RSA: 3072, EC: 256 }, hooks: { "pre-announce": { command: [allow] } } };
    const hooks = new AttestationHooks(settings, host);
    expect(await hooks.check("pre-announce", { pem: rsaCsr })).toEqual({
      allow: false,
      reason: "key policy: RSA 2048 is below the minimum of 3072 bits for RSA",
    });
    expect(await hooks.check("pre-announce", { pem: csr })).toEqual({ allow: true, reason: "hook allowed: looks fine" });
    expect(await hooks.check("pre-announce", { pem: "not a CSR" })).toMatchObject({
      allow: false,
      reason: expect.stringMatching(/^key policy: the CSR cannot be read/),
    });
  });

  it("the root allowlist is used only when it matches its checksum; a tampered one fails closed", async () => {
    const keys = await generateKeyPair("p256");
    const root = await createRootCa({ keys, subject: "CN=VMI CA boot 1", validityDays: 1 });
    const other = await createRootCa({ keys, subject: "CN=VMI CA boot 2", validityDays: 1 });
    const fp = await fingerprintSha256(root);
    const list = join(dir, "roots.allow");
    const sum = join(dir, "roots.allow.sha256");
    const text = `# VMI roots\n${fp.replace(/:/g, "").toLowerCase()}\n`;
    writeFileSync(list, text);
    writeFileSync(sum, `${createHash("sha256").update(text).digest("hex")}  roots.allow\n`);
    const setting = { file: list, checksumFile: sum };
    expect(await checkRootAllowlist(setting, fp)).toMatchObject({ allow: true });
    const hooks = new AttestationHooks({ rootAllowlist: setting, hooks: { "pre-root": { failOpen: true } } }, host);
    expect((await hooks.check("pre-root", { pem: root })).allow).toBe(true);
    expect(await hooks.check("pre-root", { pem: other })).toMatchObject({ allow: false, reason: expect.stringMatching(/is not on it$/) });

    // Someone adds the other root without updating the checksum: the whole list is refused, even fail-open.
    writeFileSync(list, `${text}${(await fingerprintSha256(other)).replace(/:/g, "")}\n`);
    expect(await hooks.check("pre-root", { pem: other })).toMatchObject({ allow: false, reason: expect.stringMatching(/does not match its checksum/) });
    expect(await hooks.check("pre-root", { pem: root })).toMatchObject({ allow: false });
    expect(hooks.counters).toEqual({ allowed: 1, denied: 1, errors: 2 });
  });
});

describe("AttestationHooks under a burst", () => {
  it("runs at most 4 hook processes at once and answers every check", async () => {
    const counter = join(dir, "concurrency");
    writeFileSync(counter, "");
    // Each run notes itself, sleeps, and records how many were running at its peak.
    const busy = script(
      "busy.sh",
      `echo start >> ${counter}; n=$(grep -c start ${counter}); d=$(grep -c done ${counter}); echo "peak $((n - d))" >> ${counter}.peaks; sleep 0.2; echo done >> ${counter}`,
    );
    const hooks = new AttestationHooks({ hooks: { "pre-root": { command: [busy] } } }, host);
    const keys = await generateKeyPair("p256");
    const root = await createRootCa({ keys, subject: "CN=burst", validityDays: 1 });
    const decisions = await Promise.all(Array.from({ length: 12 }, () => hooks.check("pre-root", { pem: root })));
    expect(decisions.every((d) => d.allow)).toBe(true);
    const peaks = readFileSync(`${counter}.peaks`, "utf8")
      .trim()
      .split("\n")
      .map((l) => Number(l.split(" ")[1]));
    expect(peaks).toHaveLength(12);
    expect(Math.max(...peaks)).toBeLessThanOrEqual(4);
  });
});
