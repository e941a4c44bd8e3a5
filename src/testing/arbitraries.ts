import { guarded } from '../_internal/guard.js';
import fc from 'fast-check';
import { isPipelineError } from '../errors.js';
import type { DealCommandInput, WorkspaceCommandInput } from '../model/commands.js';
import type { Deal } from '../model/deal.js';
import type { Workspace } from '../model/layout.js';
import type { StageDef } from '../model/stage.js';
import * as z from 'zod';
import { applyDeal } from '../deals/apply.js';
import { assertDeal } from '../deals/shape.js';
import { MAX_AMOUNT } from '../model/primitives.js';
import { parseWith } from '../model/parse.js';
import { checkedWorkspace } from '../workspace/validate.js';
import { applyWorkspace, emptyWorkspace } from '../workspace/apply.js';

/**
 * Options of {@link arbWorkspace}.
 *
 * @example
 * ```ts
 * arbWorkspace({ maxLayouts: 3, maxStages: 10, maxPipelines: 4 });
 * ```
 * @category Test kit
 */
export interface ArbWorkspaceOptions {
  /** Fewest layouts (default 1). */
  readonly minLayouts?: number;
  /** Most layouts (default 2). */
  readonly maxLayouts?: number;
  /** Most stages per layout (default 7). */
  readonly maxStages?: number;
  /** Most pipelines created per layout, besides the standard one (default 3). */
  readonly maxPipelines?: number;
  /**
   * Host ids to use for layouts, stages, pipelines, deals and field keys instead of generated
   * ones (e.g. `Object.getOwnPropertyNames(Object.prototype)` minus the refused names), to prove
   * that nothing treats a host id as a property of a plain object.
   */
  readonly idPool?: readonly string[];
}

/**
 * Options of {@link arbScenario}.
 *
 * @example
 * ```ts
 * arbScenario({ maxDeals: 20, maxSteps: 100, start: Date.UTC(2026, 0, 1) });
 * ```
 * @category Test kit
 */
export interface ArbScenarioOptions extends ArbWorkspaceOptions {
  /** Most deals (default 8). */
  readonly maxDeals?: number;
  /** Most deal commands tried after creation (default 30). */
  readonly maxSteps?: number;
  /** Where the clock starts (default 2026-01-01T00:00:00Z). */
  readonly start?: number;
}

const DAY = 86_400_000;
/** Closing dates an update picks from, so scenarios pull deals in and push them out. */
const CLOSING_DATES = ['2026-01-31', '2026-03-31', '2026-06-30', '2026-09-30', '2026-12-31'] as const;

/**
 * A stage definition with the given id.
 *
 * @example
 * ```ts
 * fc.sample(arbStageDef('s1'), 1)[0]; // { id: 's1', name: 'Stage s1', probability: 37, outcome: 'open', ... }
 * ```
 * @category Test kit
 * @function
 */
export const arbStageDef = /* @__PURE__ */ guarded(function arbStageDef(id: string, outcome?: StageDef['outcome']): fc.Arbitrary<StageDef> {
  return fc
    .record({
      probability: fc.integer({ min: 0, max: 100 }),
      outcome: outcome ? fc.constant(outcome) : fc.constantFrom<StageDef['outcome']>('open', 'open', 'open', 'won', 'lost'),
      forecastCategory: fc.constantFrom<StageDef['forecastCategory']>('pipeline', 'best_case', 'commit', 'closed', 'omitted'),
      rotAfterDays: fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
    })
    .map(({ rotAfterDays, ...rest }) => ({ id, name: `Stage ${id}`, ...rest, ...(rotAfterDays === undefined ? {} : { rotAfterDays }) }));
}, ['id', 'outcome']);

const arbRules = fc.record({
  allowSkip: fc.boolean(),
  allowBackward: fc.boolean(),
  allowReopen: fc.boolean(),
  requireLostReason: fc.boolean(),
});

