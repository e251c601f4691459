/**
 * A simulated PHYP/VMI host on a serial link. Powered on, it makes a new root and
 * pushes it to the BMC, then signs every CSR the BMC announces: it pulls the CSR,
 * verifies it, and pushes the certificate back (or refuses the CSR with one of the
 * three BadCSR signals). Powered off, it hears and says nothing.
 */
import { EventEmitter } from "eventemitter3";
import { FileAckWithMetaData, NewFileAvailable, NewFileAvailableWithMetaData, WriteFileByType } from "../pldm-codec/pldm/ibm-file-io.js";
import { CertVerdict, CompletionCode, FileStatus, IbmFileType } from "../pldm-codec/pldm/names.js";
import { AdaptiveChunk } from "../src/files/adaptive-chunk.js";
import { FileTransferError, pullFile, pushFile } from "../src/files/file-client.js";
import type { SerialLink } from "../src/link/serial-link.js";
import { silentLogger, type Logger } from "../src/log.js";
import { MctpEndpoint } from "../src/mctp/mctp-endpoint.js";
import { isMctpTransport, type MctpTransport } from "../src/mctp/mctp-transport.js";
import { systemClock, type Clock } from "../src/os/clock.js";
import type { RequesterSettings } from "../src/pldm/pldm-requester.js";
import { InstanceIdPool } from "../src/pldm/instance-id-pool.js";
import { fail, ok } from "../src/pldm/pldm-responder.js";
import { PldmTerminus } from "../src/pldm/pldm-terminus.js";
import { seededRandom } from "../src/os/random.js";
import { NO_FAULTS, type HostFaults } from "./faults.js";
import type { HostMemory, TransferMode } from "./host-memory.js";
import { HostileMaterial } from "./hostile.js";
import { VmiCa, DEFAULT_VMI_CA_SETTINGS, type VmiBoot, type VmiCaSettings } from "./vmi-ca.js";

/** How a bad CSR is refused; pldmd treats all three as BadCSR. */
export type BadCsrSignal = "file-ack-metadata" | "new-file-metadata" | "empty-write";

export interface HostSimSettings {
  hostEid: number;
  bmcEid: number;
  tid: number;
  /** Bytes per ReadFileByType when pulling a CSR; 0 = the whole file at once. */
  readChunk: number;
  /** Bytes per WriteFileByType when pushing a certificate; 0 = whole. */
  writeChunk: number;
  badCsrSignal: BadCsrSignal;
  /** Announce certificates with NewFileAvailableWithMetaData (metadata1 = 0). */
  announceWithMetadata: boolean;
  ca: VmiCaSettings;
  faults: HostFaults;
  requester: Partial<RequesterSettings>;
  /** Extra tries for a file chunk that got no answer (a noisy line). */
  chunkRetries: number;
  /** Pause between root push attempts while the BMC does not answer, ms. */
  rootRetryMs: number;
  /** How files cross: in band, by DMA through host memory (tail in band), or DMA for the 4 KiB bulk. */
  transfer: TransferMode;
}

export const DEFAULT_HOST_SIM_SETTINGS: HostSimSettings = {
  hostEid: 9,
  bmcEid: 8,
  tid: 9,
  readChunk: 0,
  writeChunk: 0,
  badCsrSignal: "file-ack-metadata",
  announceWithMetadata: false,
  ca: DEFAULT_VMI_CA_SETTINGS,
  faults: NO_FAULTS,
  requester: { concurrency: 4 },
  chunkRetries: 5,
  rootRetryMs: 1000,
  transfer: "inband",
};

export type PowerState = "off" | "booting" | "on";

export interface HostSimEvents {
  power: (state: PowerState) => void;
  /** A new root was made (and is being pushed). */
  root: (boot: VmiBoot) => void;
  signed: (handle: number, certPem: string) => void;
  refused: (handle: number, reason: string) => void;
}

export class HostSimulator extends EventEmitter<HostSimEvents> {
  readonly settings: HostSimSettings;
  readonly counters = { boots: 0, signed: 0, refused: 0, rootPushes: 0, failedTransfers: 0, notReadyAnswers: 0 };
  readonly ca: VmiCa;
  private readonly hostile: HostileMaterial;
  private state: PowerState = "off";
  /**
   * Kept across boots: our reboot takes milliseconds, and a first request after it with
   * the instance id and bytes of the last boot's first would be answered by the BMC's
   * replay cache (a retry, as far as it can tell). A real VMI boot outlasts that window.
   */
  private readonly instanceIds: InstanceIdPool;
  private terminus: PldmTerminus | null = null;
  private endpoint: MctpTransport | null = null;
  private readonly inFlight = new Set<number>();
  private readonly random: () => number;
  private readonly memory: HostMemory | null;
  private readonly clock: Clock;
  private readonly log: Logger;
  /** Bumped on every power change so work from an earlier boot stops quietly. */
  private generation = 0;
  private frameErrors = 0;
  private retriesBefore = 0;
  /** Chunks shrink after unanswered tries and grow back, per direction: a bad line hurts both. */
  private readonly writeChunks: AdaptiveChunk;
  private readonly readChunks: AdaptiveChunk;

