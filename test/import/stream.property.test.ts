import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHubSpot, fromPipedrive, streamHubSpot, streamPipedrive, type ImportBatch, type ImportWarning } from '../../src/import.js';
import { arbHubDeals, arbPdDeals, hubDeal, hubPipelines, pdSetup } from './vendorArbitraries.js';

// The streaming importers give, batch after batch, exactly what the one-shot importers give on
// the pages put together.

async function collect(batches: AsyncGenerator<ImportBatch>): Promise<ImportBatch[]> {
  const out: ImportBatch[] = [];
  for await (const b of batches) out.push(b);
  return out;
}

/** Cuts `items` into pages at the given cut points. */
function paginate<T>(items: readonly T[], cuts: readonly number[]): T[][] {
  const at = [...new Set(cuts.map((c) => c % (items.length + 1)))].sort((a, b) => a - b);
  const pages: T[][] = [];
  let from = 0;
  for (const c of [...at, items.length]) {
    pages.push(items.slice(from, Math.max(from, c)));
    from = Math.max(from, c);
  }
  return pages;
}

/** A stream warning's path as the one-shot import names it. */
function oneShotPath(w: ImportWarning, offsets: readonly number[], list: string, flows: string | null): ImportWarning {
  const path = w.path
    .replace(new RegExp(`^pages\\[(\\d+)\\]\\.${list.replace(/[.[\]]/g, '\\$&')}\\[(\\d+)\\]`), (_, p: string, i: string) => `payload.deals.${list.split('.').pop()}[${offsets[Number(p)]! + Number(i)}]`)
    .replace(/^pages\[\d+\]\.flows/, flows ?? '$&')
    .replace(/^setup\./, 'payload.');
  return { ...w, path };
}

const arbCuts = fc.array(fc.nat({ max: 20 }), { maxLength: 5 });

describe('streamHubSpot', () => {
  it('gives the one-shot import, page after page: deals, warnings and the final workspace', async () => {
    await fc.assert(
      fc.asyncProperty(arbHubDeals, arbCuts, fc.boolean(), fc.boolean(), async (list, cuts, twice, async) => {
        const deals = list.map((x, i) => hubDeal(x.truth, x.withHistory, i % 3 === 0 ? 'not a code' : x.currency));
        // A stage the pipelines do not list, and a deal listed twice, make the workspace grow and warnings appear.
        (deals[0]!.properties as Record<string, string>).dealstage = 'legacystage';
        if (twice) deals.push(deals[deals.length - 1]!);
        const oneShot = fromHubSpot({ pipelines: hubPipelines, deals: { results: deals } }, { defaultCurrency: 'EUR' });
        const pages = paginate(deals, cuts).map((results) => ({ results }));
        const source = async ? (async function* () { yield* pages; })() : pages;
        const batches = await collect(streamHubSpot({ pipelines: hubPipelines, options: { defaultCurrency: 'EUR' } }, source));
        expect(batches).toHaveLength(pages.length + 1);
        expect(batches.at(-1)!.deals).toEqual([]);
        expect(batches.flatMap((b) => b.deals)).toEqual(oneShot.deals);
        expect(batches.at(-1)!.workspace).toEqual(oneShot.workspace);
        const offsets = pages.map((_, i) => pages.slice(0, i).reduce((n, p) => n + p.results.length, 0));
        expect(batches.flatMap((b) => b.warnings).map((w) => oneShotPath(w, offsets, 'results', null))).toEqual(oneShot.warnings);
      }),
      { numRuns: 80 },
    );
  }, 60_000);

  it('refuses a bad page with invalid_input naming the page, and a bad setup before any page is read', async () => {
    const pages = [{ results: [] }, { results: [{ id: {} }] }];
    await expect(collect(streamHubSpot({ pipelines: hubPipelines }, pages))).rejects.toMatchObject({ code: 'invalid_input', details: { path: 'pages[1].results[0].id' } });
    let read = false;
    const lazy = (function* () { read = true; yield { results: [] }; })();
    await expect(collect(streamHubSpot({ pipelines: 'no' }, lazy))).rejects.toMatchObject({ code: 'invalid_input', details: { path: 'setup.pipelines' } });
    expect(read).toBe(false);
    await expect(collect(streamHubSpot({ pipelines: hubPipelines }, 42 as never))).rejects.toMatchObject({ code: 'invalid_input', details: { path: 'pages' } });
  });
});

describe('streamPipedrive', () => {
  it('gives the one-shot import, page after page', async () => {
    await fc.assert(
      fc.asyncProperty(arbPdDeals, arbCuts, async (list, cuts) => {
        const deals = list.map((x) => x.deal);
        const flows = Object.fromEntries(list.map((x) => [String(x.deal.id), x.flow]));
        deals[0]!.stage_id = 99;
        const oneShot = fromPipedrive({ ...pdSetup, deals: { data: deals }, flows });
        const pages = paginate(deals, cuts).map((data) => ({ deals: { data }, flows: Object.fromEntries(data.map((d) => [String(d.id), flows[String(d.id)]])) }));
        const batches = await collect(streamPipedrive(pdSetup, pages));
        expect(batches.flatMap((b) => b.deals)).toEqual(oneShot.deals);
        expect(batches.at(-1)!.workspace).toEqual(oneShot.workspace);
        const offsets = pages.map((_, i) => pages.slice(0, i).reduce((n, p) => n + p.deals.data.length, 0));
        expect(batches.flatMap((b) => b.warnings).map((w) => oneShotPath(w, offsets, 'deals.data', 'payload.flows'))).toEqual(oneShot.warnings);
      }),
      { numRuns: 80 },
    );
  }, 60_000);
});
