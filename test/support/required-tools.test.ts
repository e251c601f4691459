/** A fresh machine: README names every tool the tests need, and a missing one is named with its package. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { missingTools, missingToolsMessage, toolTable } from "./tools.js";

describe("the tools the tests need", () => {
  const table = toolTable();

  it("README's install line names the package of every required and optional tool", () => {
    const readme = readFileSync("README.md", "utf8");
    const install = /apt-get install (nodejs npm [^\n`]+)/.exec(readme)?.[1]?.split(/\s+/) ?? [];
    for (const pkg of Object.values(table.required)) expect(install).toContain(pkg);
    for (const tool of [...Object.keys(table.required), ...Object.keys(table.optional)]) expect(readme).toContain(`\`${tool}\``);
    expect(readme).not.toMatch(/socat/);
  });

  it(".ci/run installs from the same table", () => {
    expect(readFileSync(".ci/run", "utf8")).toContain("test/support/required-tools.json");
  });

  it("a missing tool is reported with its Debian package, not as ENOENT", () => {
    const missing = missingTools({ required: { "hostbridge-no-such-tool": "hostbridge-pkg", sh: "dash" }, optional: {} });
    expect(missing).toEqual(["hostbridge-no-such-tool (Debian package: hostbridge-pkg)"]);
    expect(missingToolsMessage(missing)).toMatch(
      /not installed: hostbridge-no-such-tool \(Debian package: hostbridge-pkg\).*\n.*apt-get install hostbridge-pkg$/,
    );
  });

  it("every required tool is on this machine (the global setup refuses to run otherwise)", () => {
    expect(missingTools(table)).toEqual([]);
  });
});
