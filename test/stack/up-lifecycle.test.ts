/**
 * `hostbridge up` protects its state directory and stops cleanly: a second up on the same
 * directory is refused without harm, each stop signal (as a terminal or a service manager
 * sends it) stops every part within 5 s with nothing logged at warn or error and nothing left
 * in the process table, and the previous run's link trace is kept.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI_PATH } from "../../src/os/cli-path.js";
import { scratchDir } from "../support/openssl.js";
import { processesMentioning } from "../support/process-table.js";
import { runProcess } from "../support/run-process.js";
import { startUp, type RunningUp } from "../support/up-process.js";

/** Log lines at warn (40) or above, from every part's log and up's own stderr. */
function warnings(stateDir: string, upStderr: string): string[] {
  const logs = readdirSync(join(stateDir, "logs")).map((f) => readFileSync(join(stateDir, "logs", f), "utf8"));
  return [...logs, upStderr].flatMap((text) => text.split("\n")).filter((line) => /"level":\s*([4-9]\d)/.test(line));
}

async function stopWith(up: RunningUp, signal: NodeJS.Signals, target: "pid" | "group", stateDir: string): Promise<void> {
  const t0 = Date.now();
  process.kill(target === "group" ? -up.child.pid! : up.child.pid!, signal);
  const result = await up.exited;
  const ms = Date.now() - t0;
  expect(result, `${signal}: up's exit`).toEqual({ code: 0, signal: null });
  expect(ms, `${signal}: up stopped in ${ms} ms`).toBeLessThan(5000);
  // Every part, dbus-daemon and host-sim included, names the state directory on its command line.
  expect(processesMentioning(stateDir), `${signal}: processes left`).toEqual([]);
  expect(warnings(stateDir, up.stderr()), `${signal}: warn/error lines of a clean stop`).toEqual([]);
  for (const left of ["up.json", "dbus/bus.sock", "host-sim.sock"]) expect(existsSync(join(stateDir, left)), `${signal}: ${left} left`).toBe(false);
}

describe("hostbridge up on one state directory", () => {
  it("refuses a second up without harm, stops on SIGTERM, SIGINT and SIGHUP leaving nothing, and keeps earlier traces", async () => {
    const stateDir = join(scratchDir("hb-up-"), "state");

    const first = await startUp(stateDir, [], { detached: true });
    const busBefore = statSync(join(stateDir, "dbus", "bus.sock")).ino;
    const upJsonBefore = readFileSync(join(stateDir, "up.json"), "utf8");
    const second = await runProcess(process.execPath, [CLI_PATH, "up", "--state-dir", stateDir, "--rest-port", "0", "--vmi-tls-port", "0"]);
    expect(second.code).not.toBe(0);
    expect(second.stderr).toContain(`in use by another hostbridge up (pid ${first.child.pid})`);
    expect(statSync(join(stateDir, "dbus", "bus.sock")).ino).toBe(busBefore);
    expect(readFileSync(join(stateDir, "up.json"), "utf8")).toBe(upJsonBefore);
    const busctl = await runProcess("busctl", [`--address=unix:path=${join(stateDir, "dbus", "bus.sock")}`, "list", "--no-pager"]);
    expect(busctl.stdout).toContain("xyz.openbmc_project.PLDM.HostBridge");
    const firstTrace = readFileSync(join(stateDir, "link.pcapng"));
    await stopWith(first, "SIGTERM", "pid", stateDir); // a service manager

    const again = await startUp(stateDir, [], { detached: true });
    expect(readFileSync(join(stateDir, "link.1.pcapng")).subarray(0, firstTrace.length)).toEqual(firstTrace);
    await stopWith(again, "SIGINT", "group", stateDir); // Ctrl-C in the terminal

    const third = await startUp(stateDir, [], { detached: true });
    expect(existsSync(join(stateDir, "link.2.pcapng"))).toBe(true);
    await stopWith(third, "SIGHUP", "group", stateDir); // the terminal closed
  }, 240_000);
});
