// Reads vitest's bench JSON, prints library/baseline ratios (medians) against their goals and
// records them in bench/results.json and bench/results.md. Run through `npm run bench`. A run of
// some bench files replaces the rows it measured and keeps the others, each with the date it was
// measured on; `--fresh` starts the record from this run alone.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';

interface Bench { name: string; median: number; mean: number; rme: number; sampleCount: number }
interface Raw { files: { filepath: string; groups: { fullName: string; benchmarks: Bench[] }[] }[] }

const args = process.argv.slice(2);
const fresh = args.includes('--fresh');
const raw = JSON.parse(readFileSync(args.find((a) => !a.startsWith('--')) ?? 'bench/raw.json', 'utf8')) as Raw;
const groups = raw.files.flatMap((f) => f.groups);

interface Row { measure: string; libraryMs: number; baselineMs: number; ratio: number; goal: number | null; ok: boolean | null; measuredOn?: string }
const rows: Row[] = [];
// The first pattern a measure matches gives its goal. Storage against hand-written SQL on the
// developer's own schema, same data, same run: bulk move ≤ 1.5x, one dispatch ≤ 1.15x, 8
// concurrent callers ≤ 1.1x, a filtered sorted page ≤ 1.2x, reports over one quarter ≤ 1x.
const goals: [RegExp, number][] = [
  [/^storage sqlite: bulk/, 1.5],
  [/^postgres: bulk/, 1.5],
  [/^storage sqlite: single dispatch/, 1.15],
  [/^postgres: one dispatch/, 1.15],
  [/^postgres: \d+ dispatches.* 8 concurrent callers/, 1.1],
  [/^storage sqlite: page of 100/, 1.2],
  [/^postgres: a filtered, sorted page of 100/, 1.2],
  [/^(storage sqlite|postgres|store reports?)\b.*\bquarter\b/, 1],
  [/^transition/, 2],
  [/^bulk: .*100k/, 3],
  [/^dwell/, 1.5],
  [/^replay/, 3],
  [/^checkTransition/, 3],
  [/^storage sqlite: dwell/, 1],
  [/^storage sqlite: tenants/, 1.1],
  [/^postgres: dwell/, 1],
  [/^postgres: tenants/, 1.1],
  [/^memory store/, 3],
  [/^analytics/, 2],
  [/^slippage/, 3],
  [/^planConfiguration scaling/, 1.5],
  [/^forecast/, 1.5],
  [/^learn/, 2],
  [/^import/, 2],
  [/^import (salesforce|zoho)/, 2],
  // A dispatch with 100,000 events pending against an empty outbox: memory store, SQLite file and
  // PostgreSQL (bench/outbox.bench.ts, bench/outbox.sql.bench.ts), consumer down or backlog waiting for a retry.
  [/^outbox: .*\((SQLite file|PostgreSQL)/, 1.2],
  [/^outbox/, 1.2],
];
/** Deliveries per event across 4 processes on one store (bench/deliveries.json, from scripts/stress/deliveries.ts). */
const DELIVERIES_GOAL = 1.05;

const libraryOf = (g: { benchmarks: Bench[] }) => g.benchmarks.find((b) => b.name.startsWith('library'));
const baselineOf = (g: { benchmarks: Bench[] }) => g.benchmarks.find((b) => b.name.startsWith('baseline'));

for (const g of groups) {
  const lib = libraryOf(g);
  const base = baselineOf(g);
  if (!lib || !base) continue;
  const measure = g.fullName.split(' > ').at(-1)!;
  const ratio = lib.median / base.median;
  const goal = goals.find(([re]) => re.test(measure))?.[1] ?? null;
  rows.push({ measure, libraryMs: lib.median, baselineMs: base.median, ratio, goal, ok: goal === null ? null : ratio <= goal });
}

const bulk10 = groups.find((g) => /^bulk: .* 10k/.test(g.fullName.split(' > ').at(-1)!));
const bulk100 = groups.find((g) => /^bulk: .* 100k/.test(g.fullName.split(' > ').at(-1)!));
if (bulk10 && bulk100) {
  const a = libraryOf(bulk10)!;
  const b = libraryOf(bulk100)!;
  const ratio = b.median / a.median;
  rows.push({ measure: 'bulk scaling: library 100k / 10k', libraryMs: b.median, baselineMs: a.median, ratio, goal: 13, ok: ratio <= 13 });
}

const pad = (s: string, n: number) => s.padEnd(n);
const num = (n: number) => n.toFixed(2).padStart(10);
console.log(`\n${pad('measure (median of samples)', 58)} ${'library ms'.padStart(10)} ${'base ms'.padStart(10)} ${'ratio'.padStart(7)}  goal`);
for (const r of rows) {
  const verdict = r.goal === null ? '' : `≤ ${r.goal}x ${r.ok ? 'met' : 'MISSED'}`;
  console.log(`${pad(r.measure, 58)} ${num(r.libraryMs)} ${num(r.baselineMs)} ${r.ratio.toFixed(2).padStart(6)}x  ${verdict}`);
}
try {
  const heap = JSON.parse(readFileSync('bench/heap.json', 'utf8')) as { bytesPerStoredDeal: number; bytesPerDealFromJson: number; goal: number };
  console.log(`\nmemory store: ${heap.bytesPerStoredDeal} heap bytes per stored 8-visit deal (JSON.parse of the same deal: ${heap.bytesPerDealFromJson}; goal ≤ ${heap.goal} ${heap.bytesPerStoredDeal <= heap.goal ? 'met' : 'MISSED'})`);
} catch {
  // bench/heap.ts did not run
}
try {
  type Mem = { peakAboveMB: { library: number; baseline: number; ratio: number }; retainedMB: { library: number; baseline: number; ratio: number }; streamPeakAboveMB?: Record<string, number> };
  const mem = JSON.parse(readFileSync('bench/importHeap.json', 'utf8')) as { deals: number; page: number; goal: number } & Partial<Record<'hubspot' | 'pipedrive' | 'salesforce' | 'zoho', Mem>>;
  for (const vendor of ['hubspot', 'pipedrive', 'salesforce', 'zoho'] as const) {
    const m = mem[vendor];
    if (m === undefined) continue;
    const ok = m.peakAboveMB.ratio <= mem.goal && m.retainedMB.ratio <= mem.goal;
    console.log(`import memory, ${vendor}, ${mem.deals / 1000}k deals: peak above the payload ${m.peakAboveMB.library} MB against ${m.peakAboveMB.baseline} MB (${m.peakAboveMB.ratio}x), retained ${m.retainedMB.library} MB against ${m.retainedMB.baseline} MB (${m.retainedMB.ratio}x), goal ≤ ${mem.goal}x ${ok ? 'met' : 'MISSED'}${m.streamPeakAboveMB ? `; streaming in pages of ${mem.page}: peak ${Object.entries(m.streamPeakAboveMB).map(([k, v]) => `${v} MB for ${k}`).join(', ')}` : ''}`);
  }
} catch {
  // bench/importHeap.ts did not run
}
try {
  type Side = { libraryMs: number; baselineMs: number; ratio: number };
  const cold = JSON.parse(readFileSync('bench/transitionCold.json', 'utf8')) as Side & { deals: number; goal: number; measuredOn?: string; afterCollection: Side };
  const measuredOn = cold.measuredOn ?? 'an earlier run';
  const ok = cold.ratio <= cold.goal;
  const after = cold.afterCollection;
  console.log(`transition in a plain Node process: applyDeal(moveToStage) on ${cold.deals / 1000}k deals ${cold.libraryMs.toFixed(2)} ms, hand-written spread ${cold.baselineMs.toFixed(2)} ms: ${cold.ratio.toFixed(2)}x (goal ≤ ${cold.goal}x ${ok ? 'met' : 'MISSED'}); after a forced full collection ${after.libraryMs.toFixed(2)} ms against ${after.baselineMs.toFixed(2)} ms: ${after.ratio.toFixed(2)}x`);
  rows.push({ measure: `transition, plain Node process: moveToStage on ${cold.deals / 1000}k deals, batch after batch`, libraryMs: cold.libraryMs, baselineMs: cold.baselineMs, ratio: cold.ratio, goal: cold.goal, ok, measuredOn });
  rows.push({ measure: `transition, plain Node process: moveToStage on ${cold.deals / 1000}k deals, after a forced full collection`, libraryMs: after.libraryMs, baselineMs: after.baselineMs, ratio: after.ratio, goal: null, ok: null, measuredOn });
} catch {
  // bench/transitionCold.ts did not run
}
try {
  const runs = JSON.parse(readFileSync('bench/deliveries.json', 'utf8')) as { store: string; processes: number; events: number; deliveries: number; undelivered: number; perEvent: number }[];
  for (const r of runs) {
    const ok = r.undelivered === 0 && r.perEvent <= DELIVERIES_GOAL;
    console.log(`deliveries per event, ${r.processes} processes on ${r.store}: ${r.deliveries} deliveries of ${r.events} events, ${r.perEvent.toFixed(3)} per event, ${r.undelivered} undelivered (goal ≤ ${DELIVERIES_GOAL} ${ok ? 'met' : 'MISSED'})`);
  }
} catch {
  // scripts/stress/deliveries.ts --out bench/deliveries.json did not run
}
try {
  console.log(`\nbacktest (bench/backtest.md):\n${readFileSync('bench/backtest.md', 'utf8')}`);
} catch {
  // bench/backtest.ts did not run
}
const machine = `${os.cpus()[0]?.model ?? 'unknown cpu'} x${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
console.log(`\nmachine: ${machine}`);
const today = new Date().toISOString().slice(0, 10);
for (const r of rows) r.measuredOn ??= today;
const record = mergeRecord(rows);
writeFileSync('bench/results.json', `${JSON.stringify({ machine, date: new Date().toISOString(), rows: record }, null, 2)}\n`);
const markdown = [
  '| measure | library (ms) | baseline (ms) | ratio | goal | measured |',
  '|---|---:|---:|---:|---|---|',
  ...record.map((r) => `| ${r.measure} | ${r.libraryMs.toFixed(2)} | ${r.baselineMs.toFixed(2)} | ${r.ratio.toFixed(2)}x | ${r.goal === null ? '' : `≤ ${r.goal}x ${r.ok ? 'met' : 'missed'}`} | ${r.measuredOn ?? ''} |`),
  '',
  `Measured on ${machine}. Rows dated before ${today} come from earlier runs of their bench files.`,
].join('\n');
writeFileSync('bench/results.md', `${markdown}\n`);
const now = record.filter((r) => r.measuredOn === today).length;
console.log(`wrote bench/results.json and bench/results.md: ${now} rows measured today, ${record.length - now} kept from earlier runs`);

/** Rows by measure name: the record groups by prefix. */
function byMeasure(a: Row, b: Row): number {
  return a.measure < b.measure ? -1 : a.measure > b.measure ? 1 : 0;
}

/** This run's rows in place of the recorded rows of the same measure, the recorded others kept with their dates, by measure. */
function mergeRecord(measured: readonly Row[]): Row[] {
  if (fresh || !existsSync('bench/results.json')) return [...measured].sort(byMeasure);
  const before = JSON.parse(readFileSync('bench/results.json', 'utf8')) as { date?: string; rows?: Row[] };
  const now = new Map(measured.map((r) => [r.measure, r]));
  const earlier = before.date?.slice(0, 10) ?? 'an earlier run';
  const out = (before.rows ?? []).map((r): Row => now.get(r.measure) ?? { ...r, measuredOn: r.measuredOn ?? earlier });
  const known = new Set(out.map((r) => r.measure));
  return [...out, ...measured.filter((r) => !known.has(r.measure))].sort(byMeasure);
}
