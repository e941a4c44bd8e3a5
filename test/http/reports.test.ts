import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineService } from '../../src/index.js';
import { createHttpClient, type HttpClient, type ReportName } from '../../src/http.js';
import { dealerApi, read } from './server.js';

let service: PipelineService;
let base: string;
let close: () => Promise<void>;
let client: HttpClient;
let unexpected: unknown[];

const DAY = 86_400_000;
const yesterday = new Date(Date.now() - DAY).toISOString().slice(0, 10);
const later = Date.now() + DAY;

beforeAll(async () => {
  ({ service, base, close, unexpected } = await dealerApi());
  client = createHttpClient(base, { headers: { 'x-user': 'ann' } });
  for (const id of ['r1', 'r2', 'r3']) await client.createDeal({ id, layoutId: 'sales', name: `Deal ${id}`, amount: 10_000, currency: 'EUR', closingDate: '2026-12-31' });
  await client.dispatch('r1', { type: 'moveToStage', stageId: 'test-drive', patch: { amount: 12_000, closingDate: '2027-01-31' } });
  for (const stageId of ['test-drive', 'quote', 'negotiation', 'won']) await client.dispatch('r2', { type: 'moveToStage', stageId });
});
afterAll(() => close());

/** Each period report with options, from/to among them (a calendar date and epoch ms). */
const CASES: [ReportName, Record<string, unknown>][] = [
  ['conversionFunnel', { pipelineId: 'new-cars', from: yesterday, to: later }],
  ['stageConversion', { pipelineId: 'new-cars', from: yesterday, to: later }],
  ['movementStats', { from: yesterday, to: later, pipelineId: 'new-cars' }],
  ['salesCycle', { from: yesterday, to: later }],
  ['salesVelocity', { from: yesterday, to: later }],
  ['slippage', { from: yesterday, to: later }],
  ['pipelineWaterfall', { from: yesterday, to: later, closingTo: '2027-12-31' }],
  ['pipelineCoverage', { from: '2026-10-01', to: '2027-04-01', target: { EUR: 20_000 } }],
  ['dwellStats', { from: yesterday, to: later, includeOpen: true, now: later }],
];

describe('GET /reports/:name over real HTTP: the period reports', () => {
  for (const [name, options] of CASES) {
    it(`${name} with from/to as query parameters answers what the service answers`, async () => {
      const call = (service as unknown as Record<string, (o: unknown) => Promise<unknown>>)[name]!.bind(service);
      const expected = await call(options);
      const query = new URLSearchParams(Object.entries(options).map(([k, v]): [string, string] => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)]));
      const res = await fetch(`${base}/reports/${name}?${query}`, { headers: { 'x-user': 'ann' } });
      expect(res.status).toBe(200);
      expect(await read(res)).toEqual(JSON.parse(JSON.stringify(expected)));
      expect(await client.report(name, options as never)).toEqual(JSON.parse(JSON.stringify(expected)));
    });
  }

  it('the figures see the deals: r2 won in the period, r1 slipped, the funnel counts all three', async () => {
    expect(await client.report('salesCycle', { from: yesterday, to: later })).toMatchObject({ won: 1, lost: 0 });
    expect((await client.report('slippage', { from: yesterday, to: later })).totals).toMatchObject({ deals: 1, pushes: 1 });
    expect((await client.report('conversionFunnel', { pipelineId: 'new-cars', from: yesterday, to: later })).deals).toBe(3);
  });

  it('refuses a malformed bound naming it, and a period that ends before it starts', async () => {
    const bad = await fetch(`${base}/reports/salesCycle?from=soon&to=${later}`);
    expect(bad.status).toBe(400);
    expect(await read(bad)).toMatchObject({ code: 'invalid_input', path: 'opts.from' });
    const backwards = await fetch(`${base}/reports/movementStats?from=${later}&to=${yesterday}`);
    expect(backwards.status).toBe(400);
    expect(await read(backwards)).toMatchObject({ code: 'invalid_input', path: 'opts.to' });
    await expect(client.report('dwellStats', { from: later, to: yesterday })).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('never answered with an unexpected error', () => {
    expect(unexpected).toEqual([]);
  });
});
