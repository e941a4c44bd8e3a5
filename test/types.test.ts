import { describe, expectTypeOf, it } from 'vitest';
import type {
  BulkPlan,
  Deal,
  DealCommandInput,
  DealEvent,
  PipelineError,
  PipelineErrorCode,
  PipelineService,
  StageVisit,
  Workspace,
  WorkspaceCommandInput,
} from '../src/index.js';
import { applyDeal, applyWorkspace, isPipelineError, planBulkUpdate, timeInStages } from '../src/index.js';
import type { InvariantViolation } from '../src/testing.js';
import { arbScenario, checkInvariants } from '../src/testing.js';

describe('public types', () => {
  it('applyWorkspace and applyDeal return the new state and typed events', () => {
    expectTypeOf(applyWorkspace).returns.toEqualTypeOf<{ workspace: Workspace; events: import('../src/index.js').WorkspaceEvent[] }>();
    expectTypeOf(applyDeal).returns.toEqualTypeOf<{ deal: Deal; events: DealEvent[] }>();
    expectTypeOf(planBulkUpdate).returns.toEqualTypeOf<BulkPlan>();
  });

  it('commands are discriminated unions on type', () => {
    expectTypeOf<Extract<DealCommandInput, { type: 'moveToStage' }>>().toHaveProperty('stageId').toEqualTypeOf<string>();
    expectTypeOf<Extract<WorkspaceCommandInput, { type: 'deletePipeline' }>>().toHaveProperty('transferTo');
    expectTypeOf<{ type: 'nope' }>().not.toMatchTypeOf<DealCommandInput>();
  });

  it('state is plain data: instants are numbers, nullables are explicit', () => {
    expectTypeOf<Deal['createdAt']>().toEqualTypeOf<number>();
    expectTypeOf<Deal['pipelineId']>().toEqualTypeOf<string | null>();
    expectTypeOf<StageVisit['exitedAt']>().toEqualTypeOf<number | null>();
    expectTypeOf<StageVisit['outcome']>().toEqualTypeOf<'open' | 'won' | 'lost'>();
  });

  it('isPipelineError narrows, and codes are a closed union', () => {
    const e: unknown = null;
    if (isPipelineError(e)) expectTypeOf(e).toEqualTypeOf<PipelineError>();
    expectTypeOf<'conflict'>().toMatchTypeOf<PipelineErrorCode>();
    expectTypeOf<'oops'>().not.toMatchTypeOf<PipelineErrorCode>();
  });

  it('metrics and the test kit have precise shapes', () => {
    expectTypeOf(timeInStages).returns.items.toHaveProperty('cumulativeMs').toEqualTypeOf<number>();
    expectTypeOf(checkInvariants).returns.toEqualTypeOf<InvariantViolation[]>();
    expectTypeOf(arbScenario).returns.toEqualTypeOf<import('fast-check').Arbitrary<{ workspace: Workspace; deals: Deal[]; now: number }>>();
    expectTypeOf<PipelineService['dispatch']>().returns.resolves.toEqualTypeOf<Deal>();
  });
});
