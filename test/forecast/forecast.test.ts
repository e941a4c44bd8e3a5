import { describe, expect, it } from 'vitest';
import { backtest, forecast, learnPipeline, type PipelineModel } from '../../src/index.js';
import { deepFreeze, expectPipelineError } from '../helpers/expectError.js';
import { syntheticDeals, syntheticWorkspace } from './synthetic.js';

const DAY = 86_400_000;
const end = Date.parse('2026-07-01T00:00:00Z');
const ws = syntheticWorkspace();
const deals = deepFreeze(syntheticDeals({ start: Date.parse('2024-01-01T00:00:00Z'), end, perWeek: 25, seed: 42 }));
const model = deepFreeze(learnPipeline(ws, deals, { until: end }));
const from = end;
const to = Date.parse('2026-10-01T00:00:00Z');

/** A one-stage model: every deal leaves 'a' after exactly `days`, won with probability `p`. */
function coinModel(p: number, days: number): PipelineModel {
  const next = [
    { pipelineId: 'p', stageId: 'won', outcome: 'won' as const, count: 1, probability: p },
    { pipelineId: 'p', stageId: 'lost', outcome: 'lost' as const, count: 1, probability: 1 - p },
  ];
  return { until: 0, windowMs: DAY, stages: [{ pipelineId: 'p', stageId: 'lead', adminProbability: 20, visits: 2, next, winProbability: p, lossProbability: 1 - p, dwellMs: [days * DAY], closeMs: [] }] };
}

describe('forecast', () => {
  it('gives the same rows for the same seed, and others for another seed', () => {
    const a = forecast(model, deals, { from, to, period: 'month', runs: 300, seed: 7 });
    expect(forecast(model, deals, { from, to, period: 'month', runs: 300, seed: 7 })).toEqual(a);
    expect(forecast(model, deals, { from, to, period: 'month', runs: 300, seed: 8 })).not.toEqual(a);
  });

  it('has one row per calendar period and currency, the band ordered', () => {
    const rows = forecast(model, deals, { from: Date.parse('2026-07-15T00:00:00Z'), to, period: 'month', runs: 200 });
    expect(rows.map((r) => [new Date(r.period.from).toISOString().slice(0, 10), r.currency])).toEqual([
      ['2026-07-15', 'EUR'], ['2026-07-15', 'USD'], ['2026-08-01', 'EUR'], ['2026-08-01', 'USD'], ['2026-09-01', 'EUR'], ['2026-09-01', 'USD'],
    ]);
    for (const r of rows) expect(r.p10 <= r.p50 && r.p50 <= r.p90 && r.expected >= 0).toBe(true);
    const weeks = forecast(model, deals, { from, to: from + 14 * DAY, period: 'week', runs: 50 });
    expect(new Set(weeks.map((r) => r.period.from)).size).toBe(3); // 1 July 2026 is a Wednesday
  });

  it('weighs each deal by its learned odds of winning', () => {
    const deal = { ...deals.find((d) => d.history.length === 1 && d.history[0]!.exitedAt === null && d.history[0]!.enteredAt > end - 5 * DAY)! };
    const one = [{ ...deal, amount: 100, history: deal.history.map((v) => ({ ...v, amount: 100 })) }];
    const sure = forecast(coinModel(1, 10), one, { from, to, period: 'quarter', runs: 100 });
    expect(sure).toEqual([{ period: { from, to }, currency: deal.currency, expected: 100, p10: 100, p50: 100, p90: 100 }]);
    const half = forecast(coinModel(0.5, 10), one, { from, to, period: 'quarter', runs: 4000 })[0]!;
    expect(half.expected).toBeGreaterThan(46);
    expect(half.expected).toBeLessThan(54);
    expect([half.p10, half.p90]).toEqual([0, 100]);
    // A deal that has sat longer than any visit learned from stays where it is.
    expect(forecast(coinModel(1, 1), one, { from, to, period: 'quarter' })[0]!.expected).toBe(0);
  });

  it('has no rows for an empty span', () => {
    expect(forecast(model, deals, { from: from + 5 * DAY, to: from + 5 * DAY, period: 'month' })).toEqual([]);
  });

  it('leaves out deals closed or not yet created at from', () => {
    const early = Date.parse('2025-01-01T00:00:00Z');
    const rows = forecast(model, deals.filter((d) => d.createdAt > early), { from: early, to: early + 30 * DAY, period: 'month' });
    expect(rows).toEqual([]);
  });

  it('refuses malformed options and models naming the path', () => {
    const bad = (o: object) => expectPipelineError(() => forecast(model, deals, { from, to, period: 'month', ...o }), 'invalid_input').details.path;
    expect(bad({ period: 'year' })).toBe('opts.period');
    expect(bad({ seed: -1 })).toBe('opts.seed');
    expect(bad({ runs: 0 })).toBe('opts.runs');
    expect(bad({ to: from - 1 })).toBe('opts.to');
    expect(bad({ timeZone: 'Atlantis/Capital' })).toBe('opts.timeZone');
    const path = expectPipelineError(() => forecast({ ...model, stages: [{ ...model.stages[0]!, dwellMs: [-1] }] }, deals, { from, to, period: 'month' }), 'invalid_input').details.path;
    expect(path).toBe('model.stages[0].dwellMs[0]');
    expectPipelineError(() => forecast(model, deals, { from, to: from + 20_000 * 7 * DAY, period: 'week' }), 'limit_exceeded');
  });
});

