/**
 * Seeded hostile input for a serial line into the BMC (EID 8): raw noise, frames with a
 * good FCS around random MCTP/PLDM bytes, and real requests mutated before (good FCS) or
 * after (bad FCS) framing. Reads and GetTID only are mutated, so a hit never changes state.
 */
import { MctpMessageType, encodeMctpPacket } from "../../pldm-codec/mctp/packet.js";
import { GetTID } from "../../pldm-codec/pldm/base.js";
import { ReadFileByType } from "../../pldm-codec/pldm/ibm-file-io.js";
import { encodeRequest } from "../../pldm-codec/pldm/message.js";
import { IbmFileType } from "../../pldm-codec/pldm/names.js";
import { encodeSerialFrame } from "../../pldm-codec/serial/frame-encoder.js";
import { seededRandom } from "../../src/os/random.js";
import { concatBytes } from "../../pldm-codec/wire/bytes.js";

export type HostileKind = "noise" | "random-fcs-ok" | "mutated-fcs-ok" | "mutated-fcs-bad";
export const HOSTILE_KINDS: readonly HostileKind[] = ["noise", "random-fcs-ok", "mutated-fcs-ok", "mutated-fcs-bad"];

export class HostileFrames {
  readonly counts: Record<HostileKind, number> = { noise: 0, "random-fcs-ok": 0, "mutated-fcs-ok": 0, "mutated-fcs-bad": 0 };
  private readonly random: () => number;

  constructor(seed: number) {
    this.random = seededRandom(seed);
  }

  /** `n` frames of mixed kinds in one chunk, ending with a flag so the line resyncs. */
  batch(n: number): Uint8Array {
    const parts: Uint8Array[] = [];
    for (let i = 0; i < n; i++) parts.push(this.next());
    parts.push(Uint8Array.of(0x7e));
    return concatBytes(parts);
  }

  next(): Uint8Array {
    const kind = HOSTILE_KINDS[this.int(HOSTILE_KINDS.length)]!;
    this.counts[kind]++;
    switch (kind) {
      case "noise":
        return this.bytes(1 + this.int(90));
      case "random-fcs-ok": {
        const body = this.bytes(1 + this.int(60));
        return encodeSerialFrame(
          encodeMctpPacket(
            { dest: 8, src: this.int(256), som: this.coin(), eom: this.coin(), seq: this.int(4), tagOwner: this.coin(), tag: this.int(8) },
            body,
          ),
        );
      }
      case "mutated-fcs-ok":
        return encodeSerialFrame(this.mutate(this.realPacket()));
      case "mutated-fcs-bad":
        return this.mutate(encodeSerialFrame(this.realPacket()));
    }
  }

  private realPacket(): Uint8Array {
    const iid = this.int(32);
    const pldm = this.coin()
      ? encodeRequest(GetTID, {}, { instanceId: iid })
      : encodeRequest(
          ReadFileByType,
          { fileType: IbmFileType.CertSigningRequest, fileHandle: this.int(1 << 30), offset: this.int(4096), length: this.int(1 << 20) },
          { instanceId: iid },
        );
    const body = new Uint8Array(pldm.length + 1);
    body[0] = MctpMessageType.Pldm;
    body.set(pldm, 1);
    return encodeMctpPacket({ dest: 8, src: 9, som: true, eom: true, seq: 0, tagOwner: true, tag: this.int(8) }, body);
  }

  private mutate(p: Uint8Array): Uint8Array {
    const out = Uint8Array.from(p);
    for (let k = 1 + this.int(3); k > 0; k--) {
      const at = this.int(out.length);
      out[at] = out[at]! ^ (1 + this.int(255));
    }
    return out;
  }

  private bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }

  private int(n: number): number {
    return Math.floor(this.random() * n);
  }

  private coin(): boolean {
    return this.random() < 0.5;
  }
}
