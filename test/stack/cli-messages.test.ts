/** What people read: log lines on a terminal and in files, and errors that say what to do. */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { scratchDir } from "../support/openssl.js";
import { runCli, runProcess } from "../support/run-process.js";

const LOG_MODULE = join(process.cwd(), "dist", "src", "log.js");
const logOnce = `import(${JSON.stringify(LOG_MODULE)}).then((m) => { const l = m.createLogger("hostbridge-daemon"); l.info({ handle: 3 }, "root written"); l.warn({ err: new Error("gone") }, "host link down"); })`;

describe("log lines", () => {
  it("are one line per event with local time, level, part and message when pretty", async () => {
    const r = await runProcess(process.execPath, ["-e", logOnce], { env: { ...process.env, HOSTBRIDGE_LOG_FORMAT: "pretty" } });
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: hostbridge-daemon: root written \{"handle":3\}$/);
    expect(lines[1]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: hostbridge-daemon: host link down \{"err":"gone"\}$/);
  });

  it("are JSON when stderr is not a terminal, unless asked otherwise", async () => {
    const r = await runProcess(process.execPath, ["-e", logOnce], { env: { ...process.env, HOSTBRIDGE_LOG_FORMAT: "" } });
    const first = JSON.parse(r.stderr.split("\n")[0]!) as Record<string, unknown>;
    expect(first).toMatchObject({ level: 30, name: "hostbridge-daemon", msg: "root written", handle: 3 });
  });
});

describe("errors that say what to do", () => {
  it("cert show refuses a private key, exiting non-zero", async () => {
    const dir = scratchDir();
    const key = join(dir, "key.pem");
    execFileSync("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key], { stdio: "ignore" });
    const r = await runCli(["cert", "show", key]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("holds a PRIVATE KEY, not a certificate or CSR");
    expect(r.stdout).toBe("");
  });

  it("hmc enroll against a BMC whose certificate it cannot check names --ca-file; a closed port says nothing listens", async () => {
    const dir = scratchDir();
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        join(dir, "k.pem"),
        "-out",
        join(dir, "c.pem"),
        "-subj",
        "/CN=127.0.0.1",
        "-days",
        "1",
      ],
      { stdio: "ignore" },
    );
    const server = createServer({ key: readFileSync(join(dir, "k.pem")), cert: readFileSync(join(dir, "c.pem")) }, (_req, res) => res.end("{}"));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const port = (server.address() as AddressInfo).port;
    try {
      const r = await runCli(["hmc", "enroll", "--url", `https://127.0.0.1:${port}`, "--out", join(dir, "hmc"), "--key", "p256"]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain("--ca-file");
    } finally {
      await new Promise((r) => server.close(r));
    }
    const closed = await runCli(["hmc", "enroll", "--url", `https://127.0.0.1:${port}`, "--out", join(dir, "hmc"), "--key", "p256"]);
    expect(closed.code).not.toBe(0);
    expect(closed.stderr).toContain("nothing listens there");
  });
});
