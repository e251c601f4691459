/**
 * Pairs requests with responses the way a PLDM requester does: same requester and
 * responder, instance id, type and command. A request sent again with the same instance
 * id and bytes is a retry (its earlier try timed out); a request never answered is a
 * time-out; a response nobody asked for is unmatched.
 */
import { timeToMs } from "./time.js";
import type { TraceRecord } from "./trace-record.js";

export interface ExchangeSummary {
  records: number;
  decodeErrors: number;
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
  unansweredRequests: number[];
}

export interface PairOptions {
  /** pldmd's default response time-out. */
  responseTimeoutMs?: number;
}

interface Pending {
  attempts: TraceRecord[];
}

/** Which requester/responder pair a message belongs to, seen from the requester. */
function requesterSide(r: TraceRecord, isRequest: boolean): string {
  if (r.src !== null && r.dest !== null) return isRequest ? `${r.src}>${r.dest}` : `${r.dest}>${r.src}`;
  if (r.dir) return isRequest ? r.dir : r.dir === "tx" ? "rx" : "tx";
  return "?";
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;

/** Fills each PLDM record's `exchange` and returns the summary. Records must be in trace order. */
export function pairExchanges(records: TraceRecord[], opts: PairOptions = {}): ExchangeSummary {
  const timeout = opts.responseTimeoutMs ?? 2000;
  const s: ExchangeSummary = {
    records: records.length,
    decodeErrors: 0,
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
  const pending = new Map<string, Pending>();
  const lastAnswer = new Map<string, string>();
  const latencies: number[] = [];
  const unanswered = (p: Pending) => {
    s.unanswered++;
    s.unansweredRequests.push(p.attempts[0]!.index);
  };

  for (const r of records) {
    if (r.error) s.decodeErrors++;
    const p = r.pldm;
    if (!p) continue;
    if (p.request && p.datagram) {
      s.datagrams++;
      r.exchange = { role: "datagram", peer: null, latencyMs: null, retry: 0 };
      continue;
    }
    const key = `${requesterSide(r, p.request)}|${p.instanceId}|${p.type}|${p.command}`;
    if (p.request) {
      s.requests++;
      const name = p.commandName ?? `${p.type}/0x${p.command.toString(16)}`;
      const open = pending.get(key);
      if (open && open.attempts[0]!.raw === r.raw) {
        s.retries++;
        r.exchange = { role: "request", peer: null, latencyMs: null, retry: open.attempts.length };
        open.attempts.push(r);
        continue;
      }
      s.commands[name] = (s.commands[name] ?? 0) + 1;
      // The same instance id with other bytes: the requester gave up on the earlier one.
      if (open) unanswered(open);
      pending.set(key, { attempts: [r] });
      lastAnswer.delete(key);
      r.exchange = { role: "request", peer: null, latencyMs: null, retry: 0 };
      continue;
    }
    s.responses++;
    if (p.completionCode !== null && p.completionCode !== 0) {
      const cc = p.completionCodeName ?? `0x${p.completionCode.toString(16)}`;
      s.errorCompletionCodes[cc] = (s.errorCompletionCodes[cc] ?? 0) + 1;
    }
    const open = pending.get(key);
    if (!open) {
      if (lastAnswer.get(key) === r.raw) s.duplicateResponses++;
      else s.unmatchedResponses++;
      r.exchange = { role: "response", peer: null, latencyMs: null, retry: 0 };
      continue;
    }
    pending.delete(key);
    lastAnswer.set(key, r.raw);
    s.answered++;
    const first = open.attempts[0]!;
    const last = open.attempts[open.attempts.length - 1]!;
    const t0 = timeToMs(first.time);
    const t1 = timeToMs(r.time);
    const latency = t0 !== null && t1 !== null ? Math.round((t1 - t0) * 1000) / 1000 : null;
    if (latency !== null) {
      latencies.push(latency);
      if (latency > timeout) s.lateResponses++;
    }
    for (const a of open.attempts) a.exchange = { ...a.exchange!, peer: r.index, latencyMs: a === first ? latency : null };
    r.exchange = { role: "response", peer: last.index, latencyMs: latency, retry: 0 };
  }
  for (const p of pending.values()) unanswered(p);
  s.unansweredRequests.sort((a, b) => a - b);
  if (latencies.length) {
    const sorted = latencies.sort((a, b) => a - b);
    s.latencyMs = { count: sorted.length, min: sorted[0]!, median: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), max: sorted[sorted.length - 1]! };
  }
  return s;
}

/** The summary as people read it at the end of a text decode. */
export function formatSummary(s: ExchangeSummary): string {
  const lines = [
    `records ${s.records}, decode errors ${s.decodeErrors}`,
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
  if (s.unansweredRequests.length) lines.push(`unanswered requests: #${s.unansweredRequests.join(", #")}`);
  return lines.map((l) => `summary: ${l}`).join("\n");
}
