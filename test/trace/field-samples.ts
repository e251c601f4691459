/**
 * The sample exchange (samples.ts) written the way logs in the field have it: journald
 * shapes, pldmd's verbose output before 2021-09 on a busy console, old pldmtool blocks,
 * wrapped and cut-short lines, a wrapped flight-recorder ring, and chatter around them.
 */
import { EXCHANGE, T0 } from "./samples.js";

const spaced = (hex: string) => hex.replace(/(..)/g, "$1 ");
const tx = (m: { dir: string }) => (m.dir === "tx" ? "Tx" : "Rx");
const iso = (ms: number) => new Date(T0 + ms).toISOString().replace(/\.\d+Z$/, "+0000");

export const field = {
  /** Lines copied out of the journal without the date. */
  noDate: () => EXCHANGE.map((m) => `pldmd[21347]: ${tx(m)}: ${spaced(m.hex)}`).join("\n"),
  /** `journalctl -o short-iso`. */
  shortIso: () => EXCHANGE.map((m) => `${iso(m.at)} bmc pldmd[3179]: ${tx(m)}: ${spaced(m.hex)}`).join("\n"),
  /** `journalctl -o cat`: the message alone. */
  cat: () => EXCHANGE.map((m) => `${tx(m)}: ${spaced(m.hex)}`).join("\n"),
  /**
   * pldmd --verbose before 2021-09 on the console: "Received Msg" then the bytes with the
   * [EID][type] prefix, "Sending Msg" then the bytes without it; other pldmd output, a shell
   * prompt and pldmtool's JSON in between.
   */
  oldVerbose: () =>
    [
      "root@bmc:~# pldmd --verbose=1 &",
      ...EXCHANGE.flatMap((m, i) => [
        m.dir === "rx" ? "Received Msg" : "Sending Msg",
        ...(i === 2 ? ["Encountered Non-PLDM type message"] : []),
        m.dir === "rx" ? `09 01 ${spaced(m.hex)}` : spaced(m.hex),
        ...(i === 3 ? ["root@bmc:~# pldmtool base GetTID", "{", '    "Response": 1', "}"] : []),
      ]),
    ].join("\n"),
  /** Old pldmtool blocks: the [EID][01] prefix is always there; here the answer carries a stray byte. */
  pldmtoolExtraBytes: () => "Request Message:\n08 01 80 00 02 \nResponse Message:\n08 01 00 00 02 00 01 ff \n",
  /** The long WriteFileByType wrapped over three lines, as a terminal or an editor wraps it. */
  wrapped: () => {
    const long = spaced(EXCHANGE[6]!.hex).trim().split(" ");
    const rest = EXCHANGE.filter((_, i) => i !== 6).map((m) => `${tx(m)}: ${spaced(m.hex)}`);
    return [...rest.slice(0, 6), `Rx: ${long.slice(0, 60).join(" ")}`, long.slice(60, 120).join(" "), long.slice(120).join(" "), ...rest.slice(6)].join("\n");
  },
  /** Lines shortened by whoever pasted them. */
  cutShort: () => "pldmd[21347]: Tx: 81 02 0a ...\npldmd[21347]: Rx: 84 3f 0c 05 00 07 00 00 00 00 00 00 00 96 00 00 00 41 42 43 ...\n",
  /**
   * pldmd's flight recorder after its ring wrapped: slots hold records 5, 6, 7, then 0..4.
   * Times carry microseconds not zero-padded, as pldmd prints them.
   */
  flightWrapped: () => {
    const slot = (i: number) => {
      const m = EXCHANGE[i]!;
      const d = new Date(T0 + m.at);
      const micros = d.getUTCMilliseconds() * 1000 + Math.round((m.at % 1) * 1000);
      return `2025-04-03 UTC ${d.toISOString().slice(11, 19)}.${micros} : ${tx(m)} : \n${spaced(m.hex)}`;
    };
    return [5, 6, 7, 0, 1, 2, 3, 4].map(slot).join("\n") + "\n";
  },
  /** A log with the exchange among prose, JSON, prompts and other daemons' lines. */
  chatter: () =>
    [
      "Here is what pldmd printed when the certificate exchange failed:",
      "",
      ...EXCHANGE.flatMap((m, i) => [
        `Apr 03 20:27:21 bmc pldmd[3179]: ${tx(m)}: ${spaced(m.hex)}`,
        ...(i === 1 ? ['{"level":"info","msg":"host up","eid":9}', "Apr 03 20:27:21 bmc bmcweb[812]: POST /ibm/v1/Host/Actions/SignCSR 200"] : []),
        ...(i === 4 ? ["root@bmc:~# systemctl status pldmd", "Apr 03 20:27:21 bmc pldmd[3179]: Host is up, TID 1"] : []),
      ]),
      "That is all.",
    ].join("\n"),
  /** Vendor (0x3F) messages: one fits IBM's NewFileAvailable, one (another vendor's command 0x0a) does not. */
  oem: () => "Tx: 85 3f 0a 04 00 07 00 00 00 d2 04 00 00 00 00 00 00\nTx: 86 3f 0a 01 02\n",
};
