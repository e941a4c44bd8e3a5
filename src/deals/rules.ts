import type { Deal } from '../model/deal.js';
import { DEFAULT_RULES, type TransitionRules } from '../model/pipeline.js';
import type { Violation } from '../model/violation.js';
import type { StageScope, StageSlot } from '../workspace/lookup.js';

export type { Violation };

/** The rules of a scope: the pipeline's, or the permissive defaults for a layout without pipelines. */
export function rulesOf(scope: StageScope): TransitionRules {
  return scope.pipeline?.rules ?? DEFAULT_RULES;
}

/** The value of a required field: a deal property it names, else the custom field. */
function requiredValue(deal: Pick<Deal, 'fields'> & Record<string, unknown>, field: string): unknown {
  // A switch rather than a keyed read: each case is a plain property load.
  switch (field) {
    case 'amount':
      return deal.amount;
    case 'currency':
      return deal.currency;
    case 'closingDate':
      return deal.closingDate;
    case 'ownerId':
      return deal.ownerId;
    case 'name':
      return deal.name;
    case 'lostReason':
      return deal.lostReason;
    default:
      return Object.hasOwn(deal.fields, field) ? deal.fields[field] : undefined;
  }
}

const NONE: readonly string[] = Object.freeze([]);

/** The required fields of `slot` that the deal lacks: not null, undefined or an empty string. */
export function missingFields(deal: Pick<Deal, 'fields'> & Record<string, unknown>, slot: StageSlot): readonly string[] {
  const required = slot.requiredFields;
  let missing: string[] | null = null;
  for (let i = 0; i < required.length; i++) {
    const field = required[i]!;
    const value = requiredValue(deal, field);
    if (value === null || value === undefined || value === '') (missing ??= []).push(field);
  }
  return missing ?? NONE;
}

/** What a move needs to know to be judged. */
export interface MoveInput {
  readonly fromScope: StageScope | null;
  readonly from: StageSlot | null;
  readonly toScope: StageScope;
  readonly to: StageSlot;
  readonly deal: Pick<Deal, 'fields' | 'lostReason'> & Record<string, unknown>;
  readonly lostReason: string | null;
}

/**
 * Every rule a move breaks, in a fixed order. Order rules (skip, backward, graph) apply within one
 * pipeline; leaving a closed stage is a reopen governed by the source pipeline's `allowReopen`
 * (a move to another pipeline that keeps the outcome is not a reopen); required fields and the
 * lost reason are the target's.
 */
export function moveViolations(m: MoveInput): Violation[] {
  const out: Violation[] = [];
  const samePipeline = m.fromScope !== null && m.fromScope === m.toScope;
  if (m.from && m.fromScope) {
    if (samePipeline) {
      // The rules of the two stages alone, judged once per pair and copied out.
      const verdict = pairVerdict(m.toScope, m.from, m.to);
      for (let i = 0; i < verdict.length; i++) out.push({ code: verdict[i]!.code, message: verdict[i]!.message });
    } else {
      const leavingClosed = m.from.def.outcome !== 'open';
      const keepsOutcome = m.from.def.outcome === m.to.def.outcome;
      if (leavingClosed && !keepsOutcome && !rulesOf(m.fromScope).allowReopen) out.push(reopenViolation(m.from));
    }
  }
  entryViolations(m, out);
  return out;
}

const reopenViolation = (from: StageSlot): Violation => ({
  code: 'reopen_not_allowed',
  message: `deals in closed stage ${from.stageId} cannot be reopened in this pipeline`,
});

/**
 * The violations of the rules that depend on the two stages alone, for a move from `from` to `to`
 * inside `scope` (reopen, order, graph), in that order. Remembered in the scope: a board or a bulk
 * move asks about the same few pairs again and again. The list is shared: copy before handing out.
 */
