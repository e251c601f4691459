/**
 * `hostbridge up` as a newcomer meets it: start it, paste the lines it prints into a
 * shell, and stop it with SIGTERM; nothing may be left running.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI_PATH } from "../../src/os/cli-path.js";
import { eventually } from "../support/dbus.js";
import { opensslVerify, scratchDir } from "../support/openssl.js";
import { startUp } from "../support/up-process.js";

function pastedLines(howTo: string, after: string, count: number): string {
  const lines = howTo.split("\n");
  const start = lines.findIndex((l) => l.startsWith(after));
  // Lines ending in a backslash continue on the next one, as in a shell.
  return lines
    .slice(start + 1)
    .filter((l) => l.trim() !== "")
    .slice(0, count)
    .join("\n");
}

describe("hostbridge up", () => {
  it("brings the stack up, its printed curl, busctl and hmc lines work, and SIGTERM stops every part", async () => {
    const dir = scratchDir();
    const stateDir = join(dir, "state");
    const up = await startUp(stateDir, [], { readyMs: 30_000 });
    const out = up.stdout();
    try {
      const info = up.info;
      expect(Object.keys(info)).toEqual(
        expect.arrayContaining(["restUrl", "username", "password", "busAddress", "vmiTlsHost", "vmiTlsPort", "rootCertPath", "tracePath", "pid"]),
      );
      expect(info.pid).toBe(up.child.pid);

      // The openssl + curl lines, pasted as printed (4 physical lines).
      const byHand = pastedLines(out, "Or by hand", 4);
      const signed = execFileSync("bash", ["-c", byHand.split("\n").slice(0, 3).join("\n")], { cwd: dir, encoding: "utf8" });
      const cert = (JSON.parse(signed) as { Certificate: string }).Certificate;
      const rootAnswer = execFileSync("bash", ["-c", byHand.split("\n")[3]!], { cwd: dir, encoding: "utf8" });
      const root = (JSON.parse(rootAnswer) as { Certificate: string }).Certificate;
      expect(opensslVerify(dir, root, cert)).toMatch(/: OK$/);

      // The hmc lines: enroll, then mutual TLS to the VMI.
      const hmc = pastedLines(out, "Enroll an HMC", 2).split("\n");
      const enroll = spawnSync("bash", ["-c", hmc[0]!], { cwd: dir, encoding: "utf8" });
      expect(enroll.status, enroll.stderr).toBe(0);
      const connect = spawnSync("bash", ["-c", hmc[1]!], { cwd: dir, encoding: "utf8" });
      expect(connect.status, connect.stderr).toBe(0);
      expect(connect.stdout).toContain("connected to the VMI");

      // The busctl lines: the CA tree, our status object, a host reboot.
      const dbus = pastedLines(out, "On D-Bus", 4).split("\n");
      expect(execFileSync("bash", ["-c", dbus[0]!], { encoding: "utf8" })).toContain("/xyz/openbmc_project/certs/ca");
      expect(execFileSync("bash", ["-c", dbus[1]!], { encoding: "utf8" })).toMatch(/\.Completed\s+property\s+t\s+2/);
      const before = readFileSync(String(info.rootCertPath), "utf8");
      execFileSync("bash", ["-c", `${dbus[2]!}\n${dbus[3]!}`]);
      await eventually(() => (readFileSync(String(info.rootCertPath), "utf8") !== before ? true : undefined), 15_000, "a new root after the reboot");

      // The trace it recorded decodes into the exchange: a sequence diagram, and the
      // certificate curl got, rebuilt byte for byte from the WriteFileByType chunks.
      expect(existsSync(String(info.tracePath))).toBe(true);
      const mermaid = execFileSync(process.execPath, [CLI_PATH, "decode", String(info.tracePath), "--output", "mermaid"], { encoding: "utf8" });
      expect(mermaid).toMatch(/^sequenceDiagram/m);
      for (const step of ["NewFileAvailable", "ReadFileByType", "WriteFileByType"]) expect(mermaid).toContain(step);
      const extracted = join(dir, "extracted");
      execFileSync(process.execPath, [CLI_PATH, "decode", String(info.tracePath), "--extract", extracted, "--strict"], { encoding: "utf8" });
      const rebuilt = readdirSync(extracted).map((f) => readFileSync(join(extracted, f), "utf8"));
      expect(rebuilt).toContain(cert);
      expect(rebuilt).toContain(root);
    } finally {
      up.child.kill("SIGTERM");
      await up.exited;
    }
    // Children get a moment to finish their own exit after `up` has gone.
    const survivors = () => spawnSync("pgrep", ["-af", stateDir], { encoding: "utf8" }).stdout.trim();
    await eventually(() => (survivors() === "" ? true : undefined), 3000, "every part to exit").catch(() => undefined);
    expect(survivors()).toBe("");
  }, 90_000);
});
