import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyWorkspace,
  decideWorkspace,
  evolveWorkspace,
  isPipelineError,
  replayWorkspace,
  type Workspace,
  type WorkspaceCommandInput,
  type WorkspaceEvent,
} from '../../src/index.js';
import { arbStageDef, arbWorkspace, checkInvariants } from '../../src/testing.js';
import { deepFreeze } from '../helpers/expectError.js';

const layoutIds = ['L0', 'L1', 'L9'];
const stageIds = ['L0-s0', 'L0-s1', 'L0-s2', 'L0-s3', 'L1-s0', 'L1-s1', 'new-a', 'new-b'];
const pipelineIds = ['L0-p0', 'L0-p1', 'L1-p0', 'L0:standard', 'L1:standard', 'px'];

const id = (pool: string[]) => fc.constantFrom(...pool);

/** Workspace commands over small id pools, so that valid and invalid ones mix. */
const arbCommand: fc.Arbitrary<WorkspaceCommandInput> = fc.oneof(
  fc.record({ type: fc.constant('renameLayout' as const), layoutId: id(layoutIds), name: fc.constantFrom('A', 'B') }),
  fc.record({ type: fc.constant('addStage' as const), layoutId: id(layoutIds), stage: id(['new-a', 'new-b']).chain((s) => arbStageDef(s)) }),
  fc.record({ type: fc.constant('updateStage' as const), layoutId: id(layoutIds), stageId: id(stageIds), patch: fc.record({ probability: fc.integer({ min: 0, max: 100 }) }) }),
  fc.record({ type: fc.constant('removeStage' as const), layoutId: id(layoutIds), stageId: id(stageIds), replacementStageId: fc.option(id(stageIds), { nil: undefined }) }).map(dropUndefined),
  fc.record({
    type: fc.constant('createPipeline' as const),
    layoutId: id(layoutIds),
    pipelineId: id(pipelineIds),
    name: fc.constant('P'),
    stages: fc.subarray(stageIds, { minLength: 1, maxLength: 4 }),
    makeDefault: fc.boolean(),
  }),
  fc.record({ type: fc.constant('setPipelineStages' as const), pipelineId: id(pipelineIds), stages: fc.subarray(stageIds, { minLength: 1, maxLength: 4 }) }),
  fc.record({ type: fc.constant('setTransitionRules' as const), pipelineId: id(pipelineIds), rules: fc.record({ allowSkip: fc.boolean(), creationStageIds: fc.option(fc.subarray(stageIds, { minLength: 1, maxLength: 2 }), { nil: null }) }) }),
  fc.record({ type: fc.constant('setDefaultPipeline' as const), layoutId: id(layoutIds), pipelineId: id(pipelineIds) }),
  fc.record({
    type: fc.constant('deletePipeline' as const),
    pipelineId: id(pipelineIds),
    transferTo: fc.option(fc.record({ pipelineId: id(pipelineIds) }), { nil: undefined }),
  }).map(dropUndefined),
  fc.record({ type: fc.constant('reorderStages' as const), layoutId: id(layoutIds), stageIds: fc.shuffledSubarray(stageIds, { minLength: 1 }) }),
);

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

describe('workspace reducer properties', () => {
  it('arbWorkspace only builds workspaces that satisfy invariants 1-2', () => {
    fc.assert(
      fc.property(arbWorkspace(), (ws) => {
        expect(checkInvariants(ws, [], { now: 0 })).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('random command sequences keep invariants 1-2, replay to the same workspace, and refusals change nothing', () => {
    fc.assert(
      fc.property(arbWorkspace(), fc.array(arbCommand, { maxLength: 25 }), (start, commands) => {
        let ws: Workspace = start;
        const events: WorkspaceEvent[] = [];
        for (const [i, command] of commands.entries()) {
          const before = JSON.stringify(ws);
          deepFreeze(ws);
          try {
            const r = applyWorkspace(ws, command, { at: i, by: 'admin' });
            if (r.events.length > 0) expect(r.workspace.version).toBe(ws.version + 1);
            else expect(r.workspace).toBe(ws);
            events.push(...r.events);
            ws = r.workspace;
          } catch (e) {
            expect(isPipelineError(e), String(e)).toBe(true);
            expect(JSON.stringify(ws)).toBe(before);
          }
          expect(checkInvariants(ws, [], { now: 0 })).toEqual([]);
        }
        expect(events.reduce(evolveWorkspace, start)).toEqual(ws);
      }),
      { numRuns: 300 },
    );
  });

  it('a refused command leaves the workspace exactly as it was', () => {
    fc.assert(
      fc.property(arbWorkspace(), arbCommand, (ws, command) => {
        const before = structuredClone(ws);
        try {
          applyWorkspace(deepFreeze(ws), command, { at: 0 });
        } catch (e) {
          expect(isPipelineError(e)).toBe(true);
        }
        expect(ws).toEqual(before);
      }),
      { numRuns: 300 },
    );
  });

  it('junk of any shape as a command or ctx yields invalid_input, never another exception', () => {
    fc.assert(
      fc.property(arbWorkspace({ maxLayouts: 1 }), fc.anything(), fc.anything(), (ws, junkCommand, junkCtx) => {
        for (const run of [
          () => applyWorkspace(ws, junkCommand as never, { at: 0 }),
          () => decideWorkspace(ws, { type: 'renameLayout', layoutId: 'L0', name: 'X' }, junkCtx as never),
          () => applyWorkspace(junkCommand as never, { type: 'renameLayout', layoutId: 'L0', name: 'X' }, { at: 0 }),
        ]) {
          try {
            run();
          } catch (e) {
            expect(isPipelineError(e, 'invalid_input'), String(e)).toBe(true);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('replayWorkspace rebuilds any workspace built from commands', () => {
    fc.assert(
      fc.property(fc.array(arbCommand, { maxLength: 15 }), (commands) => {
        const events: WorkspaceEvent[] = [];
        let ws = replayWorkspace([]);
        for (const command of [
          { type: 'addLayout', layoutId: 'L0', name: 'L0', stages: [{ id: 'L0-s0', name: 'a', probability: 10, outcome: 'open', forecastCategory: 'pipeline' }, { id: 'L0-s1', name: 'b', probability: 100, outcome: 'won', forecastCategory: 'closed' }] },
          ...commands,
        ] as WorkspaceCommandInput[]) {
          try {
            const r = applyWorkspace(ws, command, { at: 1 });
            ws = r.workspace;
            events.push(...r.events);
          } catch (e) {
            if (!isPipelineError(e)) throw e;
          }
        }
        expect(replayWorkspace(events)).toEqual(ws);
      }),
      { numRuns: 200 },
    );
  });
});

