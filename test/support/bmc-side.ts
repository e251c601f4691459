/**
 * The BMC half of the exchange without D-Bus: the daemon's own engine (endpoint + file I/O +
 * bridge) with an in-memory sink that records what the daemon would write to CA entries.
 */
import type { BridgeSettings, CaEntry } from "../../src/daemon/cert-request-bridge.js";
import { createBmcEngine } from "../../src/daemon/bmc-engine.js";
import type { SerialLink } from "../../src/link/serial-link.js";
import type { RequesterSettings } from "../../src/pldm/pldm-requester.js";

export interface Outcome {
  status: "Complete" | "BadCSR";
  cert: string;
  why?: string;
}

export interface BmcSideOptions {
  bridge?: Partial<BridgeSettings>;
  requester?: Partial<RequesterSettings>;
}

export type BmcSide = ReturnType<typeof bmcSide>;

export function bmcSide(link: SerialLink, opts: BmcSideOptions = {}) {
  const outcomes = new Map<number, Outcome>();
  const waiters = new Map<number, (o: Outcome) => void>();
  const roots: string[] = [];
  const rootWaiters: ((pem: string) => void)[] = [];
  const settle = (entry: CaEntry, o: Outcome) => {
    outcomes.set(entry.id, o);
    waiters.get(entry.id)?.(o);
  };
  const engine = createBmcEngine({
    link,
    requester: opts.requester,
    bridge: opts.bridge,
    sink: {
      complete: async (entry, cert) => settle(entry, { status: "Complete", cert }),
      badCsr: async (entry, why) => settle(entry, { status: "BadCSR", cert: "", why }),
    },
    onRoot: (data) => {
      const pem = new TextDecoder().decode(data);
      roots.push(pem);
      rootWaiters.splice(0).forEach((w) => w(pem));
    },
  });
  const { terminus, files, bridge } = engine;
  return {
    terminus,
    files,
    bridge,
    roots,
    outcomes,
    sign(id: number, csr: string): Promise<Outcome> {
      return new Promise((resolve) => {
        waiters.set(id, resolve);
        bridge.take({ id, path: `/xyz/openbmc_project/certs/ca/entry/${id}`, csr });
      });
    },
    nextRoot(): Promise<string> {
      return new Promise((r) => rootWaiters.push(r));
    },
    close() {
      engine.close();
    },
  };
}
