import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyDeal, applyWorkspace, checkTransition, decideDeal, evolveDeal, isPipelineError, type Deal, type Workspace } from '../../src/index.js';
import { arbScenario } from '../../src/testing.js';

// Allowed moves take a shorter path (one step from command to moved deal, rule verdicts
// remembered per pipeline); its answers must be those of the general path, move for move.

/** A copy of the workspace: a new object, so its rule verdicts are judged afresh. */
const fresh = (ws: Workspace): Workspace => structuredClone(ws);

/**
 * The scenario's workspace, or with an allowed-transitions graph on one pipeline drawn from the
 * pairs `edges` picks (the graph rule is judged with the other rules of a pair).
 */
function withGraph(ws: Workspace, graph: { pipeline: number; edges: [number, number][] } | null): Workspace {
  const pipelines = ws.layouts.flatMap((l) => l.pipelines);
  const pipeline = graph && pipelines[graph.pipeline % Math.max(1, pipelines.length)];
  if (!graph || !pipeline) return ws;
  const ids = pipeline.stages.map((s) => s.stageId);
  const allowed: Record<string, string[]> = {};
  for (const [a, b] of graph.edges) (allowed[ids[a % ids.length]!] ??= []).push(ids[b % ids.length]!);
  return applyWorkspace(ws, { type: 'setTransitionRules', pipelineId: pipeline.id, rules: { allowed } }, { at: 0 }).workspace;
}

const arbGraph = fc.option(fc.record({ pipeline: fc.nat(), edges: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 12 }) }), { nil: null });

function stageIdsOf(ws: Workspace, deal: Deal): string[] {
  const layout = ws.layouts.find((l) => l.id === deal.layoutId)!;
  const pipeline = layout.pipelines.find((p) => p.id === deal.pipelineId);
  return pipeline ? pipeline.stages.map((x) => x.stageId) : layout.stages.map((x) => x.id);
}

const DEAL_PROPERTIES = ['amount', 'currency', 'closingDate', 'ownerId', 'name', 'lostReason'];

/**
 * The codes of the rules a move of `deal` to `stageId` of its own pipeline breaks, read from the
 * rules as documented: reopen, order (skip, backward), the allowed-transitions graph, required
 * fields, the lost reason. Written out independently of the library, as the reference.
 */
function expectedCodes(ws: Workspace, deal: Deal, stageId: string, lostReason: string | undefined): string[] {
  const layout = ws.layouts.find((l) => l.id === deal.layoutId)!;
  const pipeline = layout.pipelines.find((p) => p.id === deal.pipelineId);
  const entries = pipeline ? pipeline.stages : layout.stages.map((x) => ({ stageId: x.id }));
  const outcome = (id: string) => layout.stages.find((x) => x.id === id)!.outcome;
  const open = entries.filter((e) => outcome(e.stageId) === 'open').map((e) => e.stageId);
  const rules = pipeline?.rules ?? { allowSkip: true, allowBackward: true, allowReopen: true, requireLostReason: false };
  if (stageId === deal.stageId) return [];
  const codes: string[] = [];
  const from = outcome(deal.stageId);
  const to = outcome(stageId);
  if (from !== 'open' && !rules.allowReopen) codes.push('reopen_not_allowed');
  if (from === 'open' && to === 'won' && !rules.allowSkip && open.indexOf(deal.stageId) !== open.length - 1) codes.push('skip_not_allowed');
  if (from === 'open' && to === 'open') {
    const step = open.indexOf(stageId) - open.indexOf(deal.stageId);
    if (step > 1 && !rules.allowSkip) codes.push('skip_not_allowed');
    else if (step < 0 && !rules.allowBackward) codes.push('backward_not_allowed');
  }
  const graph = (rules as { allowed?: Record<string, string[]> }).allowed;
  if (graph && !(Object.hasOwn(graph, deal.stageId) && graph[deal.stageId]!.includes(stageId))) codes.push('transition_not_in_graph');
  const required = (entries.find((e) => e.stageId === stageId) as { requiredFields?: string[] }).requiredFields ?? [];
  const value = (f: string) => (DEAL_PROPERTIES.includes(f) ? (deal as unknown as Record<string, unknown>)[f] : Object.hasOwn(deal.fields, f) ? deal.fields[f] : undefined);
  if (required.some((f) => value(f) === null || value(f) === undefined || value(f) === '')) codes.push('required_fields_missing');
  if (to === 'lost' && rules.requireLostReason && (lostReason ?? deal.lostReason) === null) codes.push('lost_reason_required');
  return codes;
}