/** The workspace commands that configure one layout: the picklist, then its pipelines. */
function arbLayoutCommands(li: number, o: Required<Omit<ArbWorkspaceOptions, 'idPool'>> & ArbWorkspaceOptions): fc.Arbitrary<WorkspaceCommandInput[]> {
  const pool = o.idPool && o.idPool.length > 0 ? o.idPool : undefined;
  const layoutId = pool ? pool[li % pool.length]! : `L${li}`;
  // Pipeline ids are unique in the workspace: each layout takes its own run of the pool.
  const pipelineId = (i: number): string => (pool ? pool[(li * (o.maxPipelines + 1) + i + 1) % pool.length]! : `${layoutId}-p${i}`);
  const stageCount = fc.integer({ min: 2, max: Math.max(2, pool ? Math.min(o.maxStages, pool.length) : o.maxStages) });
  return stageCount.chain((n) => {
    const ids = Array.from({ length: n }, (_, i) => (pool ? pool[(i + li) % pool.length]! : `${layoutId}-s${i}`));
    const stages = fc.tuple(...ids.map((id, i) => arbStageDef(id, i === 0 ? 'open' : undefined)));
    const pipeline = fc.record({
      stageIds: fc.subarray(ids, { minLength: 1 }),
      rules: arbRules,
      makeDefault: fc.boolean(),
      required: fc.subarray(['amount', 'closingDate', 'ownerId', fieldKeyOf(o.idPool)], { maxLength: 2 }),
      creationFirstOnly: fc.boolean(),
    });
    return fc.tuple(stages, fc.array(pipeline, { maxLength: o.maxPipelines })).map(([defs, pipelines]) => {
      const commands: WorkspaceCommandInput[] = [{ type: 'addLayout', layoutId, name: `Layout ${layoutId}`, stages: defs }];
      pipelines.forEach((p, i) => {
        const requiredAt = p.stageIds[p.stageIds.length - 1];
        commands.push({
          type: 'createPipeline',
          layoutId,
          pipelineId: pipelineId(i),
          name: `Pipeline ${i}`,
          ...(pool ? { standardPipelineId: pool[(li * (o.maxPipelines + 1)) % pool.length]! } : {}),
          stages: p.stageIds.map((stageId) => (stageId === requiredAt && p.required.length > 0 ? { stageId, requiredFields: p.required } : stageId)),
          rules: { ...p.rules, ...(p.creationFirstOnly ? { creationStageIds: [p.stageIds[0]!] } : {}) },
          makeDefault: p.makeDefault,
        });
      });
      return commands;
    });
  });
}

/** The key of `fields` the scenarios set and require: from the id pool when there is one. */
function fieldKeyOf(pool: readonly string[] | undefined): string {
  return pool && pool.length > 0 ? pool[pool.length - 1]! : 'region';
}

/** Applies commands in order, skipping the ones the reducer refuses. */
function build(commands: readonly WorkspaceCommandInput[], at: number): Workspace {
  let ws = emptyWorkspace();
  for (const command of commands) {
    try {
      ws = applyWorkspace(ws, command, { at, by: 'admin' }).workspace;
    } catch (e) {
      if (!isPipelineError(e)) throw e;
    }
  }
  return ws;
}

/**
 * A valid workspace built by random valid commands: `minLayouts` to `maxLayouts` layouts, each with a
 * picklist and 0 to `maxPipelines` pipelines (with the standard pipeline when there are any),
 * random transition rules, required fields and creation stages.
 *
 * @param opts - sizes
 * @returns an arbitrary of workspaces that satisfy invariants 1-2
 * @example
 * ```ts
 * fc.assert(fc.property(arbWorkspace(), (ws) => checkInvariants(ws, [], { now: 0 }).length === 0));
 * ```
 * @category Test kit
 * @function
 */
