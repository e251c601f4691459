/** The LoginGuard's rules on a hand-driven clock: lockout and unlock, fair turns between queues, full queues. */
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/os/clock.js";
import { LoginGuard } from "../../src/rest/login-guard.js";

const settings = { deny: 3, unlockTimeMs: 1000, checksAtOnce: 1, queuePerUser: 2 };

/** A check that finishes when told to. */
function gate(ok: boolean) {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { run: async () => (await opened, { ok, value: ok }), open };
}

describe("lockout", () => {
  it("locks a name after `deny` failures, before any hash, even for the right password, then unlocks", async () => {
    const clock = new ManualClock(0);
    const guard = new LoginGuard(settings, clock);
    let hashes = 0;
    const attempt = (ok: boolean) => guard.check("alice", "alice", true, async () => (hashes++, { ok, value: ok }));
    for (let i = 0; i < 3; i++) expect(await attempt(false)).toEqual({ kind: "checked", value: false });
    expect(await attempt(true)).toEqual({ kind: "locked", untilMs: 1000 });
    expect(hashes).toBe(3);
    expect(await guard.check("bob", "bob", true, async () => ({ ok: true, value: true }))).toEqual({ kind: "checked", value: true });
    clock.advance(1000);
    expect(await attempt(true)).toEqual({ kind: "checked", value: true });
    // A success clears the count.
    for (let i = 0; i < 2; i++) await attempt(false);
    expect(guard.lockedUntil("alice")).toBeUndefined();
  });

  it("never locks with deny = 0", async () => {
    const guard = new LoginGuard({ ...settings, deny: 0 }, new ManualClock(0));
    for (let i = 0; i < 10; i++) await guard.check("alice", "alice", true, async () => ({ ok: false, value: false }));
    expect(guard.lockedUntil("alice")).toBeUndefined();
  });
});

describe("bounded, fair password checks", () => {
  it("serves queues in turn, so a newcomer waits behind one check of each other queue, not the whole flood", async () => {
    const guard = new LoginGuard(settings, new ManualClock(0));
    const order: string[] = [];
    const running = gate(false);
    // All known names without failures: one tier, served round-robin.
    const first = guard.check("flood-0", "flood", true, running.run);
    const flood = [gate(false), gate(false)];
    const floodDone = flood.map((g, i) => guard.check(`flood-${i + 1}`, "flood", true, async () => (order.push(`flood-${i + 1}`), g.run())));
    const admin = gate(true);
    const adminDone = guard.check("admin", "admin", true, async () => (order.push("admin"), admin.run()));
    // The flood's queue is full: a third waiting check is refused at once.
    expect(await guard.check("flood-9", "flood", true, async () => ({ ok: false, value: false }))).toEqual({ kind: "busy" });
    running.open();
    await first;
    flood[0]!.open();
    await floodDone[0];
    admin.open();
    flood[1]!.open();
    await Promise.all([adminDone, floodDone[1]]);
    expect(order).toEqual(["flood-1", "admin", "flood-2"]);
  });

  it("serves a known name without failures before unknown names and names with failures", async () => {
    const guard = new LoginGuard(settings, new ManualClock(0));
    await guard.check("viewer", "viewer", true, async () => ({ ok: false, value: false }));
    const order: string[] = [];
    const running = gate(false);
    const first = guard.check("x", "unknown", false, running.run);
    const waiting = [
      guard.check("guess", "unknown", false, async () => (order.push("unknown"), { ok: false, value: false })),
      guard.check("viewer", "viewer", true, async () => (order.push("viewer"), { ok: false, value: false })),
      guard.check("admin", "admin", true, async () => (order.push("admin"), { ok: true, value: true })),
    ];
    running.open();
    await Promise.all([first, ...waiting]);
    expect(order[0]).toBe("admin");
  });
});
