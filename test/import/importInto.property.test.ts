import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyDeal, createMemoryRepositories, createPipelineService, isPipelineError, type Deal, type Workspace } from '../../src/index.js';
import { importInto, type ImportResult } from '../../src/import.js';
import { arbScenario, stepCommand, type ScenarioStep } from '../../src/testing.js';
import { allDeals } from '../service/helpers.js';

const HOUR = 3_600_000;

const arbStep: fc.Arbitrary<ScenarioStep> = fc.record({
  kind: fc.constantFrom<ScenarioStep['kind']>('create', 'moveToStage', 'moveToPipeline', 'closeWon', 'closeLost', 'reopen', 'update'),
  deal: fc.nat(),
  target: fc.nat(),
  days: fc.integer({ min: 0, max: 5 }),
  bypass: fc.boolean(),
  amount: fc.option(fc.integer({ min: 0, max: 500_000 }), { nil: null }),
  reason: fc.boolean(),
});

/** The vendor's deals after more commands (new deals among them), each an hour after the one before. */
function laterAtVendor(ws: Workspace, deals: readonly Deal[], steps: readonly ScenarioStep[], from: number): Deal[] {
  const out = [...deals];
  let at = from;
  steps.forEach((step, i) => {
    at += HOUR;
    const index = step.deal % Math.max(1, out.length);
    const deal = step.kind === 'create' ? null : (out[index] ?? null);
    try {
      const next = applyDeal(ws, deal, stepCommand(ws, deal, step, `vendor-new-${i}`), { at, by: 'vendor' }).deal;
      if (deal === null) out.push(next);
      else out[index] = next;
    } catch (e) {
      if (!isPipelineError(e)) throw e;
    }
  });
  return out;
}

/** What a deal holds apart from its bookkeeping (version, updatedAt), by id. */
const data = (deals: readonly Deal[]) => Object.fromEntries(deals.map(({ version: _v, updatedAt: _u, ...rest }) => [rest.id, rest]));

const serviceAt = (now: number) => createPipelineService({ ...createMemoryRepositories(), clock: () => now });

describe('importInto (properties)', () => {
  it('re-importing an unchanged result reports every deal unchanged and stores nothing new', async () => {
    await fc.assert(
      fc.asyncProperty(arbScenario({ maxDeals: 6, maxSteps: 20 }), async ({ workspace, deals, now }) => {
        const repos = createMemoryRepositories();
        const service = createPipelineService({ ...repos, clock: () => now });
        const result: ImportResult = { workspace, deals, warnings: [] };
        const first = await importInto(service, result, { mode: 'upsert' });
        expect(first.refused).toEqual([]);
        expect(first.created).toHaveLength(deals.length);
        const stored = await allDeals(repos);
        const again = await importInto(service, result, { mode: 'upsert', chunkSize: 2 });
        expect(again).toEqual({ created: [], updated: [], unchanged: deals.map((d) => d.id), refused: [] });
        expect(await allDeals(repos)).toEqual(stored);
      }),
      { numRuns: 40 },
    );
  });

  it('upserting the vendor\'s later result over an earlier import stores what a fresh create of it stores, in visits and fields', async () => {
    await fc.assert(
      fc.asyncProperty(arbScenario({ maxDeals: 6, maxSteps: 20 }), fc.array(arbStep, { maxLength: 12 }), async ({ workspace, deals, now }, steps) => {
        const later = laterAtVendor(workspace, deals, steps, now);
        const end = now + (steps.length + 1) * HOUR;
        const synced = serviceAt(end);
        await importInto(synced, { workspace, deals, warnings: [] }, { mode: 'create' });
        const report = await importInto(synced, { workspace, deals: later, warnings: [] }, { mode: 'upsert' });
        expect(report.refused).toEqual([]);
        const changed = new Set(later.filter((d, i) => d !== deals[i]).map((d) => d.id));
        expect([...report.created, ...report.updated].sort()).toEqual([...changed].sort());
        const fresh = serviceAt(end);
        await importInto(fresh, { workspace, deals: later, warnings: [] }, { mode: 'create' });
        const read = async (s: typeof fresh) => data(await Promise.all(later.map(async (d) => (await s.getDeal(d.id))!)));
        expect(await read(synced)).toEqual(await read(fresh));
      }),
      { numRuns: 40 },
    );
  });
});