export const arbWorkspace = /* @__PURE__ */ guarded(function arbWorkspace(opts: ArbWorkspaceOptions = {}): fc.Arbitrary<Workspace> {
  const o = { minLayouts: 1, maxLayouts: 2, maxStages: 7, maxPipelines: 3, ...opts };
  return fc
    .integer({ min: Math.max(1, o.minLayouts), max: Math.max(1, o.minLayouts, o.maxLayouts) })
    .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => arbLayoutCommands(i, o))))
    .map((perLayout) => build(perLayout.flat(), Date.UTC(2026, 0, 1)));
}, ['opts']);

/** One step of a scenario, interpreted against the state at that point. */
/**
 * One step of a scenario (see {@link stepCommand}).
 *
 * @example
 * ```ts
 * const step: ScenarioStep = { kind: 'moveToStage', deal: 0, target: 2, days: 1, bypass: false, amount: null, reason: false };
 * ```
 * @category Test kit
 */
export interface ScenarioStep {
  readonly kind: 'create' | 'moveToStage' | 'moveToPipeline' | 'closeWon' | 'closeLost' | 'reopen' | 'update';
  readonly deal: number;
  readonly target: number;
  readonly days: number;
  readonly bypass: boolean;
  readonly amount: number | null;
  readonly reason: boolean;
}

/** A step as stepCommand reads it, checked once: a host's own steps may be anything. */
const Step = z.strictObject({
  kind: z.enum(['create', 'moveToStage', 'moveToPipeline', 'closeWon', 'closeLost', 'reopen', 'update']),
  deal: z.number().int().min(0),
  target: z.number().int().min(0),
  days: z.number().refine(Number.isFinite, { message: 'expected a finite number' }),
  bypass: z.boolean(),
  amount: z.number().min(-MAX_AMOUNT).max(MAX_AMOUNT).nullable(),
  reason: z.boolean(),
});

const arbStep: fc.Arbitrary<ScenarioStep> = fc.record({
  kind: fc.constantFrom<ScenarioStep['kind']>('create', 'moveToStage', 'moveToStage', 'moveToPipeline', 'closeWon', 'closeLost', 'reopen', 'update'),
  deal: fc.nat(),
  target: fc.nat(),
  days: fc.integer({ min: 0, max: 20 }),
  bypass: fc.boolean(),
  amount: fc.option(fc.integer({ min: 0, max: 500_000 }), { nil: null }),
  reason: fc.boolean(),
});

/**
 * Turns a scenario step into a deal command for the current state (ids taken modulo what exists).
 * Exported for property tests that need the same command stream as {@link arbScenario}.
 *
 * @example
 * ```ts
 * stepCommand(ws, deal, { kind: 'closeWon', deal: 0, target: 0, days: 0, bypass: false, amount: null, reason: false }, 'new-id');
 * ```
 * @category Test kit
 * @function
 */
export const stepCommand = /* @__PURE__ */ guarded(function stepCommand(ws: Workspace, deal: Deal | null, step: ScenarioStep, newId: string, fieldKey = 'region'): DealCommandInput {
  ws = checkedWorkspace(ws);
  if (deal !== null) assertDeal(deal);
  step = parseWith(Step, step, 'step');
  const layouts = ws.layouts;
  const layout = layouts[step.target % layouts.length]!;
  if (deal === null || step.kind === 'create') {
    return { type: 'createDeal', deal: { id: newId, layoutId: layout.id, name: `Deal ${newId}`, amount: step.amount, currency: 'EUR', ...(step.amount !== null ? { closingDate: '2026-06-30' } : {}) } };
  }
  const own = layouts.find((l) => l.id === deal.layoutId) ?? layout;
  const pipeline = own.pipelines.find((p) => p.id === deal.pipelineId);
  const stageIds = pipeline ? pipeline.stages.map((s) => s.stageId) : own.stages.map((s) => s.id);
  const stageId = stageIds[step.target % stageIds.length]!;
  const lostReason = step.reason ? { lostReason: 'Price' } : {};
  const bypass = step.bypass ? { bypassRules: true } : {};
  switch (step.kind) {
    case 'moveToStage': {
      const lost = own.stages.find((s) => s.id === stageId)?.outcome === 'lost';
      return { type: 'moveToStage', stageId, ...(lost ? lostReason : {}), ...bypass };
    }
    case 'moveToPipeline': {
      const all = layouts.flatMap((l) => l.pipelines);
      const target = all[step.target % Math.max(1, all.length)];
      return target ? { type: 'moveToPipeline', pipelineId: target.id, stageId: target.stages[step.deal % target.stages.length]!.stageId, ...bypass } : { type: 'moveToStage', stageId };
    }
    case 'closeWon':
      return { type: 'closeDeal', outcome: 'won', ...bypass };
    case 'closeLost':
      return { type: 'closeDeal', outcome: 'lost', ...lostReason, ...bypass };
    case 'reopen':
      return { type: 'reopenDeal', stageId, ...bypass };
    default:
      return {
        type: 'updateDeal',
        patch: { amount: step.amount, closingDate: CLOSING_DATES[step.target % CLOSING_DATES.length]!, fields: { [fieldKey]: step.reason ? 'north' : 'south' }, ...(step.bypass ? { probability: step.days * 5, ownerId: `rep-${step.target % 3}` } : {}) },
      };
  }
}, ['workspace', 'deal', 'step', 'newId', 'fieldKey']);

