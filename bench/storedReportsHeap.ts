// Heap held while a report runs over a SQLite file, page by page, against loading every deal and
// running the array function. The heap is read after a full GC at each page the report reads (the
// page and the running tally are alive then), so it measures what the report keeps, not garbage.
// Run with `node --expose-gc --import tsx bench/storedReportsHeap.ts [deals...]` (default 20000 100000).
// Times include the GC at every page (the baseline GCs once): compare times in the vitest benches.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { conversionFunnel, createPipelineService, dwellStats, pipelineWaterfall, type Deal, type Repositories } from '../src/index.js';
import { createSqliteRepositories, migrateSqlite } from '../src/sqlite.js';
import { LATER, makeDeals, T0, ws } from './data.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const sizes = process.argv.slice(2).map(Number);
const DAY = 86_400_000;
const period = { from: T0 + 10 * DAY, to: T0 + 40 * DAY };

function heap(): number {
  gc!();
  return process.memoryUsage().heapUsed;
}

/** The repositories with a heap reading at every page their listings return. */
function sampled(repos: Repositories, onPage: () => void): Repositories {
  const wrap = <T extends object>(port: T): T =>
    new Proxy(port, {
      get: (target, key) =>
        key === 'list'
          ? async (q: unknown) => {
              const page = await (target as { list(q: unknown): Promise<unknown> }).list(q);
              onPage();
              return page;
            }
          : Reflect.get(target, key),
    });
  return { ...repos, deals: wrap(repos.deals), ...(repos.visits ? { visits: wrap(repos.visits) } : {}) };
}

async function seed(n: number, file: string): Promise<void> {
  const db = new Database(file);
  migrateSqlite(db);
  const repos = createSqliteRepositories(db);
  await repos.workspace.save(ws, 0);
  for (let i = 0; i < n; i += 5000) {
    const deals = makeDeals(Math.min(5000, n - i), 8).map((d, k) => ({ ...d, id: `deal-${String(i + k).padStart(8, '0')}`, createdAt: d.createdAt }));
    await repos.deals.save(deals.map((deal) => ({ deal, expectedVersion: null })));
  }
  db.close();
}

const rows: Record<string, unknown>[] = [];
for (const n of sizes.length > 0 ? sizes : [20_000, 100_000]) {
  const dir = mkdtempSync(join(tmpdir(), 'stored-reports-'));
  const file = join(dir, 'deals.sqlite');
  await seed(n, file);
  const db = new Database(file);
  const repos = createSqliteRepositories(db);
  const measure = async (name: string, run: (service: ReturnType<typeof createPipelineService>) => Promise<unknown>) => {
    const base = heap();
    let peak = base;
    const service = createPipelineService({ ...sampled(repos, () => (peak = Math.max(peak, heap()))), chunkSize: 500, clock: () => LATER });
    const t = performance.now();
    await run(service);
    const ms = performance.now() - t;
    rows.push({ deals: n, report: name, msWithAGcPerPage: Math.round(ms), heldMB: +((peak - base) / 1e6).toFixed(1) });
  };
  await measure('service.conversionFunnel', (s) => s.conversionFunnel({ pipelineId: 'new-cars', ...period }));
  await measure('service.pipelineWaterfall', (s) => s.pipelineWaterfall(period));
  await measure('service.dwellStats', (s) => s.dwellStats({ ...period, now: LATER }));
  // The baseline: every deal loaded, then the array functions.
  const base = heap();
  const t = performance.now();
  const all: Deal[] = [];
  for (let after: string | null = null; ; ) {
    const page = await repos.deals.list({ after, limit: 500, include: ['history', 'changes'] });
    for (const d of page.deals) all.push(d);
    after = page.next;
    if (after === null) break;
  }
  const held = heap() - base;
  conversionFunnel(ws, all, { pipelineId: 'new-cars', ...period });
  pipelineWaterfall(ws, all, period);
  dwellStats(all, { ...period, now: LATER });
  rows.push({ deals: n, report: 'all deals loaded + the three array functions', msWithAGcPerPage: Math.round(performance.now() - t), heldMB: +(held / 1e6).toFixed(1) });
  all.length = 0;
  db.close();
  rmSync(dir, { recursive: true, force: true });
}
console.table(rows);
writeFileSync('bench/storedReportsHeap.json', `${JSON.stringify(rows, null, 2)}\n`);
