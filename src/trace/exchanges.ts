/**
 * Pairs requests with responses the way a PLDM requester does: same requester and
 * responder, instance id, type and command. A request sent again with the same instance
 * id and bytes is a retry (its earlier try timed out); a request never answered is a
 * time-out; a response nobody asked for is unmatched.
 *
 * It works on a stream: records go out in trace order, each request held back until its
 * exchange settles (answered, its instance id reused, or the trace's clock past the
 * response time-out), so a request is printed knowing its answer. Memory is the open
 * exchanges and the records behind the oldest one, never the whole trace.
 */
import { bytesEqual } from "../../pldm-codec/wire/bytes.js";
import type { TracePldm, TraceRecord } from "./decoded-record.js";

export interface ExchangeSummary {
  records: number;
  decodeErrors: number;
  /** Non-blank text lines that carried no PLDM (prose, JSON, prompts, other programs). */
  skippedLines: number;
  requests: number;
  responses: number;
  datagrams: number;
  answered: number;
  /** Requests that got no response at all: time-outs. */
  unanswered: number;
  /** Resends with the same instance id (each one means an earlier try timed out). */
  retries: number;
  unmatchedResponses: number;
  /** A second answer to a request already answered, e.g. to the original and its retry. */
  duplicateResponses: number;
  /** Answers that came later than the response time-out. */
  lateResponses: number;
  errorCompletionCodes: Record<string, number>;
  latencyMs: { count: number; min: number; median: number; p95: number; max: number } | null;
  /** Requests per command name. */
  commands: Record<string, number>;
  /** Indexes of the first unanswered requests (at most UNANSWERED_LISTED; `unanswered` has the count). */
  unansweredRequests: number[];
}

export interface PairOptions {
  /** pldmd's default response time-out. */
  responseTimeoutMs?: number;
  /** Records held behind an open request before it is given up on (traces without times). */
  maxHeld?: number;
}

const UNANSWERED_LISTED = 1000;

interface Pending {
  attempts: TraceRecord[];
  /** Given up on for output (time-out passed): a late answer still pairs, but the request was printed without it. */
  released: boolean;
}

/**
 * The exchange a message belongs to: the requester/responder pair seen from the requester (EIDs,
 * else the direction), instance id, type and command. One number for EIDs that fit a byte (all
 * of them on the wire): a string made and hashed for every message was a good part of pairing.
 */
