/**
 * Sends PLDM requests the way pldmd does, and bounds every one: a response time-out
 * with retries that reuse the instance id (so a late answer still counts), NOT_READY
 * answers retried after a pause with a fresh id, and a per-peer queue whose
 * concurrency is a setting (1 behaves like pldmd).
 */
import type { CommandDef } from "../../pldm-codec/wire/command.js";
import { decodePldmHeader } from "../../pldm-codec/pldm/header.js";
import { decodeResponse, encodeRequest, type DecodedResponse } from "../../pldm-codec/pldm/message.js";
import { CompletionCode } from "../../pldm-codec/pldm/names.js";
import { MctpMessageType } from "../../pldm-codec/mctp/packet.js";
import type { MctpTransport } from "../mctp/mctp-transport.js";
import type { Clock, Timer } from "../os/clock.js";
import { PldmRequestError } from "./errors.js";
import { InstanceIdPool } from "./instance-id-pool.js";

export interface RequesterSettings {
  responseTimeoutMs: number;
  retries: number;
  notReadyDelayMs: number;
  notReadyRetries: number;
  concurrency: number;
  /** How long a request may wait for its turn before it fails with "deadline". */
  queueTimeoutMs: number;
}

export const DEFAULT_REQUESTER_SETTINGS: RequesterSettings = {
  responseTimeoutMs: 2000,
  retries: 2,
  notReadyDelayMs: 250,
  notReadyRetries: 8,
  concurrency: 1,
  queueTimeoutMs: 30_000,
};

/** The longest any request can take before it settles, from the settings alone. */
export function requestBoundMs(s: RequesterSettings): number {
  const attempts = (s.retries + 1) * s.responseTimeoutMs;
  return s.queueTimeoutMs + (s.notReadyRetries + 1) * attempts + s.notReadyRetries * s.notReadyDelayMs;
}

/** Tags bound concurrency too: 8 per peer (DSP0236), one held per request for its retries. */
const MAX_TAGS = 8;

interface Job {
  peer: number;
  def: CommandDef<unknown, unknown>;
  fields: unknown;
  queuedAt: number;
  resolve: (r: DecodedResponse<unknown>) => void;
  reject: (e: Error) => void;
  deadline: Timer;
  started: boolean;
}

interface Waiter {
  resolve: (bytes: Uint8Array | null) => void;
  timer: Timer;
}

export class PldmRequester {
  readonly settings: RequesterSettings;
  readonly stats = { sent: 0, retries: 0, timeouts: 0, notReady: 0, unmatchedResponses: 0, completed: 0, failed: 0 };
  private readonly ids: InstanceIdPool;
  private readonly queues = new Map<number, Job[]>();
  private readonly active = new Map<number, number>();
  private readonly waiting = new Map<string, Waiter>();
  private blockedRetry: Timer | null = null;
  private closed = false;

  constructor(
    private readonly endpoint: MctpTransport,
    private readonly clock: Clock,
    settings: Partial<RequesterSettings> = {},
    /** Shared by a terminus that is rebuilt (a host reboot) so its ids go on where they were. */
    ids?: InstanceIdPool,
  ) {
    this.settings = { ...DEFAULT_REQUESTER_SETTINGS, ...settings };
    this.ids = ids ?? new InstanceIdPool(clock);
  }

  request<Q, R>(peer: number, def: CommandDef<Q, R>, fields: Q): Promise<DecodedResponse<R>> {
    if (this.closed) return Promise.reject(new PldmRequestError("closed", def.name, "requester is closed"));
    return new Promise<DecodedResponse<R>>((resolve, reject) => {
      const job: Job = {
        peer,
        def: def,
        fields,
        queuedAt: this.clock.now(),
        resolve: resolve as (r: DecodedResponse<unknown>) => void,
        reject,
        started: false,
        deadline: this.clock.after(this.settings.queueTimeoutMs, () => {
          if (job.started) return;
          this.dequeue(job);
          reject(new PldmRequestError("deadline", def.name, `not sent within ${this.settings.queueTimeoutMs} ms`));
        }),
      };
      let q = this.queues.get(peer);
      if (!q) this.queues.set(peer, (q = []));
      q.push(job);
      this.pump(peer);
    });
  }

  /** Offers a response from `src`; true when it matched an outstanding request. */
  handleResponse(src: number, bytes: Uint8Array): boolean {
    let h;
    try {
      h = decodePldmHeader(bytes);
    } catch {
      this.stats.unmatchedResponses++;
      return false;
    }
    const w = this.waiting.get(key(src, h.instanceId, h.type, h.command));
    if (!w) {
      this.stats.unmatchedResponses++;
      return false;
    }
    w.resolve(bytes);
    return true;
  }

