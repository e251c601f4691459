/**
 * `hostbridge up` outlives its dbus-daemon: SIGKILL the bus under it, and it starts a new
 * bus and every part again; a SignCSR through REST then completes, and SIGTERM still stops
 * everything, leaving no process behind.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { eventually } from "../support/dbus.js";
import { opensslCsr, publicKeyOf, scratchDir } from "../support/openssl.js";
import { processesMentioning } from "../support/process-table.js";
import { curlSignCsr, startUp } from "../support/up-process.js";

describe("hostbridge up when its dbus-daemon dies", () => {
  it("starts the bus and every part again, then signs; SIGTERM still stops it all", async () => {
    const dir = scratchDir();
    const stateDir = join(dir, "state");
    const up = await startUp(stateDir);
    const { info } = up;
    try {
      const pidFile = join(stateDir, "dbus", "dbus-daemon.pid");
      const busPid = Number(readFileSync(pidFile, "utf8"));
      process.kill(busPid, "SIGKILL");
      const newPid = await eventually(
        () => {
          let pid = 0;
          try {
            pid = Number(readFileSync(pidFile, "utf8").trim());
          } catch {
            // between the old bus's exit and the new one's start there is no pid file
          }
          return pid > 0 && pid !== busPid ? pid : undefined;
        },
        15_000,
        "a new dbus-daemon",
      ).catch(() => 0);
      expect(newPid, `no new bus; up said: ${up.stderr()}`).toBeGreaterThan(0);
      expect(up.child.exitCode).toBeNull();

      const { csrPem } = opensslCsr(dir, "after-bus-death", "ec");
      // REST answers 503 until the CA manager and daemon are back on the new bus.
      const cert = await eventually(
        () => {
          const answer = (() => {
            try {
              return curlSignCsr(info, dir, csrPem, 20);
            } catch {
              return "{}"; // the REST front itself is restarting
            }
          })();
          return (JSON.parse(answer) as { Certificate?: string }).Certificate;
        },
        45_000,
        "a SignCSR after the bus came back",
      );
      expect(publicKeyOf("x509", cert)).toBe(publicKeyOf("req", csrPem));
    } finally {
      up.child.kill("SIGTERM");
    }
    expect((await up.exited).code).toBe(0);
    expect(processesMentioning(stateDir)).toEqual([]);
    expect(up.stderr()).toContain("died");
  }, 180_000);
});

describe("hostbridge up when a part keeps failing", () => {
  it("gives up after 5 failures in 30 s, exits 1 saying which part and why, and leaves nothing", async () => {
    const stateDir = join(scratchDir(), "state");
    const up = await startUp(stateDir);
    const caManager = () => processesMentioning(stateDir).find((p) => p.cmdline.includes(" ca-manager "))?.pid;
    let kills = 0;
    try {
      // Kill the CA manager each time the supervisor brings it back, until up stops.
      await eventually(
        async () => {
          if (up.child.exitCode !== null) return true;
          const pid = caManager();
          if (pid) {
            process.kill(pid, "SIGKILL");
            kills++;
          }
          return undefined;
        },
        60_000,
        "up to give up on the CA manager",
      );
    } finally {
      up.child.kill("SIGTERM");
    }
    expect((await up.exited).code).toBe(1);
    expect(kills).toBeGreaterThanOrEqual(6);
    expect(up.stderr()).toMatch(/cannot go on: ca-manager failed 5 times in 30 s/);
    expect(processesMentioning(stateDir)).toEqual([]);
  }, 120_000);
});