function outcomeOf<T>(f: () => T): { value: T } | { code: string; message: string } {
  try {
    return { value: f() };
  } catch (e) {
    expect(isPipelineError(e), String(e)).toBe(true);
    return { code: (e as { code: string }).code, message: (e as Error).message };
  }
}

describe('remembered rule verdicts and the one-step move', () => {
  it('checkTransition breaks exactly the documented rules, and answers the same on a workspace asked many times and on a fresh copy', () => {
    fc.assert(
      fc.property(arbScenario({ maxDeals: 4 }), arbGraph, fc.array(fc.tuple(fc.nat(), fc.nat(), fc.boolean()), { minLength: 1, maxLength: 12 }), (scenario, graph, asks) => {
        const s = { ...scenario, workspace: withGraph(scenario.workspace, graph) };
        for (const [pick, target, reason] of asks) {
          const deal = s.deals[pick % Math.max(1, s.deals.length)];
          if (!deal) return;
          const stageIds = stageIdsOf(s.workspace, deal);
          const stageId = stageIds[target % stageIds.length]!;
          const t = reason ? { stageId, lostReason: 'Price' } : { stageId };
          const answer = checkTransition(s.workspace, deal, t);
          expect(answer).toEqual(checkTransition(fresh(s.workspace), deal, t));
          expect(answer.violations.map((v) => v.code)).toEqual(expectedCodes(s.workspace, deal, stageId, t.lostReason));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('applyDeal(moveToStage) returns what decideDeal then evolveDeal return, or the same refusal', () => {
    fc.assert(
      fc.property(arbScenario({ maxDeals: 4 }), arbGraph, fc.nat(), fc.nat(), fc.boolean(), fc.integer({ min: -1, max: 5 }), (scenario, graph, pick, target, bypass, hours) => {
        const s = { ...scenario, workspace: withGraph(scenario.workspace, graph) };
        const deal = s.deals[pick % Math.max(1, s.deals.length)];
        if (!deal) return;
        const stageIds = stageIdsOf(s.workspace, deal);
        const stageId = stageIds[target % stageIds.length]!;
        const command = { type: 'moveToStage', stageId, ...(bypass ? { bypassRules: true } : {}) } as const;
        const ctx = { at: deal.updatedAt + hours * 3_600_000, by: 'rep' };
        const fast = outcomeOf(() => applyDeal(s.workspace, deal, command, ctx));
        const general = outcomeOf(() => {
          const events = decideDeal(fresh(s.workspace), deal, command, ctx);
          return { deal: events.reduce<Deal>((d, e) => evolveDeal(d, e), deal), events };
        });
        expect(fast).toEqual(general);
      }),
      { numRuns: 300 },
    );
  });

  it('a verdict handed out cannot be changed to alter later answers', () => {
    fc.assert(
      fc.property(arbScenario({ maxDeals: 3 }), fc.nat(), fc.nat(), (s, pick, target) => {
        const deal = s.deals[pick % Math.max(1, s.deals.length)];
        if (!deal) return;
        const stageIds = stageIdsOf(s.workspace, deal);
        const stageId = stageIds[target % stageIds.length]!;
        const first = checkTransition(s.workspace, deal, { stageId });
        const expected = structuredClone(first);
        first.violations.length = 0;
        first.violations.push({ code: 'not_closed', message: 'changed by the host' });
        expect(checkTransition(s.workspace, deal, { stageId })).toEqual(expected);
      }),
      { numRuns: 100 },
    );
  });
});
