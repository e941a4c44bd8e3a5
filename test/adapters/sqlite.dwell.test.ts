import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dwellStats, type Deal, type StageDwellStats } from '../../src/index.js';
import { byKey, summarise } from '../../src/metrics/dwellStats.js';
import { createSqliteRepositories, migrateSqlite, type SqliteDwellQuery } from '../../src/sqlite.js';

const T = Date.parse('2026-01-01T00:00:00Z');
const H = 3_600_000;

/** Deals whose visits enter and leave on random hours (some open), in two pipelines and none. */
const arbDeals = fc.array(
  fc.record({
    pipelineId: fc.constantFrom('p1', 'p2', null),
    steps: fc.array(fc.record({ stageId: fc.constantFrom('a', 'b', 'c'), hours: fc.integer({ min: 0, max: 400 }) }), { minLength: 1, maxLength: 5 }),
    open: fc.boolean(),
  }),
  { maxLength: 25 },
).map((specs) =>
  specs.map((s, i): Deal => {
    let at = T;
    const history = s.steps.map((step, k) => {
      const enteredAt = at;
      at += step.hours * H + k;
      const last = k === s.steps.length - 1;
      return {
        pipelineId: s.pipelineId, stageId: step.stageId, enteredAt, exitedAt: last && s.open ? null : at, amount: null, probability: 10,
        expectedRevenue: null, closingDate: null, forecastCategory: 'pipeline' as const, outcome: 'open' as const, by: null, bypassedRules: false,
      };
    });
    const last = history.at(-1)!;
    return {
      id: `d${i}`, layoutId: 'l', pipelineId: s.pipelineId, stageId: last.stageId, name: `D${i}`, amount: null, currency: null, probability: 10,
      closingDate: null, ownerId: null, lostReason: null, fields: {}, createdAt: T, updatedAt: at, version: 1, history,
    };
  }),
);

/** The period semantics in JS: completed visits that exited in [from, to); with includeOpen, visits open at min(now, to), measured to it. */
function reference(deals: readonly Deal[], q: SqliteDwellQuery): StageDwellStats[] {
  const periodic = q.from !== undefined || q.to !== undefined;
  const at = q.to === undefined ? q.now : Math.min(q.now, q.to);
  const groups = new Map<string, { p: string | null; s: string; ms: number[] }>();
  for (const deal of deals) {
    for (const v of deal.history) {
      if (q.pipelineId !== undefined && v.pipelineId !== q.pipelineId) continue;
      const open = q.includeOpen === true && (periodic ? v.enteredAt <= at && (v.exitedAt === null || v.exitedAt >= at) : v.exitedAt === null);
      const completed = v.exitedAt !== null && (q.from === undefined || v.exitedAt >= q.from) && (q.to === undefined || v.exitedAt < q.to);
      if (!open && !completed) continue;
      const end = open ? (periodic ? at : q.now) : v.exitedAt!;
      const key = JSON.stringify([v.pipelineId, v.stageId]);
      const g = groups.get(key) ?? { p: v.pipelineId, s: v.stageId, ms: [] };
      g.ms.push(Math.max(0, end - v.enteredAt));
      groups.set(key, g);
    }
  }
  return [...groups.values()].map((g) => summarise(g.p, g.s, g.ms)).sort(byKey);
}

async function stored(deals: readonly Deal[]) {
  const db = new Database(':memory:');
  migrateSqlite(db);
  const repos = createSqliteRepositories(db);
  if (deals.length > 0) await repos.deals.save(deals.map((deal) => ({ deal, expectedVersion: null })));
  return { db, repos };
}

const arbQuery = fc.record(
  {
    now: fc.integer({ min: 0, max: 2000 }).map((h) => T + h * H),
    pipelineId: fc.constantFrom('p1', 'p2'),
    includeOpen: fc.boolean(),
    from: fc.integer({ min: 0, max: 1500 }).map((h) => T + h * H),
    to: fc.integer({ min: 0, max: 1500 }).map((h) => T + h * H + 1500 * H),
  },
  { requiredKeys: ['now'] },
);

describe('visits.dwell (sqlite) over a period', () => {
  it('counts what the period semantics count, per pipeline, with and without open visits, to the last digit', async () => {
    await fc.assert(
      fc.asyncProperty(arbDeals, fc.array(arbQuery, { minLength: 1, maxLength: 5 }), async (deals, queries) => {
        const { db, repos } = await stored(deals);
        try {
          for (const q of queries) {
            expect(await repos.visits.dwell(q)).toEqual(reference(deals, q));
            // Without a period it is dwellStats.
            const { from: _f, to: _t, ...plain } = q;
            expect(await repos.visits.dwell(plain)).toEqual(dwellStats(deals, plain));
          }
        } finally {
          db.close();
        }
      }),
      { numRuns: 60 },
    );
  });

  it('counts a visit that exited at `to` as open at `to`, one that exited at `from` as completed in the period', async () => {
    const [deal] = fc.sample(arbDeals.filter((d) => d.length > 0), { numRuns: 1, seed: 7 })[0]!;
    const v = { ...deal!.history[0]!, stageId: 'a', pipelineId: 'p1', enteredAt: T, exitedAt: T + 10 * H };
    const d: Deal = { ...deal!, pipelineId: 'p1', stageId: 'a', history: [v] };
    const { db, repos } = await stored([d]);
    const row = (visits: number, ms: number) => [{ pipelineId: 'p1', stageId: 'a', visits, meanMs: ms, medianMs: ms, p90Ms: ms, maxMs: ms }];
    expect(await repos.visits.dwell({ now: T + 100 * H, from: T + 10 * H, to: T + 20 * H })).toEqual(row(1, 10 * H));
    expect(await repos.visits.dwell({ now: T + 100 * H, from: T, to: T + 10 * H })).toEqual([]);
    expect(await repos.visits.dwell({ now: T + 100 * H, from: T, to: T + 10 * H, includeOpen: true })).toEqual(row(1, 10 * H));
    expect(await repos.visits.dwell({ now: T + 4 * H, from: T, to: T + 10 * H, includeOpen: true })).toEqual(row(1, 4 * H));
    db.close();
  });

  it('refuses malformed bounds with invalid_input naming the field', async () => {
    const { db, repos } = await stored([]);
    await expect(repos.visits.dwell({ now: T, from: 'monday' as never })).rejects.toMatchObject({ code: 'invalid_input', details: { path: 'query.from' } });
    await expect(repos.visits.dwell({ now: T, to: 1.5 })).rejects.toMatchObject({ code: 'invalid_input', details: { path: 'query.to' } });
    await expect(repos.visits.dwell({ now: T, from: T + 1, to: T })).rejects.toMatchObject({ code: 'invalid_input', details: { path: 'query.to' } });
    db.close();
  });
});
