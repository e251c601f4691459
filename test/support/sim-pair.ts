/**
 * The BMC's own stack (bmcSide) and the simulated host in one process, joined by an
 * in-memory cable, optionally noisy both ways. No pty or process hop, so time-outs can be
 * a few ms and thousands of exchanges fit in minutes; the wire bytes are the real ones.
 */
import { HostSimulator, type HostSimSettings } from "../../host-sim/host-simulator.js";
import { injectFaults, type FaultInjectingLink } from "../../src/link/fault-injecting-link.js";
import { createMemoryLinkPair, type MemoryLink } from "../../src/link/memory-link.js";
import type { SerialLink } from "../../src/link/serial-link.js";
import type { BridgeSettings } from "../../src/daemon/cert-request-bridge.js";
import type { RequesterSettings } from "../../src/pldm/pldm-requester.js";
import { readCertificate } from "../../src/x509/certificate.js";
import { sha256Fingerprint } from "../../src/x509/fingerprint.js";
import { createCsr, generateKeyPair, parseCsr } from "../../src/x509/index.js";
import { bmcSide } from "./bmc-side.js";

export interface SimPairOptions {
  /** Per-byte corruption and drop rates, applied to what each side writes. */
  noise?: { corrupt: number; drop: number };
  host?: Partial<HostSimSettings>;
  requester?: Partial<RequesterSettings>;
  bridge?: Partial<BridgeSettings>;
}

export interface SimPair {
  bmc: ReturnType<typeof bmcSide>;
  sim: HostSimulator;
  /** The host's end of the cable: whatever is written here reaches the BMC's deframer. */
  hostEnd: MemoryLink;
  /** The fault injectors (BMC's writes, host's writes), when noisy. */
  faults: FaultInjectingLink[];
  close(): Promise<void>;
}

export async function startSimPair(opts: SimPairOptions = {}): Promise<SimPair> {
  const [bmcEnd, hostEnd] = createMemoryLinkPair(["bmc", "host"]);
  const faults: FaultInjectingLink[] = [];
  const noisy = (link: SerialLink, seed: number): SerialLink => {
    if (!opts.noise) return link;
    const f = injectFaults(link, { corruptRate: opts.noise.corrupt, dropRate: opts.noise.drop, seed });
    faults.push(f);
    return f;
  };
  const bmc = bmcSide(noisy(bmcEnd, 5), { requester: opts.requester, bridge: opts.bridge });
  const sim = new HostSimulator(noisy(hostEnd, 11), { ca: { keyKind: "p256", rootValidityDays: 3650, clientValidityDays: 365 }, ...opts.host });
  const firstRoot = bmc.nextRoot();
  await sim.powerOn();
  await firstRoot;
  return {
    bmc,
    sim,
    hostEnd,
    faults,
    async close() {
      sim.close();
      bmc.close();
      await Promise.all([bmcEnd.close(), hostEnd.close()]);
    },
  };
}

/** A fresh P-256 key and CSR made in-process (far faster than openssl for hundreds). */
export async function makeCsr(cn: string): Promise<string> {
  return createCsr({ keys: await generateKeyPair("p256"), subject: `CN=${cn},O=IBM` });
}

/** SHA-256 of the SubjectPublicKeyInfo a certificate certifies, comparable to a CSR's. */
export async function certifiedKeyFingerprint(certPem: string): Promise<string> {
  return sha256Fingerprint(readCertificate(certPem).spkiDer);
}

export async function csrKeyFingerprint(csrPem: string): Promise<string> {
  return (await parseCsr(csrPem)).publicKeyFingerprint;
}
