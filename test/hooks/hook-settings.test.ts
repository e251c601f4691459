import { describe, expect, it } from "vitest";
import { resolveSettings, SettingsError } from "../../src/daemon/daemon-settings.js";
import { checkAttestationSettings } from "../../src/hooks/index.js";
import { runCli } from "../support/run-process.js";

const link = { kind: "stdio" as const };

describe("the attestation setting", () => {
  it("accepts argv hooks, a key policy and an allowlist", () => {
    const settings = {
      hooks: { "pre-root": { command: ["/usr/libexec/check", "--root"], timeoutMs: 3000, failOpen: true } },
      keyPolicy: { RSA: 2048, EC: 256 },
      rootAllowlist: { file: "/etc/hb/roots", checksumFile: "/etc/hb/roots.sha256" },
    };
    expect(resolveSettings({ link, attestation: settings }).attestation).toEqual(settings);
    expect(resolveSettings({ link }).attestation).toBeNull();
    expect(resolveSettings({ link }).standby).toBe(false);
  });

  it.each([
    [{ hooks: { "post-root": {} } }, /unknown point "post-root"/],
    [{ hooks: { "pre-root": { command: "check --root" } } }, /argv array .* absolute program path \(no shell\)/],
    [{ hooks: { "pre-root": { command: ["check"] } } }, /absolute program path/],
    [{ hooks: { "pre-root": { command: ["/bin/true"], timeoutMs: 0 } } }, /timeoutMs/],
    [{ hooks: { "pre-root": { failOpen: "yes" } } }, /failOpen/],
    [{ keyPolicy: { DSA: 1024 } }, /TYPE:MINBITS/],
    [{ rootAllowlist: { file: "roots" } }, /absolute "file" and "checksumFile"/],
    [{ allowlist: [] }, /unknown field "allowlist"/],
  ])("refuses %j", (attestation, message) => {
    expect(() => checkAttestationSettings(attestation)).toThrow(message);
    expect(() => resolveSettings({ link, attestation: attestation })).toThrow(SettingsError);
  });

  it("the daemon's flags say what is wrong before anything starts", async () => {
    const bad = await runCli(["daemon", "--stdio", "--bus", "unix:path=/nonexistent", "--hook", "post-root=/bin/true"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown point "post-root"');
    const policy = await runCli(["daemon", "--stdio", "--bus", "unix:path=/nonexistent", "--key-policy", "RSA:2048,DSA:1024"]);
    expect(policy.code).toBe(2);
    expect(policy.stderr).toMatch(/key policy .*TYPE:MINBITS/);
  });
});
