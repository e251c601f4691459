/** The daemon's generated settings validators: what the schema gives, and the refusals ajv gives at run time. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Ajv } from "ajv";
import type { TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { DaemonSettingsSchema, ENV_NAMES, EnvLayerSchema, LayerSchema } from "../../src/daemon/daemon-settings-schema.js";
import { DEFAULT_DAEMON_SETTINGS, checkLayer, resolveSettings, settingsFromEnv } from "../../src/daemon/daemon-settings.js";
import * as generated from "../../src/daemon/daemon-settings.validators.js";
import { SETTINGS_VALIDATORS_PATH, settingsValidatorsSource } from "../../src/daemon/gen-settings-validators.js";
import { resolveRestSettings } from "../../src/rest/settings.js";
import { checkSettings } from "../../src/settings/compile.js";
import { checkWith, errorSubject, type SettingsSource } from "../../src/settings/check.js";

const repo = join(import.meta.dirname, "..", "..");

/** The message a check throws, or "ok". */
function verdict(check: () => unknown): string {
  try {
    check();
    return "ok";
  } catch (e) {
    return (e as Error).message;
  }
}

const LAYERS: unknown[] = [
  {},
  { hostEid: 9, localEid: 8, retries: 0, bus: "session" },
  { hostEid: 300 },
  { hostEid: "9" },
  { localEid: 7.5 },
  { rootCertPath: "relative/RootCert" },
  { spoolDir: "" },
  { link: { kind: "tty", path: "/dev/ttyS4", baud: 115200 } },
  { link: { kind: "tty" } },
  { link: { kind: "tty", path: "/dev/x", nope: 1 } },
  { link: { kind: "spawn" } },
  { link: { kind: "spawn", command: "x", baud: 10 } },
  { link: { kind: "spawn", command: "x", baud: "fast" } },
  { link: { kind: "stdio", baud: 4_000_001 } },
  { link: { kind: "stdio", path: "/x" } },
  { link: { kind: "mctp-demux", socket: "" } },
  { link: { kind: "mctp-demux", socket: "\0mctp-mux", extra: 1 } },
  { link: { kind: "serial", path: "/dev/ttyS4" } },
  { link: { path: "/dev/ttyS4" } },
  { link: "tty" },
  { bridge: { certWaitMs: 50 } },
  { bridge: { probeIntervalMs: 1000, nope: 1 } },
  { bridge: [] },
  { trace: null, dmaRegion: "/tmp/host-memory", attestation: { hooks: {} }, standby: true },
  { trace: "" },
  { dmaRegion: 5 },
  { attestation: [] },
  { standby: "yes" },
  { surprise: true },
  [1, 2],
  "text",
];

/** Whole settings, as resolveSettings checks them: keys missing, values wrong, or both. */
const without = (key: string, extra: object = {}) => ({ ...Object.fromEntries(Object.entries(DEFAULT_DAEMON_SETTINGS).filter(([k]) => k !== key)), ...extra });
const WHOLE: unknown[] = [
  DEFAULT_DAEMON_SETTINGS,
  { ...DEFAULT_DAEMON_SETTINGS, tid: 255 },
  without("bus"),
  without("standby", { hostEid: 300 }),
  without("link", { link: undefined, bridge: { x: 1 } }),
  { ...DEFAULT_DAEMON_SETTINGS, link: { kind: "stdio", baud: 1 } },
  { ...DEFAULT_DAEMON_SETTINGS, extra: 1 },
  null,
];

const ENVS: NodeJS.ProcessEnv[] = [
  { HOSTBRIDGE_HOST_EID: "9", HOSTBRIDGE_TTY: "/dev/ttyS4", HOSTBRIDGE_BAUD: "115200", HOSTBRIDGE_BUS: "session" },
  { HOSTBRIDGE_HOST_EID: "300" },
  { HOSTBRIDGE_LOCAL_EID: "abc" },
  { HOSTBRIDGE_LOCAL_EID: "9.5" },
  { HOSTBRIDGE_LOCAL_EID: " 10 " },
  { HOSTBRIDGE_TTY: "/dev/ttyS4", HOSTBRIDGE_BAUD: "fast" },
  { HOSTBRIDGE_TTY: "/dev/ttyS4", HOSTBRIDGE_BAUD: "10" },
  { HOSTBRIDGE_ROOT_CERT: "RootCert" },
  { HOSTBRIDGE_SPOOL: "/var/x", HOSTBRIDGE_BUS: "unix:path=/run/x" },
];