export function pairVerdict(scope: StageScope, from: StageSlot, to: StageSlot): readonly Violation[] {
  const key = from.position * scope.order.length + to.position;
  const known = scope.verdicts[key];
  if (known !== undefined) return known;
  const out: Violation[] = [];
  const rules = rulesOf(scope);
  const leavingClosed = from.def.outcome !== 'open';
  if (leavingClosed && !rules.allowReopen) out.push(reopenViolation(from));
  if (!leavingClosed) orderViolations(out, scope, from, to);
  graphViolations(out, rules, from, to);
  const verdict = Object.freeze(out.map((v) => Object.freeze(v)));
  // A slot's position is its index in `order`, so the key names the pair; a slot from another
  // scope (never passed here) would only miss the table, not poison it.
  if (scope.order[from.position] === from && scope.order[to.position] === to) scope.verdicts[key] = verdict;
  return verdict;
}

/**
 * Whether a move inside `scope` breaks no rule, for the common case of an allowed move: no
 * list is built. False does not say which rules break; {@link moveViolations} does.
 */
export function moveAllowed(scope: StageScope, from: StageSlot, to: StageSlot, deal: MoveInput['deal'], lostReason: string | null): boolean {
  if (pairVerdict(scope, from, to).length > 0 || missingFields(deal, to).length > 0) return false;
  return !(to.def.outcome === 'lost' && lostReason === null && rulesOf(scope).requireLostReason);
}

function orderViolations(out: Violation[], scope: StageScope, from: StageSlot, to: StageSlot): void {
  const rules = rulesOf(scope);
  if (to.def.outcome === 'lost') return;
  if (to.def.outcome === 'won') {
    const last = from.openPosition === scope.openCount - 1;
    if (!rules.allowSkip && !last) out.push({ code: 'skip_not_allowed', message: `a deal reaches ${to.stageId} only from the last open stage` });
    return;
  }
  const step = to.openPosition - from.openPosition;
  if (step > 1 && !rules.allowSkip) {
    out.push({ code: 'skip_not_allowed', message: `moving from ${from.stageId} to ${to.stageId} skips stages` });
  } else if (step < 0 && !rules.allowBackward) {
    out.push({ code: 'backward_not_allowed', message: `moving back from ${from.stageId} to ${to.stageId} is not allowed` });
  }
}

function graphViolations(out: Violation[], rules: TransitionRules, from: StageSlot, to: StageSlot): void {
  if (!rules.allowed) return;
  const targets = Object.hasOwn(rules.allowed, from.stageId) ? rules.allowed[from.stageId] : undefined;
  if (!targets?.includes(to.stageId)) {
    out.push({ code: 'transition_not_in_graph', message: `the transition ${from.stageId} → ${to.stageId} is not in the allowed transitions` });
  }
}

/** Rules about entering a stage: its required fields, and the lost reason. */
export function entryViolations(m: Pick<MoveInput, 'toScope' | 'to' | 'deal' | 'lostReason'>, out: Violation[] = []): Violation[] {
  const missing = missingFields(m.deal, m.to);
  if (missing.length > 0) {
    const where = m.toScope.pipeline ? ` of pipeline ${m.toScope.pipeline.id}` : '';
    out.push({
      code: 'required_fields_missing',
      message: `stage ${m.to.stageId}${where} requires ${missing.join(', ')}; fill ${missing.length === 1 ? 'it' : 'them'} in before the move`,
      fields: missing,
      needs: { fields: missing },
    });
  }
  if (m.to.def.outcome === 'lost' && rulesOf(m.toScope).requireLostReason && m.lostReason === null) {
    out.push({
      code: 'lost_reason_required',
      message: `requireLostReason: ${m.to.stageId} needs a lost reason`,
      needs: { lostReason: true },
    });
  }
  return out;
}

/** The error code a list of violations is reported under. */
export function codeFor(violations: readonly Violation[]): 'transition_not_allowed' | 'required_fields_missing' | 'lost_reason_required' {
  const data = violations.every((v) => v.code === 'required_fields_missing' || v.code === 'lost_reason_required');
  if (!data) return 'transition_not_allowed';
  return violations.some((v) => v.code === 'required_fields_missing') ? 'required_fields_missing' : 'lost_reason_required';
}
