import { describe, expect, it } from 'vitest';
import { learnPipeline, type Deal, type StageModel } from '../../src/index.js';
import { deepFreeze, expectPipelineError } from '../helpers/expectError.js';
import { syntheticDeals, syntheticWorkspace, TRUE_WIN, TRUTH, type OpenStage } from './synthetic.js';

const DAY = 86_400_000;
const end = Date.parse('2026-07-01T00:00:00Z');
const ws = syntheticWorkspace();
const deals = deepFreeze(syntheticDeals({ start: Date.parse('2024-01-01T00:00:00Z'), end, perWeek: 25, seed: 42 }));

const stage = (model: { stages: readonly StageModel[] }, id: string) => model.stages.find((s) => s.stageId === id)!;

/** The deals as they were recorded at `t`: later visits not yet there, the visit then open. */
function asOf(all: readonly Deal[], t: number): Deal[] {
  return all
    .filter((d) => d.createdAt <= t)
    .map((d) => {
      const history = d.history.filter((v) => v.enteredAt <= t).map((v) => (v.exitedAt !== null && v.exitedAt > t ? { ...v, exitedAt: null } : v));
      const last = history[history.length - 1]!;
      return { ...d, stageId: last.stageId, probability: last.probability, updatedAt: last.enteredAt, version: history.length, history };
    });
}

describe('learnPipeline', () => {
  const model = learnPipeline(ws, deals, { until: end, window: 900 });

  it('recovers the true move probabilities within sampling error', () => {
    for (const id of Object.keys(TRUTH) as OpenStage[]) {
      const s = stage(model, id);
      expect(s.visits).toBeGreaterThan(500);
      for (const [to, p] of Object.entries(TRUTH[id].next)) {
        const learned = s.next.find((n) => n.stageId === to)!.probability;
        const se = Math.sqrt((p * (1 - p)) / s.visits);
        expect(Math.abs(learned - p), `${id} → ${to}`).toBeLessThan(4 * se);
      }
    }
  });

  it('recovers the true dwell times and the chance of winning, not the admin\'s', () => {
    for (const id of Object.keys(TRUTH) as OpenStage[]) {
      const s = stage(model, id);
      const mean = s.dwellMs.reduce((a, b) => a + b, 0) / s.visits / DAY;
      // Gamma with shape 2: the standard deviation is the mean over √2.
      expect(Math.abs(mean - TRUTH[id].meanDays)).toBeLessThan((4 * TRUTH[id].meanDays) / Math.SQRT2 / Math.sqrt(s.visits));
      expect(Math.abs(s.winProbability - TRUE_WIN[id])).toBeLessThan(0.03);
      expect(Math.abs(s.winProbability + s.lossProbability - 1)).toBeLessThan(1e-9);
      expect(Math.abs(s.adminProbability! / 100 - s.winProbability)).toBeGreaterThan(0.05);
    }
    expect(stage(model, 'lead').closeMs.length).toBeGreaterThan(0);
  });

  it('reads nothing recorded after until', () => {
    const until = Date.parse('2025-06-15T00:00:00Z');
    expect(learnPipeline(ws, deals, { until, window: 200 })).toEqual(learnPipeline(ws, asOf(deals, until), { until, window: 200 }));
  });

  it('learns only from moves inside the window', () => {
    const narrow = learnPipeline(ws, deals, { until: end, window: 30 });
    expect(stage(narrow, 'lead').visits).toBeLessThan(stage(model, 'lead').visits / 10);
    expect(learnPipeline(ws, deals, { until: Date.parse('2023-01-01T00:00:00Z') }).stages).toEqual([]);
  });

  it('refuses malformed options naming the path', () => {
    expect(expectPipelineError(() => learnPipeline(ws, deals, { until: 'soon' }), 'invalid_input').details.path).toBe('opts.until');
    expect(expectPipelineError(() => learnPipeline(ws, deals, { until: end, window: -1 }), 'invalid_input').details.path).toBe('opts.window');
    expectPipelineError(() => learnPipeline(ws, [{ id: 'x' } as unknown as Deal], { until: end }), 'invalid_input');
  });
});
