/** `hostbridge` loads a sub-command's module only when it runs: every name must still reach its module. */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cliPath } from "../support/host-sim-process.js";
import { scratchDir } from "../support/openssl.js";

const dir = scratchDir("hb-cli-lazy-");
// A module-resolution hook that notes every module the process imports.
writeFileSync(
  join(dir, "hooks.mjs"),
  'import { appendFileSync } from "node:fs";\n' +
    "export async function resolve(spec, ctx, next) {\n" +
    "  const r = await next(spec, ctx);\n" +
    '  appendFileSync(process.env.HB_LOADED, r.url + "\\n");\n' +
    "  return r;\n}\n",
);
writeFileSync(join(dir, "register.mjs"), 'import { register } from "node:module";\nregister("./hooks.mjs", import.meta.url);\n');
let runs = 0;

/** Runs the CLI; `loaded` lists the CLI modules it imported, `packages` the npm packages. */
const run = (...args: string[]) => {
  const log = join(dir, `loaded-${runs++}.txt`);
  writeFileSync(log, "");
  const res = spawnSync(process.execPath, ["--import", join(dir, "register.mjs"), cliPath, ...args], {
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, HB_LOADED: log },
  });
  const urls = readFileSync(log, "utf8").trim().split("\n").filter(Boolean);
  const named = (re: RegExp) => [...new Set(urls.flatMap((u) => re.exec(u)?.[1] ?? []))].sort();
  return { ...res, loaded: named(/\/src\/cli\/([^/]+)$/), packages: named(/\/node_modules\/((?:@[^/]+\/)?[^/]+)\//) };
};
const NAMES = ["decode", "host-sim", "cert", "hmc", "daemon", "ca-manager", "rest", "host-state", "up"];

describe("hostbridge sub-commands, loaded lazily", () => {
  it("prints its version without loading any sub-command", () => {
    const res = run("--version");
    expect(res.status).toBe(0);
    expect(res.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(res.loaded).toEqual(["main.js"]);
  });

  it("loads only the module of the sub-command that runs", () => {
    expect(run("decode", "--help").loaded).toEqual(["decode.js", "main.js", "options.js"]);
    expect(run("rest", "--help").loaded).not.toContain("decode.js");
    expect(run("rest", "--help").loaded).toContain("bmc-service-commands.js");
    expect(run("ca-manager", "--help").loaded).not.toContain("up.js");
  });

  it("runs the daemon without ajv, TypeBox or fastify: its settings validators are generated", () => {
    const res = run("daemon", "--help");
    expect(res.status).toBe(0);
    expect(res.packages).toContain("dbus-next");
    for (const heavy of ["ajv", "@sinclair/typebox", "fastify"]) expect(res.packages).not.toContain(heavy);
  });

  it("runs the daemon without binary-parser: its link recorder writes pcapng from plain constants", () => {
    const res = run("daemon", "--help");
    expect(res.status).toBe(0);
    expect(res.loaded).toContain("daemon.js");
    expect(res.packages).not.toContain("binary-parser");
    // The capture reader still has it: the check above would see it if the daemon imported the reader.
    expect(run("decode", "--help").packages).toContain("binary-parser");
  });

  it("runs the daemon without @peculiar/x509: it reads and checks certificates with node:crypto", () => {
    const res = run("daemon", "--help");
    expect(res.status).toBe(0);
    for (const heavy of ["@peculiar/x509", "reflect-metadata", "asn1js"]) expect(res.packages).not.toContain(heavy);
    expect(run("cert", "--help").packages).not.toContain("@peculiar/x509");
    // The HMC client makes CSRs with it: the check above would see it if the daemon imported the maker.
    expect(run("hmc", "--help").packages).toContain("@peculiar/x509");
  });

  it("lists every sub-command in --help, and each one's own --help works", () => {
    const help = run("--help").stdout;
    for (const name of NAMES) expect(help).toMatch(new RegExp(`^  ${name} `, "m"));
    for (const name of NAMES) {
      const res = run(name, "--help");
      expect(res.status, `${name}: ${res.stderr}`).toBe(0);
      expect(res.stdout).toContain(`Usage: hostbridge ${name}`);
    }
  });

  it("still names an unknown sub-command as such", () => {
    const res = run("frobnicate");
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain("unknown command 'frobnicate'");
  });
});