/** The layer settingsFromEnv builds, to check the same values at run time. */
function envLayer(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const layer: Record<string, unknown> = {};
  for (const [key, variable] of Object.entries(ENV_NAMES)) if (env[variable] && !key.startsWith("link.")) layer[key] = env[variable];
  if (env.HOSTBRIDGE_TTY) layer.link = { kind: "tty", path: env.HOSTBRIDGE_TTY, ...(env.HOSTBRIDGE_BAUD ? { baud: env.HOSTBRIDGE_BAUD } : {}) };
  return layer;
}

describe("daemon settings validators, generated ahead of time", () => {
  it("are what `npm run gen:settings` generates from the schema (run it after changing a setting)", () => {
    expect(readFileSync(join(repo, SETTINGS_VALIDATORS_PATH), "utf8")).toBe(settingsValidatorsSource());
  });

  it("hold the schema's defaults and the schemas their refusals are worded from", () => {
    expect(DEFAULT_DAEMON_SETTINGS).toEqual(Value.Create(DaemonSettingsSchema));
    expect(generated.SETTINGS_SCHEMA).toEqual(JSON.parse(JSON.stringify(DaemonSettingsSchema)));
    expect(generated.ENV_LAYER_SCHEMA).toEqual(JSON.parse(JSON.stringify(EnvLayerSchema)));
  });

  it("accept and refuse layers exactly as ajv compiling the schema at run time does, with the same words", () => {
    for (const source of [{ source: "config /etc/x.json" }, { source: "flags", names: { hostEid: "--host-eid", "link.baud": "--baud" } }] as SettingsSource[]) {
      for (const layer of LAYERS) {
        const generatedVerdict = verdict(() => checkLayer(structuredClone(layer), source));
        const compiled = verdict(() => checkSettings(LayerSchema, structuredClone(layer), source));
        expect(generatedVerdict, JSON.stringify(layer)).toBe(compiled);
      }
    }
    // The cases above reach refusals of every kind, not only "ok".
    const refusals = LAYERS.map((l) => verdict(() => checkLayer(structuredClone(l), { source: "" }))).filter((v) => v !== "ok");
    expect(refusals.length).toBeGreaterThan(25);
  });

  it("check whole settings as ajv does with the whole schema: missing keys before wrong values", () => {
    for (const settings of WHOLE) {
      const generatedVerdict = verdict(() => checkWith(generated.validateSettings, generated.SETTINGS_SCHEMA, structuredClone(settings), { source: "" }));
      expect(generatedVerdict, JSON.stringify(settings)).toBe(verdict(() => checkSettings(DaemonSettingsSchema, structuredClone(settings), { source: "" })));
    }
    expect(verdict(() => checkWith(generated.validateSettings, generated.SETTINGS_SCHEMA, without("standby", { hostEid: 300 }), { source: "" }))).toBe(
      "standby must be true or false (it is missing)",
    );
  });

  it("coerce the environment's strings as ajv's coercing validator does for the whole layer schema", () => {
    const from: SettingsSource = { source: "environment", names: ENV_NAMES, coerce: true };
    for (const env of ENVS) {
      const compiled = verdict(() => checkSettings(LayerSchema, envLayer(env), from));
      expect(
        verdict(() => settingsFromEnv(env)),
        JSON.stringify(env),
      ).toBe(compiled);
    }
    expect(settingsFromEnv({ HOSTBRIDGE_TTY: "/dev/ttyS4", HOSTBRIDGE_BAUD: "115200", HOSTBRIDGE_HOST_EID: " 10 " })).toEqual({
      hostEid: 10,
      link: { kind: "tty", path: "/dev/ttyS4", baud: 115200 },
    });
  });

  it("find each error's schema and value from its paths as ajv's verbose option would give them", () => {
    const cases: [TSchema, unknown, boolean][] = [
      ...LAYERS.map((l): [TSchema, unknown, boolean] => [LayerSchema, l, false]),
      ...WHOLE.map((s): [TSchema, unknown, boolean] => [DaemonSettingsSchema, s, false]),
      ...ENVS.map((e): [TSchema, unknown, boolean] => [LayerSchema, envLayer(e), true]),
    ];
    const ajvs = [false, true].map((coerceTypes) => new Ajv({ verbose: true, coerceTypes }).addKeyword({ keyword: "expected", schemaType: "string" }));
    let checked = 0;
    for (const [schema, value, coerce] of cases) {
      const validate = ajvs[Number(coerce)]!.compile(schema);
      const data = structuredClone(value);
      if (validate(data)) continue;
      for (const error of validate.errors ?? []) {
        const found = errorSubject(schema, data, error);
        expect(found.parentSchema, error.schemaPath).toBe(error.parentSchema);
        expect(found.data, `${JSON.stringify(value)} ${error.instancePath}`).toEqual(error.data);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(60);
  });
});

describe("settings refusals, word for word", () => {
  it.each([
    [{ link: { kind: "tty" } }, "link.path must be a non-empty string (it is missing)"],
    [{ link: { kind: "tty", path: "/dev/x", nope: 1 } }, 'unknown setting "link.nope"'],
    [{ link: { kind: "spawn", command: "x", baud: "fast" } }, 'link.baud must be a whole number from 50 to 4000000, got "fast"'],
    [{ link: { kind: "stdio", baud: 4_000_001 } }, "link.baud must be a whole number from 50 to 4000000, got 4000001"],
    [{ link: { kind: "mctp-demux", socket: "" } }, 'link.socket must be a non-empty string, got ""'],
    [{ link: { path: "/dev/ttyS4" } }, 'link.kind must be one of "tty", "spawn", "stdio", "mctp-demux" (it is missing)'],
    [{ link: [] }, 'link must be a "tty" object or a "spawn" object or a "stdio" object or a "mctp-demux" object or null, got []'],
    [{ bridge: { maxBackoffMs: "soon" } }, 'bridge.maxBackoffMs must be a whole number from 10 to 3600000, got "soon"'],
    [{ bridge: [] }, "bridge must be an object, got []"],
    [{ dmaRegion: "rel" }, 'dmaRegion must be an absolute path or null, got "rel"'],
    [{ attestation: 5 }, "attestation must be an object or null, got 5"],
    [{ localEid: 7.5 }, "localEid must be a whole number from 8 to 254, got 7.5"],
    [[1, 2], "settings must be an object, got [1,2]"],
  ])("a layer %j", (layer, message) => {
    expect(verdict(() => checkLayer(layer, { source: "config /etc/x.json" }))).toBe(`config /etc/x.json: ${message}`);
  });

  it("whole settings, the environment and the REST front", () => {
    expect(verdict(() => resolveSettings({ link: { kind: "tty", path: "/x" } }, { tid: 255 }))).toBe("tid must be a whole number from 1 to 254, got 255");
    expect(verdict(() => settingsFromEnv({ HOSTBRIDGE_LOCAL_EID: "9.5" }))).toBe(
      'environment: HOSTBRIDGE_LOCAL_EID must be a whole number from 8 to 254, got "9.5"',
    );
    expect(verdict(() => settingsFromEnv({ HOSTBRIDGE_TTY: "/dev/ttyS4", HOSTBRIDGE_BAUD: "10" }))).toBe(
      "environment: HOSTBRIDGE_BAUD must be a whole number from 50 to 4000000, got 10",
    );
    expect(verdict(() => resolveRestSettings({ stateDir: "/x", tlsNames: ["ok", 7 as unknown as string] }))).toBe(
      "REST settings: tlsNames.1 must be a non-empty string, got 7",
    );
    expect(verdict(() => resolveRestSettings({ stateDir: "/x", usersFile: "" }))).toBe('REST settings: usersFile must be a non-empty string or null, got ""');
    expect(verdict(() => resolveRestSettings({ stateDir: "/x", sessionIdleMs: 5 }))).toBe(
      "REST settings: sessionIdleMs must be a whole number of at least 1000, got 5",
    );
  });
});
