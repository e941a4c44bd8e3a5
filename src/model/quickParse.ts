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

/**
 * `isId` remembering the last string it accepted. Whether a string is a valid id depends on its
 * characters alone, so a string equal to that one is valid: comparing costs less than scanning
 * it again (a board sends the same few ids over and over). One per kind of id, so that a stage
 * id and an actor checked in turn do not push each other out. Kept because it is measured:
 * without it bench/transition.bench.ts ran about 10% slower (both builds in one run); the fast-path
 * property test pins that an id accepted last never lets a different, invalid one pass.
 */
function rememberingIsId(): (v: unknown) => v is string {
  let last = 'id'; // a valid id: before the first acceptance, only valid strings can equal it
  return (v: unknown): v is string => {
    if (v === last) return true;
    if (!isId(v)) return false;
    last = v;
    return true;
  };
}

/** `isId` for a command's stage id, remembering the last one accepted. */
export const isStageId = /* @__PURE__ */ rememberingIsId();

/** `isId` for a context's actor, remembering the last one accepted. */
export const isActor = /* @__PURE__ */ rememberingIsId();

const isLostReason = (v: unknown): boolean => typeof v === 'string' && v.length > 0 && v.length <= 1000 && isStorableText(v);

/**
 * The command when it is a plain, valid `moveToStage`, as a new object of the values checked
 * (each member is read once, so a getter cannot answer differently later); null means "ask zod".
 */
export function quickMoveToStage(c: unknown): Extract<DealCommand, { type: 'moveToStage' }> | null {
  const quick = quickMove(c);
  return typeof quick === 'string' ? { type: 'moveToStage', stageId: quick } : quick;
}

/**
 * `quickMoveToStage` without an object for the command a board sends most: the stage id alone
 * when the command is `{ type: 'moveToStage', stageId }`, the checked copy when it also has a
 * lost reason or `bypassRules`, null when it needs zod (a `patch` always does).
 */
export function quickMove(c: unknown): string | Extract<DealCommand, { type: 'moveToStage' }> | null {
  if (typeof c !== 'object' || c === null || Array.isArray(c)) return null;
  const m = c as Record<string, unknown>;
  // Comparisons rather than a Set: keys are internalized strings, compared by identity first.
  for (const key in m) if (key !== 'type' && key !== 'stageId' && key !== 'lostReason' && key !== 'bypassRules' && key !== 'patch') return null;
  const { type, stageId, lostReason, bypassRules, patch } = m;
  // A move with a patch is decided by the general path (zod checks the patch).
  if (type !== 'moveToStage' || !isStageId(stageId) || patch !== undefined) return null;
  if (lostReason === undefined && bypassRules === undefined) return stageId;
  if (lostReason !== undefined && !isLostReason(lostReason)) return null;
  if (bypassRules !== undefined && typeof bypassRules !== 'boolean') return null;
  // Members left undefined stand for absent ones, as in a caller's object with such keys.
  return { type, stageId, lostReason, bypassRules } as Extract<DealCommand, { type: 'moveToStage' }>;
}

/** A plain, valid transition target, as a new object of the values checked (read once); null means "ask zod". */
export function quickTarget(t: unknown): { pipelineId?: string; stageId: string; lostReason?: string } | null {
  if (typeof t !== 'object' || t === null || Array.isArray(t)) return null;
  const m = t as Record<string, unknown>;
  for (const key in m) if (key !== 'stageId' && key !== 'pipelineId' && key !== 'lostReason') return null;
  const { stageId, pipelineId, lostReason } = m;
  if (!isId(stageId) || (pipelineId !== undefined && !isId(pipelineId))) return null;
  if (lostReason !== undefined && !isLostReason(lostReason)) return null;
  return { stageId, pipelineId, lostReason } as { pipelineId?: string; stageId: string; lostReason?: string };
}
