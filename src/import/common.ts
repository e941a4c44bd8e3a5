import { isPipelineError, PipelineError } from '../errors.js';
import type { ForecastCategory } from '../model/stage.js';
import type { ImportResult } from './types.js';
import type { Warnings } from './draft.js';
import { looseNumber, optStr, truncate } from './read.js';
import { isStorableText, MAX_AMOUNT, MAX_TEXT } from '../model/primitives.js';
import { readCalendarDate, readInstant } from './time.js';

// Value readers shared by the importers: what cannot be read is dropped with a warning.

/** An instant, or null (with a warning) when unreadable; zoneless text is UTC, with a warning. */
export function instantOf(v: unknown, path: string, w: Warnings, zoneRule = 'read as UTC'): number | null {
  if (v === null || v === undefined || v === '') return null;
  const t = readInstant(v);
  if (t === null) {
    w.add('value_dropped', path, `${JSON.stringify(v)?.slice(0, 60)} is not an instant; left out`);
    return null;
  }
  if (t.zoneless) {
    const field = path.slice(path.lastIndexOf('.') + 1);
    w.once(`zone:${field}`, 'time_zone_assumed', path, `instants without a time zone (${field}) are ${zoneRule}`);
  }
  return t.ms;
}

/** An amount, or null (with a warning) when unreadable. */
export function amountOf(v: unknown, path: string, w: Warnings): number | null {
  const n = looseNumber(v);
  if (n !== undefined && n !== null && Math.abs(n) > MAX_AMOUNT) {
    w.add('value_dropped', path, `${JSON.stringify(v)?.slice(0, 60)} is larger than the largest amount (${MAX_AMOUNT}); left out`);
    return null;
  }
  if (n === undefined) {
    w.add('value_dropped', path, `${JSON.stringify(v)?.slice(0, 60)} is not an amount; left out`);
    return null;
  }
  return n;
}

/**
 * A probability in percent (0-100). `scale` 1 reads a fraction (HubSpot's "0.2"), 100 a
 * percentage. Outside the range it is clamped with a warning; unreadable gives null.
 */
export function probabilityOf(v: unknown, path: string, w: Warnings, scale: 1 | 100): number | null {
  const n = looseNumber(v);
  if (n === null) return null;
  if (n === undefined) {
    w.add('value_dropped', path, `${JSON.stringify(v)?.slice(0, 60)} is not a probability; left out`);
    return null;
  }
  const percent = Math.round(n * (100 / scale) * 1e6) / 1e6;
  if (percent < 0 || percent > 100) {
    const clamped = Math.min(100, Math.max(0, percent));
    w.add('probability_clamped', path, `probability ${n} is outside ${scale === 1 ? '0-1' : '0-100'}; ${clamped} is used`);
    return clamped;
  }
  return percent;
}

/** A calendar date, or null (with a warning) when unreadable. */
export function dateOf(v: unknown, path: string, w: Warnings): string | null {
  if (v === null || v === undefined || v === '') return null;
  const d = readCalendarDate(v);
  if (d === null) w.add('value_dropped', path, `${JSON.stringify(v)?.slice(0, 60)} is not a date; left out`);
  return d;
}

/** A 3-letter currency code, or null (with a warning) when something else is there. */
export function currencyOf(v: unknown, path: string, w: Warnings): string | null {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v === 'string' && /^[A-Z]{3}$/.test(v.trim().toUpperCase())) return v.trim().toUpperCase();
  w.add('value_dropped', path, `${JSON.stringify(v)?.slice(0, 60)} is not a currency code; left out`);
  return null;
}

/** A lost reason of at most 1000 characters, or null. */
export function reasonOf(v: unknown, path: string, w: Warnings): string | null {
  const s = typeof v === 'string' ? v.trim() : null;
  if (v !== null && v !== undefined && s === null) w.add('value_dropped', path, 'the lost reason is not text; left out');
  if (s === null || s.length === 0) return null;
  if (!isStorableText(s)) {
    w.add('value_dropped', path, 'the lost reason holds U+0000 or an unpaired surrogate; left out');
    return null;
  }
  return truncate(s, 1000);
}

/**
 * A deal's name (trimmed, cut to 255 characters between code points), or `Deal <id>` with a
 * warning. A name the model cannot store (U+0000, an unpaired surrogate) is returned as it is:
 * building the deal then leaves that one deal out with a `deal_skipped` warning at `path`.
 */
export function dealName(v: unknown, path: string, w: Warnings, id: string): string {
  const name = typeof v === 'string' ? truncate(v.trim(), MAX_TEXT).trim() : '';
  if (name === '') {
    w.add('value_dropped', path, `deal ${id} has no name; "Deal ${id}" is used`);
    return `Deal ${id}`;
  }
  return name;
}

/** A forecast category from the vendors' names (Pipeline, Best Case, BestCase, Commit, Forecast, Closed, Omitted, MostLikely). */
export function forecastOf(v: unknown, path: string): ForecastCategory | null {
  const s = optStr(typeof v === 'string' ? v : null, path);
  if (s === null) return null;
  const key = s.toLowerCase().replace(/[\s_-]/g, '');
  const map: Record<string, ForecastCategory> = {
    pipeline: 'pipeline', bestcase: 'best_case', mostlikely: 'best_case', commit: 'commit', forecast: 'commit', closed: 'closed', omitted: 'omitted',
  };
  return Object.hasOwn(map, key) ? map[key]! : null;
}

/** Runs an importer; anything but a PipelineError becomes `invalid_input` on the payload. */
export function guarded(run: () => ImportResult): ImportResult {
  try {
    return run();
  } catch (e) {
    if (isPipelineError(e)) throw e;
    throw new PipelineError('invalid_input', 'payload: could not be read', { path: 'payload' }, { cause: e });
  }
}

