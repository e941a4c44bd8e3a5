// The kanban page's backend and build, without a browser: the page is built with Vite and served
// by `vite preview`, which proxies /api to examples/kanban/server.ts; the client the page uses
// talks to the API through that proxy. (test/examples/kanban.test.ts drives the page in Chromium.)
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPipelineError } from '../../src/index.js';
import { createHttpClient, type HttpClient } from '../../src/http.js';
import { startKanbanServer, type KanbanServer } from '../../examples/kanban/server.js';

const config = join(import.meta.dirname, '../../examples/kanban/vite.config.ts');

describe('the kanban backend behind the built page', () => {
  let dir = '';
  let api: KanbanServer;
  let server: PreviewServer;
  let url = '';
  let client: HttpClient;
  let outDir = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kanban-server-'));
    api = await startKanbanServer({ file: join(dir, 'kanban.db') });
    process.env['KANBAN_API'] = api.url;
    outDir = join(dir, 'dist');
    await build({ configFile: config, logLevel: 'silent', build: { outDir, emptyOutDir: true } });
    server = await preview({ configFile: config, logLevel: 'silent', build: { outDir }, preview: { host: '127.0.0.1', port: 0, strictPort: true, open: false } });
    url = server.resolvedUrls?.local[0] ?? '';
    client = createHttpClient(new URL('api', url).href, { headers: { 'x-user': 'ann' } });
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    await api?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('builds a page that loads the client and never node:http', async () => {
    const html = await (await fetch(url)).text();
    expect(html).toContain('id="app"');
    const assets = await readdir(join(outDir, 'assets'));
    const js = await Promise.all(assets.filter((f) => f.endsWith('.js')).map((f) => readFile(join(outDir, 'assets', f), 'utf8')));
    expect(js.join('\n')).toContain('/deals/bulk');
    expect(js.join('\n')).not.toMatch(/node:http|createServer/);
  });

  it('serves the seeded dealer from the SQLite file through the proxy', async () => {
    await api.reset();
    const board = await client.board('new-cars', { now: Date.now() });
    const requirements = board.columns.find((c) => c.stage.id === 'requirements')!;
    expect([requirements.count, requirements.rotting]).toEqual([4, 1]);
    expect(requirements.deals.every((d) => d.history.length === 1 && !('changes' in d))).toBe(true);
    const dwell = await client.report('dwellStats', { pipelineId: 'new-cars', includeOpen: true, now: Date.now() });
    expect(dwell.map((r) => r.stageId)).toContain('requirements');
  });

  it('saves the required field and moves in one command ("Save and move"), acting as the x-user header says', async () => {
    await api.reset();
    const refused = await client.dispatch('D-102', { type: 'moveToStage', stageId: 'quote' }).catch((e: unknown) => e);
    expect(isPipelineError(refused, 'required_fields_missing')).toBe(true);
    const moved = await client.dispatch('D-102', { type: 'moveToStage', stageId: 'quote', patch: { amount: 21_000 } }, { expectedVersion: 2 });
    expect(moved).toMatchObject({ stageId: 'quote', amount: 21_000, version: 3 });
    expect(moved.history.at(-1)!.by).toBe('ann');
  });

  it('starts again from the seed after reset', async () => {
    await client.dispatch('D-101', { type: 'moveToStage', stageId: 'test-drive' });
    await api.reset();
    expect((await client.getDeal('D-101'))!.stageId).toBe('requirements');
  });
});
