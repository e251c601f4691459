/**
 * One definition per command, for any protocol that names commands by (type, code) and
 * answers with a completion code: PLDM and MCTP control both do. The definition is the only
 * place a command's layout is written down: encode, decode, naming and JSON all read it.
 */
import type { Struct } from "./struct.js";

export interface CommandDef<Req = Record<string, unknown>, Resp = Record<string, unknown>> {
  readonly type: number;
  readonly command: number;
  readonly name: string;
  readonly request: Struct<Req>;
  /** Response payload after the completion code, when the code is SUCCESS. */
  readonly response: Struct<Resp>;
  /** The shape after a failing completion code (pldmd's: e.g. a zero length); null = code only. */
  readonly errorResponse: Struct<Record<string, unknown>> | null;
}

/** Any definition, whatever its field types (method parameters make CommandDef invariant). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCommandDef = CommandDef<any, any>;

export type RequestOf<C> = C extends CommandDef<infer Q, unknown> ? Q : never;
export type ResponseOf<C> = C extends CommandDef<unknown, infer R> ? R : never;

export function defineCommand<Req, Resp>(def: {
  type: number;
  command: number;
  name: string;
  request: Struct<Req>;
  response: Struct<Resp>;
  errorResponse?: Struct<Record<string, unknown>> | null;
}): CommandDef<Req, Resp> {
  return Object.freeze({ ...def, errorResponse: def.errorResponse ?? null });
}

const key = (type: number, command: number) => (type << 8) | command;

/** Lookup of command definitions by (type, command). */
export class CommandRegistry {
  private readonly byKey = new Map<number, CommandDef>();

  constructor(defs: Iterable<AnyCommandDef> = []) {
    for (const d of defs) this.add(d);
  }

  add(def: AnyCommandDef): this {
    const k = key(def.type, def.command);
    if (this.byKey.has(k)) throw new Error(`command ${def.type}/${def.command} defined twice`);
    this.byKey.set(k, def as CommandDef);
    return this;
  }

  get(type: number, command: number): CommandDef | undefined {
    return this.byKey.get(key(type, command));
  }

  /** Command codes defined for a type, ascending. */
  commandsOf(type: number): number[] {
    return [...this.byKey.values()]
      .filter((d) => d.type === type)
      .map((d) => d.command)
      .sort((a, b) => a - b);
  }

  all(): CommandDef[] {
    return [...this.byKey.values()];
  }
}
