import { fail, PipelineError } from '../errors.js';
import type { Context, DealCommand } from '../model/commands.js';
import type { Workspace } from '../model/layout.js';
import { indexOf, type StageScope } from '../workspace/lookup.js';
import { dealEventId, type DealEvent } from './events.js';
import { codeFor, entryViolations, rulesOf, type Violation } from './rules.js';
import { requireSlot } from './scope.js';

type Create = Extract<DealCommand, { type: 'createDeal' }>;

function creationScope(ws: Workspace, c: Create): StageScope {
  const index = indexOf(ws);
  const { layoutId, pipelineId } = c.deal;
  const layout = index.layouts.get(layoutId) ?? fail('not_found', `layout ${layoutId} does not exist`, { layoutId });
  if (pipelineId === undefined) {
    const id = layout.defaultPipelineId;
    return (id === null ? index.layoutScopes.get(layoutId) : index.scopes.get(id)) ?? fail('not_found', `layout ${layoutId} has no usable pipeline`, { layoutId });
  }
  const scope = index.scopes.get(pipelineId) ?? fail('not_found', `pipeline ${pipelineId} does not exist`, { pipelineId });
  if (scope.layout.id !== layoutId) {
    fail('invalid_input', `command.deal.pipelineId: pipeline ${pipelineId} belongs to layout ${scope.layout.id}, not ${layoutId}`, {
      path: 'command.deal.pipelineId',
    });
  }
  return scope;
}

/** The stage a new deal starts in: the first stage of the pipeline where creation is allowed. */
function defaultStage(scope: StageScope): string {
  const allowed = rulesOf(scope).creationStageIds;
  const slot = scope.order.find((s) => !allowed || allowed.includes(s.stageId));
  return slot?.stageId ?? scope.order[0]?.stageId ?? fail('stage_not_in_pipeline', 'the pipeline has no stage');
}

export function decideCreateDeal(ws: Workspace, c: Create, ctx: Context): DealEvent[] {
  const input = c.deal;
  const scope = creationScope(ws, c);
  const stageId = input.stageId ?? defaultStage(scope);
  const slot = requireSlot(scope, stageId);
  if (input.lostReason !== undefined && slot.def.outcome !== 'lost') {
    fail('invalid_input', `command.deal.lostReason: only a deal created in a lost stage takes a lost reason`, { path: 'command.deal.lostReason' });
  }
  const fields = input.fields ?? {};
  const props = {
    name: input.name,
    amount: input.amount ?? null,
    currency: input.currency ?? null,
    closingDate: input.closingDate ?? null,
    ownerId: input.ownerId ?? null,
    lostReason: input.lostReason ?? null,
  };
  const violations: Violation[] = [];
  const creation = rulesOf(scope).creationStageIds;
  if (creation && !creation.includes(stageId)) {
    violations.push({ code: 'creation_stage_not_allowed', message: `deals cannot be created in stage ${stageId}; use ${creation.join(', ')}` });
  }
  violations.push(...entryViolations({ toScope: scope, to: slot, deal: { ...props, fields } as never, lostReason: props.lostReason }));
  const bypass = c.bypassRules === true;
  if (violations.length > 0 && !bypass) {
    throw new PipelineError(codeFor(violations), `deal ${input.id}: ${violations.map((v) => v.message).join('; ')}`, {
      dealId: input.id,
      violations,
    });
  }
  return [
    {
      type: 'dealCreated',
      id: dealEventId(input.id, 1),
      dealId: input.id,
      at: ctx.at,
      by: ctx.by,
      version: 1,
      layoutId: scope.layout.id,
      pipelineId: scope.pipeline?.id ?? null,
      stageId,
      ...props,
      probability: input.probability ?? slot.probability,
      fields,
      forecastCategory: slot.def.forecastCategory,
      outcome: slot.def.outcome,
      bypassedRules: bypass && violations.length > 0,
    },
  ];
}
