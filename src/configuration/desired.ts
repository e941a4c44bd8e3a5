import * as z from 'zod';
import { fail } from '../errors.js';
import { DEFAULT_LIMITS, StageMap } from '../model/commands.js';
import { PipelineStage, TransitionRules } from '../model/pipeline.js';
import { Id, Name, safeRecord } from '../model/primitives.js';
import { StageDef } from '../model/stage.js';

/**
 * One pipeline of a desired layout. `stages` lists stage ids (or per-pipeline overrides) of the
 * layout's picklist; `rules` are the whole rules (absent flags take their defaults); `default`
 * marks the layout's default pipeline; `standard` marks the standard pipeline (see
 * {@link DesiredConfiguration}).
 */
// The sizes are the limits the reducers apply (DEFAULT_LIMITS): a larger configuration could
// only be refused after planning, so it is refused while parsing, before any element is read.
const { maxLayouts, maxPipelinesPerLayout, maxStagesPerLayout } = DEFAULT_LIMITS;

const DesiredPipeline = z.strictObject({
  id: Id,
  name: Name,
  stages: z.array(z.union([Id, PipelineStage])).min(1).max(maxStagesPerLayout),
  rules: TransitionRules.optional(),
  default: z.boolean().optional(),
  standard: z.boolean().optional(),
});

/** Where the deals of a pipeline that the configuration removes go. */
const DesiredTransfer = z.strictObject({ pipelineId: Id, to: Id, stageMap: StageMap.optional() });

/** One layout as it should be: its picklist in order and all of its pipelines. */
const DesiredLayout = z.strictObject({
  id: Id,
  name: Name,
  stages: z.array(StageDef).min(1).max(maxStagesPerLayout),
  pipelines: z.array(DesiredPipeline).max(maxPipelinesPerLayout),
  transfers: z.array(DesiredTransfer).max(maxPipelinesPerLayout).optional(),
  stageReplacements: safeRecord(Id).optional(),
});

/**
 * A configuration as it should be, layout by layout, for {@link planConfiguration} and
 * `service.applyConfiguration`. Each listed layout is described whole: its Stage picklist in
 * order (stages it does not list are removed; a removed stage that pipelines use needs a
 * replacement in `stageReplacements`), and its pipelines (pipelines it does not list are removed,
 * with their deals moved as `transfers` says). The standard pipeline is never removed: list it to
 * rename or customise it. When a layout gets its first pipelines from the configuration, the
 * standard pipeline's id is the one of the pipeline marked `standard: true`, or
 * `` `${layoutId}:standard` ``. Layouts it does not list are left alone.
 *
 * @example
 * ```ts
 * const desired: DesiredConfiguration = { layouts: [{
 *   id: 'sales', name: 'Sales', stages: salesStages,
 *   pipelines: [{ id: 'new-cars', name: 'New cars', stages: ['requirements', 'quote', 'won', 'lost'], rules: { allowSkip: false }, default: true }],
 *   transfers: [{ pipelineId: 'used-cars', to: 'new-cars', stageMap: { 'show-models': 'requirements' } }],
 * }] };
 * ```
 * @category Configuration
 */
export const DesiredConfiguration = z.strictObject({ layouts: z.array(DesiredLayout).max(maxLayouts) });
/**
 * @see {@link DesiredConfiguration}
 * @category Configuration
 */
export type DesiredConfiguration = z.input<typeof DesiredConfiguration>;
/**
 * A parsed {@link DesiredConfiguration}.
 * @category Configuration
 */
export type ParsedConfiguration = z.output<typeof DesiredConfiguration>;
/** A parsed layout of a {@link DesiredConfiguration}. */
export type DesiredLayout = ParsedConfiguration['layouts'][number];
/** A parsed pipeline of a {@link DesiredConfiguration}. */
export type DesiredPipeline = DesiredLayout['pipelines'][number];

/** The stage id of an entry of a pipeline's stage list. */
export const stageIdOf = (s: string | PipelineStage): string => (typeof s === 'string' ? s : s.stageId);

/**
 * Refuses a desired configuration that contradicts itself, naming the path: duplicate ids,
 * pipelines naming stages outside their layout's picklist, rules naming stages outside their
 * pipeline, two defaults, replacements and transfers that point at what is removed.
 */
