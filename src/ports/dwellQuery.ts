import { PipelineError } from '../errors.js';
import type { DwellQuery } from './repositories.js';

/**
 * A {@link DwellQuery} checked: `now` and the period bounds epoch milliseconds, `to` not before
 * `from`, `pipelineId` a non-empty string, `includeOpen` a boolean. For stores' `visits.dwell`.
 *
 * @example
 * ```ts
 * const q = checkDwellQuery({ now: Date.now(), from: Date.parse('2026-01-01T00:00:00Z') });
 * ```
 */
export function checkDwellQuery(q: DwellQuery): DwellQuery & { readonly includeOpen: boolean } {
  if (typeof q !== 'object' || q === null) throw new PipelineError('invalid_input', 'query: expected { now, pipelineId?, includeOpen?, from?, to? }', { path: 'query' });
  const bad = (key: string, what: string): never => {
    throw new PipelineError('invalid_input', `query.${key}: ${what}`, { path: `query.${key}` });
  };
  for (const key of ['now', 'from', 'to'] as const) {
    const v = q[key];
    if ((v !== undefined || key === 'now') && (typeof v !== 'number' || !Number.isSafeInteger(v))) bad(key, 'expected epoch milliseconds');
  }
  if (q.pipelineId !== undefined && (typeof q.pipelineId !== 'string' || q.pipelineId.length === 0)) bad('pipelineId', 'expected a non-empty string');
  if (q.includeOpen !== undefined && typeof q.includeOpen !== 'boolean') bad('includeOpen', 'expected a boolean');
  if (q.from !== undefined && q.to !== undefined && q.from > q.to) bad('to', 'expected an instant not before from');
  return {
    now: q.now,
    includeOpen: q.includeOpen === true,
    ...(q.pipelineId === undefined ? {} : { pipelineId: q.pipelineId }),
    ...(q.from === undefined ? {} : { from: q.from }),
    ...(q.to === undefined ? {} : { to: q.to }),
  };
}
