import * as z from 'zod';

/** Keys that would reach `Object.prototype` when used as a record key; refused everywhere. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Longest id, name or field key accepted. Longer names give `limit_exceeded`. */
export const MAX_TEXT = 255;

// U+0000 and a lone half of a surrogate pair are not text: PostgreSQL refuses them, JSON
// encoders replace them. One rule for every store: the library refuses them at the boundary.

/** The message given for a string with U+0000 or a lone surrogate. */
export const UNSTORABLE_MESSAGE = 'U+0000 and unpaired surrogates are refused';

/**
 * Whether a string can be stored everywhere: no U+0000, no unpaired surrogate. A loop over char
 * codes rather than a regex with lookbehind: every id of every command passes through here.
 */
export function isStorableText(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) return false;
    if (c < 0xd800 || c > 0xdfff) continue;
    // A high surrogate must be followed by a low one (NaN past the end compares false).
    if (c > 0xdbff) return false;
    const next = s.charCodeAt(i + 1);
    if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
    i++;
  }
  return true;
}

/** Any string the library stores: refuses U+0000 and unpaired surrogates. */
export const Text = z.string().refine(isStorableText, { message: UNSTORABLE_MESSAGE });

/**
 * A host-chosen identifier: 1 to 255 characters, not a prototype-polluting key.
 * Ids double as record keys (stage maps, transition graphs), hence the refusal.
 */
export const Id = z
  .string()
  .min(1)
  .max(MAX_TEXT)
  .refine((s) => !FORBIDDEN_KEYS.has(s), { message: 'prototype-polluting keys are refused' })
  .refine(isStorableText, { message: UNSTORABLE_MESSAGE });

/** A display name: 1 to 255 characters. */
export const Name = z.string().trim().min(1).max(MAX_TEXT).refine(isStorableText, { message: UNSTORABLE_MESSAGE });

/** A lost reason: 1 to 1000 characters. */
export const LostReasonText = z.string().min(1).max(1000).refine(isStorableText, { message: UNSTORABLE_MESSAGE });

/** A key of a record the host controls (deal `fields`, stage maps, transition graphs). */
export const SafeKey = Id;

/** An instant as stored: epoch milliseconds. */
export const EpochMs = z.number().int().min(-8.64e15).max(8.64e15);

// A date alone is midnight UTC (as in ECMAScript); a date with a time must say its offset, so that
// the same input gives the same instant in every process time zone.
const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2}))?$/;

/**
 * An instant as accepted at the boundary: a `Date`, epoch milliseconds, or an ISO-8601 string
 * with an offset (`Z` or `±hh:mm`; a date alone is midnight UTC). Parsed to epoch milliseconds.
 * Impossible calendar instants (30 February, 25:00) are refused, never rolled over.
 */
export const Instant = z.custom<Date | number | string>(() => true).transform((value, ctx) => {
  const ms = toEpochMs(value);
  if (ms === null) {
    ctx.addIssue({ code: 'custom', message: 'expected a valid Date, epoch milliseconds or ISO-8601 string with an offset' });
    return z.NEVER;
  }
  return ms;
});

/** Converts a Date, number or ISO string to epoch ms, or null when it is not a valid instant. */
export function toEpochMs(value: unknown): number | null {
  let ms: number;
  if (typeof value === 'number') ms = value;
  else if (typeof value === 'string') ms = isoToEpochMs(value);
  else if (typeof value === 'object' && value !== null) ms = dateTime(value);
  else return null;
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return null;
  return Math.round(ms);
}

/** The time of a real Date (of any realm); NaN for an Invalid Date or an object posing as one. */
function dateTime(value: object): number {
  try {
    return Date.prototype.getTime.call(value);
  } catch {
    return Number.NaN;
  }
}

const daysIn = (year: number, month: number): number =>
  month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

/** Parses an ISO-8601 instant by its fields (Date.parse rolls 30 February over to March). */
function isoToEpochMs(s: string): number {
  const m = ISO_INSTANT.exec(s);
  if (!m) return Number.NaN;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((x) => Number(x ?? 0)) as [number, number, number, number, number, number];
  const ms = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 59) return Number.NaN;
  const offset = offsetMinutes(m[8]);
  if (offset === null) return Number.NaN;
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, ms);
  return d.getTime() - offset * 60_000;
}

function offsetMinutes(zone: string | undefined): number | null {
  if (zone === undefined || zone === 'Z') return 0;
  const h = Number(zone.slice(1, 3));
  const min = Number(zone.slice(-2));
  if (h > 23 || min > 59) return null;
  return (zone[0] === '-' ? -1 : 1) * (h * 60 + min);
}

const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;
// Written out rather than parsed with a date library: a browser page that only checks a date
// should not carry a date parser and its locale.
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** A calendar date `'YYYY-MM-DD'` that exists (no February 30th). */
export const CalendarDate = z.string().refine(isCalendarDate, { message: "expected a calendar date 'YYYY-MM-DD'" });

export function isCalendarDate(s: string): boolean {
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

/**
 * The largest amount of money a deal, a patch, an import or a coverage target may hold, either
 * sign: 10^15 (a quadrillion). Expected revenue (amount × probability / 100) and the totals of
 * the metrics stay finite, far from the number limit where a product overflows to `Infinity`;
 * whole amounts up to it are exact. A larger amount is `invalid_input` naming the field.
 *
 * @example
 * ```ts
 * MAX_AMOUNT; // 1e15
 * ```
 * @category Model
 */
export const MAX_AMOUNT = 1e15;

/** An amount of money: a finite number from -{@link MAX_AMOUNT} to {@link MAX_AMOUNT}. */
export const Amount = z
  .number()
  .refine(Number.isFinite, { message: 'expected a finite number' })
  .refine((n) => Math.abs(n) <= MAX_AMOUNT, { message: `expected an amount from -${MAX_AMOUNT} to ${MAX_AMOUNT}` });

/** An ISO-4217 style currency code: three capital letters. */
export const Currency = z.string().regex(/^[A-Z]{3}$/, { message: 'expected a 3-letter currency code like EUR' });

/**
 * A JSON value, as stored in deal `fields`.
 *
 * @example
 * ```ts
 * const fields: Record<string, JsonValue> = { tradeIn: { model: 'Golf', year: 2015 }, tags: ['vip'] };
 * ```
 * @category Model
 */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

const MAX_JSON_DEPTH = 32;

/** Returns why `value` is not safe JSON (non-finite number, forbidden key, too deep), or null. */
export function jsonProblem(value: unknown, depth = 0): string | null {
  if (depth > MAX_JSON_DEPTH) return `nested deeper than ${MAX_JSON_DEPTH}`;
  if (value === null || typeof value === 'boolean') return null;
  if (typeof value === 'string') return isStorableText(value) ? null : UNSTORABLE_MESSAGE;
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
      if (!isStorableText(key)) return `key ${JSON.stringify(key)}: ${UNSTORABLE_MESSAGE}`;
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
