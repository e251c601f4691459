/**
 * The BMC half of the exchange on one serial link or MCTP transport: MCTP endpoint, PLDM terminus, the
 * IBM file I/O service and the certificate bridge, wired the same way for the daemon,
 * the benchmark and the tests. Results go to a `CaEntrySink`; root pushes to `onRoot`.
 * Every complete upload is checked before it is accepted: a root must be a valid CA root,
 * a certificate must be bound to its entry's CSR and signed by the root last accepted.
 */
import { CompletionCode, IbmFileType } from "../../pldm-codec/pldm/names.js";
import type { DmaEngine } from "../dma/dma-engine.js";
import { registerDmaTransfers } from "../files/dma-file-transfers.js";
import { FileIoService } from "../files/file-io-service.js";
import type { SerialLink } from "../link/serial-link.js";
import { silentLogger, type Logger } from "../log.js";
import { MctpEndpoint } from "../mctp/mctp-endpoint.js";
import { isMctpTransport, type MctpTransport } from "../mctp/mctp-transport.js";
import { systemClock, type Clock } from "../os/clock.js";
import type { RequesterSettings } from "../pldm/pldm-requester.js";
import { PldmTerminus } from "../pldm/pldm-terminus.js";
import { validateRoot } from "../x509/checks.js";
import { CertRequestBridge, type BridgeSettings, type CaEntrySink } from "./cert-request-bridge.js";

export interface BmcEngineOptions {
  /** A byte link (we run MCTP over it), or a transport that carries whole messages (a demux client). */
  link: SerialLink | MctpTransport;
  sink: CaEntrySink;
  /** A complete root certificate upload from the host, already validated. */
  onRoot?: (data: Uint8Array) => void | Promise<void>;
  /** The root in place at start (RootCert as a previous run left it), to check certificates against. */
  initialRoot?: string | null;
  localEid?: number;
  tid?: number;
  requester?: Partial<RequesterSettings>;
  bridge?: Partial<BridgeSettings>;
  clock?: Clock;
  log?: Logger;
  /** Host memory for ReadFileByTypeIntoMemory / WriteFileByTypeFromMemory; none = they answer ERROR. */
  dma?: DmaEngine | null;
}

export interface BmcEngine<T extends MctpTransport = MctpTransport> {
  endpoint: T;
  terminus: PldmTerminus<T>;
  files: FileIoService;
  bridge: CertRequestBridge;
  /** Roots refused before anything was written. */
  readonly rootCounters: { refused: number };
  /** The root last accepted (PEM), against which certificates are checked. */
  currentRoot(): string | null;
  close(): void;
}

export function createBmcEngine<T extends MctpTransport>(opts: BmcEngineOptions & { link: T }): BmcEngine<T>;
export function createBmcEngine(opts: BmcEngineOptions & { link: SerialLink }): BmcEngine<MctpEndpoint>;
export function createBmcEngine(opts: BmcEngineOptions): BmcEngine;
export function createBmcEngine(opts: BmcEngineOptions): BmcEngine {
  const log = opts.log ?? silentLogger;
  const clock = opts.clock ?? systemClock;
  const endpoint = isMctpTransport(opts.link) ? opts.link : new MctpEndpoint({ link: opts.link, localEid: opts.localEid ?? 8, clock, log });
  const terminus = new PldmTerminus({ endpoint, tid: opts.tid ?? 1, clock, log, requester: opts.requester });
  const rootCounters = { refused: 0 };
  let acceptedRoot = opts.initialRoot ?? null;
  const verifyRoot = async (data: Uint8Array): Promise<number | null> => {
    const text = new TextDecoder().decode(data);
    const verdict = await validateRoot(text);
    if (verdict.ok) {
      acceptedRoot = text;
      return null;
    }
    rootCounters.refused++;
    log.warn(
      { reason: verdict.reason, why: verdict.message, fingerprint: verdict.fingerprint, bytes: data.length },
      "refused a root certificate from the host; RootCert left as it was",
    );
    return CompletionCode.Error;
  };
  const files: FileIoService = new FileIoService(terminus.responder, {
    readable: [IbmFileType.CertSigningRequest],
    writable: [IbmFileType.SignedCert, IbmFileType.RootCert],
    singleton: [IbmFileType.RootCert],
    verdictInMetadata: [IbmFileType.SignedCert],
    // A certificate only for a CSR we announced and still wait for; the root at any time.
    acceptUpload: (type, handle): boolean => type === IbmFileType.RootCert || bridge.expectsCertificate(handle),
    verifyUpload: (type, handle, data) => (type === IbmFileType.RootCert ? verifyRoot(data) : bridge.verifyCertificate(handle, data, acceptedRoot)),
  });
  registerDmaTransfers(terminus.responder, files, opts.dma ?? null, log);
  const bridge: CertRequestBridge = new CertRequestBridge(files, terminus.requester, opts.sink, clock, opts.bridge, log);
  files.on("uploaded", (type, _handle, data) => {
    if (type !== IbmFileType.RootCert) return;
    // A root push means the VMI just booted: waiting CSRs can go now.
    bridge.hostRebooted();
    void Promise.resolve(opts.onRoot?.(data)).catch((e: unknown) => log.error({ err: (e as Error).message }, "root certificate not written"));
  });
  return {
    endpoint,
    terminus,
    files,
    bridge,
    rootCounters,
    currentRoot: () => acceptedRoot,
    close() {
      bridge.close();
      terminus.close();
      endpoint.close();
    },
  };
}
