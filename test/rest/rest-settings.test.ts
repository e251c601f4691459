import { describe, expect, it } from "vitest";
import { DEFAULT_REST_SETTINGS, resolveRestSettings } from "../../src/rest/index.js";
import { SettingsError } from "../../src/settings/check.js";

describe("REST settings are checked against their schema", () => {
  it("takes the defaults and the values given", () => {
    expect(resolveRestSettings({ stateDir: "/tmp/x", port: 0, tlsNames: ["bmc.example"] })).toEqual({
      ...DEFAULT_REST_SETTINGS,
      stateDir: "/tmp/x",
      port: 0,
      tlsNames: ["bmc.example"],
    });
  });

  it.each([
    [{ signWaitMs: 0 }, "signWaitMs must be a whole number from 1 to 3600000, got 0"],
    [{ bodyLimitBytes: 100 }, "bodyLimitBytes must be a whole number from 1024 to 16777216, got 100"],
    [{ port: 70_000 }, "port must be a whole number from 0 to 65535, got 70000"],
    [{ rootCertPath: "RootCert" }, 'rootCertPath must be an absolute path, got "RootCert"'],
    [{ tlsNames: ["ok", 7] as unknown as string[] }, "tlsNames.1 must be a non-empty string, got 7"],
    [{ usersFile: "" }, 'usersFile must be a non-empty string or null, got ""'],
  ])("refuses %j", (bad, message) => {
    expect(() => resolveRestSettings({ stateDir: "/tmp/x", ...bad })).toThrow(new SettingsError(`REST settings: ${message}`));
  });
});
