/**
 * Answers PLDM requests from a dispatch table keyed by (type, command). Malformed
 * requests get the completion code DSP0240 names for them; a retry of a request
 * already answered (same peer, instance id and bytes) gets the same answer again
 * without running its handler twice.
 */
import { DecodeError } from "../../pldm-codec/errors.js";
import type { CommandDef } from "../../pldm-codec/wire/command.js";
import { decodePldmHeader, type PldmHeader } from "../../pldm-codec/pldm/header.js";
import { encodeErrorResponse, encodeResponse } from "../../pldm-codec/pldm/message.js";
import { CompletionCode } from "../../pldm-codec/pldm/names.js";
import { silentLogger, type Logger } from "../log.js";
import type { Clock } from "../os/clock.js";
import { bytesEqual } from "../../pldm-codec/wire/bytes.js";

export interface RequestContext {
  /** EID of the requester. */
  peer: number;
  header: PldmHeader;
}

/** A handler answers `ok` with SUCCESS and fields, or not with a failing code (pldmd's error shape is added). */
export type HandlerResult<R> = { ok: true; completionCode: typeof CompletionCode.Success; fields: R } | { ok: false; completionCode: number };

/** A SUCCESS answer with its fields. */
export const ok = <R>(fields: R): HandlerResult<R> & { ok: true } => ({ ok: true, completionCode: CompletionCode.Success, fields });
/** A failing answer: just the code. */
export const fail = (completionCode: number): HandlerResult<never> & { ok: false } => ({ ok: false, completionCode });

export type Handler<Q, R> = (fields: Q, ctx: RequestContext) => HandlerResult<R> | Promise<HandlerResult<R>>;

/** Runs before every handler: answer a code instead (e.g. NOT_READY), or null to go on. */
export type Interceptor = (ctx: RequestContext) => number | null | Promise<number | null>;

interface Entry {
  def: CommandDef<unknown, unknown>;
  handle: Handler<unknown, unknown>;
}

interface Answered {
  request: Uint8Array;
  /** null while the handler still runs: a duplicate then is dropped, its answer is on the way. */
  response: Uint8Array | null;
  at: number;
}

/** How long an answer is kept for replay; instance ids expire after 5-6 s. */
const REPLAY_WINDOW_MS = 6000;

export class PldmResponder {
  readonly stats = { handled: 0, duplicates: 0, malformed: 0, unsupported: 0, handlerErrors: 0 };
  private readonly table = new Map<number, Entry>();
  private readonly types = new Set<number>();
  private readonly answered = new Map<string, Answered>();
  private interceptor: Interceptor | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly log: Logger = silentLogger,
  ) {}

  on<Q, R>(def: CommandDef<Q, R>, handle: Handler<Q, R>): this {
    this.table.set((def.type << 8) | def.command, { def: def, handle: handle as Handler<unknown, unknown> });
    this.types.add(def.type);
    return this;
  }

  intercept(fn: Interceptor | null): this {
    this.interceptor = fn;
    return this;
  }

  /** Types with at least one handler, ascending (what GetPLDMTypes advertises). */
  supportedTypes(): number[] {
    return [...this.types].sort((a, b) => a - b);
  }

  /** Commands handled for a type, ascending (what GetPLDMCommands advertises). */
  supportedCommands(type: number): number[] {
    return [...this.table.values()]
      .filter((e) => e.def.type === type)
      .map((e) => e.def.command)
      .sort((a, b) => a - b);
  }

  /**
   * Handles one request from `peer`. Resolves with the response bytes, or null when
   * nothing must be sent (datagrams, undecodable headers, a duplicate still running).
   */
  async handle(peer: number, request: Uint8Array): Promise<Uint8Array | null> {
    let header: PldmHeader;
    try {
      header = decodePldmHeader(request);
    } catch {
      this.stats.malformed++;
      return null; // no trustworthy instance id to answer with
    }
    if (!header.request) return null;
    const replayKey = `${peer}/${header.instanceId}`;
    const now = this.clock.now();
    const seen = this.answered.get(replayKey);
    if (seen && now - seen.at < REPLAY_WINDOW_MS && bytesEqual(seen.request, request)) {
      this.stats.duplicates++;
      return seen.response;
    }
    const record: Answered = { request: Uint8Array.from(request), response: null, at: now };
    if (!header.datagram) this.answered.set(replayKey, record);
    const response = await this.answer(peer, header, request);
    record.response = response;
    this.pruneReplays(now);
    return header.datagram ? null : response;
  }

  private async answer(peer: number, header: PldmHeader, request: Uint8Array): Promise<Uint8Array> {
    const to = { type: header.type, command: header.command, instanceId: header.instanceId };
    const entry = this.table.get((header.type << 8) | header.command);
    if (!entry) {
      this.stats.unsupported++;
      return encodeErrorResponse(to, this.types.has(header.type) ? CompletionCode.UnsupportedCommand : CompletionCode.InvalidType);
    }
    let fields: unknown;
    try {
      fields = entry.def.request.decode(request, 3);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      this.stats.malformed++;
      const code = e.reason === "reserved-value" || e.reason === "value-out-of-range" ? CompletionCode.InvalidData : CompletionCode.InvalidLength;
      return encodeErrorResponse(to, code, entry.def);
    }
    try {
      const override = this.interceptor ? await this.interceptor({ peer, header }) : null;
      if (override !== null) return encodeErrorResponse(to, override, entry.def);
      const result = await entry.handle(fields, { peer, header });
      this.stats.handled++;
      if (result.ok) return encodeResponse(entry.def, header.instanceId, result.fields);
      return encodeErrorResponse(to, result.completionCode, entry.def);
    } catch (e) {
      this.stats.handlerErrors++;
      this.log.error({ err: e, command: entry.def.name }, "handler failed; answering ERROR");
      return encodeErrorResponse(to, CompletionCode.Error, entry.def);
    }
  }

  private pruneReplays(now: number): void {
    if (this.answered.size < 256) return;
    for (const [k, v] of this.answered) if (now - v.at >= REPLAY_WINDOW_MS) this.answered.delete(k);
  }
}
