/** Codec throughput: PLDM decode/encode, serial decode (deframe + reassemble + PLDM), and the CRC-16 floor. */
import { fragmentMessage } from "../../pldm-codec/mctp/fragmenter.js";
import { MctpReassembler } from "../../pldm-codec/mctp/reassembler.js";
import { NewFileAvailable, ReadFileByType, WriteFileByType } from "../../pldm-codec/pldm/ibm-file-io.js";
import { decodePldmMessage, encodeRequest, encodeResponse } from "../../pldm-codec/pldm/message.js";
import { crc16Mcrf4xx } from "../../pldm-codec/serial/crc16.js";
import { encodeSerialFrame } from "../../pldm-codec/serial/frame-encoder.js";
import { SerialDeframer } from "../../pldm-codec/serial/serial-deframer.js";
import { rate, round, type Metric } from "./measure.js";
import { concatBytes } from "../../pldm-codec/wire/bytes.js";

/** The serial stream the figures are measured on: small requests mixed with ~1.5 KB certificate writes. */
export function benchStream(messages = 2000): Uint8Array {
  const frames: Uint8Array[] = [];
  const cert = new Uint8Array(1500).map((_, i) => 0x20 + (i % 90));
  for (let i = 0; i < messages; i++) {
    const iid = i % 32;
    const pldm =
      i % 4 === 3
        ? encodeRequest(WriteFileByType, { fileType: 5, fileHandle: i, offset: 0, length: cert.length, data: cert }, { instanceId: iid })
        : i % 2
          ? encodeRequest(NewFileAvailable, { fileType: 4, fileHandle: i, length: 1234 }, { instanceId: iid })
          : encodeResponse(ReadFileByType, iid, { length: 2, data: Uint8Array.of(0x41, 0x42) });
    const message = new Uint8Array(pldm.length + 1);
    message[0] = 1;
    message.set(pldm, 1);
    for (const p of fragmentMessage({ src: 9, dest: 8, tag: i % 8, tagOwner: true, message })) frames.push(encodeSerialFrame(p));
  }
  return concatBytes(frames);
}

export function codecMetrics(quick: boolean): Metric[] {
  const ms = quick ? 300 : 700;
  const nfa = encodeRequest(NewFileAvailable, { fileType: 4, fileHandle: 7, length: 1234 }, { instanceId: 5 });
  const fields = { fileType: 4, fileHandle: 7, length: 1234 };
  const decode = rate(() => decodePldmMessage(nfa), 1, ms);
  const encode = rate(() => encodeRequest(NewFileAvailable, fields, { instanceId: 5 }), 1, ms);

  const stream = benchStream(quick ? 500 : 2000);
  const mb = stream.length / 1e6;
  const serialBody = () => {
    const deframer = new SerialDeframer();
    const reassembler = new MctpReassembler();
    let n = 0;
    for (const ev of deframer.push(stream)) {
      if (ev.kind !== "frame") continue;
      const m = reassembler.push(ev.packet, 0);
      if (m && decodePldmMessage(m.message.subarray(1))) n++;
    }
    return n;
  };
  // Serial decode and its CRC baseline in alternate rounds, best of each: on a shared machine a
  // burst of other work then hits both alike.
  let serial = 0;
  let crc = 0;
  for (let r = 0; r < 3; r++) {
    serial = Math.max(serial, rate(serialBody, mb, ms, 1));
    crc = Math.max(
      crc,
      rate(() => crc16Mcrf4xx(stream), mb, ms, 1),
    );
  }
  return [
    { metric: "codec.pldm.decode", value: round(decode), unit: "msgs/s" },
    { metric: "codec.pldm.encode", value: round(encode), unit: "msgs/s" },
    { metric: "codec.serial.decode", value: round(serial), unit: "MB/s" },
    { metric: "baseline.crc16", value: round(crc), unit: "MB/s" },
  ];
}
