import type { z } from 'zod';
import { PipelineError } from '../errors.js';
import { CommandContext, DEFAULT_LIMITS, type Context } from './commands.js';
import { isActor } from './quickParse.js';
import { stripUndefinedKeys } from './stripUndefinedKeys.js';

interface Issue {
  readonly code: string;
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly origin?: string;
}

function pathText(label: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : `${acc}.${String(p)}`), label);
}

/** Turns zod issues into a PipelineError: too long names and lists are `limit_exceeded`, the rest `invalid_input`. */
export function issuesToError(label: string, issues: readonly Issue[]): PipelineError {
  const list = issues.map((i) => ({ path: pathText(label, i.path), message: i.message, code: i.code }));
  const first = list[0] ?? { path: label, message: 'invalid', code: 'custom' };
  const tooLong = issues.every((i) => i.code === 'too_big' && (i.origin === 'string' || i.origin === 'array'));
  const code = issues.length > 0 && tooLong ? 'limit_exceeded' : 'invalid_input';
  return new PipelineError(code, `${first.path}: ${first.message}`, { path: first.path, issues: list });
}

/**
 * Parses `value` with `schema`, throwing a PipelineError that names the failing path.
 * Never lets another exception escape: a schema that throws on exotic input is reported as invalid.
 */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, label: string): z.output<S> {
  let result: ReturnType<S['safeParse']>;
  try {
    result = schema.safeParse(value) as ReturnType<S['safeParse']>;
  } catch {
    throw new PipelineError('invalid_input', `${label}: could not be read`, { path: label });
  }
  if (result.success) return result.data as z.output<S>;
  throw issuesToError(label, result.error.issues as readonly Issue[]);
}

/** Parses a command context. Plain `{ at: number, by? }` takes a fast path that skips zod. */
export function parseContext(ctx: unknown): Context {
  const fast = quickContext(ctx);
  if (fast) return fast;
  const parsed = parseWith(CommandContext, ctx, 'ctx');
  return { at: parsed.at, by: parsed.by ?? null, limits: { ...DEFAULT_LIMITS, ...stripUndefinedKeys(parsed.limits ?? {}) } };
}

/**
 * `{ at: epoch ms, by?: id | null }` needs no zod; anything else returns null. Each member is read
 * once and the checked values are what it returns: a getter cannot answer differently later.
 */
export function quickContext(ctx: unknown): Context | null {
  if (typeof ctx !== 'object' || ctx === null || Array.isArray(ctx)) return null;
  const c = ctx as { at?: unknown; by?: unknown };
  for (const key in c) if (key !== 'at' && key !== 'by') return null;
  const { at } = c;
  const by = c.by ?? null;
  if (typeof at !== 'number' || !Number.isSafeInteger(at) || Math.abs(at) > 8.64e15) return null;
  if (by !== null && !isActor(by)) return null;
  return { at, by: by as string | null, limits: DEFAULT_LIMITS };
}
