/**
 * The CA manager as shipped (`hostbridge ca-manager`, its own process on a private bus):
 * its state is fsynced before SignCSR answers, a torn state file is kept aside and
 * reported, ids never go backwards, and entries nobody collects are deleted after a bound.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CaManagerService } from "../../src/dbus/ca-manager.js";
import { CaManager, EntryState } from "../../src/dbus/names.js";
import { CLI_PATH } from "../../src/os/cli-path.js";
import { ManualClock } from "../../src/os/clock.js";
import type { PrivateBus } from "../../src/os/dbus-daemon-process.js";
import { busctl, connect, eventually, privateBus } from "../support/dbus.js";
import { scratchDir } from "../support/openssl.js";

const M = CaManager.service;
const hasStrace = spawnSync("strace", ["-V"]).status === 0;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function bus(): Promise<PrivateBus> {
  const b = await privateBus();
  cleanups.push(() => b.stop());
  return b;
}

/** `hostbridge ca-manager` (optionally under a wrapper such as strace), serving once its name is owned. */
async function startManager(b: PrivateBus, args: string[], wrapper: string[] = []): Promise<ChildProcess & { log: () => string }> {
  const argv = [...wrapper, process.execPath, CLI_PATH, "ca-manager", "--bus", b.address, ...args];
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, HOSTBRIDGE_LOG: "info" } });
  let err = "";
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  cleanups.push(() => {
    child.kill("SIGKILL");
  });
  await eventually(async () => ((await busctl(b, "status", M)).code === 0 ? true : undefined), 15_000, "the CA manager on the bus");
  return Object.assign(child, { log: () => err });
}

async function kill(child: ChildProcess): Promise<void> {
  const gone = new Promise((r) => child.once("exit", r));
  child.kill("SIGKILL");
  await gone;
}

async function sign(b: PrivateBus, csr: string): Promise<string> {
  const r = await busctl(b, "call", M, CaManager.path, CaManager.authority, "SignCSR", "s", csr);
  expect(r.code, r.stderr).toBe(0);
  return /^o "(.+)"$/m.exec(r.stdout)![1]!;
}

const idOf = (path: string) => Number(path.split("/").at(-1));

describe("CA manager state on disk", () => {
  it("a torn state file is moved aside and reported, its entries' ids are never handed out again", async () => {
    const b = await bus();
    const dir = scratchDir();
    const state = join(dir, "ca.json");
    let m = await startManager(b, ["--state-file", state]);
    expect(await sign(b, "csr-A")).toBe(`${CaManager.entryPathPrefix}1`);
    expect(await sign(b, "csr-B")).toBe(`${CaManager.entryPathPrefix}2`);
    await kill(m);
    const whole = readFileSync(state, "utf8");
    truncateSync(state, Math.floor(whole.length / 2));
    const torn = readFileSync(state, "utf8");

    m = await startManager(b, ["--state-file", state]);
    const aside = readdirSync(dir).filter((n) => n.startsWith("ca.json.corrupt-"));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(dir, aside[0]!), "utf8")).toBe(torn);
    const problem = await busctl(b, "get-property", M, CaManager.path, "xyz.openbmc_project.PLDM.HostBridge.CaManagerState", "StateProblem");
    expect(problem.stdout).toMatch(/unreadable state file .* moved to .*ca\.json\.corrupt-/);
    expect(m.log()).toMatch(/CA state file unreadable; kept aside/);
    expect(idOf(await sign(b, "csr-C"))).toBeGreaterThan(2);

    // Counter and state both damaged: ids jump to a time-based floor, still never back.
    await kill(m);
    writeFileSync(state, "{");
    writeFileSync(`${state}.next-id`, "garbage");
    m = await startManager(b, ["--state-file", state]);
    expect(idOf(await sign(b, "csr-D"))).toBeGreaterThan(60_000_000);
    expect(readdirSync(dir).filter((n) => n.startsWith("ca.json.corrupt-"))).toHaveLength(2);
  }, 60_000);

  it("ids go on after a restart with every entry deleted", async () => {
    const b = await bus();
    const state = join(scratchDir(), "ca.json");
    let m = await startManager(b, ["--state-file", state]);
    await sign(b, "one");
    await sign(b, "two");
    expect((await busctl(b, "call", M, CaManager.path, CaManager.deleteAll, "DeleteAll")).code).toBe(0);
    await kill(m);
    m = await startManager(b, ["--state-file", state]);
    expect(await sign(b, "three")).toBe(`${CaManager.entryPathPrefix}3`);
  }, 30_000);

  it.skipIf(!hasStrace)(
    "fsyncs the new state and its directory before SignCSR answers",
    async () => {
      const b = await bus();
      const dir = scratchDir();
      const state = join(dir, "ca.json");
      const trace = join(dir, "strace.log");
      await startManager(b, ["--state-file", state], ["strace", "-f", "-y", "-o", trace, "-e", "trace=fsync,fdatasync,rename,renameat,renameat2"]);
      const before = existsSync(trace) ? readFileSync(trace, "utf8").length : 0;
      await sign(b, "durable");
      const calls = readFileSync(trace, "utf8").slice(before).split("\n");
      const at = (re: RegExp) => calls.findIndex((l) => re.test(l));
      const fileSync = at(/fsync\(\d+<[^>]*\/\.ca\.json(?:\.\d+)+\.tmp>\)\s+= 0/);
      const renamed = at(/rename\w*\(.*\.ca\.json(?:\.\d+)+\.tmp.*ca\.json"\S*\)\s+= 0/);
      const dirSync = calls.findIndex((l, i) => i > renamed && new RegExp(`fsync\\(\\d+<${dir}>\\)\\s+= 0`).test(l));
      expect(fileSync, calls.join("\n")).toBeGreaterThanOrEqual(0);
      expect(renamed, calls.join("\n")).toBeGreaterThan(fileSync);
      expect(dirSync, calls.join("\n")).toBeGreaterThan(renamed);
      expect(JSON.parse(readFileSync(state, "utf8"))).toMatchObject({ nextId: 2, entries: [{ id: 1, csr: "durable" }] });
    },
    30_000,
  );
});

