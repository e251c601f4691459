/** The daemon's generated settings validators: what the schema gives, and the refusals ajv gives at run time. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Value } from "@sinclair/typebox/value";
import { DaemonSettingsSchema, LayerSchema } from "../../src/daemon/daemon-settings-schema.js";
import { DEFAULT_DAEMON_SETTINGS, checkLayer } from "../../src/daemon/daemon-settings.js";
import { SETTINGS_VALIDATORS_PATH, settingsValidatorsSource } from "../../src/daemon/gen-settings-validators.js";
import { checkSettings } from "../../src/settings/compile.js";
import type { SettingsSource } from "../../src/settings/check.js";

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
  { rootCertPath: "relative/RootCert" },
  { spoolDir: "" },
  { link: { kind: "tty", path: "/dev/ttyS4", baud: 115200 } },
  { link: { kind: "tty" } },
  { link: { kind: "serial", path: "/dev/ttyS4" } },
  { link: { kind: "spawn", command: "x", baud: 10 } },
  { link: { kind: "mctp-demux", socket: "\0mctp-mux", extra: 1 } },
  { bridge: { certWaitMs: 50 } },
  { bridge: { probeIntervalMs: 1000, nope: 1 } },
  { trace: null, dmaRegion: "/tmp/host-memory", attestation: { hooks: {} }, standby: true },
  { standby: "yes" },
  { surprise: true },
  [1, 2],
  "text",
];

describe("daemon settings validators, generated ahead of time", () => {
  it("are what `npm run gen:settings` generates from the schema (run it after changing a setting)", () => {
    expect(readFileSync(join(repo, SETTINGS_VALIDATORS_PATH), "utf8")).toBe(settingsValidatorsSource());
  });

  it("hold the schema's defaults", () => {
    expect(DEFAULT_DAEMON_SETTINGS).toEqual(Value.Create(DaemonSettingsSchema));
  });

  it("accept and refuse exactly as ajv compiling the schema at run time does, with the same words", () => {
    for (const source of [
      { source: "config /etc/x.json" },
      { source: "environment", coerce: true, names: { hostEid: "HOSTBRIDGE_HOST_EID" } },
    ] as SettingsSource[]) {
      for (const layer of LAYERS) {
        const generated = verdict(() => checkLayer(structuredClone(layer), source));
        const compiled = verdict(() => checkSettings(LayerSchema, structuredClone(layer), source));
        expect(generated, JSON.stringify(layer)).toBe(compiled);
      }
    }
    // The cases above reach refusals of every kind, not only "ok".
    const refusals = LAYERS.map((l) => verdict(() => checkLayer(structuredClone(l), { source: "" }))).filter((v) => v !== "ok");
    expect(refusals.length).toBeGreaterThan(10);
  });
});
