// The example server (examples/http): the shipped handler over the dealer's service. The API's
// behaviour is tested in test/http; this checks that the example serves it as the README says.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configurationOf, createMemoryRepositories, createPipelineService, planConfiguration, type PipelineService } from '../../src/index.js';
import { createHttpClient } from '../../src/http.js';
import { dealerWorkspace } from '../../examples/dealership.js';
import { startServer } from '../../examples/http/server.js';

let service: PipelineService;
let base: string;
let close: () => Promise<void>;
const unexpected: unknown[] = [];

beforeAll(async () => {
  service = createPipelineService(createMemoryRepositories());
  for (const command of planConfiguration(await service.getWorkspace(), configurationOf(dealerWorkspace()))) await service.configure(command, { by: 'admin' });
  ({ url: base, close } = await startServer(service, { port: 0, onError: (e) => unexpected.push(e) }));
});

afterAll(() => close());

describe('examples/http', () => {
  it('serves the dealer: deals created and moved as the x-user header says, with ETags', async () => {
    const client = createHttpClient(base, { headers: { 'x-user': 'ann' } });
    const deal = await client.createDeal({ id: 'h1', layoutId: 'sales', name: 'SUV', amount: 30_000, currency: 'EUR' });
    const moved = await client.dispatch('h1', { type: 'moveToStage', stageId: 'test-drive' }, { expectedVersion: deal.version });
    expect(moved.history.at(-1)).toMatchObject({ stageId: 'test-drive', by: 'ann' });
    const res = await fetch(`${base}/deals/h1/commands`, { method: 'POST', headers: { 'content-type': 'application/json', 'if-match': '"1"' }, body: '{"type":"moveToStage","stageId":"quote"}' });
    expect(res.status).toBe(412);
  });

  it('shows the board of new cars', async () => {
    const res = await fetch(`${base}/pipelines/new-cars/board`);
    const board = (await res.json()) as { columns: { stage: { id: string } }[] };
    expect(board.columns.map((c) => c.stage.id)).toEqual(['requirements', 'test-drive', 'quote', 'negotiation', 'won', 'lost']);
    expect(unexpected).toEqual([]);
  });
});
