import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyDeal, createPipelineService, dwellStats, type Deal, type StageVisit, type Workspace } from '../../src/index.js';
import { createPostgresRepositories, type PostgresQueryable } from '../../src/postgres.js';
import { dealerWorkspace } from '../../examples/dealership.js';
import { freshTenant, pgliteDatabase, serverDatabase, SERVER_URL } from './postgresDatabases.js';

const T = Date.parse('2026-01-05T09:00:00Z');
const ws: Workspace = dealerWorkspace();
const template = applyDeal(ws, null, { type: 'createDeal', deal: { id: 'template', layoutId: 'sales', name: 'Template' } }, { at: T }).deal;

type Step = { pipeline: number; stage: number; enteredAt: number; length: number | null };
const pipelines = ['new-cars', 'used-cars', null] as const;
const stages = ['quote', 'test-drive', 'won'] as const;

/** A deal whose history is exactly these visits (the adapter stores any well-typed history). */
function dealOf(id: string, steps: readonly Step[]): Deal {
  const history: StageVisit[] = steps.map((s, i) => ({
    ...template.history[0]!,
    pipelineId: pipelines[s.pipeline]!,
    stageId: stages[s.stage]!,
    enteredAt: s.enteredAt,
    exitedAt: s.length === null && i === steps.length - 1 ? null : s.enteredAt + (s.length ?? 0),
  }));
  const last = history[history.length - 1]!;
  return { ...template, id, pipelineId: last.pipelineId, stageId: last.stageId, history };
}

const step = (instant: fc.Arbitrary<number>, length: fc.Arbitrary<number>): fc.Arbitrary<Step> =>
  fc.record({ pipeline: fc.integer({ min: 0, max: 2 }), stage: fc.integer({ min: 0, max: 2 }), enteredAt: instant, length: fc.option(length, { nil: null }) });

// Durations of a few hours, equal ones, negative ones (counted as 0), and huge ones whose sum passes 2^53.
const ordinary = step(fc.integer({ min: T, max: T + 10 * 86_400_000 }), fc.oneof(fc.constantFrom(0, 3_600_000), fc.integer({ min: -86_400_000, max: 5 * 86_400_000 })));
const huge = step(fc.integer({ min: 0, max: 1e15 }), fc.integer({ min: 1e15, max: 3e15 }));

function suite(name: string, db: () => Promise<PostgresQueryable>) {
  describe(`visits.dwell on ${name}`, () => {
    it('gives the rows of dwellStats over the same deals for any histories, options and now', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.array(fc.oneof({ weight: 9, arbitrary: ordinary }, { weight: 1, arbitrary: huge }), { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 12 }),
          fc.record({ includeOpen: fc.option(fc.boolean(), { nil: undefined }), pipelineId: fc.option(fc.constantFrom('new-cars', 'used-cars', 'other'), { nil: undefined }) }),
          fc.integer({ min: T, max: 4e15 }),
          async (histories, options, now) => {
            const repos = createPostgresRepositories(await db(), { tenantId: freshTenant('dwell') });
            const deals = histories.map((steps, i) => dealOf(`d${i}`, steps));
            await repos.deals.save(deals.map((deal) => ({ deal, expectedVersion: null })));
            const opts = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as { includeOpen?: boolean; pipelineId?: string };
            expect(await repos.visits.dwell({ now, ...opts })).toEqual(dwellStats(deals, { now, ...opts }));
          },
        ),
        { numRuns: 40 },
      );
    });

    it('gives the mean dwellStats gives when the durations of a stage add up past 2^53', async () => {
      const repos = createPostgresRepositories(await db(), { tenantId: freshTenant('dwell') });
      // Summed in sorted order as doubles these give 3e16; their exact sum is 3e16 + 4.
      const lengths = [1, 1, 1e16, 1e16, 1e16 + 2];
      const deals = lengths.map((length, i) => dealOf(`d${i}`, [{ pipeline: 0, stage: 0, enteredAt: -5e15, length }, { pipeline: 0, stage: 1, enteredAt: 5e15 + 2, length: null }]));
      await repos.deals.save(deals.map((deal) => ({ deal, expectedVersion: null })));
      const rows = await repos.visits.dwell({ now: 8e15 });
      expect(rows).toEqual(dwellStats(deals, { now: 8e15 }));
      expect(rows[0]!.meanMs).toBe(3e16 / 5);
    });

    it('answers service.dwellStats in SQL, and counts visits in Node when business days are asked', async () => {
      const repos = createPostgresRepositories(await db(), { tenantId: freshTenant('dwell') });
      const asked: string[] = [];
      const visits = { list: (q: Parameters<typeof repos.visits.list>[0]) => (asked.push('list'), repos.visits.list(q)), dwell: (q: Parameters<typeof repos.visits.dwell>[0]) => (asked.push('dwell'), repos.visits.dwell(q)) };
      const service = createPipelineService({ ...repos, visits, clock: () => T + 40 * 86_400_000 });
      await repos.workspace.save(ws, 0);
      const deals = [dealOf('a', [{ pipeline: 0, stage: 0, enteredAt: T, length: 3_600_000 }, { pipeline: 0, stage: 1, enteredAt: T + 3_600_000, length: null }])];
      await repos.deals.save(deals.map((deal) => ({ deal, expectedVersion: null })));
      expect(await service.dwellStats({ includeOpen: true })).toEqual(dwellStats(deals, { now: T + 40 * 86_400_000, includeOpen: true }));
      expect(asked).toEqual(['dwell']);
      expect(await service.dwellStats({ businessDays: true })).toEqual(dwellStats(deals, { now: T + 40 * 86_400_000, businessDays: true }));
      expect(asked).toEqual(['dwell', 'list']);
    });

    it('refuses a malformed query with invalid_input naming the field', async () => {
      const repos = createPostgresRepositories(await db(), { tenantId: freshTenant('dwell') });
      await expect(repos.visits.dwell(null as never)).rejects.toMatchObject({ code: 'invalid_input', details: { path: 'query' } });
      await expect(repos.visits.dwell({ now: 1.5 })).rejects.toMatchObject({ code: 'invalid_input', details: { path: 'query.now' } });
      await expect(repos.visits.dwell({ now: T, pipelineId: 7 as never })).rejects.toMatchObject({ code: 'invalid_input', details: { path: 'query.pipelineId' } });
      await expect(repos.visits.dwell({ now: T, includeOpen: 'yes' as never })).rejects.toMatchObject({ code: 'invalid_input', details: { path: 'query.includeOpen' } });
    });
  });
}

suite('PGlite', pgliteDatabase());
describe.runIf(SERVER_URL)('server', () => suite('the PostgreSQL server', serverDatabase(SERVER_URL ?? '')));
