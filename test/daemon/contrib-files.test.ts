/** The shipped systemd unit and D-Bus policy: parsed by the real tools, and the policy does what it says. */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { BusConnection } from "../../src/dbus/bus-connection.js";
import { DAEMON_NODE_FLAGS, DAEMON_PATH } from "../../src/os/cli-path.js";
import { scratchDir } from "../support/openssl.js";
import { startSystemBus } from "../support/system-bus.js";

const repo = resolve(import.meta.dirname, "..", "..");
const policy = join(repo, "contrib", "dbus", "xyz.openbmc_project.PLDM.HostBridge.conf");
const unit = join(repo, "contrib", "systemd", "pldm-hostbridge.service");
const hasSystemdAnalyze = spawnSync("systemd-analyze", ["--version"]).status === 0;

describe("contrib files", () => {
  it("the D-Bus policy loads into a system-style dbus-daemon and lets root own our name, and only ours", async () => {
    const system = await startSystemBus([policy]);
    const { address } = system;
    try {
      const bus = await BusConnection.connect({ address, callTimeoutMs: 3000 });
      try {
        await bus.requestName("xyz.openbmc_project.PLDM.HostBridge");
        await expect(bus.requestName("xyz.openbmc_project.Something.Else")).rejects.toThrow(/not allowed to own/i);
      } finally {
        bus.close();
      }
    } finally {
      system.stop();
    }
  });

  it("the systemd unit runs the daemon as the local stack does: its bundle, with its node flags", () => {
    const execStart = /^ExecStart=((?:.*\\\n)*.*)$/m.exec(readFileSync(unit, "utf8"))?.[1] ?? "";
    const argv = execStart.replace(/\\\n/g, " ").split(/\s+/).filter(Boolean);
    expect(argv[0]).toBe("/usr/bin/node");
    expect(argv.slice(1, 1 + DAEMON_NODE_FLAGS.length)).toEqual([...DAEMON_NODE_FLAGS]);
    expect(argv[1 + DAEMON_NODE_FLAGS.length]).toMatch(new RegExp(`/dist/${basename(DAEMON_PATH)}$`));
    expect(argv[2 + DAEMON_NODE_FLAGS.length]).toBe("daemon");
  });

  it.skipIf(!hasSystemdAnalyze)("the systemd unit passes systemd-analyze verify", () => {
    const dir = scratchDir();
    // verify insists that ExecStart exists; check the rest of the unit as shipped.
    const text = readFileSync(unit, "utf8").replace(/ExecStart=\/usr\/bin\/node/, "ExecStart=/bin/true");
    const copy = join(dir, "pldm-hostbridge.service");
    writeFileSync(copy, text);
    const r = spawnSync("systemd-analyze", ["verify", "--man=no", copy], { encoding: "utf8" });
    const problems = r.stderr.split("\n").filter((l) => l.includes("pldm-hostbridge.service") && !/bmc-vmi-ca\.service/.test(l));
    expect(problems).toEqual([]);
  });
});
