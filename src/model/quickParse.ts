import type { DealCommand } from './commands.js';
import { FORBIDDEN_KEYS, MAX_TEXT, isStorableText } from './primitives.js';

// A hand-written check for the command a kanban board sends most (a card dropped on a column).
// zod costs more than the whole reducer on this path; the property tests check that this
// accepts exactly what the zod schema accepts and returns the same value.

const MOVE_KEYS = new Set(['type', 'stageId', 'lostReason', 'bypassRules']);

/** Whether `v` is a valid id: what the `Id` schema accepts. */
export const isId = (v: unknown): v is string =>
  typeof v === 'string' && v.length > 0 && v.length <= MAX_TEXT && !FORBIDDEN_KEYS.has(v) && isStorableText(v);

const isLostReason = (v: unknown): boolean => typeof v === 'string' && v.length > 0 && v.length <= 1000 && isStorableText(v);

/** Returns the command when it is a plain, valid `moveToStage`; null means "ask zod". */
export function quickMoveToStage(c: unknown): Extract<DealCommand, { type: 'moveToStage' }> | null {
  if (typeof c !== 'object' || c === null) return null;
  const m = c as Record<string, unknown>;
  if (m.type !== 'moveToStage' || !isId(m.stageId)) return null;
  for (const key in m) if (!MOVE_KEYS.has(key)) return null;
  const { lostReason, bypassRules } = m;
  if (lostReason !== undefined && !isLostReason(lostReason)) return null;
  if (bypassRules !== undefined && typeof bypassRules !== 'boolean') return null;
  return m as Extract<DealCommand, { type: 'moveToStage' }>;
}

const TARGET_KEYS = new Set(['pipelineId', 'stageId', 'lostReason']);

/** Returns a plain, valid transition target as is; null means "ask zod". */
export function quickTarget(t: unknown): { pipelineId?: string; stageId: string; lostReason?: string } | null {
  if (typeof t !== 'object' || t === null) return null;
  const m = t as Record<string, unknown>;
  if (!isId(m.stageId) || (m.pipelineId !== undefined && !isId(m.pipelineId))) return null;
  for (const key in m) if (!TARGET_KEYS.has(key)) return null;
  const { lostReason } = m;
  if (lostReason !== undefined && !isLostReason(lostReason)) return null;
  return m as { pipelineId?: string; stageId: string; lostReason?: string };
}
