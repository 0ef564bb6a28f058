/** JSON values as stored by a study storage: strict validation, canonical (key-sorted) text, and structural diffs. */
import { InvalidOptionError } from '../errors.js';

/** A JSON value. `undefined`, functions, `NaN` and `±Infinity` are not JSON and are rejected, never silently dropped. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A JSON object. */
export type JsonObject = { [key: string]: Json };

/**
 * Serializes `value` with object keys sorted at every depth, so equal values give equal text
 * (the basis of config comparison and of default trial keys).
 *
 * Throws {@link InvalidOptionError} naming the path of the first value that is not JSON
 * (`undefined`, a function, a bigint, `NaN`, `±Infinity`, a class instance, a cycle).
 *
 * @example canonicalJson({ b: 1, a: [true, null] }, 'config') // '{"a":[true,null],"b":1}'
 */
export function canonicalJson(value: unknown, what: string): string {
  return JSON.stringify(normalize(value, what, new Set()));
}

/** Parses text written by {@link canonicalJson} (or a database's JSON column) back into a value. */
export function parseJson(text: string): Json {
  return JSON.parse(text) as Json;
}

/** True for a plain JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function normalize(value: unknown, path: string, seen: Set<object>): Json {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InvalidOptionError(`${path} must be JSON, but it is ${String(value)}; JSON has no NaN or Infinity. Store it as null or a string.`);
    return value;
  }
  if (typeof value !== 'object') throw new InvalidOptionError(`${path} must be JSON, but it is a ${typeof value}.`);
  if (seen.has(value)) throw new InvalidOptionError(`${path} must be JSON, but it refers back to itself (a cycle).`);
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((v, i) => normalize(v, `${path}[${i}]`, seen));
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      throw new InvalidOptionError(`${path} must be a plain JSON object, but it is a ${(value as object).constructor?.name ?? 'class instance'}.`);
    }
    const out: JsonObject = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v === undefined) continue; // an absent optional field, as JSON.stringify treats it
      out[key] = normalize(v, `${path}.${key}`, seen);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

/**
 * Dotted paths at which two JSON values differ (`options.folds`, `model.layers[1]`), at most `limit`.
 *
 * @example jsonDiffPaths({ a: 1, b: { c: 2 } }, { a: 1, b: { c: 3 } }) // ['b.c']
 */
export function jsonDiffPaths(a: Json, b: Json, limit = 10, path = ''): string[] {
  const out: string[] = [];
  walk(a, b, path, out, limit);
  return out;
}

function walk(a: Json, b: Json, path: string, out: string[], limit: number): void {
  if (out.length >= limit) return;
  if (isJsonObject(a) && isJsonObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) {
      const p = path === '' ? k : `${path}.${k}`;
      if (!(k in a) || !(k in b)) out.push(p);
      else walk(a[k], b[k], p, out, limit);
      if (out.length >= limit) return;
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    for (let i = 0; i < a.length && out.length < limit; i++) walk(a[i], b[i], `${path}[${i}]`, out, limit);
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push(path === '' ? '(root)' : path);
}
