/**
 * A system-style dbus-daemon for policy tests: nobody owns or calls anything unless a
 * policy file allows it, as on a BMC. `includes` are policy files, loaded in order.
 */
import { spawn } from "node:child_process";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { scratchDir } from "./openssl.js";

export interface SystemBus {
  address: string;
  stop(): void;
}

export async function startSystemBus(includes: string[]): Promise<SystemBus> {
  const dir = scratchDir();
  // Other users must reach the socket, as they reach /run/dbus/system_bus_socket.
  chmodSync(dir, 0o755);
  const sock = join(dir, "bus.sock");
  writeFileSync(
    join(dir, "bus.conf"),
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>system</type><listen>unix:path=${sock}</listen><auth>EXTERNAL</auth>
<policy context="default"><allow user="*"/><deny own="*"/><deny send_type="method_call"/><allow send_destination="org.freedesktop.DBus"/>
<allow send_type="signal"/><allow send_requested_reply="true" send_type="method_return"/><allow send_requested_reply="true" send_type="error"/>
<allow receive_type="method_call"/><allow receive_type="method_return"/><allow receive_type="error"/><allow receive_type="signal"/></policy>
${includes.map((f) => `<include>${f}</include>`).join("\n")}</busconfig>`,
  );
  const daemon = spawn("dbus-daemon", ["--nofork", "--nopidfile", "--nosyslog", "--print-address=1", `--config-file=${join(dir, "bus.conf")}`], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  daemon.stderr.on("data", (d: Buffer) => (err += d.toString()));
  try {
    const address = await new Promise<string>((ok, fail) => {
      daemon.stdout.once("data", (d: Buffer) => ok(d.toString().trim()));
      daemon.once("exit", (code) => fail(new Error(`dbus-daemon refused the config (code ${code}): ${err}`)));
    });
    return { address, stop: () => daemon.kill() };
  } catch (e) {
    daemon.kill();
    throw e;
  }
}
