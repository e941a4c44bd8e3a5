import { fail } from '../errors.js';
import type { Deal } from '../model/deal.js';
import type { Workspace } from '../model/layout.js';
import { indexOf, type StageScope, type StageSlot } from '../workspace/lookup.js';

/** The scope a deal sits in: its pipeline, or its layout's picklist while the layout has no pipeline. */
export function scopeOfDeal(ws: Workspace, deal: Pick<Deal, 'layoutId' | 'pipelineId'>): StageScope | null {
  const index = indexOf(ws);
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
  return indexOf(ws).scopes.get(pipelineId) ?? fail('not_found', `pipeline ${pipelineId} does not exist`, { pipelineId });
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
