import type { DealCommand } from './commands.js';
import { MAX_TEXT, isStorableText } from './primitives.js';

// A hand-written check for the command a kanban board sends most (a card dropped on a column).
// zod costs more than the whole reducer on this path; the property tests check that this
// accepts exactly what the zod schema accepts and returns the same value.

/** Whether `v` is a valid id: what the `Id` schema accepts. */
export const isId = (v: unknown): v is string =>
  typeof v === 'string' && v.length > 0 && v.length <= MAX_TEXT && !isForbiddenKey(v) && isStorableText(v);

// FORBIDDEN_KEYS (primitives.ts) spelled out: three comparisons (most fail on the length) cost less than a hash lookup.
const isForbiddenKey = (v: string): boolean => v === '__proto__' || v === 'constructor' || v === 'prototype';

const isLostReason = (v: unknown): boolean => typeof v === 'string' && v.length > 0 && v.length <= 1000 && isStorableText(v);

/** Returns the command when it is a plain, valid `moveToStage`; null means "ask zod". */
export function quickMoveToStage(c: unknown): Extract<DealCommand, { type: 'moveToStage' }> | null {
  if (typeof c !== 'object' || c === null) return null;
  const m = c as Record<string, unknown>;
  if (m.type !== 'moveToStage' || !isId(m.stageId)) return null;
  // Comparisons rather than a Set: keys are internalized strings, compared by identity first.
  for (const key in m) if (key !== 'type' && key !== 'stageId' && key !== 'lostReason' && key !== 'bypassRules') return null;
  const { lostReason, bypassRules } = m;
  if (lostReason !== undefined && !isLostReason(lostReason)) return null;
  if (bypassRules !== undefined && typeof bypassRules !== 'boolean') return null;
  return m as Extract<DealCommand, { type: 'moveToStage' }>;
}

/** Returns a plain, valid transition target as is; null means "ask zod". */
export function quickTarget(t: unknown): { pipelineId?: string; stageId: string; lostReason?: string } | null {
  if (typeof t !== 'object' || t === null) return null;
  const m = t as Record<string, unknown>;
  if (!isId(m.stageId) || (m.pipelineId !== undefined && !isId(m.pipelineId))) return null;
  for (const key in m) if (key !== 'stageId' && key !== 'pipelineId' && key !== 'lostReason') return null;
  const { lostReason } = m;
  if (lostReason !== undefined && !isLostReason(lostReason)) return null;
  return m as { pipelineId?: string; stageId: string; lostReason?: string };
}
