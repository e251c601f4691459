import { afterEach, describe, expect, it } from "vitest";
import { GetTID } from "../../pldm-codec/pldm/base.js";
import { decodeMctpPacket } from "../../pldm-codec/mctp/packet.js";
import { CompletionCode } from "../../pldm-codec/pldm/names.js";
import { ManualClock } from "../../src/os/clock.js";
import { PldmRequestError } from "../../src/pldm/errors.js";
import { InstanceIdPool } from "../../src/pldm/instance-id-pool.js";
import { DEFAULT_REQUESTER_SETTINGS, requestBoundMs } from "../../src/pldm/pldm-requester.js";
import { enginePair, settle } from "../support/engine-pair.js";

let pair: ReturnType<typeof enginePair>;
afterEach(async () => pair?.close());

/** Advances the manual clock in steps, letting I/O run between them. */
async function run(clock: ManualClock, ms: number, step = 50): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    clock.advance(step);
    await settle();
  }
}

const iidOf = (packet: Uint8Array) => decodeMctpPacket(packet).body[1]! & 0x1f;

describe("PLDM requester timing", () => {
  it("gives up on a silent host after 3 tries of 2000 ms, each with the same instance id", async () => {
    const clock = new ManualClock();
    pair = enginePair({ clock });
    pair.host.close(); // a powered-off host: hears nothing, says nothing
    const started = clock.now();
    const outcome = pair.bmc.requester.request(9, GetTID, {}).then(
      () => "resolved",
      (e: unknown) => e,
    );
    await run(clock, 5900);
    expect(pair.txPackets.length).toBe(3);
    await run(clock, 200);
    const e = await outcome;
    expect(e).toBeInstanceOf(PldmRequestError);
    expect((e as PldmRequestError).reason).toBe("timeout");
    expect(clock.now() - started).toBeLessThanOrEqual(6100);
    expect(new Set(pair.txPackets.map(iidOf)).size).toBe(1);
    expect(pair.bmc.requester.stats.retries).toBe(2);
  });

  it("retries NOT_READY after 250 ms with a fresh instance id, then succeeds", async () => {
    const clock = new ManualClock();
    pair = enginePair({ clock });
    let notReady = 2;
    pair.host.responder.intercept(() => (notReady-- > 0 ? CompletionCode.NotReady : null));
    const result = pair.bmc.requester.request(9, GetTID, {});
    await settle();
    expect(pair.txPackets.length).toBe(1);
    await run(clock, 200);
    expect(pair.txPackets.length).toBe(1); // still waiting out the 250 ms pause
    await run(clock, 600);
    const r = await result;
    expect(r).toMatchObject({ completionCode: 0, fields: { tid: 9 } });
    expect(pair.txPackets.length).toBe(3);
    expect(new Set(pair.txPackets.map(iidOf)).size).toBe(3);
    expect(pair.bmc.requester.stats.notReady).toBe(2);
  });

  it("fails a request that waited in the queue past its deadline", async () => {
    const clock = new ManualClock();
    pair = enginePair({ clock, bmc: { queueTimeoutMs: 3000 } });
    pair.host.close();
    const first = pair.bmc.requester.request(9, GetTID, {}).catch((e: PldmRequestError) => e.reason);
    const second = pair.bmc.requester.request(9, GetTID, {}).catch((e: PldmRequestError) => e.reason);
    await run(clock, 3100);
    expect(await second).toBe("deadline");
    await run(clock, 3000);
    expect(await first).toBe("timeout");
  });

  it("states the bound every call settles within", () => {
    expect(requestBoundMs(DEFAULT_REQUESTER_SETTINGS)).toBe(30_000 + 9 * 6000 + 8 * 250);
  });
});

describe("InstanceIdPool", () => {
  it("hands out 32 ids round robin, then none until one is freed or expires", () => {
    const clock = new ManualClock();
    const pool = new InstanceIdPool(clock, 5000);
    const ids = Array.from({ length: 32 }, () => pool.allocate(1));
    expect(ids).toEqual(Array.from({ length: 32 }, (_, i) => i));
    expect(pool.allocate(1)).toBeNull();
    pool.release(1, 7);
    expect(pool.allocate(1)).toBe(7);
    clock.advance(5000);
    expect(pool.allocate(1)).toBe(8); // expired ids come back, still round robin
  });

  it("keeps pools per TID apart", () => {
    const pool = new InstanceIdPool(new ManualClock());
    expect(pool.allocate(1)).toBe(0);
    expect(pool.allocate(2)).toBe(0);
  });
});
