/**
 * Settings checked by an ajv validator compiled from a TypeBox schema. A refusal names the key
 * (as the user wrote it: a JSON path, an environment variable or a flag) and the value it
 * expects. Only the wording lives here, not ajv: the validator comes compiled at run time
 * (compile.ts) or generated ahead of time (the daemon's, so it never loads ajv; docs/decisions.md).
 */
import type { ErrorObject, ValidateFunction } from "ajv";

export class SettingsError extends Error {
  override readonly name = "SettingsError";
}

export interface SettingsSource {
  /** Where the values came from, e.g. "config /etc/x.json"; empty for the names alone. */
  readonly source: string;
  /** How the user spells a setting here, by its dotted path ("HOSTBRIDGE_HOST_EID" for "hostEid"). */
  readonly names?: Readonly<Record<string, string>>;
  /** Convert strings to the schema's numbers and booleans (environment variables). */
  readonly coerce?: boolean;
}

/**
 * Returns `value` when `validate` passes it (coerced in place when its validator coerces);
 * throws SettingsError naming the first misfit. `schema` is what `validate` was compiled from
 * (or one with the same schema paths): an error's `schemaPath` finds the schema it broke there,
 * and its `instancePath` the value, so validators need not be compiled with `verbose`.
 */
export function checkWith<T>(validate: ValidateFunction, schema: object, value: unknown, from: SettingsSource): T {
  if (validate(value)) return value as T;
  const problem = describeError(validate.errors ?? [], { schema, value });
  const name = (path: string) => from.names?.[path] ?? (path || "settings");
  const text = problem.unknown
    ? `unknown setting "${name(problem.path)}"`
    : `${name(problem.path)} must be ${problem.expected}${problem.missing ? " (it is missing)" : `, got ${shown(problem.actual)}`}`;
  throw new SettingsError(from.source ? `${from.source}: ${text}` : text);
}

/** What was checked: the schema and the value (as validation left it: coerced in place). */
interface Checked {
  schema: object;
  value: unknown;
}

/** The node a JSON pointer ("/a/b", ~0 and ~1 escaped) names under `root`, or undefined. */
function at(root: unknown, pointer: string): unknown {
  let node = root;
  for (const part of pointer.split("/").slice(1)) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[part.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return node;
}

/**
 * What ajv's `verbose` option would put on an error: the schema holding the keyword it names
 * (schemaPath is "#" and a URI-encoded pointer) and the value it failed on.
 */
export function errorSubject(schema: object, value: unknown, error: ErrorObject): { parentSchema: unknown; data: unknown } {
  const keywordAt = error.schemaPath.lastIndexOf("/");
  return { parentSchema: at(schema, decodeURIComponent(error.schemaPath.slice(1, keywordAt))), data: at(value, error.instancePath) };
}
const parentSchema = (checked: Checked, error: ErrorObject) => (errorSubject(checked.schema, checked.value, error).parentSchema ?? {}) as Schema;
const dataOf = (checked: Checked, error: ErrorObject) => at(checked.value, error.instancePath);

interface Problem {
  path: string;
  expected: string;
  actual?: unknown;
  missing?: boolean;
  unknown?: boolean;
}

const dotted = (instancePath: string) => instancePath.split("/").filter(Boolean).join(".");
const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

function describeError(errors: readonly ErrorObject[], checked: Checked): Problem {
  // A union fails last, after its branches' errors: pick the branch its `kind` names.
  const last = errors[errors.length - 1];
  const error = last?.keyword === "anyOf" ? branchError(errors, last, checked) : errors[0];
  if (!error) return { path: "", expected: "valid" };
  if ("problem" in error) return error.problem;
  const path = dotted(error.instancePath);
  const schema = parentSchema(checked, error);
  if (error.keyword === "required") {
    const key = (error.params as { missingProperty: string }).missingProperty;
    return { path: join(path, key), expected: expectedOf(schema.properties?.[key] ?? {}), missing: true };
  }
  if (error.keyword === "additionalProperties") {
    return { path: join(path, (error.params as { additionalProperty: string }).additionalProperty), expected: "", unknown: true };
  }
  return { path, expected: expectedOf(schema), actual: dataOf(checked, error) };
}

function branchError(errors: readonly ErrorObject[], union: ErrorObject, checked: Checked): ErrorObject | { problem: Problem } {
  const schema = parentSchema(checked, union);
  const branches = schema.anyOf ?? [];
  const data = dataOf(checked, union) as Record<string, unknown> | null;
  const path = dotted(union.instancePath);
  const kindOf = (b: Schema) => b.properties?.kind?.const;
  const kinds = branches.map(kindOf).filter((k): k is string => typeof k === "string");
  if (kinds.length > 0 && typeof data === "object" && data !== null && !Array.isArray(data)) {
    const i = branches.findIndex((b) => typeof kindOf(b) === "string" && kindOf(b) === data.kind);
    if (i < 0)
      return {
        problem: {
          path: join(path, "kind"),
          expected: `one of ${kinds.map((k) => JSON.stringify(k)).join(", ")}`,
          actual: data.kind,
          missing: data.kind === undefined,
        },
      };
    const marker = `${union.schemaPath}/${i}/`;
    const inBranch = errors.find((e) => e.schemaPath.startsWith(marker));
    if (inBranch) return inBranch;
  }
  return { problem: { path, expected: expectedOf(schema), actual: data } };
}

interface Schema {
  type?: string | string[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  pattern?: string;
  const?: unknown;
  anyOf?: Schema[];
  items?: Schema;
  properties?: Record<string, Schema>;
  /** Said instead of the generic description when the schema gives one. */
  expected?: string;
}

function expectedOf(s: Schema): string {
  if (s.expected) return s.expected;
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.anyOf) return s.anyOf.map(expectedOf).join(" or ");
  switch (s.type) {
    case "integer":
      if (s.minimum !== undefined && s.maximum !== undefined) return `a whole number from ${s.minimum} to ${s.maximum}`;
      return s.minimum !== undefined ? `a whole number of at least ${s.minimum}` : "a whole number";
    case "string":
      return s.minLength ? "a non-empty string" : "a string";
    case "boolean":
      return "true or false";
    case "null":
      return "null";
    case "array":
      return `a list of ${expectedOf(s.items ?? {}).replace(/^an? /, "")}s`;
    case "object":
      return s.properties?.kind?.const !== undefined ? `a ${JSON.stringify(s.properties.kind.const)} object` : "an object";
    default:
      return "a valid value";
  }
}

function shown(v: unknown): string {
  return v === undefined ? "nothing" : JSON.stringify(v);
}
