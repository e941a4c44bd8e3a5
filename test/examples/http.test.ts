import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configurationOf, createMemoryRepositories, createPipelineService, planConfiguration, type PipelineService } from '../../src/index.js';
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
  expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
});

afterAll(async () => {
  await close();
});

// Response bodies are JSON documents whose shape each test checks.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const read = async (res: Response): Promise<any> => res.json();

const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-user': 'ann', ...headers },
  body: JSON.stringify(body),
});

async function createDeal(id: string, extra: Record<string, unknown> = {}): Promise<Response> {
  return fetch(`${base}/deals`, json({ id, layoutId: 'sales', name: `Deal ${id}`, amount: 10_000, currency: 'EUR', ...extra }));
}

describe('examples/http', () => {
  it('creates a deal: 201 with its ETag and location', async () => {
    const res = await createDeal('h1');
    expect(res.status).toBe(201);
    expect(res.headers.get('etag')).toBe('"1"');
    expect(res.headers.get('location')).toBe('/deals/h1');
    expect(await read(res)).toMatchObject({ id: 'h1', pipelineId: 'new-cars', stageId: 'requirements', version: 1 });
  });

  it('dispatches a command with If-Match and answers the new ETag', async () => {
    await createDeal('h2');
    const res = await fetch(`${base}/deals/h2/commands`, json({ type: 'moveToStage', stageId: 'test-drive' }, { 'if-match': '"1"' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"2"');
    expect((await read(res)).stageId).toBe('test-drive');
  });

  it('refuses a stale If-Match with 409 and the current version, changing nothing', async () => {
    await createDeal('h3');
    await fetch(`${base}/deals/h3/commands`, json({ type: 'moveToStage', stageId: 'test-drive' }));
    const res = await fetch(`${base}/deals/h3/commands`, json({ type: 'moveToStage', stageId: 'quote' }, { 'if-match': '"1"' }));
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await read(res)).toMatchObject({ status: 409, code: 'conflict', type: 'urn:sales-pipelines:problem:conflict', currentVersion: 2 });
    expect((await service.getDeal('h3'))!.stageId).toBe('test-drive');
  });

  it('refuses a move the rules forbid with 422 and every violation', async () => {
    await createDeal('h4', { amount: null });
    const res = await fetch(`${base}/deals/h4/commands`, json({ type: 'moveToStage', stageId: 'negotiation' }));
    expect(res.status).toBe(422);
    const problem = await read(res);
    expect(problem.code).toBe('transition_not_allowed');
    expect(problem.violations.map((v: { code: string }) => v.code)).toEqual(expect.arrayContaining(['skip_not_allowed', 'required_fields_missing']));
  });

  it('answers junk JSON with 400 naming the body', async () => {
    const res = await fetch(`${base}/deals`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id": "x",' });
    expect(res.status).toBe(400);
    expect(await read(res)).toMatchObject({ code: 'invalid_input', path: 'body' });
  });

  it('answers an invalid deal with 400 naming the field', async () => {
    const res = await fetch(`${base}/deals`, json({ id: 'h5', layoutId: 'sales', name: 'x', currency: 'euro' }));
    expect(res.status).toBe(400);
    expect((await read(res)).detail).toContain('currency');
  });

  it('answers a malformed If-Match with 400', async () => {
    const res = await fetch(`${base}/deals/h1/commands`, json({ type: 'moveToStage', stageId: 'quote' }, { 'if-match': '"a", "b"' }));
    expect(res.status).toBe(400);
  });

  it('answers an unknown route with 404 and a known one with the wrong method with 405', async () => {
    const unknown = await fetch(`${base}/nope`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await read(unknown)).code).toBe('not_found');
    const wrong = await fetch(`${base}/workspace`, { method: 'DELETE' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET');
  });

  it('answers a malformed path segment with 400', async () => {
    const res = await fetch(`${base}/deals/%E0%A4%A`);
    expect(res.status).toBe(400);
    expect((await read(res)).path).toBe('path.id');
  });

  it('answers a body over 1 MB with 413', async () => {
    const res = await fetch(`${base}/deals`, json({ id: 'big', layoutId: 'sales', name: 'x'.repeat(1_100_000) }));
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('answers a missing deal with 404', async () => {
    const res = await fetch(`${base}/deals/missing`);
    expect(res.status).toBe(404);
    expect((await read(res)).dealId).toBe('missing');
  });

  it('lists deals page by page with a cursor', async () => {
    for (const id of ['p1', 'p2', 'p3']) await createDeal(id);
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const res = await fetch(`${base}/deals?layoutId=sales&limit=2${after ? `&after=${after}` : ''}`);
      expect(res.status).toBe(200);
      const page = (await read(res)) as { deals: { id: string }[]; next: string | null };
      expect(page.deals.length).toBeLessThanOrEqual(2);
      seen.push(...page.deals.map((d) => d.id));
      after = page.next;
    } while (after !== null);
    expect(seen).toEqual([...seen].sort());
    expect(seen).toEqual(expect.arrayContaining(['h1', 'p1', 'p2', 'p3']));
  });

  it('answers a bad limit with 400', async () => {
    expect((await fetch(`${base}/deals?limit=lots`)).status).toBe(400);
  });

  it('shows a pipeline as a board: columns in stage order with counts and totals', async () => {
    const res = await fetch(`${base}/pipelines/new-cars/board?perStage=50`);
    expect(res.status).toBe(200);
    const board = await read(res);
    expect(board.columns.map((c: { stage: { id: string } }) => c.stage.id)).toEqual(['requirements', 'test-drive', 'quote', 'negotiation', 'won', 'lost']);
    const first = board.columns[0];
    expect(first.count).toBeGreaterThan(0);
    expect(first.deals).toHaveLength(first.count);
    expect(first.totals.EUR.amount).toBe(first.deals.reduce((sum: number, d: { amount: number | null }) => sum + (d.amount ?? 0), 0));
    expect((await fetch(`${base}/pipelines/nope/board`)).status).toBe(404);
  });

  it('updates deals in bulk and reports each', async () => {
    const res = await fetch(`${base}/deals/bulk`, json({ dealIds: ['p1', 'p2', 'missing'], change: { type: 'moveToStage', stageId: 'test-drive' }, mode: 'bestEffort' }));
    expect(res.status).toBe(200);
    const report = await read(res);
    expect(report.updated).toEqual(['p1', 'p2']);
    expect(report.rejected).toEqual([expect.objectContaining({ dealId: 'missing', code: 'not_found' })]);
  });

  it('plans a configuration on a dry run, applies it, then has nothing left to do', async () => {
    const desired = configurationOf(await service.getWorkspace(), ['service']);
    desired.layouts[0]!.name = 'After-sales service';
    const put = (dryRun: boolean) => fetch(`${base}/configuration${dryRun ? '?dryRun=true' : ''}`, { ...json(desired), method: 'PUT' });
    const dry = await read(await put(true));
    expect(dry).toEqual({ commands: [{ type: 'renameLayout', layoutId: 'service', name: 'After-sales service' }], dryRun: true });
    expect((await service.getWorkspace()).layouts[1]!.name).toBe('Service');
    expect((await (await read(await put(false)))).commands).toHaveLength(1);
    expect((await service.getWorkspace()).layouts[1]!.name).toBe('After-sales service');
    expect((await (await read(await put(false)))).commands).toEqual([]);
  });

  it('refuses a configuration that removes a used stage without a replacement with 409', async () => {
    const desired = configurationOf(await service.getWorkspace(), ['sales']);
    const layout = desired.layouts[0]!;
    layout.stages = layout.stages.filter((s) => s.id !== 'quote');
    layout.pipelines = layout.pipelines.map((p) => ({ ...p, stages: p.stages.filter((s) => (typeof s === 'string' ? s : s.stageId) !== 'quote') }));
    const res = await fetch(`${base}/configuration`, { ...json(desired), method: 'PUT' });
    expect(res.status).toBe(409);
    expect(await read(res)).toMatchObject({ code: 'stage_in_use', path: 'desired.layouts[0].stageReplacements' });
  });

  it('removes a pipeline that holds deals only with a transfer, which moves them first', async () => {
    expect((await createDeal('u1', { pipelineId: 'used-cars', stageId: 'show-models' })).status).toBe(201);
    const desired = configurationOf(await service.getWorkspace(), ['sales']);
    desired.layouts[0]!.pipelines = desired.layouts[0]!.pipelines.filter((p) => p.id !== 'used-cars');
    const put = () => fetch(`${base}/configuration`, { ...json(desired), method: 'PUT' });
    const refused = await put();
    expect(refused.status).toBe(409);
    expect(await read(refused)).toMatchObject({ code: 'pipeline_in_use', dealIds: ['u1'] });
    desired.layouts[0]!.transfers = [{ pipelineId: 'used-cars', to: 'new-cars', stageMap: { 'show-models': 'requirements' } }];
    const done = await put();
    expect(done.status).toBe(200);
    expect((await read(done)).commands).toEqual([expect.objectContaining({ type: 'deletePipeline', pipelineId: 'used-cars' })]);
    expect(await service.getDeal('u1')).toMatchObject({ pipelineId: 'new-cars', stageId: 'requirements' });
  });

  it('never answered with an unexpected error', () => {
    expect(unexpected).toEqual([]);
  });
});