function exchangeKey(r: TraceRecord, p: TracePldm): number | string {
  const { src, dest } = r;
  let side: number;
  if (src !== null && dest !== null) {
    if (src > 0xff || dest > 0xff) return `${p.request ? `${src}>${dest}` : `${dest}>${src}`}|${p.instanceId}|${p.type}|${p.command}`;
    side = p.request ? (src << 8) | dest : (dest << 8) | src;
  } else if (r.dir) side = 0x10000 + ((p.request ? r.dir === "tx" : r.dir === "rx") ? 0 : 1);
  else side = 0x10002;
  // instanceId (5 bits), type (6) and command (8) below the side.
  return side * 0x80000 + ((p.instanceId << 14) | (p.type << 8) | p.command);
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
const msOf = (r: TraceRecord) => r.timeMs;

export function emptySummary(): ExchangeSummary {
  return {
    records: 0,
    decodeErrors: 0,
    skippedLines: 0,
    requests: 0,
    responses: 0,
    datagrams: 0,
    answered: 0,
    unanswered: 0,
    retries: 0,
    unmatchedResponses: 0,
    duplicateResponses: 0,
    lateResponses: 0,
    errorCompletionCodes: {},
    latencyMs: null,
    commands: {},
    unansweredRequests: [],
  };
}

export class ExchangeTracker {
  readonly summary = emptySummary();
  private readonly timeout: number;
  private readonly maxHeld: number;
  private readonly pending = new Map<number | string, Pending>();
  private readonly lastAnswer = new Map<number | string, Uint8Array>();
  private readonly latencies: number[] = [];
  /** Records not yet out, from `head` on; slots before it are emptied as they go out. */
  private held: (TraceRecord | null)[] = [];
  private head = 0;

  constructor(opts: PairOptions = {}) {
    this.timeout = opts.responseTimeoutMs ?? 2000;
    this.maxHeld = opts.maxHeld ?? 4096;
  }

  /** Takes the next record in trace order; returns the records whose exchanges have settled, in order. */
  push(r: TraceRecord, out: TraceRecord[]): void {
    this.pair(r);
    this.held.push(r);
    const now = msOf(r);
    // The oldest open request is given up on once the trace is past its time-out, or too much waits behind it.
    while (this.head < this.held.length && this.held[this.head]!.awaiting) {
      const first = this.held[this.head]!;
      const t0 = msOf(first);
      const overdue = now !== null && t0 !== null && now - t0 > this.timeout;
      if (!overdue && this.held.length - this.head <= this.maxHeld) break;
      this.giveUp(first);
    }
    this.release(out);
  }

  /** The input went quiet (a live log): every held record goes out as it stands. */
  flush(out: TraceRecord[]): void {
    for (let i = this.head; i < this.held.length; i++) if (this.held[i]!.awaiting) this.giveUp(this.held[i]!);
    this.release(out);
  }

  /** End of all input: the rest goes out, and what was never answered is counted. */
  finish(out: TraceRecord[]): ExchangeSummary {
    this.flush(out);
    for (const p of this.pending.values()) this.unanswered(p);
    this.pending.clear();
    const s = this.summary;
    if (this.latencies.length) {
      const sorted = this.latencies.sort((a, b) => a - b);
      s.latencyMs = { count: sorted.length, min: sorted[0]!, median: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), max: sorted[sorted.length - 1]! };
    }
    s.unansweredRequests.sort((a, b) => a - b);
    return s;
  }

  private release(out: TraceRecord[]): void {
    while (this.head < this.held.length && !this.held[this.head]!.awaiting) {
      out.push(this.held[this.head]!);
      // What went out is the caller's: held here it would outlive its printing.
      this.held[this.head++] = null;
    }
    // Drop what went out, now and then, rather than shifting on every record.
    if (this.head > 1024 && this.head * 2 > this.held.length) {
      this.held = this.held.slice(this.head);
      this.head = 0;
    }
  }

  private giveUp(r: TraceRecord): void {
    for (const p of this.pending.values()) {
      if (!p.attempts.includes(r)) continue;
      p.released = true;
      for (const a of p.attempts) a.awaiting = false;
      return;
    }
    r.awaiting = false;
  }

  private unanswered(p: Pending): void {
    this.summary.unanswered++;
    if (this.summary.unansweredRequests.length < UNANSWERED_LISTED) this.summary.unansweredRequests.push(p.attempts[0]!.index);
    for (const a of p.attempts) a.awaiting = false;
  }

  private pair(r: TraceRecord): void {
    const s = this.summary;
    s.records++;
    if (r.error) s.decodeErrors++;
    const p = r.pldm;
    if (!p) return;
    if (p.request && p.datagram) {
      s.datagrams++;
      r.exchange = { role: "datagram", peer: null, latencyMs: null, retry: 0 };
      return;
    }
    const key = exchangeKey(r, p);
    if (p.request) return this.request(r, key);
    s.responses++;
    if (p.completionCode !== null && p.completionCode !== 0) {
      const cc = p.completionCodeName ?? `0x${p.completionCode.toString(16)}`;
      s.errorCompletionCodes[cc] = (s.errorCompletionCodes[cc] ?? 0) + 1;
    }
    const open = this.pending.get(key);
    if (!open) {
      const last = this.lastAnswer.get(key);
      if (last && bytesEqual(last, r.bytes)) s.duplicateResponses++;
      else s.unmatchedResponses++;
      r.exchange = { role: "response", peer: null, latencyMs: null, retry: 0 };
      return;
    }
    this.pending.delete(key);
    this.lastAnswer.set(key, r.bytes);
    s.answered++;
    const first = open.attempts[0]!;
    const last = open.attempts[open.attempts.length - 1]!;
    const t0 = msOf(first);
    const t1 = msOf(r);
    const latency = t0 !== null && t1 !== null ? Math.round((t1 - t0) * 1000) / 1000 : null;
    if (latency !== null) {
      this.latencies.push(latency);
      if (latency > this.timeout) s.lateResponses++;
    }
    // Requests already printed (given up on) keep what was printed.
    if (!open.released) {
      for (const a of open.attempts) {
        // Each attempt's note is its own (made in request()): filled in, not copied.
        const x = a.exchange!;
        x.peer = r.index;
        x.latencyMs = a === first ? latency : null;
        a.awaiting = false;
      }
    }
    r.exchange = { role: "response", peer: last.index, latencyMs: latency, retry: 0 };
  }

  private request(r: TraceRecord, key: number | string): void {
    const s = this.summary;
    const p = r.pldm!;
    s.requests++;
    const open = this.pending.get(key);
    if (open && bytesEqual(open.attempts[0]!.bytes, r.bytes)) {
      s.retries++;
      r.exchange = { role: "request", peer: null, latencyMs: null, retry: open.attempts.length };
      r.awaiting = !open.released;
      open.attempts.push(r);
      return;
    }
    const name = p.commandName ?? `${p.type}/0x${p.command.toString(16)}`;
    s.commands[name] = (s.commands[name] ?? 0) + 1;
    // The same instance id with other bytes: the requester gave up on the earlier one.
    if (open) this.unanswered(open);
    this.pending.set(key, { attempts: [r], released: false });
    this.lastAnswer.delete(key);
    r.exchange = { role: "request", peer: null, latencyMs: null, retry: 0 };
    r.awaiting = true;
  }
}

