/**
 * Standby takeover: two daemons on one BMC (active and `--standby`) reach one host-sim
 * over a pty pair. The active one is killed with SIGKILL while a batch of requests
 * is in flight, again and again; each time the standby must own the bus name within 2 s,
 * open the link and finish every entry, and a new standby is started behind it. The host
 * also reboots now and then, so roots are written while daemons die. Every entry must end
 * Complete with its own key, its certificate written once; a reader polling RootCert must
 * never see a partial file. The figures give the takeover time.
 */
import { readFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CaEntryIface, CaManager, EntryState } from "../../src/dbus/names.js";
import { CaClient } from "../support/ca-client.js";
import { eventually } from "../support/dbus.js";
import { makeCsr } from "../support/sim-pair.js";
import { StandbyPair } from "../support/standby-pair.js";
import { recordFigures, SCALE } from "./scale.js";
import { expectAllCompleteOnce, pollRootCert, sleep } from "./stack-checks.js";

const KILLS = SCALE === "full" ? 5 : 2;
const IN_FLIGHT = SCALE === "full" ? 100 : 30;
// Spaced beyond the 6 s replay window, as in the host-reboot case.
const REBOOT_EVERY_MS = 6500;

const stats = (xs: number[]) => ({ mean: Math.round(xs.reduce((a, b) => a + b, 0) / xs.length), max: Math.max(...xs), min: Math.min(...xs) });

/** The new active's own account of acquisition to ready (link open, entries taken up), from its log. */
function takeoverMsInLog(dir: string, name: string): number | null {
  const line = readFileSync(join(dir, `${name}.log`), "utf8")
    .split("\n")
    .find((l) => l.includes('"takeoverMs"'));
  return line ? (JSON.parse(line) as { takeoverMs: number }).takeoverMs : null;
}

describe("standby takeover", () => {
  it(`finishes every entry across ${KILLS} SIGKILLs of the active daemon with ${IN_FLIGHT} requests in flight`, async () => {
    const pair = await StandbyPair.start({ hostSimArgs: ["--key", "p256", "--faults", "sign-delay=20"], daemonArgs: ["--response-timeout", "500"] });
    const client = await CaClient.connect(pair.busAddress);
    try {
      // When each entry first went Complete, to time the first completion after a kill.
      const completedAt = new Map<string, number>();
      await client.bus.onSignal(
        { sender: CaManager.service, pathNamespace: CaManager.path, interface: "org.freedesktop.DBus.Properties", member: "PropertiesChanged" },
        ({ path, body }) => {
          const [iface, changed] = body as [string, Record<string, { value: unknown }>];
          if (iface === CaEntryIface.entry && changed.Status?.value === EntryState.Complete && !completedAt.has(path)) completedAt.set(path, Date.now());
        },
      );
      let names = ["d0", "d1"];
      pair.startDaemon(names[0]!);
      await eventually(() => pair.currentOwner() ?? undefined, 20_000, "the first daemon active");
      pair.startDaemon(names[1]!);
      await eventually(async () => ((await pair.queuedNames()).length === 2 ? true : undefined), 20_000, "a standby queued");
      await eventually(async () => (await readFile(pair.rootCertPath, "utf8").catch(() => "")) || undefined, 20_000, "the first root");

      const poller = pollRootCert(pair.rootCertPath, 2);

      const csrOf = new Map<string, string>();
      const handoverMs: number[] = [];
      const readyMs: number[] = [];
      const firstCompleteMs: number[] = [];
      const pendingAtKill: number[] = [];
      let lastReboot = Date.now();
      let reboots = 0;
      const started = Date.now();
      for (let k = 1; k <= KILLS; k++) {
        // At least one reboot in the run, so that a root is written while daemons die. Wait for
        // its mark before filing the batch: a daemon finishes a batch in well under that wait.
        // (A timer may fire a millisecond before Date.now() says it is due: sleep past the mark.)
        const rebootDue = k === KILLS && reboots === 0;
        if (rebootDue) await sleep(Math.max(0, REBOOT_EVERY_MS + 10 - (Date.now() - lastReboot)));
        const csrs = await Promise.all(Array.from({ length: IN_FLIGHT }, (_, i) => makeCsr(`standby-${k}-${i}`)));
        const batch = await Promise.all(csrs.map((csr) => client.signCsr(csr)));
        batch.forEach((path, i) => csrOf.set(path, csrs[i]!));
        // Kill mid-batch: some done, most still announced, being signed or written.
        await eventually(() => (batch.filter((p) => completedAt.has(p)).length >= IN_FLIGHT / 10 ? true : undefined), 60_000, `a tenth of batch ${k} done`);
        if (rebootDue || Date.now() - lastReboot > REBOOT_EVERY_MS) {
          void pair.hostControl({ power: "reboot" });
          lastReboot = Date.now();
          reboots++;
          await sleep(k * 37);
        }
        pendingAtKill.push([...csrOf.keys()].filter((p) => !completedAt.has(p)).length);
        // The premise of this test: the kill lands with requests still in flight.
        expect(pendingAtKill.at(-1), `requests pending at kill ${k}`).toBeGreaterThan(0);
        const [active, standby] = names as [string, string];
        const standbyName = (await pair.queuedNames())[1]!;
        const killedAt = await pair.kill(active);
        await eventually(() => (pair.currentOwner() === standbyName ? true : undefined), 10_000, `${standby} owning the name`);
        handoverMs.push(pair.owners.at(-1)!.atMs - killedAt);
        const took = await eventually(() => takeoverMsInLog(pair.dir, standby) ?? undefined, 20_000, `${standby} ready`);
        readyMs.push(handoverMs.at(-1)! + took);
        const next = `d${k + 1}`;
        pair.startDaemon(next);
        names = [standby, next];
        await eventually(
          () => {
            const after = [...completedAt.values()].filter((t) => t > killedAt);
            return after.length > 0 ? Math.min(...after) : undefined;
          },
          60_000,
          "a completion after the kill",
        ).then((t) => firstCompleteMs.push(t - killedAt));
        await eventually(async () => ((await pair.queuedNames()).length === 2 ? true : undefined), 20_000, `${next} queued`);
      }
      const drainMs = await client.waitAllFinal([...csrOf.keys()], 180_000);
      const { reads, partial, roots } = await poller.stop();
      const { duplicates } = await expectAllCompleteOnce(client, csrOf);
      expect(partial).toBe(0);
      expect(reboots).toBeGreaterThan(0);
      expect(Math.max(...handoverMs)).toBeLessThan(2000);
      recordFigures("standby-takeover", {
        requests: csrOf.size,
        kills: KILLS,
        inFlight: IN_FLIGHT,
        pendingAtKills: pendingAtKill,
        nameHandoverMs: stats(handoverMs),
        killToReadyMs: stats(readyMs),
        killToFirstCompleteMs: stats(firstCompleteMs),
        drainAfterLastKillMs: drainMs,
        seconds: (Date.now() - started) / 1000,
        duplicates,
        hostReboots: reboots,
        rootCertReads: reads,
        rootCertPartial: partial,
        distinctRoots: roots.size,
      });
    } finally {
      client.close();
      await pair.stop();
    }
  }, 600_000);
});
