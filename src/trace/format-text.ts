/** One aligned line per record, for people reading a trace in a terminal. */
import { HexBytes } from "./hex.js";
import type { TraceRecord } from "./decoded-record.js";

const COLORS = { red: "\x1b[31m", green: "\x1b[32m", cyan: "\x1b[36m", dim: "\x1b[2m", reset: "\x1b[0m" };

function fieldText(fields: Record<string, unknown> | null): string {
  if (!fields) return "";
  const parts: string[] = [];
  for (const k in fields) {
    if (k === "fileTypeName" || k === "dataLength") continue;
    const v = fields[k];
    if (k === "data" && (v instanceof HexBytes || typeof v === "string")) {
      parts.push(`data=<${fields.dataLength as number} bytes>`);
    } else if (k === "fileType" && fields.fileTypeName) {
      parts.push(`fileType=${String(v)}(${typeof fields.fileTypeName === "string" ? fields.fileTypeName : "?"})`);
    } else {
      parts.push(`${k}=${typeof v === "object" && v !== null ? JSON.stringify(v) : String(v)}`);
    }
  }
  return parts.join(" ");
}

type Paint = (name: keyof typeof COLORS, s: string) => string;

/** Pairing notes: latency on answers, retries, and what never matched. */
function exchangeText(r: TraceRecord, c: Paint): string {
  const x = r.exchange;
  if (!x || x.role === "datagram") return "";
  if (x.role === "response") return x.peer === null ? ` ${c("red", "UNMATCHED")}` : x.latencyMs === null ? ` (#${x.peer})` : ` (#${x.peer} +${x.latencyMs}ms)`;
  if (x.retry) return ` ${c("red", `retry ${x.retry}`)}`;
  return x.peer === null ? ` ${c("red", "NO RESPONSE")}` : "";
}

export function formatRecord(r: TraceRecord, color = false): string {
  const c: Paint = (name, s) => (color ? `${COLORS[name]}${s}${COLORS.reset}` : s);
  const route = r.src === null && r.dest === null ? "".padEnd(8) : `${r.src ?? "?"}->${r.dest ?? "?"}`.padEnd(8);
  const tag = r.tag === null ? "".padEnd(7) : `tag${r.tag}${r.tagOwner ? " TO" : "   "}`;
  const head = `#${String(r.index).padEnd(5)} ${(r.time ?? "").padEnd(r.time ? 28 : 0)}${(r.dir ?? "").padEnd(3)}${route}${tag} `;
  if (r.pldm) {
    const p = r.pldm;
    const kind = p.request ? c("cyan", p.datagram ? "dgm" : "req") : c("green", "rsp");
    // "(ibm)": a vendor (0x3F) message read as IBM file I/O, which is an interpretation.
    const type = `${p.typeName ?? `type${p.type}`}${p.interpretation ? "(ibm)" : ""}`;
    const name = `${type}/${p.commandName ?? `cmd0x${p.command.toString(16)}`}`;
    const cc =
      p.completionCode === null ? "" : ` cc=${p.completionCode === 0 ? "SUCCESS" : c("red", p.completionCodeName ?? `0x${p.completionCode.toString(16)}`)}`;
    const notes = `${r.truncated ? ` ${c("dim", "(cut short in the trace)")}` : ""}${p.note ? ` ${c("dim", `(${p.note})`)}` : ""}`;
    const line = `${head}${kind} iid${String(p.instanceId).padEnd(3)}${name.padEnd(34)}${cc}${exchangeText(r, c)} ${fieldText(p.fields)}${notes}`.trimEnd();
    return r.error ? `${line} ${c("red", `! ${r.error}`)}` : line;
  }
  if (r.error) return `${head}${c("red", `ERROR ${r.error}`)} ${c("dim", r.raw)}`.trimEnd();
  return `${head}mctp type ${r.messageType ?? "?"} length ${r.length ?? 0} ${c("dim", r.raw)}`.trimEnd();
}
