import { CalendarDate } from '../model/primitives.js';

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;
const MAX_MS = 8.64e15;

/** An instant read from a payload: epoch ms, and whether the text named no time zone. */
export interface ReadInstant {
  readonly ms: number;
  readonly zoneless: boolean;
}

/**
 * Reads an instant the way the vendors write them: ISO-8601 with `Z`, `+05:30` or `+0000`
 * (Salesforce), `YYYY-MM-DD HH:MM:SS` (Pipedrive v1), a bare date, or epoch milliseconds as a
 * number or a numeric string (HubSpot's older properties). Text without a zone is read as UTC,
 * never in the machine's zone, and reported as `zoneless` so the importer can warn.
 * Returns null for anything else.
 */
export function readInstant(v: unknown): ReadInstant | null {
  if (typeof v === 'string') {
    const fast = canonicalInstant(v);
    if (fast !== undefined) return fast;
  }
  if (typeof v === 'number') return Number.isFinite(v) && Math.abs(v) <= MAX_MS ? { ms: Math.round(v), zoneless: false } : null;
  if (typeof v !== 'string') return null;
  const text = v.trim();
  if (/^-?\d{10,16}$/.test(text)) return readInstant(Number(text));
  const m = INSTANT.exec(text);
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '0', zone] = m;
  const ms = Math.floor(Number(`0.${frac}`) * 1000);
  const local = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  const dateOnly = m[4] === undefined;
  if (!Number.isFinite(local) || !sameFields(local, Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s))) return null;
  const offset = zone === undefined || zone === 'Z' ? 0 : zoneOffset(zone);
  if (offset === null) return null;
  const out = local - offset;
  if (Math.abs(out) > MAX_MS) return null;
  return { ms: out, zoneless: zone === undefined && !dateOnly };
}

const digit = (s: string, i: number): number => {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : NaN;
};
const two = (s: string, i: number): number => digit(s, i) * 10 + digit(s, i + 1);
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * The form every vendor's API writes (`2024-04-01T08:00:00.000+0000`, `…:00+05:30`, `…:00Z`,
 * Pipedrive v1's zoneless `2024-04-01 08:00:00`), read without a regular expression or a Date: a whole import reads millions of them. Anything
 * else (or a field out of range) is undefined, for the general reader to decide.
 */
function canonicalInstant(s: string): ReadInstant | null | undefined {
  const n = s.length;
  const t = s.charCodeAt(10);
  if (n < 19 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || (t !== 84 && t !== 32) || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return undefined;
  const y = two(s, 0) * 100 + two(s, 2);
  const mo = two(s, 5);
  const d = two(s, 8);
  const h = two(s, 11);
  const mi = two(s, 14);
  const sec = two(s, 17);
  let i = 19;
  let ms = 0;
  if (s.charCodeAt(i) === 46) {
    if (n < 24) return undefined;
    ms = digit(s, 20) * 100 + two(s, 21);
    i = 23;
  }
  let offset: number;
  const zone = n - i;
  const c = s.charCodeAt(i);
  // Pipedrive v1's `2024-04-01 08:00:00` names no zone: UTC, reported as zoneless.
  if (zone === 0) offset = 0;
  else if (zone === 1 && c === 90) offset = 0;
  else if ((c === 43 || c === 45) && (zone === 5 || (zone === 6 && s.charCodeAt(i + 3) === 58))) {
    const oh = two(s, i + 1);
    const om = two(s, n - 2);
    if (!(oh <= 18 && om <= 59)) return undefined;
    offset = (c === 45 ? -1 : 1) * (oh * 60 + om) * 60_000;
  } else return undefined;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (!(y >= 100 && mo >= 1 && mo <= 12 && d >= 1 && d <= (mo === 2 && leap ? 29 : DAYS[mo - 1]!) && h <= 23 && mi <= 59 && sec <= 59 && ms >= 0)) return undefined;
  const out = Date.UTC(y, mo - 1, d, h, mi, sec, ms) - offset;
  return Math.abs(out) > MAX_MS ? null : { ms: out, zoneless: zone === 0 };
}

function sameFields(t: number, y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  const date = new Date(t);
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d &&
    date.getUTCHours() === h && date.getUTCMinutes() === mi && date.getUTCSeconds() === s;
}

function zoneOffset(zone: string): number | null {
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (!m) return null;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  if (Number(m[2]) > 18 || Number(m[3]) > 59) return null;
  return (m[1] === '-' ? -1 : 1) * minutes * 60_000;
}

/**
 * Reads a calendar date: `YYYY-MM-DD` as it is, or the UTC date of an instant (HubSpot's
 * `closedate` is a datetime at midnight UTC of the chosen day). Null when unreadable.
 */
export function readCalendarDate(v: unknown): string | null {
  if (typeof v === 'string' && CalendarDate.safeParse(v).success) return v;
  const t = readInstant(v);
  if (t === null) return null;
  const iso = new Date(t.ms).toISOString();
  return iso.startsWith('-') || iso.startsWith('+') ? null : iso.slice(0, 10);
}