export function checkDesired(desired: ParsedConfiguration): void {
  const layoutIds = new Set<string>();
  const pipelineIds = new Set<string>();
  desired.layouts.forEach((layout, i) => {
    const path = `desired.layouts[${i}]`;
    if (layoutIds.has(layout.id)) fail('duplicate_id', `${path}.id: layout ${layout.id} is listed twice`, { path: `${path}.id`, layoutId: layout.id });
    layoutIds.add(layout.id);
    const picklist = checkPicklist(layout, path);
    layout.pipelines.forEach((p, j) => {
      const pPath = `${path}.pipelines[${j}]`;
      if (pipelineIds.has(p.id)) fail('duplicate_id', `${pPath}.id: pipeline ${p.id} is listed twice`, { path: `${pPath}.id`, pipelineId: p.id });
      pipelineIds.add(p.id);
      checkPipeline(p, picklist, pPath);
    });
    for (const flag of ['default', 'standard'] as const) {
      const marked = layout.pipelines.flatMap((p, j) => (p[flag] ? [j] : []));
      if (marked.length > 1) {
        fail('invalid_input', `${path}.pipelines[${marked[1]}].${flag}: only one pipeline of a layout can be the ${flag} one`, {
          path: `${path}.pipelines[${marked[1]}].${flag}`,
        });
      }
    }
    checkReplacements(layout, picklist, path);
    checkTransfers(layout, path);
  });
}

function checkPicklist(layout: DesiredLayout, path: string): Map<string, StageDef> {
  const picklist = new Map<string, StageDef>();
  layout.stages.forEach((s, j) => {
    if (picklist.has(s.id)) fail('duplicate_id', `${path}.stages[${j}]: stage ${s.id} is listed twice`, { path: `${path}.stages[${j}]`, stageId: s.id });
    picklist.set(s.id, s);
  });
  if (!layout.stages.some((s) => s.outcome === 'open')) {
    fail('invalid_input', `${path}.stages: a layout needs at least one open stage`, { path: `${path}.stages` });
  }
  return picklist;
}

function checkPipeline(p: DesiredPipeline, picklist: ReadonlyMap<string, StageDef>, path: string): void {
  const ids = new Set<string>();
  p.stages.forEach((s, k) => {
    const id = stageIdOf(s);
    if (!picklist.has(id)) fail('invalid_input', `${path}.stages[${k}]: stage ${id} is not in the layout's stages`, { path: `${path}.stages[${k}]`, stageId: id });
    if (ids.has(id)) fail('duplicate_id', `${path}.stages[${k}]: stage ${id} is listed twice`, { path: `${path}.stages[${k}]`, stageId: id });
    ids.add(id);
  });
  if (![...ids].some((id) => picklist.get(id)?.outcome === 'open')) {
    fail('invalid_input', `${path}.stages: a pipeline needs at least one open stage`, { path: `${path}.stages` });
  }
  const named = [
    ...(p.rules?.creationStageIds ?? []).map((id) => ({ id, at: `${path}.rules.creationStageIds` })),
    ...Object.entries(p.rules?.allowed ?? {}).flatMap(([from, tos]) => [from, ...tos].map((id) => ({ id, at: `${path}.rules.allowed.${from}` }))),
  ];
  for (const { id, at } of named) {
    if (!ids.has(id)) fail('stage_not_in_pipeline', `${at}: stage ${id} is not in pipeline ${p.id}`, { path: at, pipelineId: p.id, stageId: id });
  }
}

function checkReplacements(layout: DesiredLayout, picklist: ReadonlyMap<string, StageDef>, path: string): void {
  for (const [removed, replacement] of Object.entries(layout.stageReplacements ?? {})) {
    const at = `${path}.stageReplacements.${removed}`;
    if (picklist.has(removed)) fail('invalid_input', `${at}: stage ${removed} stays in the layout's stages, so it is not removed`, { path: at, stageId: removed });
    if (!picklist.has(replacement)) {
      fail('invalid_input', `${at}: replacement ${replacement} is not in the layout's stages`, { path: at, stageId: replacement });
    }
  }
}

function checkTransfers(layout: DesiredLayout, path: string): void {
  const listed = new Set(layout.pipelines.map((p) => p.id));
  const from = new Set<string>();
  (layout.transfers ?? []).forEach((t, k) => {
    const at = `${path}.transfers[${k}]`;
    if (from.has(t.pipelineId)) fail('duplicate_id', `${at}.pipelineId: pipeline ${t.pipelineId} has two transfers`, { path: `${at}.pipelineId` });
    from.add(t.pipelineId);
    if (listed.has(t.pipelineId)) {
      fail('invalid_input', `${at}.pipelineId: pipeline ${t.pipelineId} is listed in pipelines, so it is not removed`, { path: `${at}.pipelineId` });
    }
    if (t.to === t.pipelineId) fail('invalid_input', `${at}.to: cannot transfer to the removed pipeline`, { path: `${at}.to` });
  });
}
