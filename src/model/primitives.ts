import * as z from 'zod';

/** Keys that would reach `Object.prototype` when used as a record key; refused everywhere. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Longest id, name or field key accepted. Longer names give `limit_exceeded`. */
export const MAX_TEXT = 255;

/**
 * A host-chosen identifier: 1 to 255 characters, not a prototype-polluting key.
 * Ids double as record keys (stage maps, transition graphs), hence the refusal.
 */
export const Id = z
  .string()
  .min(1)
  .max(MAX_TEXT)
  .refine((s) => !FORBIDDEN_KEYS.has(s), { message: 'prototype-polluting keys are refused' });

/** A display name: 1 to 255 characters. */
export const Name = z.string().trim().min(1).max(MAX_TEXT);

/** A key of a record the host controls (deal `fields`, stage maps, transition graphs). */
export const SafeKey = Id;

/** An instant as stored: epoch milliseconds. */
export const EpochMs = z.number().int().min(-8.64e15).max(8.64e15);

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * An instant as accepted at the boundary: a `Date`, epoch milliseconds, or an ISO-8601 string.
 * Parsed to epoch milliseconds.
 */
export const Instant = z.union([z.date(), z.number(), z.string()]).transform((value, ctx) => {
  const ms = toEpochMs(value);
  if (ms === null) {
    ctx.addIssue({ code: 'custom', message: 'expected a valid Date, epoch milliseconds or ISO-8601 string' });
    return z.NEVER;
  }
  return ms;
});

/** Converts a Date, number or ISO string to epoch ms, or null when it is not a valid instant. */
export function toEpochMs(value: unknown): number | null {
  let ms: number;
  if (typeof value === 'number') ms = value;
  else if (value instanceof Date) ms = value.getTime();
  else if (typeof value === 'string' && ISO_INSTANT.test(value)) ms = Date.parse(value);
  else return null;
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return null;
  return Math.round(ms);
}

const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;
// Written out rather than parsed with a date library: a browser page that only checks a date
// should not carry a date parser and its locale.
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** A calendar date `'YYYY-MM-DD'` that exists (no February 30th). */
export const CalendarDate = z.string().refine(isCalendarDate, { message: "expected a calendar date 'YYYY-MM-DD'" });

function isCalendarDate(s: string): boolean {
  if (!CALENDAR_DATE.test(s)) return false;
  const year = Number(s.slice(0, 4));
  const month = Number(s.slice(5, 7));
  const day = Number(s.slice(8, 10));
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
  return year >= 1 && days !== undefined && day >= 1 && day <= days;
}

/** A probability in percent, 0 to 100. */
export const Probability = z.number().min(0).max(100);

/** An amount of money: a finite number. */
export const Amount = z.number().refine(Number.isFinite, { message: 'expected a finite number' });

/** An ISO-4217 style currency code: three capital letters. */
export const Currency = z.string().regex(/^[A-Z]{3}$/, { message: 'expected a 3-letter currency code like EUR' });

/**
 * A JSON value, as stored in deal `fields`.
 *
 * @example
 * ```ts
 * const fields: Record<string, JsonValue> = { tradeIn: { model: 'Golf', year: 2015 }, tags: ['vip'] };
 * ```
 */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

const MAX_JSON_DEPTH = 32;

/** Returns why `value` is not safe JSON (non-finite number, forbidden key, too deep), or null. */
export function jsonProblem(value: unknown, depth = 0): string | null {
  if (depth > MAX_JSON_DEPTH) return `nested deeper than ${MAX_JSON_DEPTH}`;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : 'numbers must be finite';
  if (Array.isArray(value)) {
    for (const item of value) {
      const p = jsonProblem(item, depth + 1);
      if (p) return p;
    }
    return null;
  }
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return 'expected a plain object';
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key)) return `prototype-polluting key "${key}" is refused`;
      const p = jsonProblem((value as Record<string, unknown>)[key], depth + 1);
      if (p) return p;
    }
    return null;
  }
  return 'expected a JSON value';
}

/** A JSON-compatible value. */
export const Json = z.custom<JsonValue>((v) => jsonProblem(v) === null, { message: 'expected a JSON value' });

const hasForbiddenKey = (input: unknown): boolean =>
  typeof input === 'object' && input !== null && Object.keys(input).some((k) => FORBIDDEN_KEYS.has(k));

/**
 * A record keyed by host strings. zod alone would silently drop a `__proto__` key; this refuses it.
 */
export function safeRecord<V extends z.ZodType>(value: V): z.ZodType<Record<string, z.output<V>>, Record<string, z.input<V>>> {
  const guard = z.custom<unknown>((input) => !hasForbiddenKey(input), { message: 'prototype-polluting keys are refused' });
  return guard.pipe(z.record(SafeKey, value)) as never;
}

/** A record of host keys to JSON values, refusing prototype-polluting keys. */
export const JsonRecord = safeRecord(Json);
