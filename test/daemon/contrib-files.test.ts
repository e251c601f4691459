/** The shipped systemd unit and D-Bus policy: parsed by the real tools, and the policy does what it says. */
import { spawn, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { BusConnection } from "../../src/dbus/bus-connection.js";
import { scratchDir } from "../support/openssl.js";

const repo = resolve(import.meta.dirname, "..", "..");
const policy = join(repo, "contrib", "dbus", "xyz.openbmc_project.PLDM.HostBridge.conf");
const unit = join(repo, "contrib", "systemd", "pldm-hostbridge.service");
const hasSystemdAnalyze = spawnSync("systemd-analyze", ["--version"]).status === 0;

describe("contrib files", () => {
  it("the D-Bus policy loads into a system-style dbus-daemon and lets root own our name, and only ours", async () => {
    const dir = scratchDir();
    const sock = join(dir, "bus.sock");
    // A system bus's shape: nobody owns anything unless a policy file allows it.
    writeFileSync(
      join(dir, "bus.conf"),
      `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>system</type><listen>unix:path=${sock}</listen><auth>EXTERNAL</auth>
<policy context="default"><allow user="*"/><deny own="*"/><deny send_type="method_call"/><allow send_destination="org.freedesktop.DBus"/>
<allow send_type="signal"/><allow send_requested_reply="true" send_type="method_return"/><allow send_requested_reply="true" send_type="error"/>
<allow receive_type="method_call"/><allow receive_type="method_return"/><allow receive_type="error"/><allow receive_type="signal"/></policy>
<include>${policy}</include></busconfig>`,
    );
    const daemon = spawn("dbus-daemon", ["--nofork", "--nopidfile", "--nosyslog", "--print-address=1", `--config-file=${join(dir, "bus.conf")}`], { stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    daemon.stderr.on("data", (d: Buffer) => (err += d.toString()));
    try {
      const address = await new Promise<string>((ok, fail) => {
        daemon.stdout.once("data", (d: Buffer) => ok(d.toString().trim()));
        daemon.once("exit", (code) => fail(new Error(`dbus-daemon refused the config (code ${code}): ${err}`)));
      });
      const bus = await BusConnection.connect({ address, callTimeoutMs: 3000 });
      try {
        await bus.requestName("xyz.openbmc_project.PLDM.HostBridge");
        await expect(bus.requestName("xyz.openbmc_project.Something.Else")).rejects.toThrow(/not allowed to own/i);
      } finally {
        bus.close();
      }
    } finally {
      daemon.kill();
    }
  });

  it.skipIf(!hasSystemdAnalyze)("the systemd unit passes systemd-analyze verify", () => {
    const dir = scratchDir();
    // verify insists that ExecStart exists; check the rest of the unit as shipped.
    const text = readFileSync(unit, "utf8").replace(/ExecStart=\/usr\/bin\/hostbridge/, "ExecStart=/bin/true");
    const copy = join(dir, "pldm-hostbridge.service");
    writeFileSync(copy, text);
    const r = spawnSync("systemd-analyze", ["verify", "--man=no", copy], { encoding: "utf8" });
    const problems = r.stderr.split("\n").filter((l) => l.includes("pldm-hostbridge.service") && !/bmc-vmi-ca\.service/.test(l));
    expect(problems).toEqual([]);
  });
});
