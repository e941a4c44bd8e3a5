import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configurationOf, type PipelineService } from '../../src/index.js';
import { dealerApi, json, read } from './server.js';
import { everyPage } from '../helpers/paging.js';

let service: PipelineService;
let base: string;
let close: () => Promise<void>;
let unexpected: unknown[];

beforeAll(async () => {
  ({ service, base, close, unexpected } = await dealerApi());
  expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
});
afterAll(() => close());

const createDeal = (id: string, extra: Record<string, unknown> = {}) =>
  fetch(`${base}/deals`, json({ id, layoutId: 'sales', name: `Deal ${id}`, amount: 10_000, currency: 'EUR', ...extra }));

describe('createHttpHandler over real HTTP', () => {
  it('creates a deal: 201 with its ETag and location, acting as the user authorize names', async () => {
    const res = await createDeal('h1');
    expect(res.status).toBe(201);
    expect(res.headers.get('etag')).toBe('"1"');
    expect(res.headers.get('location')).toBe('/deals/h1');
    expect(await read(res)).toMatchObject({ id: 'h1', pipelineId: 'new-cars', stageId: 'requirements', version: 1 });
    expect((await service.getDeal('h1'))!.history[0]!.by).toBe('ann');
  });

  it('gets a deal with its ETag, and 404 for a missing one', async () => {
    const res = await fetch(`${base}/deals/h1`);
    expect(res.headers.get('etag')).toBe('"1"');
    expect((await read(res)).id).toBe('h1');
    const missing = await fetch(`${base}/deals/missing`);
    expect(missing.status).toBe(404);
    expect(await read(missing)).toMatchObject({ code: 'not_found', dealId: 'missing' });
  });

  it('dispatches a command with If-Match and answers the new ETag', async () => {
    await createDeal('h2');
    const res = await fetch(`${base}/deals/h2/commands`, json({ type: 'moveToStage', stageId: 'test-drive' }, { 'if-match': '"1"' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"2"');
    expect((await read(res)).stageId).toBe('test-drive');
  });

  it('answers a stale If-Match with 412 and the current version, changing nothing', async () => {
    await createDeal('h3');
    await fetch(`${base}/deals/h3/commands`, json({ type: 'moveToStage', stageId: 'test-drive' }));
    const res = await fetch(`${base}/deals/h3/commands`, json({ type: 'moveToStage', stageId: 'quote' }, { 'if-match': '"1"' }));
    expect(res.status).toBe(412);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await read(res)).toMatchObject({ status: 412, title: 'Precondition Failed', code: 'conflict', currentVersion: 2, expectedVersion: 1 });
    expect((await service.getDeal('h3'))!.stageId).toBe('test-drive');
  });

  it('moves and sets the required fields in one command and one version', async () => {
    await createDeal('h6', { amount: null, currency: null });
    await fetch(`${base}/deals/h6/commands`, json({ type: 'moveToStage', stageId: 'test-drive' }));
    const res = await fetch(`${base}/deals/h6/commands`, json({ type: 'moveToStage', stageId: 'quote', patch: { amount: 5000, currency: 'EUR' } }, { 'if-match': '"2"' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"3"');
    expect(await read(res)).toMatchObject({ stageId: 'quote', amount: 5000, version: 3 });
  });

  it('refuses a move the rules forbid with 422 and every violation', async () => {
    await createDeal('h4', { amount: null });
    const res = await fetch(`${base}/deals/h4/commands`, json({ type: 'moveToStage', stageId: 'negotiation' }));
    expect(res.status).toBe(422);
    const problem = await read(res);
    expect(problem.code).toBe('transition_not_allowed');
    expect(problem.violations.map((v: { code: string }) => v.code)).toEqual(expect.arrayContaining(['skip_not_allowed', 'required_fields_missing']));
  });

  it('answers junk JSON, an invalid deal and a malformed If-Match with 400 naming what is wrong', async () => {
    const junk = await fetch(`${base}/deals`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id": "x",' });
    expect(junk.status).toBe(400);
    expect(await read(junk)).toMatchObject({ code: 'invalid_input', path: 'body' });
    const invalid = await fetch(`${base}/deals`, json({ id: 'h5', layoutId: 'sales', name: 'x', currency: 'euro' }));
    expect(invalid.status).toBe(400);
    expect((await read(invalid)).detail).toContain('currency');
    const ifMatch = await fetch(`${base}/deals/h1/commands`, json({ type: 'moveToStage', stageId: 'quote' }, { 'if-match': '"a", "b"' }));
    expect(ifMatch.status).toBe(400);
    expect((await read(ifMatch)).path).toBe('headers.if-match');
  });

  it('answers a text/plain or form body with 415, changing nothing', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const res = await fetch(`${base}/deals`, { method: 'POST', headers: { 'content-type': type }, body: JSON.stringify({ id: 'csrf', layoutId: 'sales', name: 'x' }) });
      expect(res.status).toBe(415);
      expect(await read(res)).toMatchObject({ status: 415, code: 'invalid_input', path: 'headers.content-type' });
    }
    expect(await service.getDeal('csrf')).toBeNull();
  });

  it('answers an unknown route with 404 and a known one with the wrong method with 405 and Allow', async () => {
    const unknown = await fetch(`${base}/nope`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const wrong = await fetch(`${base}/workspace`, { method: 'DELETE' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET');
    expect((await read(wrong)).status).toBe(405);
    expect((await fetch(`${base}/deals`, { method: 'PUT' })).headers.get('allow')).toBe('GET, POST');
  });

  it('answers a malformed path segment with 400', async () => {
    const res = await fetch(`${base}/deals/%E0%A4%A`);
    expect(res.status).toBe(400);
    expect((await read(res)).path).toBe('path.id');
  });

  it('answers a body over the limit with 413', async () => {
    const res = await fetch(`${base}/deals`, json({ id: 'big', layoutId: 'sales', name: 'x'.repeat(1_100_000) }));
    expect(res.status).toBe(413);
    expect(await read(res)).toMatchObject({ status: 413, code: 'limit_exceeded' });
    expect(await service.getDeal('big')).toBeNull();
  });

  it('lists deals page by page with a cursor, lean unless asked', async () => {
    for (const id of ['p1', 'p2', 'p3']) await createDeal(id);
    const pages = await everyPage(async (after) => {
      const res = await fetch(`${base}/deals?layoutId=sales&pipelineId=new-cars&stageId=requirements&limit=2${after ? `&after=${encodeURIComponent(after)}` : ''}`);
      expect(res.status).toBe(200);
      return (await read(res)) as { deals: { id: string; changes?: unknown }[]; next: string | null };
    });
    for (const page of pages) {
      expect(page.deals.length).toBeLessThanOrEqual(2);
      expect(page.deals.every((d) => !('changes' in d))).toBe(true);
    }
    const seen = pages.flatMap((page) => page.deals.map((d) => d.id));
    expect(seen).toEqual([...seen].sort());
    expect(seen).toEqual(expect.arrayContaining(['h1', 'p1', 'p2', 'p3']));
    const full = await read(await fetch(`${base}/deals?stageId=test-drive&include=history,changes&limit=5`));
    expect(full.deals[0].history.length).toBeGreaterThan(1);
  });

  it('answers a bad listing parameter with 400 naming it', async () => {
    for (const [query, path] of [['limit=lots', 'query.limit'], ['limit=0', 'query.limit'], ['outcome=maybe', 'query.outcome'], ['sort=colour', 'query.sort'],
      ['amountMin=x', 'query.amountMin'], ['rotting=yes', 'query.rotting'], ['include=fields', 'query.include'], ['pipelineid=x', 'query.pipelineid'], ['limit=1&limit=2', 'query.limit']]) {
      const res = await fetch(`${base}/deals?${query}`);
      expect(res.status, query).toBe(400);
      expect((await read(res)).path, query).toBe(path);
    }
  });

  it('shows a pipeline as a board: columns in stage order with counts and totals, and 404 for an unknown pipeline', async () => {
    const board = await read(await fetch(`${base}/pipelines/new-cars/board?perStage=50`));
    expect(board.columns.map((c: { stage: { id: string } }) => c.stage.id)).toEqual(['requirements', 'test-drive', 'quote', 'negotiation', 'won', 'lost']);
    const first = board.columns[0];
    expect(first.deals).toHaveLength(first.count);
    expect(first.deals.every((d: { history: unknown[] }) => d.history.length === 1)).toBe(true);
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

  it('refuses a bulk update whose query matches every deal unless it says all: true', async () => {
    const before = await service.listDeals({ limit: 1000 });
    const change = { type: 'updateDeal', patch: { ownerId: 'eve' } };
    for (const query of [{}, { layoutId: undefined }]) {
      const res = await fetch(`${base}/deals/bulk`, json({ query, change, mode: 'bestEffort' }));
      expect(res.status).toBe(400);
      expect(await read(res)).toMatchObject({ code: 'invalid_input', path: 'body.all' });
    }
    expect(await service.listDeals({ limit: 1000 })).toEqual(before);
    const filtered = await read(await fetch(`${base}/deals/bulk`, json({ query: { stageId: 'quote' }, change, mode: 'bestEffort' })));
    expect(filtered.updated).toEqual(['h6']);
    const all = await read(await fetch(`${base}/deals/bulk`, json({ query: {}, all: true, change, mode: 'bestEffort' })));
    expect(all.updated.length + all.unchanged.length).toBe(before.deals.length);
  });

  it('plans a configuration on a dry run, applies it, then has nothing left to do', async () => {
    const desired = configurationOf(await service.getWorkspace(), ['service']);
    desired.layouts[0]!.name = 'After-sales service';
    const put = (dryRun: boolean) => fetch(`${base}/configuration${dryRun ? '?dryRun=true' : ''}`, json(desired, {}, 'PUT'));
    expect(await read(await put(true))).toEqual({ commands: [{ type: 'renameLayout', layoutId: 'service', name: 'After-sales service' }], dryRun: true });
    expect((await service.getWorkspace()).layouts[1]!.name).toBe('Service');
    expect((await read(await put(false))).commands).toHaveLength(1);
    expect((await read(await put(false))).commands).toEqual([]);
    const ws = await fetch(`${base}/workspace`);
    expect(ws.headers.get('etag')).toBe(`"${(await service.getWorkspace()).version}"`);
  });

  it('runs a report the service has, and answers 404 for one it has not or that is not a report', async () => {
    const now = Date.now() + 86_400_000;
    const res = await fetch(`${base}/reports/dwellStats?pipelineId=new-cars&includeOpen=true&now=${now}`);
    expect(res.status).toBe(200);
    const rows = await read(res);
    expect(rows).toEqual(await service.dwellStats({ pipelineId: 'new-cars', includeOpen: true, now }));
    expect(rows.find((r: { stageId: string }) => r.stageId === 'requirements')).toMatchObject({ pipelineId: 'new-cars' });
    for (const name of ['getDeal', 'configure', 'constructor', 'rottingBetween']) {
      const missing = await fetch(`${base}/reports/${name}`);
      expect(missing.status, name).toBe(404);
      expect((await read(missing)).code).toBe('not_found');
    }
    const bad = await fetch(`${base}/reports/dwellStats?includeOpen=maybe`);
    expect(bad.status).toBe(400);
  });

  it('answers /health without touching the outbox', async () => {
    const res = await fetch(`${base}/health`);
    expect(res.status).toBe(200);
    expect(await read(res)).toEqual({ status: 'ok', workspaceVersion: (await service.getWorkspace()).version });
  });

  it('never answered with an unexpected error', () => {
    expect(unexpected).toEqual([]);
  });
});

describe('createHttpHandler (arguments)', () => {
  it('refuses a missing service or malformed options where the handler is made, naming the argument', async () => {
    const { createHttpHandler: make } = await import('../../src/http.js');
    const { isPipelineError } = await import('../../src/index.js');
    for (const [args, path] of [[[null], 'service'], [[{}], 'service'], [[{ getDeal: () => null }, 5], 'options']] as const) {
      let thrown: unknown = null;
      try {
        (make as (...a: unknown[]) => unknown)(...args);
      } catch (e) {
        thrown = e;
      }
      expect(isPipelineError(thrown, 'invalid_input')).toBe(true);
      expect((thrown as { details: { path: string } }).details.path).toBe(path);
    }
  });
});