describe("CA manager retention", () => {
  it("deletes settled entries after settledRetentionMs and Pending ones after pendingRetentionMs", async () => {
    const b = await bus();
    const server = await connect(b);
    cleanups.push(() => server.close());
    const svc = await CaManagerService.start(server, { settledRetentionMs: 400, pendingRetentionMs: 2500 });
    cleanups.push(() => svc.close());
    const settled = await sign(b, "collected by nobody");
    const pending = await sign(b, "never signed");
    const t0 = Date.now();
    expect((await busctl(b, "set-property", M, settled, "xyz.openbmc_project.Certs.Entry", "Status", "s", EntryState.Complete)).code).toBe(0);
    const exists = async (p: string) => (await busctl(b, "get-property", M, p, "xyz.openbmc_project.Certs.Entry", "Status")).code === 0;
    await eventually(async () => ((await exists(settled)) ? undefined : true), 5000, "the settled entry deleted");
    const settledGoneMs = Date.now() - t0;
    expect(settledGoneMs).toBeGreaterThanOrEqual(400);
    expect(await exists(pending)).toBe(true);
    await eventually(async () => ((await exists(pending)) ? undefined : true), 10_000, "the Pending entry deleted");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2400);
    expect(svc.counters.expired).toBe(2);
  }, 30_000);

  it("on a ManualClock, deletes each entry exactly when its bound is up", async () => {
    const b = await bus();
    const server = await connect(b);
    cleanups.push(() => server.close());
    const clock = new ManualClock(1_000_000);
    const svc = await CaManagerService.start(server, { settledRetentionMs: 60_000, pendingRetentionMs: 300_000, clock });
    cleanups.push(() => svc.close());
    const settled = await sign(b, "collected by nobody");
    const pending = await sign(b, "never signed");
    clock.advance(10_000);
    expect((await busctl(b, "set-property", M, settled, "xyz.openbmc_project.Certs.Entry", "Status", "s", EntryState.Complete)).code).toBe(0);
    const exists = async (p: string) => (await busctl(b, "get-property", M, p, "xyz.openbmc_project.Certs.Entry", "Status")).code === 0;
    clock.advance(59_999);
    expect(await exists(settled)).toBe(true);
    clock.advance(1);
    expect(await exists(settled)).toBe(false);
    expect(await exists(pending)).toBe(true);
    clock.advance(300_000 - 70_000 - 1);
    expect(await exists(pending)).toBe(true);
    clock.advance(1);
    expect(await exists(pending)).toBe(false);
    expect(svc.counters.expired).toBe(2);
  }, 30_000);

  it("a restart keeps each entry's bound: an entry already overdue goes at once", async () => {
    const b = await bus();
    const state = join(scratchDir(), "ca.json");
    let m = await startManager(b, ["--state-file", state, "--settled-retention", "1000"]);
    const path = await sign(b, "settles");
    expect((await busctl(b, "set-property", M, path, "xyz.openbmc_project.Certs.Entry", "Status", "s", EntryState.BadCSR)).code).toBe(0);
    await new Promise((r) => setTimeout(r, 300)); // the change is saved within 100 ms
    await kill(m);
    await new Promise((r) => setTimeout(r, 1000));
    m = await startManager(b, ["--state-file", state, "--settled-retention", "1000"]);
    await eventually(
      async () => ((await busctl(b, "get-property", M, path, "xyz.openbmc_project.Certs.Entry", "Status")).code === 0 ? undefined : true),
      3000,
      "the overdue entry deleted",
    );
    expect(m.log()).toMatch(/deleting an entry nobody collected/);
  }, 30_000);
});