  constructor(
    /** A byte line (a new MCTP endpoint on it per boot), or a transport such as a demux client, kept across boots. */
    private readonly link: SerialLink | MctpTransport,
    settings: Partial<HostSimSettings> = {},
    opts: { clock?: Clock; log?: Logger; memory?: HostMemory } = {},
  ) {
    super();
    this.settings = { ...DEFAULT_HOST_SIM_SETTINGS, ...settings };
    this.memory = opts.memory ?? null;
    if (this.settings.transfer !== "inband" && !this.memory) throw new Error(`--transfer ${this.settings.transfer} needs host memory`);
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log ?? silentLogger;
    this.random = seededRandom(this.settings.faults.seed);
    this.ca = new VmiCa(this.settings.ca);
    this.hostile = new HostileMaterial(this.settings.faults);
    this.instanceIds = new InstanceIdPool(this.clock);
    this.writeChunks = new AdaptiveChunk({ max: this.settings.writeChunk || Infinity });
    this.readChunks = new AdaptiveChunk({ max: this.settings.readChunk || Infinity });
  }

  get power(): PowerState {
    return this.state;
  }

  stats() {
    const ep = this.endpoint?.stats();
    return {
      power: this.state,
      ...this.counters,
      inFlight: this.inFlight.size,
      framesBad: this.frameErrors,
      retries: this.retriesBefore + (this.terminus?.requester.stats.retries ?? 0),
      rootFingerprint: this.ca.current?.rootFingerprint ?? null,
      transfer: this.settings.transfer,
      hostMemory: this.memory ? { path: this.memory.path, size: this.memory.size, ...this.memory.stats } : null,
      serial: ep?.serial ?? null,
    };
  }

  /** Powers on: a new root, the PLDM stack up, the root pushed to the BMC. */
  async powerOn(): Promise<void> {
    if (this.state !== "off") return;
    const generation = ++this.generation;
    this.setState("booting");
    this.counters.boots++;
    const boot = await this.ca.newRoot(this.counters.boots);
    if (generation !== this.generation) return;
    this.startStack();
    this.setState("on");
    this.emit("root", boot);
    void this.pushRoot(generation, boot);
  }

  /** Powers off at once: in-flight work is abandoned, nothing more is sent or answered. */
  powerOff(): void {
    if (this.state === "off") return;
    this.generation++;
    this.stopStack();
    this.inFlight.clear();
    this.setState("off");
  }

  async reboot(): Promise<void> {
    this.powerOff();
    await this.powerOn();
  }

  close(): void {
    this.powerOff();
  }

  private setState(s: PowerState): void {
    this.state = s;
    this.emit("power", s);
    this.log.info({ power: s }, "host power");
  }

  private startStack(): void {
    const { hostEid, tid, faults } = this.settings;
    this.endpoint = isMctpTransport(this.link) ? this.link : new MctpEndpoint({ link: this.link, localEid: hostEid, clock: this.clock, log: this.log });
    this.endpoint.on("frame-error", () => this.frameErrors++);
    this.terminus = new PldmTerminus({
      endpoint: this.endpoint,
      tid,
      clock: this.clock,
      log: this.log,
      requester: this.settings.requester,
      instanceIds: this.instanceIds,
    });
    const responder = this.terminus.responder;
    if (faults.delay > 0 || faults.notReady > 0) {
      responder.intercept(async ({ header }) => {
        if (faults.delay > 0) await this.sleep(faults.delay);
        // Base commands stay honest so the BMC can always probe us.
        if (header.type !== 0 && faults.notReady > 0 && this.random() < faults.notReady) {
          this.counters.notReadyAnswers++;
          return CompletionCode.NotReady;
        }
        return null;
      });
    }
    responder.on(NewFileAvailable, ({ fileType, fileHandle, length }) => {
      if (fileType !== IbmFileType.CertSigningRequest) return fail(CompletionCode.InvalidFileType);
      if (!this.inFlight.has(fileHandle)) void this.signCsr(this.generation, fileHandle, length);
      return ok({});
    });
  }

  private stopStack(): void {
    this.retriesBefore += this.terminus?.requester.stats.retries ?? 0;
    this.terminus?.close();
    if (this.endpoint !== this.link) this.endpoint?.close();
    this.terminus = null;
    this.endpoint = null;
  }

