/** A private dbus-daemon per test file, and the real clients (busctl, dbus-send) to poke it. */
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { BusConnection } from "../../src/dbus/bus-connection.js";
import { startPrivateBus, type PrivateBus } from "../../src/os/dbus-daemon-process.js";
import { pollUntil } from "../../src/os/poll.js";

const run = promisify(execFile);

export async function privateBus(): Promise<PrivateBus> {
  return startPrivateBus(mkdtempSync(join(tmpdir(), "hb-bus-")));
}

export function connect(bus: PrivateBus, callTimeoutMs = 5000): Promise<BusConnection> {
  return BusConnection.connect({ address: bus.address, callTimeoutMs });
}

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function tool(file: string, args: string[]): Promise<ToolResult> {
  try {
    const { stdout, stderr } = await run(file, args, { timeout: 10_000, maxBuffer: 4 << 20 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === "number" ? err.code : -1, stdout: err.stdout ?? "", stderr: err.stderr ?? "" };
  }
}

export function busctl(bus: PrivateBus, ...args: string[]): Promise<ToolResult> {
  return tool("busctl", [`--address=${bus.address}`, ...args]);
}

export function dbusSend(bus: PrivateBus, ...args: string[]): Promise<ToolResult> {
  return tool("dbus-send", [`--bus=${bus.address}`, ...args]);
}

/** Polls `check` until it returns a value other than undefined, or fails after `ms`. */
export function eventually<T>(check: () => T | undefined | Promise<T | undefined>, ms = 10_000, what = "condition"): Promise<T> {
  return pollUntil(check, ms, what);
}
