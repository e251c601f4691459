/**
 * A Mermaid sequence diagram of the exchange: one arrow per message (requests solid,
 * responses dashed), with latency, retries, time-outs and decode errors as notes.
 */
import type { TraceRecord } from "./decoded-record.js";

/** This project's convention (and pldmd's): the BMC is EID 8, the host EID 9. */
const ROLE: Record<number, string> = { 8: "BMC", 9: "Host" };

interface Party {
  id: string;
  label: string;
}

function parties(r: TraceRecord): [from: Party, to: Party] {
  const eid = (n: number): Party => ({ id: `E${n}`, label: `${ROLE[n] ?? "Endpoint"} (EID ${n})` });
  const local: Party = { id: "L", label: "local (Tx side)" };
  const remote: Party = { id: "R", label: "remote (Rx side)" };
  const from = r.src !== null ? eid(r.src) : r.dir === "rx" ? remote : local;
  const to = r.dest !== null ? eid(r.dest) : r.dir === "rx" ? local : remote;
  return [from, to];
}

/** Mermaid reads ';' as a statement end and '#' as an entity; neither may appear in text. */
const safe = (s: string) => s.replace(/[;#]/g, " ").replace(/\s+/g, " ").trim();

function fieldSummary(f: Record<string, unknown> | null): string {
  if (!f) return "";
  const parts: string[] = [];
  if (typeof f.fileTypeName === "string" && f.fileTypeName) parts.push(f.fileTypeName);
  for (const k of ["fileHandle", "offset", "length", "fileStatus", "tid", "sensorId", "effecterId", "recordHandle"]) {
    if (typeof f[k] === "number") parts.push(`${k === "fileHandle" ? "handle" : k} ${f[k]}`);
  }
  return parts.join(" ");
}

function label(r: TraceRecord): string {
  const p = r.pldm;
  if (!p) return r.error ? `undecodable: ${r.error}` : `MCTP type ${r.messageType ?? "?"} (${r.length ?? 0} bytes)`;
  const name = p.commandName ?? `type ${p.type} cmd 0x${p.command.toString(16)}`;
  const x = r.exchange;
  const bits = [`${r.index}: ${name}`];
  if (p.request) bits.push(fieldSummary(p.fields), `iid ${p.instanceId}`);
  else bits.push(p.completionCodeName ?? `cc 0x${(p.completionCode ?? 0).toString(16)}`);
  if (x?.retry) bits.push(`retry ${x.retry}`);
  if (!p.request && x?.latencyMs != null) bits.push(`${x.latencyMs} ms`);
  if (!p.request && x && x.peer === null) bits.push("unmatched");
  if (r.error) bits.push(`error: ${r.error}`);
  return safe(bits.filter(Boolean).join(" "));
}

/**
 * The diagram record by record: each participant is declared just before its first arrow,
 * so the text can be written as the trace streams.
 */
export class MermaidWriter {
  private readonly seen = new Set<string>();
  private started = false;

  record(r: TraceRecord): string {
    const lines: string[] = [];
    if (!this.started) {
      this.started = true;
      lines.push("sequenceDiagram");
    }
    const [from, to] = parties(r);
    for (const party of [from, to]) {
      if (this.seen.has(party.id)) continue;
      this.seen.add(party.id);
      lines.push(`    participant ${party.id} as ${safe(party.label)}`);
    }
    if (!r.pldm && r.error) {
      lines.push(`    Note over ${from.id},${to.id}: ${safe(label(r))}`);
      return `${lines.join("\n")}\n`;
    }
    const arrow = r.pldm && !r.pldm.request ? "-->>" : "->>";
    lines.push(`    ${from.id}${arrow}${to.id}: ${label(r)}`);
    if (r.pldm?.request && !r.pldm.datagram && r.exchange?.peer === null && !r.exchange.retry) {
      lines.push(`    Note right of ${to.id}: no response (time-out)`);
    }
    if (r.pldm && !r.pldm.request && r.pldm.completionCode) lines.push(`    Note left of ${from.id}: ${safe(r.pldm.completionCodeName ?? "error")}`);
    return `${lines.join("\n")}\n`;
  }

  /** Closes the diagram (an empty trace still gets a valid one). */
  end(): string {
    return this.started ? "" : "sequenceDiagram\n";
  }
}

export function formatMermaid(records: readonly TraceRecord[]): string {
  const w = new MermaidWriter();
  return records.map((r) => w.record(r)).join("") + w.end();
}
