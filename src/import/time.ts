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
