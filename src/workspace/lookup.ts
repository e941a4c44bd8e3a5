import type { Layout, Workspace } from '../model/layout.js';
import type { Pipeline, PipelineStage } from '../model/pipeline.js';
import type { StageDef } from '../model/stage.js';
import type { Violation } from '../model/violation.js';

/** A stage as seen inside one pipeline: its position, its definition and its overrides. */
export interface StageSlot {
  readonly stageId: string;
  /** Position in the pipeline's stage list. */
  readonly position: number;
  /** Position among the pipeline's open stages, or -1 for a won/lost stage. */
  readonly openPosition: number;
  readonly def: StageDef;
  readonly override: PipelineStage | null;
  /** Probability after the pipeline override. */
  readonly probability: number;
  /** Rotting threshold after the pipeline override (undefined: never rots). */
  readonly rotAfterDays: number | undefined;
  readonly requiredFields: readonly string[];
}

/** A pipeline, or the bare picklist of a layout without pipelines, ready for rule checks. */
export interface StageScope {
  readonly layout: Layout;
  readonly pipeline: Pipeline | null;
  readonly slots: ReadonlyMap<string, StageSlot>;
  readonly order: readonly StageSlot[];
  readonly openCount: number;
  /**
   * The verdicts of the rules that depend on the two stages alone (reopen, order, graph) for a
   * move inside this scope, at `from.position * order.length + to.position`, filled on first use
   * by the rule checks (a hole: not asked yet). Owned by them: never handed out. The index holding
   * it is memoised only for a sealed workspace, which cannot change, so a verdict cannot go stale.
   */
  readonly verdicts: (readonly Violation[] | undefined)[];
}

/** Lookups over a workspace, built once per workspace object. */
export interface WorkspaceIndex {
  readonly layouts: ReadonlyMap<string, Layout>;
  readonly pipelines: ReadonlyMap<string, Pipeline>;
  readonly stageDefs: ReadonlyMap<string, ReadonlyMap<string, StageDef>>;
  readonly scopes: ReadonlyMap<string, StageScope>;
  readonly layoutScopes: ReadonlyMap<string, StageScope>;
}

const cache = new WeakMap<Workspace, WorkspaceIndex>();

/**
 * Returns the index of `ws`. It is memoised on identity only for a workspace that was validated
 * and deep-frozen ({@link checkedWorkspace}): such an object cannot change, so its index cannot go
 * stale. Any other workspace is indexed afresh.
 */
export function indexOf(ws: Workspace): WorkspaceIndex {
  if (!isSealedWorkspace(ws)) return buildIndex(ws);
  let index = cache.get(ws);
  if (!index) {
    index = buildIndex(ws);
    cache.set(ws, index);
  }
  return index;
}

const sealed = new WeakSet<object>();

/** Whether `ws` was validated and deep-frozen by this library. */
export function isSealedWorkspace(ws: unknown): boolean {
  return typeof ws === 'object' && ws !== null && sealed.has(ws);
}

/** Records that `ws` is valid and deep-frozen; call only after both hold. */
export function markSealed(ws: Workspace): void {
  sealed.add(ws);
}

function buildIndex(ws: Workspace): WorkspaceIndex {
  const layouts = new Map<string, Layout>();
  const pipelines = new Map<string, Pipeline>();
  const stageDefs = new Map<string, Map<string, StageDef>>();
  const scopes = new Map<string, StageScope>();
  const layoutScopes = new Map<string, StageScope>();
  for (const layout of ws.layouts) {
    layouts.set(layout.id, layout);
    const defs = new Map(layout.stages.map((s) => [s.id, s] as const));
    stageDefs.set(layout.id, defs);
    layoutScopes.set(layout.id, buildScope(layout, null, defs));
    for (const pipeline of layout.pipelines) {
      pipelines.set(pipeline.id, pipeline);
      scopes.set(pipeline.id, buildScope(layout, pipeline, defs));
    }
  }
  return { layouts, pipelines, stageDefs, scopes, layoutScopes };
}

function buildScope(layout: Layout, pipeline: Pipeline | null, defs: ReadonlyMap<string, StageDef>): StageScope {
  const entries: readonly PipelineStage[] = pipeline ? pipeline.stages : layout.stages.map((s) => ({ stageId: s.id }));
  const order: StageSlot[] = [];
  let openCount = 0;
  for (const ps of entries) {
    const def = defs.get(ps.stageId);
    if (!def) continue;
    const open = def.outcome === 'open';
    order.push({
      stageId: ps.stageId,
      position: order.length,
      openPosition: open ? openCount : -1,
      def,
      override: pipeline ? ps : null,
      probability: ps.probability ?? def.probability,
      rotAfterDays: ps.rotAfterDays ?? def.rotAfterDays,
      requiredFields: ps.requiredFields ?? [],
    });
    if (open) openCount++;
  }
  return { layout, pipeline, slots: new Map(order.map((s) => [s.stageId, s])), order, openCount, verdicts: [] };
}
