import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_DAEMON_SETTINGS, resolveSettings, settingsFromEnv, settingsFromFile, SettingsError } from "../../src/daemon/daemon-settings.js";
import { scratchDir } from "../support/openssl.js";

describe("daemon settings: defaults, file, environment, flags", () => {
  it("applies layers in order, later wins", () => {
    const dir = scratchDir();
    const file = join(dir, "hostbridge.json");
    writeFileSync(file, JSON.stringify({ rootCertPath: "/srv/root.pem", hostEid: 20, link: { kind: "tty", path: "/dev/ttyS1" } }));
    const s = resolveSettings(settingsFromFile(file), settingsFromEnv({ HOSTBRIDGE_HOST_EID: "21", HOSTBRIDGE_BUS: "session" }), { retries: 0 });
    expect(s).toMatchObject({ rootCertPath: "/srv/root.pem", hostEid: 21, bus: "session", retries: 0, link: { kind: "tty", path: "/dev/ttyS1" } });
    expect(s.responseTimeoutMs).toBe(DEFAULT_DAEMON_SETTINGS.responseTimeoutMs);
  });

  it("refuses what would start the daemon wrong, naming the setting", () => {
    const dir = scratchDir();
    const typo = join(dir, "typo.json");
    writeFileSync(typo, JSON.stringify({ rootCert: "/x" }));
    expect(() => settingsFromFile(typo)).toThrow(/unknown setting "rootCert"/);
    writeFileSync(join(dir, "bad.json"), "{");
    expect(() => settingsFromFile(join(dir, "bad.json"))).toThrow(SettingsError);
    expect(() => resolveSettings({})).toThrow(/no link to the host/);
    const link = { link: { kind: "stdio" as const } };
    expect(() => resolveSettings(link, { hostEid: 8 })).toThrow(/must differ/);
    expect(() => resolveSettings(link, settingsFromEnv({ HOSTBRIDGE_LOCAL_EID: "300" }))).toThrow(/HOSTBRIDGE_LOCAL_EID must be a whole number from 8 to 254/);
    expect(() => resolveSettings(link, { rootCertPath: "RootCert" })).toThrow(/absolute/);
  });
});
