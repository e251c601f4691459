/** eslint.config.js enforces docs/architecture.md's table: a forbidden import fails `npm run lint`. */
import { resolve } from "node:path";
import { ESLint } from "eslint";
import tseslint from "typescript-eslint";
import { describe, expect, it } from "vitest";

// The probe files do not exist, so no TypeScript project holds them: lint them without types
// (the layering rules need none). A parse error fails the probe instead of passing it empty.
const eslint = new ESLint({ cwd: resolve(import.meta.dirname, "../.."), overrideConfig: tseslint.configs.disableTypeChecked });

async function layeringErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  const fatal = result!.messages.filter((m) => m.fatal);
  if (fatal.length > 0) throw new Error(`${filePath}: ${fatal.map((m) => m.message).join("; ")}`);
  return result!.messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

describe("the layering table as lint rules", () => {
  it("refuses imports the table does not allow", async () => {
    expect(await layeringErrors("src/rest/probe.ts", `export * from "../mctp/mctp-endpoint.js";\n`)).toEqual([
      expect.stringContaining("src/rest may not import src/mctp"),
    ]);
    expect(await layeringErrors("src/stack/probe.ts", `export * from "../../host-sim/faults.js";\n`)).toEqual([
      expect.stringContaining("src/stack may not import host-sim"),
    ]);
    expect(await layeringErrors("src/hmc/probe.ts", `export * from "../rest/index.js";\n`)).toEqual([
      expect.stringContaining("src/hmc may not import src/rest"),
    ]);
    expect(await layeringErrors("src/daemon/probe.ts", `export * from "dbus-next";\n`)).toEqual([
      expect.stringContaining("only src/dbus may import dbus-next"),
    ]);
    expect(await layeringErrors("pldm-codec/pldm/probe.ts", `export * from "../../src/os/clock.js";\n`)).toEqual([
      expect.stringContaining("the codec imports nothing outside pldm-codec/"),
    ]);
  });

  it("allows what the table allows, and the codec's own folders beside same-named src folders", async () => {
    expect(
      await layeringErrors(
        "src/rest/probe.ts",
        `export * from "../dbus/names.js";\nexport * from "../../pldm-codec/pldm/names.js";\nexport * from "../log.js";\n`,
      ),
    ).toEqual([]);
    expect(await layeringErrors("host-sim/probe.ts", `export * from "../src/pldm/pldm-requester.js";\nexport * from "../src/files/file-client.js";\n`)).toEqual(
      [],
    );
    expect(await layeringErrors("src/cli/probe.ts", `export * from "../../host-sim/faults.js";\nexport * from "commander";\n`)).toEqual([]);
    expect(await layeringErrors("pldm-codec/pldm/probe.ts", `export * from "../mctp/packet.js";\n`)).toEqual([]);
  });
});
