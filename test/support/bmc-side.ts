/**
 * The BMC half of the exchange without D-Bus: engine + file I/O + the bridge, with an
 * in-memory sink that records what the daemon would write to the CA entries.
 */
import { IbmFileType } from "../../pldm-codec/pldm/names.js";
import { CertRequestBridge, type BridgeSettings, type CaEntry } from "../../src/daemon/cert-request-bridge.js";
import { FileIoService } from "../../src/files/file-io-service.js";
import type { SerialLink } from "../../src/link/serial-link.js";
import { MctpEndpoint } from "../../src/mctp/mctp-endpoint.js";
import { systemClock } from "../../src/os/clock.js";
import type { RequesterSettings } from "../../src/pldm/pldm-requester.js";
import { PldmTerminus } from "../../src/pldm/pldm-terminus.js";

export interface Outcome {
  status: "Complete" | "BadCSR";
  cert: string;
  why?: string;
}

export function bmcSide(link: SerialLink, opts: { bridge?: Partial<BridgeSettings>; requester?: Partial<RequesterSettings> } = {}) {
  const endpoint = new MctpEndpoint({ link, localEid: 8 });
  const terminus = new PldmTerminus({ endpoint, tid: 1, requester: opts.requester });
  const outcomes = new Map<number, Outcome>();
  const waiters = new Map<number, (o: Outcome) => void>();
  const roots: string[] = [];
  let bridge: CertRequestBridge | null = null;
  const files = new FileIoService(terminus.responder, {
    readable: [IbmFileType.CertSigningRequest],
    writable: [IbmFileType.SignedCert, IbmFileType.RootCert],
    singleton: [IbmFileType.RootCert],
    acceptUpload: (type, handle) => type === IbmFileType.RootCert || (bridge?.expectsCertificate(handle) ?? false),
  });
  const settle = (entry: CaEntry, o: Outcome) => {
    outcomes.set(entry.id, o);
    waiters.get(entry.id)?.(o);
  };
  bridge = new CertRequestBridge(
    files,
    terminus.requester,
    {
      complete: async (entry, cert) => settle(entry, { status: "Complete", cert }),
      badCsr: async (entry, why) => settle(entry, { status: "BadCSR", cert: "", why }),
    },
    systemClock,
    opts.bridge,
  );
  const rootWaiters: ((pem: string) => void)[] = [];
  files.on("uploaded", (type, _h, data) => {
    if (type !== IbmFileType.RootCert) return;
    const pem = new TextDecoder().decode(data);
    roots.push(pem);
    bridge!.hostUp();
    rootWaiters.splice(0).forEach((w) => w(pem));
  });
  return {
    terminus,
    files,
    bridge,
    roots,
    outcomes,
    sign(id: number, csr: string): Promise<Outcome> {
      return new Promise((resolve) => {
        waiters.set(id, resolve);
        bridge!.take({ id, path: `/xyz/openbmc_project/certs/ca/entry/${id}`, csr });
      });
    },
    nextRoot(): Promise<string> {
      return new Promise((r) => rootWaiters.push(r));
    },
    close() {
      bridge!.close();
      terminus.close();
      endpoint.close();
    },
  };
}
