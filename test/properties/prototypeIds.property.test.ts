import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as api from '../../src/index.js';
import type { Deal, Workspace, WorkspaceCommandInput } from '../../src/index.js';
import { arbScenario, checkInvariants } from '../../src/testing.js';

// Every name Object.prototype has that the library does not refuse, used as layout, stage,
// pipeline, deal and field ids: nothing may read a host id as a property of a plain object.

const REFUSED = new Set(['__proto__', 'constructor', 'prototype']);
const NAMES = Object.getOwnPropertyNames(Object.prototype).filter((n) => !REFUSED.has(n));

function prototypeSnapshot(): unknown[] {
  return Object.getOwnPropertyNames(Object.prototype).map((n) => Object.getOwnPropertyDescriptor(Object.prototype, n));
}

function onlyPipelineErrors<T>(run: () => T): T | undefined {
  try {
    return run();
  } catch (e) {
    expect(api.isPipelineError(e), `${(e as Error)?.name}: ${(e as Error)?.message}`).toBe(true);
    return undefined;
  }
}

/** Workspace commands over the scenario's own ids, including transition graphs and transfers. */
function workspaceCommands(ws: Workspace, pick: number): WorkspaceCommandInput[] {
  const out: WorkspaceCommandInput[] = [];
  for (const layout of ws.layouts) {
    const stageIds = layout.stages.map((s) => s.id);
    const a = stageIds[pick % stageIds.length]!;
    const b = stageIds[(pick + 1) % stageIds.length]!;
    out.push({ type: 'renameLayout', layoutId: layout.id, name: 'Renamed' });
    out.push({ type: 'updateStage', layoutId: layout.id, stageId: a, patch: { name: 'Renamed stage', probability: 33 } });
    out.push({ type: 'reorderStages', layoutId: layout.id, stageIds: [...stageIds].reverse() });
    for (const p of layout.pipelines) {
      const ids = p.stages.map((s) => s.stageId);
      const allowed = Object.fromEntries(ids.map((id, i) => [id, [ids[(i + 1) % ids.length]!]]));
      out.push({ type: 'setTransitionRules', pipelineId: p.id, rules: { allowed, creationStageIds: [ids[0]!] } });
      out.push({ type: 'setPipelineStages', pipelineId: p.id, stages: [...ids].reverse() });
    }
    out.push({ type: 'removeStage', layoutId: layout.id, stageId: a, replacementStageId: b });
    const [first, second] = layout.pipelines.filter((p) => p.id !== layout.defaultPipelineId && !p.standard);
    const target = layout.pipelines.find((p) => p.id === layout.defaultPipelineId);
    if (first && target) out.push({ type: 'deletePipeline', pipelineId: first.id, transferTo: { pipelineId: target.id, stageMap: api.suggestStageMap(ws, first.id, target.id) } });
    if (second) out.push({ type: 'setDefaultPipeline', layoutId: layout.id, pipelineId: second.id });
  }
  return out;
}

function runMetrics(ws: Workspace, deals: Deal[], now: number): void {
  onlyPipelineErrors(() => api.weightedPipeline(ws, deals));
  onlyPipelineErrors(() => api.dwellStats(deals, { now, includeOpen: true }));
  onlyPipelineErrors(() => api.stalledDeals(ws, deals, { now }));
  onlyPipelineErrors(() => api.movementStats(ws, deals, { from: 0, to: now + 1 }));
  onlyPipelineErrors(() => api.salesCycle(deals, { from: 0, to: now + 1 }));
  for (const deal of deals) {
    onlyPipelineErrors(() => api.timeInStages(deal, { now }));
    onlyPipelineErrors(() => api.stageAt(deal, now));
  }
  for (const p of ws.layouts.flatMap((l) => l.pipelines)) onlyPipelineErrors(() => api.conversionFunnel(ws, deals, { pipelineId: p.id }));
}

describe('ids named like Object.prototype members', () => {
  it('the names under test include toString, valueOf and hasOwnProperty', () => {
    expect(NAMES).toEqual(expect.arrayContaining(['toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', '__defineGetter__']));
  });

  it('run through every command, bulk plan and metric with invariants held and only PipelineErrors thrown', () => {
    const before = prototypeSnapshot();
    fc.assert(
      fc.property(arbScenario({ idPool: NAMES, maxDeals: NAMES.length, maxSteps: 20, maxStages: 6, maxPipelines: 3 }), fc.nat(), ({ workspace, deals, now }, pick) => {
        expect(workspace.layouts.length).toBeGreaterThan(0);
        expect(checkInvariants(workspace, deals, { now })).toEqual([]);
        // Workspace commands, one after another.
        let ws = workspace;
        for (const command of workspaceCommands(workspace, pick)) {
          const next = onlyPipelineErrors(() => api.applyWorkspace(ws, command, { at: now }).workspace);
          if (next) {
            expect(checkInvariants(next, [], { now })).toEqual([]);
            ws = next;
          }
        }
        // Transition checks and bulk plans over every pipeline.
        const pipelines = workspace.layouts.flatMap((l) => l.pipelines);
        for (const deal of deals) {
          onlyPipelineErrors(() => api.allowedStages(workspace, deal));
          for (const p of pipelines) for (const s of p.stages) onlyPipelineErrors(() => api.checkTransition(workspace, deal, { pipelineId: p.id, stageId: s.stageId }));
        }
        for (const p of pipelines) {
          for (const q of pipelines) {
            const stageMap = onlyPipelineErrors(() => api.suggestStageMap(workspace, p.id, q.id));
            const plan = onlyPipelineErrors(() => api.planBulkUpdate(workspace, deals, { type: 'moveToPipeline', pipelineId: q.id, ...(stageMap ? { stageMap } : {}) }, { at: now, mode: 'bestEffort' }));
            if (plan) {
              const after = deals.map((d) => plan.updated.find((u) => u.deal.id === d.id)?.deal ?? d);
              expect(checkInvariants(workspace, after, { now })).toEqual([]);
              runMetrics(workspace, after, now);
            }
          }
          for (const s of p.stages) onlyPipelineErrors(() => api.planBulkUpdate(workspace, deals, { type: 'moveToStage', stageId: s.stageId, lostReason: 'Price' }, { at: now, mode: 'atomic' }));
        }
        runMetrics(workspace, deals, now);
        // Every open deal is counted under its own stage, pipeline and forecast category.
        const weighted = api.weightedPipeline(workspace, deals);
        for (const totals of Object.values(weighted)) {
          for (const by of [totals.byStage, totals.byPipeline, totals.byForecastCategory]) {
            expect(Object.values(by).reduce((n, t) => n + t.count, 0)).toBe(totals.count);
          }
        }
      }),
      { numRuns: 40 },
    );
    expect(prototypeSnapshot()).toEqual(before);
  }, 60_000);
});
