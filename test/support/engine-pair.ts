/** Two PLDM termini (BMC EID 8, host EID 9) joined by an in-memory serial link. */
import { createMemoryLinkPair } from "../../src/link/memory-link.js";
import { MctpEndpoint } from "../../src/mctp/mctp-endpoint.js";
import type { Clock } from "../../src/os/clock.js";
import type { RequesterSettings } from "../../src/pldm/pldm-requester.js";
import { PldmTerminus } from "../../src/pldm/pldm-terminus.js";

export function enginePair(opts: { clock?: Clock; bmc?: Partial<RequesterSettings>; host?: Partial<RequesterSettings> } = {}) {
  const [a, b] = createMemoryLinkPair(["bmc", "host"]);
  const bmcEndpoint = new MctpEndpoint({ link: a, localEid: 8, clock: opts.clock });
  const hostEndpoint = new MctpEndpoint({ link: b, localEid: 9, clock: opts.clock });
  const bmc = new PldmTerminus({ endpoint: bmcEndpoint, tid: 1, clock: opts.clock, requester: opts.bmc });
  const host = new PldmTerminus({ endpoint: hostEndpoint, tid: 9, clock: opts.clock, requester: opts.host });
  const txPackets: Uint8Array[] = [];
  bmcEndpoint.on("packet", (dir, p) => {
    if (dir === "tx") txPackets.push(Uint8Array.from(p));
  });
  return {
    bmc,
    host,
    links: [a, b] as const,
    txPackets,
    async close() {
      bmc.close();
      host.close();
      bmcEndpoint.close();
      hostEndpoint.close();
      await Promise.all([a.close(), b.close()]);
    },
  };
}

/** Lets pending I/O callbacks and promise continuations run. */
export const settle = () => new Promise<void>((r) => setImmediate(r));
