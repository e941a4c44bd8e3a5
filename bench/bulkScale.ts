// Bulk-move time against the number of stored deals on a SQLite file: the service's bulkUpdate by
// query (a moveToPipeline with a stage map, every deal) and the hand-written set-based move on the
// developer's own schema (bench/sqliteBaselines.ts), same file, same data, each size in a fresh
// database. Deals are seeded 10k at a time, so the process holds one chunk, not the table.
// Run with `node --max-old-space-size=8192 --import tsx bench/bulkScale.ts [deals...] ` (default
// 100000 1000000; the 1M size seeds for about 5 minutes and needs about 4 GB of disk); writes
// bench/bulkScale.json. Goal (issue "storage"): the time at 1M within 11x the time at 100k.
import { writeFileSync } from 'node:fs';
import { createPipelineService } from '../src/index.js';
import { createSqliteRepositories } from '../src/sqlite.js';
import { LATER, makeDeals, ws } from './data.js';
import { benchFile, createSchema, load, sqlBulkMove } from './sqliteBaselines.js';

const MOVES = {
  'new-cars': { type: 'moveToPipeline', pipelineId: 'used-cars', stageMap: { requirements: 'show-models' } },
  'used-cars': { type: 'moveToPipeline', pipelineId: 'new-cars', stageMap: { 'show-models': 'requirements' } },
} as const;
const ROUNDS = 3;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function measure(deals: number): Promise<{ deals: number; libraryMs: number[]; baselineMs: number[]; heapMB: number }> {
  const { db, remove } = benchFile('sp-bulk-scale-');
  try {
    const repos = createSqliteRepositories(db, { tenantId: 'bulk' });
    await repos.workspace.save(ws, 0);
    createSchema(db, 'b_');
    const chunk = makeDeals(10_000, 8);
    for (let at = 0; at < deals; at += chunk.length) {
      const part = chunk.slice(0, Math.min(chunk.length, deals - at)).map((d, i) => ({ ...d, id: `deal-${String(at + i).padStart(7, '0')}` }));
      await repos.deals.save(part.map((deal) => ({ deal, expectedVersion: null })));
      load(db, 'b_', part);
    }
    db.exec('ANALYZE');
    db.pragma('wal_checkpoint(TRUNCATE)');
    let now = LATER;
    const clock = () => (now += 1000);
    const service = createPipelineService({ ...createSqliteRepositories(db, { tenantId: 'bulk' }), clock });
    let from: keyof typeof MOVES = 'new-cars';
    const libraryMs: number[] = [];
    const baselineMs: number[] = [];
    let heapMB = 0;
    for (let round = 0; round < ROUNDS; round++) {
      let t = performance.now();
      const report = await service.bulkUpdate({ query: { pipelineId: from }, change: MOVES[from], mode: 'bestEffort', by: 'manager' });
      libraryMs.push(Math.round(performance.now() - t));
      heapMB = Math.max(heapMB, Math.round(process.memoryUsage().heapUsed / 1e6));
      if (report.updated.length !== deals) throw new Error(`bulk move: ${report.updated.length} of ${deals} moved`);
      t = performance.now();
      if (sqlBulkMove(db, 'b_', from, MOVES[from].pipelineId, MOVES[from].stageMap, clock()) !== deals) throw new Error('bulk move by hand missed deals');
      baselineMs.push(Math.round(performance.now() - t));
      from = MOVES[from].pipelineId;
      db.pragma('wal_checkpoint(TRUNCATE)');
    }
    return { deals, libraryMs, baselineMs, heapMB };
  } finally {
    remove();
  }
}

const sizes = process.argv.slice(2).map(Number);
const rows = [];
for (const deals of sizes.length > 0 ? sizes : [100_000, 1_000_000]) {
  const row = await measure(deals);
  rows.push(row);
  console.log(`${deals} deals: library ${median(row.libraryMs)} ms (${row.libraryMs.join(', ')}), hand-written ${median(row.baselineMs)} ms (${row.baselineMs.join(', ')}), ratio ${(median(row.libraryMs) / median(row.baselineMs)).toFixed(2)}x, heap ${row.heapMB} MB`);
}
for (let i = 1; i < rows.length; i++) {
  const [a, b] = [rows[i - 1]!, rows[i]!];
  console.log(`${b.deals / a.deals}x the deals: library ${(median(b.libraryMs) / median(a.libraryMs)).toFixed(1)}x the time, hand-written ${(median(b.baselineMs) / median(a.baselineMs)).toFixed(1)}x`);
}
writeFileSync(new URL('./bulkScale.json', import.meta.url), `${JSON.stringify(rows, null, 2)}\n`);