/**
 * A workspace and deals produced by random valid commands (refused commands are skipped), with
 * `now` at or after the last change. Deals move between stages, pipelines and layouts, close,
 * reopen and change amounts, some with `bypassRules`.
 *
 * @param opts - sizes and the start instant
 * @returns an arbitrary of `{ workspace, deals, now }`
 * @example
 * ```ts
 * fc.assert(fc.property(arbScenario(), ({ workspace, deals, now }) =>
 *   checkInvariants(workspace, deals, { now }).length === 0));
 * ```
 * @category Test kit
 * @function
 */
export const arbScenario = /* @__PURE__ */ guarded(function arbScenario(opts: ArbScenarioOptions = {}): fc.Arbitrary<{ workspace: Workspace; deals: Deal[]; now: number }> {
  const maxDeals = opts.maxDeals ?? 8;
  const start = opts.start ?? Date.UTC(2026, 0, 1);
  return fc
    .tuple(arbWorkspace(opts), fc.array(arbStep, { maxLength: opts.maxSteps ?? 30 }), fc.integer({ min: 1, max: maxDeals }), fc.integer({ min: 0, max: 10 }))
    .map(([workspace, steps, dealCount, tail]) => {
      const deals: Deal[] = [];
      let now = start;
      let created = 0;
      const pool = opts.idPool && opts.idPool.length > 0 ? opts.idPool : undefined;
      const fieldKey = fieldKeyOf(pool);
      const create = (step: ScenarioStep): void => {
        if (pool && created >= pool.length) return;
        const id = pool ? pool[created++]! : `deal-${created++}`;
        tryApply(workspace, deals, null, stepCommand(workspace, null, { ...step, kind: 'create' }, id, fieldKey), now, deals.length);
      };
      for (let i = 0; i < dealCount; i++) create({ ...(steps[i % Math.max(1, steps.length)] ?? defaultStep), target: i });
      for (const step of steps) {
        now += step.days * (DAY / 4);
        const index = step.deal % Math.max(1, deals.length);
        const deal = deals[index];
        if (step.kind === 'create' || deal === undefined) create(step);
        else tryApply(workspace, deals, deal, stepCommand(workspace, deal, step, '', fieldKey), now, index);
      }
      return { workspace, deals, now: now + tail * DAY };
    });
}, ['opts']);

const defaultStep: ScenarioStep = { kind: 'create', deal: 0, target: 0, days: 0, bypass: false, amount: 1000, reason: true };

function tryApply(ws: Workspace, deals: Deal[], deal: Deal | null, command: DealCommandInput, at: number, slot: number): void {
  try {
    deals[slot] = applyDeal(ws, deal, command, { at, by: 'rep' }).deal;
  } catch (e) {
    if (!isPipelineError(e)) throw e;
  }
}
