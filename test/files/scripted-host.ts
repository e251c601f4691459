/**
 * A host the test drives request by request, on the far end of a pty pair whose
 * near end the real daemon opens with --tty. It records the CSRs the daemon announces.
 */
import { NewFileAvailable } from "../../pldm-codec/pldm/ibm-file-io.js";
import { CompletionCode, IbmFileType } from "../../pldm-codec/pldm/names.js";
import { openTtyDevice } from "../../src/link/tty-device-link.js";
import { MctpEndpoint } from "../../src/mctp/mctp-endpoint.js";
import { fail, ok } from "../../src/pldm/pldm-responder.js";
import { PldmTerminus } from "../../src/pldm/pldm-terminus.js";
import { eventually } from "../support/dbus.js";
import { startPtyPair, type PtyPair } from "../support/link-pty-pair.js";

export interface ScriptedHost {
  /** The pty the daemon must open (pass as --tty). */
  daemonTty: string;
  terminus: PldmTerminus;
  /** CSR lengths the daemon announced, by handle. */
  announced: Map<number, number>;
  waitForAnnounce(handle: number, ms?: number): Promise<number>;
  close(): Promise<void>;
}

export async function startScriptedHost(): Promise<ScriptedHost> {
  const pair: PtyPair = startPtyPair();
  const link = await openTtyDevice(pair.paths[1]);
  const endpoint = new MctpEndpoint({ link, localEid: 9 });
  const terminus = new PldmTerminus({ endpoint, tid: 9, requester: { responseTimeoutMs: 3000, retries: 1 } });
  const announced = new Map<number, number>();
  terminus.responder.on(NewFileAvailable, ({ fileType, fileHandle, length }) => {
    if (fileType !== IbmFileType.CertSigningRequest) return fail(CompletionCode.InvalidFileType);
    announced.set(fileHandle, length);
    return ok({});
  });
  return {
    daemonTty: pair.paths[0],
    terminus,
    announced,
    waitForAnnounce: (handle, ms = 15_000) => eventually(() => announced.get(handle), ms, `CSR ${handle} announced`),
    async close() {
      terminus.close();
      endpoint.close();
      await link.close();
      await pair.stop();
    },
  };
}
