import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromSalesforce, fromZoho, streamSalesforce, streamZoho, type ImportBatch, type ImportResult, type ImportWarning } from '../../src/import.js';
import { checkInvariants } from '../../src/testing.js';
import { pagesOf, salesforceOpportunity, salesforceSetup, trueDeals, zohoDeal, zohoSetup } from './arbitraries.js';
import { fixture, lastInstant } from './helpers.js';

// Streaming imports: pages in, batches out; the batches together are the one-shot import.

async function collect(batches: AsyncGenerator<ImportBatch>): Promise<ImportBatch[]> {
  const out: ImportBatch[] = [];
  for await (const b of batches) out.push(b);
  return out;
}

const key = (w: ImportWarning) => `${w.code} ${w.path} ${w.message}`;

function expectSameImport(batches: readonly ImportBatch[], whole: ImportResult): void {
  expect(batches.flatMap((b) => b.deals)).toEqual(whole.deals);
  expect(batches[batches.length - 1]!.workspace).toEqual(whole.workspace);
  expect(batches.flatMap((b) => b.warnings).map(key).sort()).toEqual(whole.warnings.map(key).sort());
  for (const b of batches) expect(checkInvariants(b.workspace, b.deals, { now: lastInstant(b) })).toEqual([]);
}

async function* slowly<T>(pages: readonly T[]): AsyncGenerator<T> {
  for (const page of pages) yield await Promise.resolve(page);
}

const sizes = fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 5 });

describe('streamZoho', () => {
  it('gives, batch after batch, the deals, warnings and workspace of fromZoho on the pages concatenated', async () => {
    await fc.assert(
      fc.asyncProperty(trueDeals(8), sizes, fc.boolean(), async (truth, split, flat) => {
        const exported = truth.map(zohoDeal);
        const pages = pagesOf(exported, split).map((page) => ({
          deals: { data: page.map((e) => e.deal) },
          stageHistory: flat ? page.flatMap((e) => e.rows) : Object.fromEntries(page.map((e) => [e.deal.id, { data: e.rows }])),
        }));
        const whole = fromZoho({ ...zohoSetup(), deals: { data: exported.map((e) => e.deal) }, stageHistory: flat ? exported.flatMap((e) => e.rows) : Object.fromEntries(exported.map((e) => [e.deal.id, { data: e.rows }])) });
        const batches = await collect(streamZoho(zohoSetup(), slowly(pages)));
        expect(batches).toHaveLength(pages.length + 1);
        expect(batches.at(-1)!.deals).toEqual([]);
        expectSameImport(batches, whole);
      }),
      { numRuns: 60 },
    );
  }, 120_000);

  it('streams the fixture one deal a page, keeping a stage deleted in Zoho once a page needs it', async () => {
    // The layout with pipelines: a layout without them takes its picklist from all the deals at once.
    const all = fixture('zoho.json') as { layouts: { id: string }[]; pipelines: unknown; stageProbabilities: unknown; deals: { data: { id: string; Layout: { id: string } }[] }; stageHistory: Record<string, unknown> };
    const payload = { ...all, layouts: all.layouts.slice(0, 1), deals: { data: all.deals.data.filter((d) => d.Layout.id === all.layouts[0]!.id) } };
    const whole = fromZoho(payload as never);
    expect(whole.warnings.map((w) => w.code)).toContain('stage_kept');
    const pages = payload.deals.data.map((d) => ({ deals: { data: [d] }, stageHistory: Object.hasOwn(payload.stageHistory, d.id) ? { [d.id]: payload.stageHistory[d.id] } : {} }));
    const batches = await collect(streamZoho(payload, pages));
    expect(batches.flatMap((b) => b.deals)).toEqual(whole.deals);
    expect(batches.at(-1)!.workspace).toEqual(whole.workspace);
    expect(batches.flatMap((b) => b.warnings).map(key).sort()).toEqual(whole.warnings.map(key).sort());
  });

  it('refuses pages that are not iterable, and a bad page, with invalid_input naming the path', async () => {
    await expect(collect(streamZoho(zohoSetup(), 42 as never))).rejects.toMatchObject({ code: 'invalid_input', details: { path: 'pages' } });
    await expect(collect(streamZoho(zohoSetup(), [{ deals: [{ Stage: 'Qualification' }] }]))).rejects.toMatchObject({ code: 'invalid_input', details: { path: 'payload.deals[0].id' } });
    await expect(collect(streamZoho(zohoSetup(), ['page' as never]))).rejects.toMatchObject({ code: 'invalid_input', details: { path: 'pages[0]' } });
  });

  it('gives one batch with the workspace and no deals for no pages', async () => {
    const batches = await collect(streamZoho(zohoSetup(), []));
    expect(batches).toHaveLength(1);
    expect(batches[0]!.deals).toEqual([]);
    expect(batches[0]!.workspace).toEqual(fromZoho({ ...zohoSetup(), deals: [], stageHistory: {} }).workspace);
  });
});

describe('streamSalesforce', () => {
  it('gives, batch after batch, the deals, warnings and workspace of fromSalesforce on the pages concatenated', async () => {
    await fc.assert(
      fc.asyncProperty(trueDeals(8), sizes, async (truth, split) => {
        const exported = truth.map(salesforceOpportunity);
        const pages = pagesOf(exported, split).map((page) => ({ opportunities: { records: page.map((e) => e.opportunity) }, history: { records: page.flatMap((e) => e.rows) } }));
        const whole = fromSalesforce({ ...salesforceSetup(), opportunities: { records: exported.map((e) => e.opportunity) }, history: { records: exported.flatMap((e) => e.rows) } });
        const batches = await collect(streamSalesforce(salesforceSetup(), pages));
        expectSameImport(batches, whole);
      }),
      { numRuns: 60 },
    );
  }, 120_000);

  it('streams the fixture one opportunity a page, a deal listed again on a later page left out as at once', async () => {
    const payload = fixture('salesforce.json') as { stages: unknown; businessProcesses: unknown; recordTypes: unknown; opportunities: { records: { Id: string }[] }; history: { records: { OpportunityId: string }[] } };
    const opportunities = [...payload.opportunities.records, payload.opportunities.records[0]!];
    const whole = fromSalesforce({ ...payload, opportunities } as never);
    const pages = opportunities.map((o) => ({ opportunities: [o], history: payload.history.records.filter((r) => r.OpportunityId === o.Id) }));
    const batches = await collect(streamSalesforce(payload, pages));
    expect(batches.flatMap((b) => b.deals)).toEqual(whole.deals);
    expect(batches.at(-1)!.workspace).toEqual(whole.workspace);
    expect(batches.at(-2)!.warnings).toContainEqual(expect.objectContaining({ code: 'deal_skipped', path: 'payload.opportunities[4]' }));
  });
});