/** Pairs a whole trace held in memory (records in trace order); fills each record's `exchange`. */
export function pairExchanges(records: TraceRecord[], opts: PairOptions = {}): ExchangeSummary {
  const tracker = new ExchangeTracker({ ...opts, maxHeld: Number.POSITIVE_INFINITY });
  const sink: TraceRecord[] = [];
  for (const r of records) tracker.push(r, sink);
  return tracker.finish(sink);
}

/** The summary as people read it at the end of a text decode. */
export function formatSummary(s: ExchangeSummary): string {
  const lines = [
    `records ${s.records}, decode errors ${s.decodeErrors}${s.skippedLines ? `, lines without PLDM skipped ${s.skippedLines}` : ""}`,
    `requests ${s.requests} (answered ${s.answered}, time-outs ${s.unanswered}, retries ${s.retries}), datagrams ${s.datagrams}`,
    `responses ${s.responses} (unmatched ${s.unmatchedResponses}, duplicate ${s.duplicateResponses}, late ${s.lateResponses})`,
  ];
  if (s.latencyMs) {
    const l = s.latencyMs;
    lines.push(`latency ms: min ${l.min} median ${l.median} p95 ${l.p95} max ${l.max} (${l.count} answered)`);
  }
  const codes = Object.entries(s.errorCompletionCodes);
  if (codes.length) lines.push(`error completion codes: ${codes.map(([k, v]) => `${k} x${v}`).join(", ")}`);
  const cmds = Object.entries(s.commands);
  if (cmds.length) lines.push(`commands: ${cmds.map(([k, v]) => `${k} x${v}`).join(", ")}`);
  if (s.unansweredRequests.length) {
    const shown = s.unansweredRequests.slice(0, 20);
    const more = s.unanswered - shown.length;
    lines.push(`unanswered requests: #${shown.join(", #")}${more > 0 ? ` and ${more} more` : ""}`);
  }
  return lines.map((l) => `summary: ${l}`).join("\n");
}
