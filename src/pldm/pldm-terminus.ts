/**
 * One PLDM terminus on an MCTP transport (serial endpoint or demux client): routes incoming
 * requests to the responder and responses to the requester, by the PLDM Rq bit alone (a
 * demux daemon sends everything with tag owner set). The daemon and host-sim each run one.
 */
import { MctpMessageType } from "../../pldm-codec/mctp/packet.js";
import type { MctpMessage, MctpTransport } from "../mctp/mctp-transport.js";
import { silentLogger, type Logger } from "../log.js";
import { systemClock, type Clock } from "../os/clock.js";
import { registerBaseResponder } from "./base-responder.js";
import type { InstanceIdPool } from "./instance-id-pool.js";
import { PldmRequester, type RequesterSettings } from "./pldm-requester.js";
import { PldmResponder } from "./pldm-responder.js";

export interface PldmTerminusOptions<T extends MctpTransport = MctpTransport> {
  endpoint: T;
  tid: number;
  clock?: Clock;
  log?: Logger;
  requester?: Partial<RequesterSettings>;
  instanceIds?: InstanceIdPool;
}

export class PldmTerminus<T extends MctpTransport = MctpTransport> {
  readonly requester: PldmRequester;
  readonly responder: PldmResponder;
  readonly endpoint: T;
  readonly identity: { tid: number };
  private readonly log: Logger;
  private readonly onPldm = (m: MctpMessage) => this.route(m);

  constructor(opts: PldmTerminusOptions<T>) {
    const clock = opts.clock ?? systemClock;
    this.log = opts.log ?? silentLogger;
    this.endpoint = opts.endpoint;
    this.identity = { tid: opts.tid };
    this.requester = new PldmRequester(opts.endpoint, clock, opts.requester, opts.instanceIds);
    this.responder = new PldmResponder(clock, this.log);
    registerBaseResponder(this.responder, this.identity);
    this.endpoint.on("pldm", this.onPldm);
  }

  close(): void {
    this.endpoint.off("pldm", this.onPldm);
    this.requester.close();
  }

  private route(m: MctpMessage): void {
    if (m.body.length < 1) return;
    const isRequest = (m.body[0]! & 0x80) !== 0;
    if (!isRequest) {
      this.requester.handleResponse(m.src, m.body);
      return;
    }
    // Copy: the body may be a view into a buffer the link reuses.
    const request = Uint8Array.from(m.body);
    this.responder.handle(m.src, request).then(
      (response) => {
        if (response) this.endpoint.send(m.src, MctpMessageType.Pldm, response, { tag: m.tag, tagOwner: false });
      },
      (e: unknown) => this.log.error({ err: e }, "responder failed"),
    );
  }
}
