import { HttpError } from './problems.js';

// Query-string values are text: these read them as the types the service takes, naming the
// parameter when one is malformed.

const bad = (name: string, what: string): never => {
  throw new HttpError(400, 'Bad Request', 'invalid_input', `query.${name}: expected ${what}`, { path: `query.${name}` });
};

/** Refuses parameters outside `known` (a typo would otherwise widen a query silently) and repeated ones. */
export function checkParams(params: URLSearchParams, known: ReadonlySet<string>, repeatable: ReadonlySet<string> = new Set()): void {
  const seen = new Set<string>();
  for (const name of params.keys()) {
    if (!known.has(name)) bad(name, `one of ${[...known].join(', ')}`);
    if (seen.has(name) && !repeatable.has(name)) bad(name, 'one value');
    seen.add(name);
  }
}

/** A whole number in [min, max]. */
export function integerParam(params: URLSearchParams, name: string, min: number, max: number): number | undefined {
  const value = params.get(name);
  if (value === null) return undefined;
  if (!/^-?\d{1,15}$/.test(value) || Number(value) < min || Number(value) > max) bad(name, `a whole number from ${min} to ${max}`);
  return Number(value);
}

/** A finite number. */
export function numberParam(params: URLSearchParams, name: string): number | undefined {
  const value = params.get(name);
  if (value === null) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) bad(name, 'a number');
  return n;
}

/** `true` or `false`. */
export function booleanParam(params: URLSearchParams, name: string): boolean | undefined {
  const value = params.get(name);
  if (value === null) return undefined;
  if (value !== 'true' && value !== 'false') bad(name, 'true or false');
  return value === 'true';
}

/** An instant: epoch milliseconds when all digits, else the text (an ISO date), for the service to parse. */
export function instantParam(params: URLSearchParams, name: string): number | string | undefined {
  const value = params.get(name);
  if (value === null) return undefined;
  return /^-?\d{1,16}$/.test(value) ? Number(value) : value;
}

/** One of `options`. */
export function enumParam<T extends string>(params: URLSearchParams, name: string, options: readonly T[]): T | undefined {
  const value = params.get(name);
  if (value === null) return undefined;
  if (!(options as readonly string[]).includes(value)) bad(name, options.join(' or '));
  return value as T;
}

/** Text; with `nullable`, an empty value stands for null (ids are never empty). */
export function textParam(params: URLSearchParams, name: string): string | undefined;
export function textParam(params: URLSearchParams, name: string, nullable: true): string | null | undefined;
export function textParam(params: URLSearchParams, name: string, nullable = false): string | null | undefined {
  const value = params.get(name);
  if (value === null) return undefined;
  return nullable && value === '' ? null : value;
}

/** A list given as repeated parameters or comma-separated (`include=history,changes`). */
export function listParam<T extends string>(params: URLSearchParams, name: string, options: readonly T[]): T[] | undefined {
  const values = params.getAll(name);
  if (values.length === 0) return undefined;
  const items = values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  for (const item of items) if (!(options as readonly string[]).includes(item)) bad(name, `a list of ${options.join(', ')}`);
  return [...new Set(items)] as T[];
}

/** Drops the keys whose value is undefined (the service's options are exact). */
export function defined<T extends Record<string, unknown>>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as never;
}