  pendingCount(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.length;
    for (const a of this.active.values()) n += a;
    return n;
  }

  close(): void {
    this.closed = true;
    this.blockedRetry?.cancel();
    for (const q of this.queues.values()) {
      for (const job of q.splice(0)) {
        job.deadline.cancel();
        job.reject(new PldmRequestError("closed", job.def.name, "requester closed"));
      }
    }
    for (const w of this.waiting.values()) w.resolve(null);
  }

  private dequeue(job: Job): void {
    const q = this.queues.get(job.peer);
    const i = q?.indexOf(job) ?? -1;
    if (q && i >= 0) q.splice(i, 1);
  }

  private pump(peer: number): void {
    const q = this.queues.get(peer);
    const limit = Math.min(this.settings.concurrency, MAX_TAGS);
    while (q && q.length && (this.active.get(peer) ?? 0) < limit && !this.closed) {
      const tag = this.endpoint.tags.allocate(peer);
      const iid = tag === null ? null : this.ids.allocate(peer);
      if (tag === null || iid === null) {
        if (tag !== null) this.endpoint.tags.release(peer, tag);
        // Ids and tags held by expired requests free themselves with time: look again soon.
        this.blockedRetry ??= this.clock.after(100, () => {
          this.blockedRetry = null;
          this.pump(peer);
        });
        return;
      }
      const job = q.shift()!;
      job.started = true;
      job.deadline.cancel();
      this.active.set(peer, (this.active.get(peer) ?? 0) + 1);
      this.run(job, tag, iid)
        .then(
          (r) => {
            this.stats.completed++;
            job.resolve(r);
          },
          (e: Error) => {
            this.stats.failed++;
            job.reject(e);
          },
        )
        .finally(() => {
          this.endpoint.tags.release(peer, tag);
          this.active.set(peer, (this.active.get(peer) ?? 1) - 1);
          this.pump(peer);
        });
    }
  }

  private async run(job: Job, tag: number, firstIid: number): Promise<DecodedResponse<unknown>> {
    const { peer, def } = job;
    const s = this.settings;
    let iid = firstIid;
    try {
      for (let notReady = 0; ; notReady++) {
        const bytes = encodeRequest(def, job.fields, { instanceId: iid });
        const answer = await this.exchange(peer, def, iid, tag, bytes);
        const response = decodeResponse(def, answer);
        if (response.completionCode !== CompletionCode.NotReady) return response;
        this.stats.notReady++;
        if (notReady >= s.notReadyRetries) throw new PldmRequestError("not-ready", def.name, `NOT_READY ${notReady + 1} times`);
        // The answered id is spent: the peer would replay its NOT_READY for it.
        this.ids.release(peer, iid);
        await this.sleep(s.notReadyDelayMs);
        const next = await this.allocateId(peer, def.name);
        iid = next;
      }
    } finally {
      this.ids.release(peer, iid);
    }
  }

  /** One request with its retries; resolves with the response bytes. */
  private async exchange(peer: number, def: CommandDef<unknown, unknown>, iid: number, tag: number, bytes: Uint8Array): Promise<Uint8Array> {
    const s = this.settings;
    for (let attempt = 0; attempt <= s.retries; attempt++) {
      if (this.closed) throw new PldmRequestError("closed", def.name, "requester closed");
      if (attempt > 0) this.stats.retries++;
      const answer = this.waitFor(key(peer, iid, def.type, def.command), s.responseTimeoutMs);
      this.stats.sent++;
      this.endpoint.send(peer, MctpMessageType.Pldm, bytes, { tag, tagOwner: true });
      const got = await answer;
      if (got) return got;
    }
    this.stats.timeouts++;
    if (this.closed) throw new PldmRequestError("closed", def.name, "requester closed");
    throw new PldmRequestError("timeout", def.name, `no response from EID ${peer} after ${s.retries + 1} tries of ${s.responseTimeoutMs} ms`);
  }

  private waitFor(k: string, ms: number): Promise<Uint8Array | null> {
    return new Promise((resolve) => {
      const done = (bytes: Uint8Array | null) => {
        if (this.waiting.get(k) !== w) return;
        this.waiting.delete(k);
        w.timer.cancel();
        resolve(bytes);
      };
      const w: Waiter = { resolve: done, timer: this.clock.after(ms, () => done(null)) };
      this.waiting.set(k, w);
    });
  }

  private async allocateId(peer: number, name: string): Promise<number> {
    for (;;) {
      if (this.closed) throw new PldmRequestError("closed", name, "requester closed");
      const id = this.ids.allocate(peer);
      if (id !== null) return id;
      await this.sleep(100);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((r) => this.clock.after(ms, r));
  }
}

const key = (peer: number, iid: number, type: number, command: number) => `${peer}/${iid}/${type}/${command}`;
