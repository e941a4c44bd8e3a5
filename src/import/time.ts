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
    const fast = canonicalUtc(v);
    if (fast !== null) return fast;
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

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** `d` digits of `s` from `at` as a number, or -1 when one is not a digit. */
function digits(s: string, at: number, d: number): number {
  let n = 0;
  for (let i = at; i < at + d; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/**
 * The fast path for what the APIs write most: `YYYY-MM-DDTHH:MM:SS.sssZ`, `YYYY-MM-DDTHH:MM:SSZ`
 * (HubSpot, Pipedrive v2) and the zoneless `YYYY-MM-DD HH:MM:SS` (Pipedrive v1), years 1000-9999.
 * Null for anything else, which the general reader takes. Dates that do not exist (February
 * 30th) are refused here as there.
 */
function canonicalUtc(s: string): ReadInstant | null {
  const n = s.length;
  const zulu = s.charCodeAt(n - 1) === 90;
  const body = zulu ? n - 1 : n;
  if ((body !== 19 && body !== 23) || s[4] !== '-' || s[7] !== '-' || (s[10] !== 'T' && s[10] !== ' ') || s[13] !== ':' || s[16] !== ':') return null;
  const y = digits(s, 0, 4);
  const mo = digits(s, 5, 2);
  const d = digits(s, 8, 2);
  const h = digits(s, 11, 2);
  const mi = digits(s, 14, 2);
  const sec = digits(s, 17, 2);
  const ms = body === 23 ? (s[19] === '.' ? digits(s, 20, 3) : -1) : 0;
  if (y < 1000 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59 || ms < 0) return null;
  const leap = mo === 2 && (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0));
  if (d > DAYS[mo - 1]! + (leap ? 1 : 0)) return null;
  return { ms: Date.UTC(y, mo - 1, d, h, mi, sec, ms), zoneless: !zulu };
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
