/**
 * dist/hostbridge-daemon.cjs, the daemon as the stack and the systemd unit run it: one file
 * holding all of our code, npm packages outside. Every LocalStack test runs the daemon from
 * it; this file checks what it loads.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DAEMON_NODE_FLAGS, DAEMON_PATH } from "../../src/os/cli-path.js";
import { scratchDir } from "../support/openssl.js";

const dir = scratchDir("hb-daemon-bundle-");
// A preload that notes every file the process loads through require.
writeFileSync(
  join(dir, "note-loads.cjs"),
  'const Module = require("node:module"); const { appendFileSync } = require("node:fs");\n' +
    "const load = Module._load;\n" +
    "Module._load = function (request, parent, isMain) {\n" +
    "  try { appendFileSync(process.env.HB_LOADED, Module._resolveFilename(request, parent, isMain) + '\\n'); } catch {}\n" +
    "  return load.apply(this, arguments);\n};\n",
);

const run = (...args: string[]) => {
  const log = join(dir, `loaded-${args.join("-")}.txt`);
  writeFileSync(log, "");
  const res = spawnSync(process.execPath, [...DAEMON_NODE_FLAGS, "--require", join(dir, "note-loads.cjs"), DAEMON_PATH, ...args], {
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, HB_LOADED: log },
  });
  const files = readFileSync(log, "utf8").trim().split("\n").filter(Boolean);
  const packages = [...new Set(files.flatMap((f) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f)?.[1] ?? []))].sort();
  return { ...res, files, packages };
};

describe("the daemon's bundle", () => {
  it("runs `daemon --help` from one file: none of our modules, only the packages the daemon needs", () => {
    const res = run("daemon", "--help");
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/^Usage: hostbridge daemon \[options\]/);
    expect(res.files.filter((f) => f.includes("/dist/src/") || f.includes("/pldm-codec/"))).toEqual([]);
    for (const needed of ["commander", "dbus-next", "eventemitter3", "node-pty", "pino"]) expect(res.packages).toContain(needed);
    for (const heavy of ["@peculiar/x509", "reflect-metadata", "asn1js", "@sinclair/typebox", "fastify", "binary-parser"]) {
      expect(res.packages).not.toContain(heavy);
    }
    // The generated settings validators need ajv's runtime helpers only, never ajv itself.
    expect(res.files.filter((f) => f.includes("/node_modules/ajv/") && !f.includes("/ajv/dist/runtime/"))).toEqual([]);
  });

  it("refuses bad arguments as `hostbridge daemon` does, naming them", () => {
    const res = run("daemon", "--no-such-flag");
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain("unknown option '--no-such-flag'");
  });
});
