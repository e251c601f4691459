import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_DAEMON_SETTINGS, resolveSettings, settingsFromEnv, settingsFromFile, SettingsError } from "../../src/daemon/daemon-settings.js";
import { scratchDir } from "../support/openssl.js";
import { cliPath } from "../support/host-sim-process.js";
import { runProcess } from "../support/run-process.js";

/** `hostbridge daemon` as a user runs it: it must refuse before it touches the bus or the link. */
async function daemonRefuses(args: string[], env: NodeJS.ProcessEnv = {}, exitCode = 2): Promise<string> {
  const run = await runProcess(process.execPath, [cliPath, "daemon", ...args], { env: { PATH: process.env.PATH, HOSTBRIDGE_LOG: "warn", ...env } });
  expect(run.code).toBe(exitCode);
  return run.stderr.trim();
}

function configFile(settings: unknown): string {
  const file = join(scratchDir(), "hostbridge.json");
  writeFileSync(file, JSON.stringify(settings));
  return file;
}

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

describe("hostbridge daemon refuses every value outside the schema, naming the key and what it expects", () => {
  it.each([
    [{ link: { kind: "tty" } }, "link.path must be a non-empty string (it is missing)"],
    [{ link: { kind: "stdio" }, tid: -7 }, "tid must be a whole number from 1 to 254, got -7"],
    [{ link: { kind: "stdio" }, bridge: { maxBackoffMs: "soon" } }, 'bridge.maxBackoffMs must be a whole number from 10 to 3600000, got "soon"'],
    [{ link: { kind: "stdio" }, spoolDir: 42 }, "spoolDir must be a non-empty string, got 42"],
    [{ link: { kind: "usb" } }, 'link.kind must be one of "tty", "spawn", "stdio", "mctp-demux", got "usb"'],
    [{ link: { kind: "tty", path: "/dev/ttyS4", baud: 115200.5 } }, "link.baud must be a whole number from 50 to 4000000, got 115200.5"],
    [{ link: { kind: "stdio" }, bridge: { backoff: 5 } }, 'unknown setting "bridge.backoff"'],
    [{ link: { kind: "stdio" }, trace: false }, "trace must be a non-empty string or null, got false"],
    [{ link: { kind: "stdio" }, rootCertPath: "RootCert" }, 'rootCertPath must be an absolute path, got "RootCert"'],
  ])("config %j", async (settings, expected) => {
    const file = configFile(settings);
    expect(await daemonRefuses(["--config", file])).toBe(`hostbridge: config ${file}: ${expected}`);
  });

  it("names the environment variable", async () => {
    expect(await daemonRefuses(["--stdio"], { HOSTBRIDGE_LOCAL_EID: "300" })).toBe(
      "hostbridge: environment: HOSTBRIDGE_LOCAL_EID must be a whole number from 8 to 254, got 300",
    );
    expect(await daemonRefuses([], { HOSTBRIDGE_TTY: "/dev/ttyS4", HOSTBRIDGE_BAUD: "fast" })).toBe(
      'hostbridge: environment: HOSTBRIDGE_BAUD must be a whole number from 50 to 4000000, got "fast"',
    );
  });

  it("names the flag", async () => {
    expect(await daemonRefuses(["--stdio", "--root-cert", "RootCert"])).toBe('hostbridge: flags: --root-cert must be an absolute path, got "RootCert"');
    // commander checks numeric flags itself (exit 1, with the usage).
    expect(await daemonRefuses(["--stdio", "--host-eid", "300"], {}, 1)).toMatch(
      /option '--host-eid <eid>' argument '300' is invalid. expected a whole number from 8 to 254/,
    );
  });

  it("merges bridge settings key by key across layers", () => {
    const file = configFile({ link: { kind: "stdio" }, bridge: { maxBackoffMs: 5000 } });
    expect(resolveSettings(settingsFromFile(file), { bridge: { certWaitMs: 900 } }).bridge).toEqual({ maxBackoffMs: 5000, certWaitMs: 900 });
  });
});
