/**
 * The system tools the tests need, checked once before any test runs: a missing one fails
 * the run with the Debian package to install, never as `spawn ... ENOENT` deep in a test.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// The table sits beside this file's source (tsc does not copy it into dist/).
const TABLE_PATH = join(dirname(fileURLToPath(import.meta.url)).replace(/\/dist\/test\/support$/, "/test/support"), "required-tools.json");

export interface ToolTable {
  required: Record<string, string>;
  optional: Record<string, string>;
}

export function toolTable(): ToolTable {
  return JSON.parse(readFileSync(TABLE_PATH, "utf8")) as ToolTable;
}

export function hasTool(tool: string): boolean {
  return spawnSync("sh", ["-c", `command -v '${tool}'`], { stdio: "ignore" }).status === 0;
}

/** The required tools that are missing, as `tool (Debian package: pkg)`; empty when all are there. */
export function missingTools(table: ToolTable = toolTable()): string[] {
  return Object.entries(table.required)
    .filter(([tool]) => !hasTool(tool))
    .map(([tool, pkg]) => `${tool} (Debian package: ${pkg})`);
}

export function missingToolsMessage(missing: string[]): string {
  const pkgs = [...new Set(missing.map((m) => /package: (\S+)\)/.exec(m)![1]))];
  return `the tests need tools that are not installed: ${missing.join(", ")}.\nOn Debian/Ubuntu: apt-get install ${pkgs.join(" ")}`;
}

/** vitest globalSetup: refuse to start without the required tools. */
export default function checkTools(): void {
  const missing = missingTools();
  if (missing.length > 0) throw new Error(missingToolsMessage(missing));
}
