import { PipelineError } from '../errors.js';
import { FORBIDDEN_KEYS, isStorableText, MAX_TEXT } from '../model/primitives.js';

// Readers of vendor payloads. Each takes the JSON path of the value it reads, so that a bad
// payload is refused with `invalid_input` naming exactly where it went wrong.

/** A JSON object as read from a payload. */
export type Obj = Readonly<Record<string, unknown>>;

/** Throws `invalid_input` naming the path. */
export function refuse(path: string, message: string): never {
  throw new PipelineError('invalid_input', `${path}: ${message}`, { path });
}

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A plain object; prototype-polluting keys are refused. */
export function obj(v: unknown, path: string): Obj {
  if (!isObj(v)) refuse(path, 'expected an object');
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) refuse(path, 'expected a plain JSON object');
  // Three own-key lookups rather than a list of every key: every record of a payload passes here.
  for (const key of FORBIDDEN) if (Object.hasOwn(v, key)) refuse(`${path}.${key}`, 'prototype-polluting keys are refused');
  return v;
}

const FORBIDDEN: readonly string[] = [...FORBIDDEN_KEYS];

/** An array. */
export function arr(v: unknown, path: string): readonly unknown[] {
  if (!Array.isArray(v)) refuse(path, 'expected an array');
  return v;
}

/**
 * The records of a response body: the bare array, or the array under `key` (`{ results }`,
 * `{ data }`, `{ records }`, `{ pipeline }`). A missing body (`null`, as after HTTP 204) is empty.
 * Returns the records with the path of the array.
 */
export function records(v: unknown, path: string, key: string): { items: readonly unknown[]; path: string } {
  if (v === null || v === undefined) return { items: [], path };
  if (Array.isArray(v)) return { items: v, path };
  const body = obj(v, path);
  const inner = body[key];
  if (inner === null || inner === undefined) return { items: [], path: `${path}.${key}` };
  return { items: arr(inner, `${path}.${key}`), path: `${path}.${key}` };
}

/** A record keyed by ids (`flows`, `stageHistory`): a plain object. */
export function keyed(v: unknown, path: string): Obj {
  if (v === undefined || v === null) return {};
  return obj(v, path);
}

/** An identifier: a non-empty string or an integer, as a string of at most 255 characters. */
export function id(v: unknown, path: string): string {
  const s = typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : v;
  if (typeof s !== 'string' || s.length === 0) refuse(path, 'expected an id (a non-empty string or an integer)');
  if (s.length > MAX_TEXT) refuse(path, `expected an id of at most ${MAX_TEXT} characters`);
  if (FORBIDDEN_KEYS.has(s)) refuse(path, 'prototype-polluting keys are refused');
  return s;
}

/** An optional id: null or undefined give null. */
export function optId(v: unknown, path: string): string | null {
  return v === null || v === undefined || v === '' ? null : id(v, path);
}

/** A string, or null when absent. */
export function optStr(v: unknown, path: string): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'string') refuse(path, 'expected a string');
  return v;
}

/** A required string. */
export function str(v: unknown, path: string): string {
  if (typeof v !== 'string') refuse(path, 'expected a string');
  return v;
}

/** A boolean, also from the strings "true" / "false" (HubSpot metadata); null when absent. */
export function optBool(v: unknown, path: string): boolean | null {
  if (v === null || v === undefined) return null;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  return refuse(path, 'expected a boolean');
}

/** A finite number, also from a numeric string; null when absent or empty; undefined when unreadable. */
export function looseNumber(v: unknown): number | null | undefined {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(v)) {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** The id of a reference that is either an id or an object `{ id, name }` (Zoho, Pipedrive v1). */
export function refId(v: unknown, path: string): string | null {
  if (isObj(v)) return optId(v.id, `${path}.id`);
  return optId(v, path);
}

/** The name of a reference that is either a name or an object `{ name }`. */
export function refName(v: unknown, path: string): string | null {
  if (isObj(v)) return optStr(v.name, `${path}.name`);
  return typeof v === 'string' ? v : null;
}

/**
 * A display name: trimmed, at most 255 characters; `fallback` when empty, not a string or not
 * storable (U+0000, an unpaired surrogate).
 */
export function cleanName(v: unknown, fallback: string): string {
  const s = typeof v === 'string' ? truncate(v.trim(), MAX_TEXT).trim() : '';
  return s.length === 0 || !isStorableText(s) ? truncate(fallback, MAX_TEXT) : s;
}

/**
 * The first `max` UTF-16 units of `s`, cut between code points: a surrogate pair is never split
 * (the cut moves before it), so a well-formed text stays well formed.
 */
export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  const c = s.charCodeAt(max - 1);
  return s.slice(0, c >= 0xd800 && c <= 0xdbff ? max - 1 : max);
}
