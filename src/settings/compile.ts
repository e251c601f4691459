/**
 * TypeBox settings schemas compiled by ajv (the validator fastify already uses): at run time
 * (checkSettings), or ahead of time into source that needs neither ajv nor TypeBox to run
 * (standaloneValidator, for the daemon's settings: docs/decisions.md).
 */
import { Ajv, type ValidateFunction } from "ajv";
import standalone from "ajv/dist/standalone/index.js";
import type { Static, TSchema } from "@sinclair/typebox";
import { checkWith, type SettingsSource } from "./check.js";

// verbose: each error carries the schema and the data it failed on, to say what was expected.
// `expected` is check.ts's own keyword: the words a refusal uses instead of generic ones.
function makeAjv(coerceTypes: boolean, source = false): Ajv {
  return new Ajv({ verbose: true, coerceTypes, code: { source } }).addKeyword({ keyword: "expected", schemaType: "string" });
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
  return checkWith(validator(from.coerce ? coercing : strict, schema), value, from);
}

/**
 * The validator of `schema` as one CommonJS module body (ajv's standalone code, on one line):
 * it sets `module.exports` to the validate function and may `require` ajv's small runtime
 * helpers (ucs2length), never ajv itself.
 */
export function standaloneValidator(schema: TSchema, coerce = false): string {
  const ajv = makeAjv(coerce, true);
  return standalone.default(ajv, ajv.compile(schema));
}
