import { guarded } from '../_internal/guard.js';
import { Deal as DealSchema, type Deal } from '../model/deal.js';
import { fail } from '../errors.js';
import { Workspace as WorkspaceSchema, type Workspace } from '../model/layout.js';
import { parseWith } from '../model/parse.js';
import { isSurelyValidDeal } from '../model/quickDeal.js';
import { Instant } from '../model/primitives.js';
import { indexOf } from '../workspace/lookup.js';
import { workspaceViolations, type InvariantViolation } from '../workspace/invariants.js';

/**
 * Checks every invariant of the model that can be seen on a snapshot and returns each one that
 * is broken, naming the deal; an empty list means all hold. The invariants, by number:
 *
 * 1. Stage ids are unique in a layout; each pipeline's stages are a non-empty, duplicate-free
 *    subset of its layout's picklist with at least one open stage.
 * 2. A layout with pipelines has exactly one standard and exactly one default pipeline.
 * 3. Every deal's layout exists. If the layout has pipelines, the deal's pipeline is one of them
 *    and its stage is in that pipeline; otherwise `pipelineId` is null and the stage is in the
 *    picklist.
 * 4. History is non-empty, ordered and contiguous; only the last visit is open and it names the
 *    deal's current pipeline and stage; the first visit starts at `createdAt`.
 * 5. Dwell is conserved: the visits' durations (the open one up to `now`) sum to `now - createdAt`.
 * 6. `lostReason` is set only on a deal in a lost stage.
 *
 * A deal that
 * does not have the shape of a deal (an amount that is a string, a missing history, …) is
 * reported under invariant `'shape'` with the path, and its other invariants are not checked.
 * Invariant `changes` checks a deal's change log when it has one: entries in time order within
 * `[createdAt, updatedAt]`, each a real change, and the last entry of each field naming the deal's
 * current value.
 * Invariants 7-9 are about commands (a version rises by one per accepted command, replaying a
 * deal's events gives the same deal, a bulk update loses and duplicates no deal) and are checked
 * by the property tests.
 *
 * @param ws - the workspace
 * @param deals - every deal to check
 * @param opts - `{ now }`: the instant the open visits run up to
 * @returns the violations, `[]` when all hold
 * @example
 * ```ts
 * expect(checkInvariants(scenario.workspace, scenario.deals, { now: scenario.now })).toEqual([]);
 * ```
 * @category Deals and rules
 * @function
 */
export const checkInvariants = /* @__PURE__ */ guarded(function checkInvariants(ws: Workspace, deals: readonly Deal[], opts: { now: number }): InvariantViolation[] {
  parseWith(WorkspaceSchema, ws, 'workspace');
  if (!Array.isArray(deals)) fail('invalid_input', 'deals: expected an array of deals', { path: 'deals' });
  const now = parseWith(Instant, opts?.now, 'opts.now');
  const out = workspaceViolations(ws);
  const index = indexOf(ws);
  deals.forEach((deal: unknown, i) => {
    const shape = shapeProblem(deal, `deals[${i}]`);
    if (shape) out.push(shape);
    else for (const p of dealProblems(index, deal as Deal, now)) out.push({ invariant: p[0], message: p[1], dealId: (deal as Deal).id });
  });
  return out;
}, ['workspace', 'deals', 'opts']);

/**
 * The invariants of a workspace and of deals already known to have the model's shape (the
 * importers build theirs so): `checkInvariants` without the per-deal schema walk. Internal.
 */
export function shapedInvariantViolations(ws: Workspace, deals: readonly Deal[], now: number): InvariantViolation[] {
  parseWith(WorkspaceSchema, ws, 'workspace');
  const out = workspaceViolations(ws);
  const index = indexOf(ws);
  for (const deal of deals) for (const p of dealProblems(index, deal, now)) out.push({ invariant: p[0], message: p[1], dealId: deal.id });
  return out;
}

/**
 * What one deal breaks: its shape (named under `label`), else its invariants against `ws` at
 * `now`. Internal: how `service.importDeals` checks each deal it is given.
 */
export function dealViolations(ws: Workspace, deal: unknown, label: string, now: number): InvariantViolation[] {
  const shape = shapeProblem(deal, label);
  if (shape) return [shape];
  const d = deal as Deal;
  return dealProblems(indexOf(ws), d, now).map((p) => ({ invariant: p[0], message: p[1], dealId: d.id }));
}

function shapeProblem(deal: unknown, label: string): InvariantViolation | null {
  if (isSurelyValidDeal(deal)) return null;
  const result = DealSchema.safeParse(deal);
  if (result.success) return null;
  const issue = result.error.issues[0];
  const path = (issue?.path ?? []).reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : `${acc}.${String(p)}`), label);
  const id = (deal as { id?: unknown } | null)?.id;
  return { invariant: 'shape', message: `${path}: ${issue?.message ?? 'expected a deal'}`, ...(typeof id === 'string' ? { dealId: id } : {}) };
}

type Problem = [invariant: string, message: string];

