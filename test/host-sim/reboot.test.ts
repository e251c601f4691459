import { afterEach, describe, expect, it } from "vitest";
import { eventually } from "../support/dbus.js";
import { startSimPair, type SimPair } from "../support/sim-pair.js";

let pair: SimPair | null = null;
afterEach(async () => {
  await pair?.close();
  pair = null;
});

describe("host-sim reboots", () => {
  it("pushes a new root on every boot, even when boots follow each other within the BMC's replay window", async () => {
    pair = await startSimPair();
    await eventually(() => (pair!.bmc.roots.length === 1 ? true : undefined), 10_000, "the first root");
    for (let i = 0; i < 8; i++) {
      const before = pair.bmc.roots.length;
      await pair.sim.reboot();
      await eventually(() => (pair!.bmc.roots.length > before ? true : undefined), 5000, `the root of boot ${i + 2}`);
    }
    expect(new Set(pair.bmc.roots).size).toBe(9);
    expect(pair.bmc.terminus.responder.stats.duplicates).toBe(0);
  });
});
