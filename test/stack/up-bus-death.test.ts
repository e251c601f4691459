/**
 * `hostbridge up` outlives its dbus-daemon: SIGKILL the bus under it, and it starts a new
 * bus and every part again; a SignCSR through REST then completes, and SIGTERM still stops
 * everything, leaving no process behind.
 */
import { execFileSync, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI_PATH } from "../../src/os/cli-path.js";
import { eventually } from "../support/dbus.js";
import { opensslCsr, publicKeyOf, scratchDir } from "../support/openssl.js";
import { processesMentioning } from "../support/process-table.js";

describe("hostbridge up when its dbus-daemon dies", () => {
  it("starts the bus and every part again, then signs; SIGTERM still stops it all", async () => {
    const dir = scratchDir();
    const stateDir = join(dir, "state");
    const up = spawn(process.execPath, [CLI_PATH, "up", "--state-dir", stateDir, "--rest-port", "0", "--vmi-tls-port", "0", "--key", "p256"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    up.stdout.on("data", (d: Buffer) => (out += d.toString()));
    up.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((r) => up.once("exit", (code) => r(code)));
    try {
      await eventually(() => (out.includes("Ctrl-C stops everything") ? true : undefined), 60_000, "up to be ready");
      const info = JSON.parse(readFileSync(join(stateDir, "up.json"), "utf8")) as { restUrl: string; restCaPath: string };
      const pidFile = join(stateDir, "dbus", "dbus-daemon.pid");
      const busPid = Number(readFileSync(pidFile, "utf8"));
      process.kill(busPid, "SIGKILL");
      const newPid = await eventually(() => {
        const pid = Number(readFileSync(pidFile, "utf8").trim() || 0);
        return pid > 0 && pid !== busPid ? pid : undefined;
      }, 15_000, "a new dbus-daemon").catch(() => 0);
      expect(newPid, `no new bus; up said: ${err}`).toBeGreaterThan(0);
      expect(up.exitCode).toBeNull();

      const { csrPem } = opensslCsr(dir, "after-bus-death", "ec");
      writeFileSync(join(dir, "body.json"), JSON.stringify({ CsrString: csrPem }));
      // REST answers 503 until the CA manager and daemon are back on the new bus.
      const cert = await eventually(() => {
        const answer = (() => {
          try {
            return execFileSync("curl", ["-sS", "--max-time", "20", "--cacert", info.restCaPath, "-u", "root:0penBmc", "-H", "Content-Type: application/json", "--data", `@${join(dir, "body.json")}`, `${info.restUrl}/ibm/v1/Host/Actions/SignCSR`], { encoding: "utf8" });
          } catch {
            return "{}"; // the REST front itself is restarting
          }
        })();
        return (JSON.parse(answer) as { Certificate?: string }).Certificate;
      }, 45_000, "a SignCSR after the bus came back");
      expect(publicKeyOf("x509", cert)).toBe(publicKeyOf("req", csrPem));
    } finally {
      up.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    expect(processesMentioning(stateDir)).toEqual([]);
  }, 180_000);
});