function dealProblems(index: ReturnType<typeof indexOf>, deal: Deal, now: number): Problem[] {
  const out: Problem[] = [];
  const layout = index.layouts.get(deal.layoutId);
  let lost = false;
  if (!layout) out.push(['3', `deal ${deal.id} names layout ${deal.layoutId}, which does not exist`]);
  else if (layout.pipelines.length > 0) {
    const scope = deal.pipelineId === null ? undefined : index.scopes.get(deal.pipelineId);
    if (!scope || scope.layout.id !== layout.id) out.push(['3', `deal ${deal.id} is in pipeline ${deal.pipelineId}, not a pipeline of layout ${layout.id}`]);
    else if (!scope.slots.has(deal.stageId)) out.push(['3', `deal ${deal.id} is in stage ${deal.stageId}, not in pipeline ${scope.pipeline?.id}`]);
    lost = scope?.slots.get(deal.stageId)?.def.outcome === 'lost';
  } else {
    if (deal.pipelineId !== null) out.push(['3', `deal ${deal.id} names pipeline ${deal.pipelineId} but layout ${layout.id} has none`]);
    const def = index.stageDefs.get(layout.id)?.get(deal.stageId);
    if (!def) out.push(['3', `deal ${deal.id} is in stage ${deal.stageId}, not in the picklist of layout ${layout.id}`]);
    lost = def?.outcome === 'lost';
  }
  out.push(...historyProblems(deal, now));
  out.push(...changeLogProblems(deal));
  if (deal.lostReason !== null && !lost) out.push(['6', `deal ${deal.id} has a lost reason but is not in a lost stage`]);
  return out;
}

function historyProblems(deal: Deal, now: number): Problem[] {
  const h = deal.history;
  const out: Problem[] = [];
  const first = h[0];
  const last = h[h.length - 1];
  if (!first || !last) return [['4', `deal ${deal.id} has no history`]];
  if (first.enteredAt !== deal.createdAt) out.push(['4', `deal ${deal.id}: the first visit starts at ${first.enteredAt}, not at createdAt ${deal.createdAt}`]);
  for (let i = 0; i < h.length - 1; i++) {
    const v = h[i];
    const next = h[i + 1];
    if (!v || !next) continue;
    if (v.exitedAt === null) out.push(['4', `deal ${deal.id}: visit ${i} is open but not the last`]);
    else if (v.exitedAt !== next.enteredAt) out.push(['4', `deal ${deal.id}: visit ${i} ends at ${v.exitedAt} but visit ${i + 1} starts at ${next.enteredAt}`]);
    if (v.exitedAt !== null && v.exitedAt < v.enteredAt) out.push(['4', `deal ${deal.id}: visit ${i} ends before it starts`]);
  }
  if (last.exitedAt !== null) out.push(['4', `deal ${deal.id}: the last visit is closed`]);
  if (last.stageId !== deal.stageId || last.pipelineId !== deal.pipelineId) {
    out.push(['4', `deal ${deal.id}: the open visit names ${last.pipelineId}/${last.stageId}, the deal is in ${deal.pipelineId}/${deal.stageId}`]);
  }
  const dwell = h.reduce((sum, v) => sum + ((v.exitedAt ?? now) - v.enteredAt), 0);
  if (now >= last.enteredAt && dwell !== now - deal.createdAt) {
    out.push(['5', `deal ${deal.id}: visits last ${dwell} ms in all, but ${now - deal.createdAt} ms passed since creation`]);
  }
  return out;
}

function changeLogProblems(deal: Deal): Problem[] {
  const log = deal.changes;
  if (log === undefined) return [];
  if (!Array.isArray(log)) return [['changes', `deal ${deal.id}: the change log is not an array`]];
  const out: Problem[] = [];
  const last = new Map<string, unknown>();
  let previous = deal.createdAt;
  log.forEach((c, i) => {
    if (typeof c !== 'object' || c === null) {
      out.push(['changes', `deal ${deal.id}: change ${i} is not a field change`]);
      return;
    }
    if (c.at < previous) out.push(['changes', `deal ${deal.id}: change ${i} at ${c.at} is earlier than the one before it or than createdAt`]);
    if (c.at > deal.updatedAt) out.push(['changes', `deal ${deal.id}: change ${i} at ${c.at} is after updatedAt ${deal.updatedAt}`]);
    if (c.from === c.to) out.push(['changes', `deal ${deal.id}: change ${i} of ${c.field} changes nothing`]);
    previous = Math.max(previous, c.at);
    last.set(c.field, c.to);
  });
  for (const [field, to] of last) {
    const current = (deal as unknown as Record<string, unknown>)[field];
    if (current !== to) out.push(['changes', `deal ${deal.id}: the last change of ${field} sets ${shown(to)}, the deal has ${shown(current)}`]);
  }
  return out;
}

const shown = (v: unknown): string => (typeof v === 'object' && v !== null ? 'an object' : typeof v === 'symbol' ? 'a symbol' : String(v));
