/**
 * Active and standby daemons on one BMC: the second `hostbridge daemon --standby` queues
 * for the bus name, says so on its status object (on its unique name), leaves the link
 * alone, and takes over when the active one is killed or stops.
 */
import { afterEach, describe, expect, it } from "vitest";
import { STANDBY_SERVICE } from "../../src/daemon/host-bridge-daemon.js";
import { EntryState } from "../../src/dbus/names.js";
import { CaClient } from "../support/ca-client.js";
import { eventually } from "../support/dbus.js";
import { makeCsr } from "../support/sim-pair.js";
import { StandbyPair } from "../support/standby-pair.js";

let pair: StandbyPair | null = null;
let client: CaClient | null = null;
afterEach(async () => {
  client?.close();
  await pair?.stop();
  pair = client = null;
});

/** Waits until the connection's status object reports `role`. */
const roleBecomes = (name: string, role: string) =>
  eventually(async () => ((await pair!.roleOf(name).catch(() => "")) === role ? role : undefined), 15_000, `${name} ${role}`);

async function signAll(n: number, tag: string): Promise<string[]> {
  const csrs = await Promise.all(Array.from({ length: n }, (_, i) => makeCsr(`${tag}-${i}`)));
  return Promise.all(csrs.map((csr) => client!.signCsr(csr)));
}

describe("hostbridge daemon --standby", () => {
  it("queues behind the active daemon, reports its role, and takes over within 2 s of a SIGKILL", async () => {
    pair = await StandbyPair.start({ hostSimArgs: ["--key", "p256"], daemonArgs: ["--response-timeout", "500"] });
    client = await CaClient.connect(pair.busAddress);
    pair.startDaemon("a");
    const a = await eventually(() => pair!.currentOwner() ?? undefined, 15_000, "daemon a owning the name");
    pair.startDaemon("b");
    const [owner, b] = await eventually(
      async () => ((await pair!.queuedNames()).length === 2 ? await pair!.queuedNames() : undefined),
      15_000,
      "daemon b queued",
    );
    expect(owner).toBe(a);
    await roleBecomes(a, "active");
    expect(await pair.roleOf(b!)).toBe("standby");
    // Also by name, which a system bus's policy can open to everyone.
    expect(await pair.roleOf(STANDBY_SERVICE)).toBe("standby");

    const first = await signAll(5, "before");
    await client.waitAllFinal(first, 30_000);
    const second = await signAll(5, "at-kill");
    const killedAt = await pair.kill("a");
    await eventually(() => (pair!.currentOwner() === b ? true : undefined), 5000, "daemon b owning the name");
    const takeoverMs = pair.owners.at(-1)!.atMs - killedAt;
    expect(takeoverMs).toBeLessThan(2000);
    await roleBecomes(b!, "active");
    // The one that took over gave the standby name up; the next standby takes it.
    pair.startDaemon("c");
    await eventually(async () => ((await pair!.roleOf(STANDBY_SERVICE).catch(() => "")) === "standby" ? true : undefined), 15_000, "c at the standby name");
    expect((await pair.queuedNames())[0]).toBe(b);
    await client.waitAllFinal(second, 60_000);
    for (const path of [...first, ...second]) {
      expect((await client.read(path)).status).toBe(EntryState.Complete);
      expect(client.entries.get(path)!.certWrites).toHaveLength(1);
    }
    const third = await signAll(3, "after");
    await client.waitAllFinal(third, 30_000);
    for (const path of third) expect((await client.read(path)).status).toBe(EntryState.Complete);
  }, 120_000);

  it("a standby with nobody ahead takes over at once; a plain daemon refuses to start behind it; SIGTERM hands over", async () => {
    pair = await StandbyPair.start({ hostSimArgs: ["--key", "p256"] });
    client = await CaClient.connect(pair.busAddress);
    pair.startDaemon("a");
    const a = await eventually(() => pair!.currentOwner() ?? undefined, 15_000, "daemon a owning the name");
    await roleBecomes(a, "active");

    const plain = pair.startDaemon("plain", false);
    const code = await new Promise<number | null>((resolve) => plain.once("exit", (c) => resolve(c)));
    expect(code).toBe(2);
    expect(pair.currentOwner()).toBe(a);

    pair.startDaemon("b");
    const [, b] = await eventually(async () => ((await pair!.queuedNames()).length === 2 ? await pair!.queuedNames() : undefined), 15_000, "daemon b queued");
    const before = await signAll(3, "before-term");
    await client.waitAllFinal(before, 30_000);
    await pair.kill("a", "SIGTERM");
    await eventually(() => (pair!.currentOwner() === b ? true : undefined), 5000, "daemon b owning the name");
    await roleBecomes(b!, "active");
    const after = await signAll(3, "after-term");
    await client.waitAllFinal(after, 30_000);
    for (const path of [...before, ...after]) expect((await client.read(path)).status).toBe(EntryState.Complete);
  }, 90_000);
});
