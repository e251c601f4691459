/**
 * Case 3: the dbus-daemon itself restarts. Our processes do not reconnect in place: each
 * exits with code 75 when its connection drops and the supervisor (LocalStack with
 * supervise, as systemd with Restart= would) starts it again on the new bus. Entries made
 * before the restart must complete after it, and new SignCSRs must work.
 */
import { describe, expect, it } from "vitest";
import { EntryState } from "../../src/dbus/names.js";
import type { LocalStack } from "../../src/stack/local-stack.js";
import { CaClient } from "../support/ca-client.js";
import { eventually } from "../support/dbus.js";
import { makeCsr } from "../support/sim-pair.js";
import { startStack, waitForRoot } from "../support/local-stack.js";
import { recordFigures, scale } from "./scale.js";
import { expectAllCompleteOnce, stackPerTest } from "./stack-checks.js";

const held = stackPerTest();

const PARTS = ["xyz.openbmc_project.Certs.ca.authority.Manager", "xyz.openbmc_project.PLDM.HostBridge", "xyz.openbmc_project.State.Host"];

/** A new client once every part serves on the (new) bus again. */
async function reconnect(s: LocalStack): Promise<CaClient> {
  return eventually(
    async () => {
      const c = await CaClient.connect(s.busAddress).catch(() => undefined);
      if (!c) return undefined;
      const owned = await Promise.all(
        PARTS.map((n) => c.bus.call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "NameHasOwner", { signature: "s", body: [n] })),
      );
      if (owned.every(([has]) => has === true)) return c;
      c.close();
      return undefined;
    },
    30_000,
    "every part back on the new bus",
  );
}

async function waitFinal(c: CaClient, paths: string[], ms: number): Promise<void> {
  await eventually(
    async () => {
      for (const p of paths) if ((await c.read(p)).status === EntryState.Pending) return undefined;
      return true;
    },
    ms,
    "entries final",
  );
}

describe("the dbus-daemon restarted", () => {
  it(`resumes pending work after ${scale.busRestarts} bus restart(s) through the supervisor`, async () => {
    // A slow signer keeps exchanges in flight when the bus goes away.
    const stack = (held.stack = await startStack({ supervise: true, hostSimArgs: ["--key", "p256", "--faults", "sign-delay=1500"], logLevel: "warn" }));
    await waitForRoot(stack);
    const csrOf = new Map<string, string>();
    const backMs: number[] = [];
    let pendingAtRestart = 0;
    const started = Date.now();
    for (let r = 0; r < scale.busRestarts; r++) {
      let client = (held.client ??= await reconnect(stack));
      const csrs = await Promise.all(Array.from({ length: scale.busRequests }, (_, i) => makeCsr(`bus-${r}-${i}`)));
      const paths = [];
      for (const csr of csrs) {
        const p = await client.signCsr(csr);
        csrOf.set(p, csr);
        paths.push(p);
      }
      await new Promise((res) => setTimeout(res, 300));
      for (const p of paths) if ((await client.read(p)).status === EntryState.Pending) pendingAtRestart++;
      client.close();
      const t0 = Date.now();
      await stack.restartBus();
      client = held.client = await reconnect(stack);
      backMs.push(Date.now() - t0);
    }
    expect(pendingAtRestart).toBeGreaterThan(0);
    // New work after the last restart goes through too.
    const fresh = await makeCsr("after-restart");
    csrOf.set(await held.client!.signCsr(fresh), fresh);
    await waitFinal(held.client!, [...csrOf.keys()], 120_000);
    const { duplicates } = await expectAllCompleteOnce(held.client!, csrOf);
    expect(stack.restarts["ca-manager"]).toBeGreaterThanOrEqual(scale.busRestarts);
    expect(stack.restarts.daemon).toBeGreaterThanOrEqual(scale.busRestarts);
    recordFigures("bus-restart", {
      restarts: scale.busRestarts,
      requests: csrOf.size,
      pendingAtRestart,
      partsRestartedBySupervisor: { ...stack.restarts },
      backOnBusMs: { max: Math.max(...backMs), mean: Math.round(backMs.reduce((a, b) => a + b, 0) / backMs.length) },
      seconds: (Date.now() - started) / 1000,
      duplicatesSeenAfterReconnect: duplicates,
    });
  }, 600_000);
});