describe('backtest', () => {
  const at = Array.from({ length: 13 }, (_, i) => Date.UTC(2025, i, 1));
  const rows = backtest(ws, deals, { at, horizon: 3, period: 'month', runs: 400, seed: 1 });

  it('has a row per instant, period and currency', () => {
    expect(rows).toHaveLength(13 * 3 * 2);
    expect(rows[0]).toMatchObject({ at: at[0], period: { from: at[0], to: Date.UTC(2025, 1, 1) }, currency: 'EUR' });
  });

  it('holds the actual won amount inside the P10–P90 band in 70–90% of periods', () => {
    const covered = rows.filter((r) => r.actual >= r.forecast.p10 && r.actual <= r.forecast.p90).length / rows.length;
    expect(covered).toBeGreaterThanOrEqual(0.7);
    expect(covered).toBeLessThanOrEqual(0.9);
  });

  it('misses by less than the weighted pipeline does', () => {
    const mae = (f: (r: (typeof rows)[number]) => number) => rows.reduce((s, r) => s + Math.abs(f(r) - r.actual), 0) / rows.length;
    expect(mae((r) => r.forecast.expected)).toBeLessThan(mae((r) => r.weighted));
  });

  it('counts as actual only what the deals open at `at` won in the period', () => {
    const first = at[0]!;
    const open = deals.filter((d) => d.history.some((v) => v.outcome === 'open' && v.enteredAt <= first && (v.exitedAt === null || v.exitedAt > first)));
    const wonIn = (c: string) =>
      open
        .filter((d) => d.currency === c)
        .flatMap((d) => d.history.filter((v) => v.outcome === 'won' && v.enteredAt > first && v.enteredAt < Date.UTC(2025, 1, 1)).map((v) => v.amount ?? 0))
        .reduce((a, b) => a + b, 0);
    expect(rows[0]!.actual).toBe(wonIn('EUR'));
    expect(rows[1]!.actual).toBe(wonIn('USD'));
  });

  it('refuses malformed options naming the path', () => {
    expect(expectPipelineError(() => backtest(ws, deals, { at: [], horizon: 3, period: 'month' }), 'invalid_input').details.path).toBe('opts.at');
    expect(expectPipelineError(() => backtest(ws, deals, { at: [from], horizon: 0, period: 'month' }), 'invalid_input').details.path).toBe('opts.horizon');
  });
});
