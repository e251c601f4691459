/**
 * TypeBox settings schemas compiled by ajv (the validator fastify already uses): at run time
 * (checkSettings), or ahead of time into source that needs neither ajv nor TypeBox to run
 * (standaloneValidators, for the daemon's settings: docs/decisions.md).
 */
import { Ajv, type ValidateFunction } from "ajv";
import standalone from "ajv/dist/standalone/index.js";
import type { Static, TSchema } from "@sinclair/typebox";
import { checkWith, type SettingsSource } from "./check.js";

// Neither `verbose` nor messages: check.ts finds the schema and the value an error is about by
// its paths and says it in its own words, so generated code need not carry them.
// `expected` is check.ts's own keyword: the words a refusal uses instead of generic ones.
// inlineRefs off: a schema that $refs another calls its validator rather than copying it.
function makeAjv(coerceTypes: boolean, source = false): Ajv {
  return new Ajv({ coerceTypes, messages: false, inlineRefs: false, code: { source } }).addKeyword({ keyword: "expected", schemaType: "string" });
}
const strict = makeAjv(false);
const coercing = makeAjv(true);
const compiled = new WeakMap<Ajv, WeakMap<TSchema, ValidateFunction>>();

function validator(ajv: Ajv, schema: TSchema): ValidateFunction {
  let cache = compiled.get(ajv);
  if (!cache) compiled.set(ajv, (cache = new WeakMap()));
  let validate = cache.get(schema);
  if (!validate) cache.set(schema, (validate = ajv.compile(schema)));
  return validate;
}

/** Returns `value` when it fits `schema` (coerced in place when asked); throws SettingsError naming the first misfit. */
export function checkSettings<T extends TSchema>(schema: T, value: unknown, from: SettingsSource): Static<T> {
  return checkWith(validator(from.coerce ? coercing : strict, schema), schema, value, from);
}

/**
 * Validators of named schemas as one CommonJS module body (ajv's standalone code, on one line)
 * that sets `exports[name]` for each. A schema may `$ref` another by its name: it then calls
 * that one's validator (its errors keep their own schema paths) instead of holding a copy.
 * The code may `require` ajv's small runtime helpers (ucs2length), never ajv itself.
 */
export function standaloneValidators(schemas: Readonly<Record<string, object>>, coerce = false): string {
  const ajv = makeAjv(coerce, true);
  for (const [name, schema] of Object.entries(schemas)) ajv.addSchema({ ...schema, $id: name });
  return standalone.default(ajv, Object.fromEntries(Object.keys(schemas).map((name) => [name, name])));
}
