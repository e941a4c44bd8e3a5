// Memory of the reports over a SQLite file, at two sizes (default 100k and 1M deals x 8 visits):
// each report runs in a fresh process, which prints the heap it held (read after a full GC at
// every page the report reads, and after it returns: what the report keeps, not garbage) and its
// peak resident memory above what it had once the file was open (SQLite's own memory included).
// The baseline, at the smaller size only: every deal loaded, then the array functions.
// Run with `node --expose-gc --import tsx bench/storedReportsHeap.ts [deals...]`.
// Times include the GC at every page: compare times in the vitest benches (bench/storage.reports.bench.ts).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { conversionFunnel, createPipelineService, dwellStats, pipelineWaterfall, type Deal, type Repositories } from '../src/index.js';
import { createSqliteRepositories, migrateSqlite } from '../src/sqlite.js';
import { LATER, makeDeals, T0, ws } from './data.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const DAY = 86_400_000;
const period = { from: T0 + 10 * DAY, to: T0 + 40 * DAY };
const REPORTS = ['service.conversionFunnel', 'service.pipelineWaterfall', 'service.dwellStats', 'all deals loaded + the three array functions'] as const;
type Report = (typeof REPORTS)[number];

function heap(): number {
  gc!();
  return process.memoryUsage().heapUsed;
}
const mb = (bytes: number) => +(bytes / 1e6).toFixed(1);

/** The repositories with a heap reading at every page their paged reads return. */
function sampled(repos: Repositories, onPage: () => void): Repositories {
  const wrap = <T extends object>(port: T): T =>
    new Proxy(port, {
      get: (target, key) =>
        key === 'list' || key === 'timelines'
          ? async (q: unknown) => {
              const page = await (target as Record<string, (q: unknown) => Promise<unknown>>)[key]!(q);
              onPage();
              return page;
            }
          : Reflect.get(target, key),
    });
  return { ...repos, deals: wrap(repos.deals), ...(repos.visits ? { visits: wrap(repos.visits) } : {}) };
}

/** In the child: runs one report over the file and prints what it held. */
async function child(file: string, report: Report): Promise<void> {
  const db = new Database(file);
  const repos = createSqliteRepositories(db);
  await repos.workspace.load();
  const base = heap();
  const rssBase = process.memoryUsage().rss;
  let peak = base;
  const sample = () => (peak = Math.max(peak, heap()));
  const service = createPipelineService({ ...sampled(repos, sample), clock: () => LATER });
  const t = performance.now();
  let keep: unknown;
  if (report === 'service.conversionFunnel') keep = await service.conversionFunnel({ pipelineId: 'new-cars', ...period });
  else if (report === 'service.pipelineWaterfall') keep = await service.pipelineWaterfall(period);
  else if (report === 'service.dwellStats') keep = await service.dwellStats({ ...period, now: LATER });
  else {
    const all: Deal[] = [];
    for (let after: string | null = null; ; ) {
      const page = await repos.deals.list({ after, limit: 1000, include: ['history', 'changes'] });
      for (const d of page.deals) all.push(d);
      after = page.next;
      if (after === null) break;
    }
    sample();
    keep = [conversionFunnel(ws, all, { pipelineId: 'new-cars', ...period }), pipelineWaterfall(ws, all, period), dwellStats(all, { ...period, now: LATER })];
  }
  const ms = performance.now() - t;
  sample();
  void keep;
  const peakRss = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(JSON.stringify({ msWithGcs: Math.round(ms), heldMB: mb(peak - base), peakRssAboveOpenMB: mb(peakRss - rssBase) }));
}

async function seed(n: number, file: string): Promise<void> {
  const db = new Database(file);
  migrateSqlite(db);
  db.pragma('journal_mode = WAL');
  const repos = createSqliteRepositories(db);
  await repos.workspace.save(ws, 0);
  for (let i = 0; i < n; i += 5000) {
    const deals = makeDeals(Math.min(5000, n - i), 8).map((d, k) => ({ ...d, id: `deal-${String(i + k).padStart(8, '0')}`, createdAt: d.createdAt }));
    await repos.deals.save(deals.map((deal) => ({ deal, expectedVersion: null })));
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

if (process.argv[2] === '--child') {
  await child(process.argv[3]!, process.argv[4] as Report);
} else {
  const sizes = process.argv.slice(2).map(Number);
  const list = sizes.length > 0 ? sizes : [100_000, 1_000_000];
  const rows: Record<string, unknown>[] = [];
  for (const n of list) {
    const dir = mkdtempSync(join(tmpdir(), 'stored-reports-'));
    const file = join(dir, 'deals.sqlite');
    await seed(n, file);
    for (const report of REPORTS) {
      // Loading every deal of the larger size would take gigabytes: the baseline runs at the smaller one.
      if (report.startsWith('all') && n !== Math.min(...list)) continue;
      const out = execFileSync(process.execPath, ['--expose-gc', '--max-old-space-size=8192', '--import', 'tsx', fileURLToPath(import.meta.url), '--child', file, report], { encoding: 'utf8' });
      rows.push({ deals: n, report, ...(JSON.parse(out) as object) });
      console.log(rows[rows.length - 1]);
    }
    rmSync(dir, { recursive: true, force: true });
  }
  console.table(rows);
  writeFileSync('bench/storedReportsHeap.json', `${JSON.stringify(rows, null, 2)}\n`);
}
