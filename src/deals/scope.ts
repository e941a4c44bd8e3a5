import { fail } from '../errors.js';
import type { Deal } from '../model/deal.js';
import type { Workspace } from '../model/layout.js';
import { checkedWorkspace } from '../workspace/validate.js';
import { indexOf, isSealedWorkspace, type StageScope, type StageSlot, type WorkspaceIndex } from '../workspace/lookup.js';

// The index of the sealed workspace asked about last: boards and bulk loops ask about one
// workspace many times in a row. A sealed workspace is deep-frozen, so its index cannot go stale;
// only this one workspace is held until another sealed one is used. Kept because it is measured:
// without it (the per-workspace WeakMap of indexOf alone) bench/transition.bench.ts and
// bench/checkTransition.bench.ts ran 20-30% slower, both builds in one run. test/deals/scope.test.ts
// pins that it answers only for the workspace it holds.
let lastWorkspace: Workspace | null = null;
let lastIndex: WorkspaceIndex | null = null;

function indexFor(ws: Workspace): WorkspaceIndex {
  if (ws === lastWorkspace && lastIndex !== null) return lastIndex;
  const index = indexOf(ws);
  if (isSealedWorkspace(ws)) {
    lastWorkspace = ws;
    lastIndex = index;
  }
  return index;
}

/**
 * {@link checkedWorkspace}, answered by one identity comparison for the sealed workspace used last
 * (it was validated and frozen when it was first seen).
 */
export function knownWorkspace(ws: unknown): Workspace {
  if (ws === lastWorkspace && ws !== null) return ws as Workspace;
  return checkedWorkspace(ws);
}

/** The scope a deal sits in: its pipeline, or its layout's picklist while the layout has no pipeline. */
export function scopeOfDeal(ws: Workspace, deal: Pick<Deal, 'layoutId' | 'pipelineId'>): StageScope | null {
  const index = indexFor(ws);
  if (deal.pipelineId === null) return index.layoutScopes.get(deal.layoutId) ?? null;
  return index.scopes.get(deal.pipelineId) ?? null;
}

export function requireDealScope(ws: Workspace, deal: Deal): StageScope {
  return (
    scopeOfDeal(ws, deal) ??
    fail('not_found', `deal ${deal.id} sits in ${deal.pipelineId === null ? `layout ${deal.layoutId}` : `pipeline ${deal.pipelineId}`}, which does not exist`, {
      dealId: deal.id,
      pipelineId: deal.pipelineId,
    })
  );
}

export function requirePipelineScope(ws: Workspace, pipelineId: string): StageScope {
  return indexFor(ws).scopes.get(pipelineId) ?? fail('not_found', `pipeline ${pipelineId} does not exist`, { pipelineId });
}

export function requireSlot(scope: StageScope, stageId: string): StageSlot {
  return (
    scope.slots.get(stageId) ??
    fail('stage_not_in_pipeline', `stage ${stageId} is not in ${scopeName(scope)}`, {
      stageId,
      pipelineId: scope.pipeline?.id ?? null,
      layoutId: scope.layout.id,
    })
  );
}

export function scopeName(scope: StageScope): string {
  return scope.pipeline ? `pipeline ${scope.pipeline.id}` : `the picklist of layout ${scope.layout.id}`;
}