  private async pushRoot(generation: number, boot: VmiBoot): Promise<void> {
    while (generation === this.generation && this.terminus) {
      const dma = this.memory?.take(this.settings.transfer) ?? undefined;
      try {
        const data = new TextEncoder().encode(await this.hostile.root(boot));
        await pushFile(this.terminus.requester, this.settings.bmcEid, IbmFileType.RootCert, 0, data, {
          chunkSize: this.settings.writeChunk || undefined,
          chunkRetries: this.settings.chunkRetries,
          dma,
          adaptive: this.writeChunks,
        });
        this.counters.rootPushes++;
        this.log.info({ fingerprint: boot.rootFingerprint }, "root certificate pushed to the BMC");
        return;
      } catch (e) {
        if (generation !== this.generation) return;
        this.log.warn({ err: (e as Error).message }, "root push failed; trying again");
        await this.sleep(this.settings.rootRetryMs);
      } finally {
        dma?.release();
      }
    }
  }

  private async signCsr(generation: number, handle: number, length: number): Promise<void> {
    const terminus = this.terminus;
    if (!terminus) return;
    this.inFlight.add(handle);
    const { bmcEid, readChunk, writeChunk, faults, chunkRetries } = this.settings;
    const dma = this.memory?.take(this.settings.transfer) ?? undefined;
    try {
      const csr = await pullFile(terminus.requester, bmcEid, IbmFileType.CertSigningRequest, handle, length, {
        chunkSize: readChunk,
        chunkRetries,
        dma,
        adaptive: this.readChunks,
      });
      let certPem: string;
      try {
        certPem = await this.hostile.certificate(await this.ca.sign(new TextDecoder().decode(csr)), new TextDecoder().decode(csr), this.ca.current!);
      } catch (e) {
        if (generation !== this.generation) return;
        await this.refuse(handle, (e as Error).message);
        return;
      }
      if (faults.signDelay > 0) await this.sleep(faults.signDelay);
      if (generation !== this.generation) return;
      const cert = new TextEncoder().encode(certPem);
      const metadata = this.settings.announceWithMetadata ? { metadata1: CertVerdict.Signed, metadata2: 0, metadata3: 0, metadata4: 0 } : undefined;
      await pushFile(terminus.requester, bmcEid, IbmFileType.SignedCert, handle, cert, {
        chunkSize: writeChunk || undefined,
        metadata,
        chunkRetries,
        dma,
        adaptive: this.writeChunks,
      });
      this.counters.signed++;
      this.emit("signed", handle, certPem);
    } catch (e) {
      // The BMC will announce the CSR again if it still wants it.
      if (generation === this.generation) {
        this.counters.failedTransfers++;
        this.log.warn({ handle, err: (e as Error).message }, "CSR exchange failed");
      }
    } finally {
      dma?.release();
      if (generation === this.generation) this.inFlight.delete(handle);
    }
  }

  private async refuse(handle: number, reason: string): Promise<void> {
    const r = this.terminus!.requester;
    const { bmcEid } = this.settings;
    this.log.info({ handle, reason, signal: this.settings.badCsrSignal }, "refusing CSR");
    switch (this.settings.badCsrSignal) {
      case "file-ack-metadata":
        await r.request(bmcEid, FileAckWithMetaData, {
          fileType: IbmFileType.CertSigningRequest,
          fileHandle: handle,
          fileStatus: FileStatus.BadCsr,
          metadata1: 0,
          metadata2: 0,
          metadata3: 0,
          metadata4: 0,
        });
        break;
      case "new-file-metadata": {
        // pldmd marks the entry BadCSR and answers ERROR (no file follows); older BMCs answered SUCCESS.
        const a = await r.request(bmcEid, NewFileAvailableWithMetaData, {
          fileType: IbmFileType.SignedCert,
          fileHandle: handle,
          length: 0,
          metadata1: CertVerdict.InvalidCertData,
          metadata2: 0,
          metadata3: 0,
          metadata4: 0,
        });
        if (a.completionCode !== CompletionCode.Success && a.completionCode !== CompletionCode.Error) {
          throw new FileTransferError(NewFileAvailableWithMetaData.name, a.completionCode);
        }
        break;
      }
      case "empty-write": {
        const empty = new Uint8Array(0);
        await pushFile(r, bmcEid, IbmFileType.SignedCert, handle, empty);
        await r.request(bmcEid, WriteFileByType, { fileType: IbmFileType.SignedCert, fileHandle: handle, offset: 0, length: 0, data: empty });
        break;
      }
    }
    this.counters.refused++;
    this.emit("refused", handle, reason);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((r) => this.clock.after(ms, r));
  }
}
