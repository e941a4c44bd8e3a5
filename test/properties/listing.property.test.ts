import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyDeal, applyWorkspace, checkDealQuery, createMemoryRepositories, emptyWorkspace, pageOfDeals, type Deal, type DealQuery, type StageDef, type WorkspaceCommandInput } from '../../src/index.js';
import { everyPage } from '../helpers/paging.js';

const T = Date.UTC(2026, 0, 5);
const DAY = 86_400_000;
const stages: StageDef[] = [
  { id: 'new', name: 'New', probability: 10, outcome: 'open', forecastCategory: 'pipeline' },
  { id: 'quote', name: 'Quote', probability: 60, outcome: 'open', forecastCategory: 'best_case' },
  { id: 'won', name: 'Won', probability: 100, outcome: 'won', forecastCategory: 'closed' },
  { id: 'lost', name: 'Lost', probability: 0, outcome: 'lost', forecastCategory: 'omitted' },
];
let ws = emptyWorkspace();
for (const command of [
  { type: 'addLayout', layoutId: 'a', name: 'A', stages },
  { type: 'addLayout', layoutId: 'b', name: 'B', stages },
  { type: 'createPipeline', layoutId: 'a', pipelineId: 'p', name: 'P', stages: ['new', 'quote', 'won', 'lost'], makeDefault: true },
  { type: 'createPipeline', layoutId: 'a', pipelineId: 'q', name: 'Q', stages: ['new', 'quote', 'won', 'lost'] },
] satisfies WorkspaceCommandInput[]) ws = applyWorkspace(ws, command, { at: T }).workspace;

// Small value pools, so that filters match some deals and sorts meet ties and nulls.
const arbDeal = fc.record({
  layout: fc.constantFrom('a-p', 'a-q', 'b'),
  name: fc.constantFrom('Fleet', 'fleet', 'FLEET vans', 'Estate', 'Café', 'zeta', 'Alpha'),
  ownerId: fc.constantFrom('ann', 'bob', null),
  amount: fc.constantFrom(null, 0, 5, 5000, 12000),
  closingDate: fc.constantFrom(null, '2026-03-01', '2026-03-31', '2026-04-15'),
  createdDay: fc.integer({ min: 0, max: 20 }),
  moves: fc.array(fc.constantFrom('new', 'quote', 'won', 'lost'), { maxLength: 3 }),
});

type Spec = typeof arbDeal extends fc.Arbitrary<infer S> ? S : never;

function build(specs: readonly Spec[]): Deal[] {
  return specs.map((s, i) => {
    const [layoutId, pipelineId] = s.layout.split('-') as [string, string | undefined];
    let at = T + s.createdDay * DAY;
    let d = applyDeal(ws, null, { type: 'createDeal', deal: { id: `d${String(i).padStart(2, '0')}`, layoutId, ...(pipelineId ? { pipelineId } : {}), name: s.name, ownerId: s.ownerId, amount: s.amount, currency: 'EUR', closingDate: s.closingDate } }, { at }).deal;
    for (const stageId of s.moves) {
      at += DAY;
      if (stageId === d.stageId) continue;
      d = applyDeal(ws, d, stageId === 'lost' ? { type: 'moveToStage', stageId, lostReason: 'Price' } : { type: 'moveToStage', stageId }, { at }).deal;
    }
    return d;
  });
}

const arbQuery: fc.Arbitrary<DealQuery> = fc.record({
  layoutId: fc.constantFrom('a', 'b'),
  pipelineId: fc.constantFrom('p', 'q', null),
  stageId: fc.constantFrom('new', 'quote', 'won'),
  ownerId: fc.constantFrom('ann', null),
  outcome: fc.constantFrom('open', 'won', 'lost'),
  closingFrom: fc.constantFrom('2026-03-01', '2026-03-15'),
  closingTo: fc.constantFrom('2026-03-31', '2026-04-30'),
  amountMin: fc.constantFrom(0, 5, 5000),
  amountMax: fc.constantFrom(5, 12000),
  search: fc.constantFrom('fle', 'É', 'a', 'zz'),
  rotting: fc.boolean(),
  rottingBefore: fc.constant({ p: { new: T + 5 * DAY, quote: T + 10 * DAY }, '': { quote: T + 15 * DAY } }),
  sort: fc.constantFrom('id', 'name', 'amount', 'closingDate', 'updatedAt', 'stageEnteredAt'),
  order: fc.constantFrom('asc', 'desc'),
  include: fc.constantFrom([], ['history'], ['changes'], ['history', 'changes']),
  limit: fc.integer({ min: 1, max: 5 }),
}, { requiredKeys: ['limit'] }) as fc.Arbitrary<DealQuery>;

describe('listings on the memory store', () => {
  it('equal pageOfDeals over the array, and paging through every page gives each matching deal once, in order', async () => {
    await fc.assert(fc.asyncProperty(fc.array(arbDeal, { maxLength: 25 }), arbQuery, async (specs, query) => {
      const deals = build(specs);
      const repos = createMemoryRepositories({ workspace: ws, deals });
      expect(await repos.deals.list(query)).toEqual(pageOfDeals(deals, checkDealQuery(query)));
      const pages = await everyPage((after) => repos.deals.list({ ...query, after }));
      for (const page of pages) expect(page.deals.length).toBeLessThanOrEqual(query.limit);
      const seen = pages.flatMap((page) => page.deals.map((d) => d.id));
      expect(seen).toEqual(pageOfDeals(deals, checkDealQuery({ ...query, limit: 1000 })).deals.map((d) => d.id));
      expect(new Set(seen).size).toBe(seen.length);
    }), { numRuns: 300 });
  });
});
