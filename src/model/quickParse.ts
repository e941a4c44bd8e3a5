import type { DealCommand } from './commands.js';
import { FORBIDDEN_KEYS, MAX_TEXT } from './primitives.js';

// A hand-written check for the command a kanban board sends most (a card dropped on a column).
// zod costs more than the whole reducer on this path; the property tests check that this
// accepts exactly what the zod schema accepts and returns the same value.

const MOVE_KEYS = new Set(['type', 'stageId', 'lostReason', 'bypassRules']);

const isId = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= MAX_TEXT && !FORBIDDEN_KEYS.has(v);

/** Returns the command when it is a plain, valid `moveToStage`; null means "ask zod". */
export function quickMoveToStage(c: unknown): Extract<DealCommand, { type: 'moveToStage' }> | null {
  if (typeof c !== 'object' || c === null) return null;
  const m = c as Record<string, unknown>;
  if (m.type !== 'moveToStage' || !isId(m.stageId)) return null;
  for (const key in m) if (!MOVE_KEYS.has(key)) return null;
  const { lostReason, bypassRules } = m;
  if (lostReason !== undefined && !(typeof lostReason === 'string' && lostReason.length > 0 && lostReason.length <= 1000)) return null;
  if (bypassRules !== undefined && typeof bypassRules !== 'boolean') return null;
  return m as Extract<DealCommand, { type: 'moveToStage' }>;
}
