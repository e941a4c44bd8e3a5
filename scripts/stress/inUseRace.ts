// The "refused while in use" race across real OS processes, with no artificial delay.
//
//   npx tsx scripts/stress/inUseRace.ts --store sqlite --rounds 400 [--dealers 3] [--turns 1] [--src DIR]
//   SALES_PIPELINES_PG_URL=postgres://… npx tsx scripts/stress/inUseRace.ts --store postgres --rounds 400
//
// Each round takes a fresh tenant of one store (an SQLite file in WAL mode that every process
// opens, or the PostgreSQL server), configures the dealer and makes a few deals, then lets one
// forked process run a configuration change that is refused while in use (setPipelineStages
// dropping stages, removeStage without a replacement, deletePipeline without a transfer,
// applyConfiguration deleting a pipeline; in turn) while `dealers` other processes put deals into
// what it drops. Afterwards no stored deal may be in a stage or pipeline the workspace no longer
// has: checked with checkInvariants and with a query of the deal rows. `--src` runs the same rounds
// against another copy of the sources (one with the guard switched off shows that the race is hit).
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { dealerCommands } from '../../examples/dealership.js';
import { scenarios } from './raceScenarios.js';
import type { FromWorker, ToWorker } from './raceWorker.js';
import { connect, DEFAULT_SRC, freshTenant, loadLibrary, storeFor, type Connection, type Repositories, type StoreKind } from './stores.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');

export interface RaceOptions {
  readonly store: StoreKind;
  readonly rounds: number;
  /** Processes running deal commands (the change runs in one more). */
  readonly dealers?: number;
  /** Turns per dealer and round (each a few commands). */
  readonly turns?: number;
  /** The sources directory to load the library from. */
  readonly src?: string;
  readonly log?: (line: string) => void;
}

export interface RaceReport {
  readonly store: StoreKind;
  readonly rounds: number;
  readonly processes: number;
  /** Change outcomes by scenario: 'ok' (committed) or the refusal code, counted. */
  readonly changes: Record<string, Record<string, number>>;
  /** Deal command outcomes, counted. */
  readonly dealCommands: Record<string, number>;
  /** Deals left in a stage or pipeline that no longer exists, and the rounds that left them. */
  readonly stranded: number;
  readonly strandedRounds: number;
  /** Violations checkInvariants reported, all kinds. */
  readonly violations: number;
  readonly seconds: number;
}

/** A forked process and the replies it has sent and not yet been asked for. */
class Worker {
  private readonly inbox: FromWorker[] = [];
  private waiting: ((m: FromWorker) => void) | null = null;
  constructor(readonly child: ChildProcess) {
    child.on('message', (m: FromWorker) => {
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = null;
        w(m);
      } else this.inbox.push(m);
    });
  }
  send(m: ToWorker): void {
    this.child.send(m);
  }
  async next<T extends FromWorker['type']>(type: T): Promise<Extract<FromWorker, { type: T }>> {
    const m = this.inbox.shift() ?? (await new Promise<FromWorker>((r) => (this.waiting = r)));
    if (m.type === 'error') throw new Error(`worker ${this.child.pid}: ${m.message}`);
    if (m.type !== type) throw new Error(`worker ${this.child.pid}: expected ${type}, got ${m.type}`);
    return m as Extract<FromWorker, { type: T }>;
  }
}

const count = (into: Record<string, number>, key: string) => void (into[key] = (into[key] ?? 0) + 1);

/** Every deal of the tenant, whole. */
async function allDeals(repos: Repositories) {
  const out = [];
  let after: string | null = null;
  do {
    const page = await repos.deals.list({ after, limit: 200, include: ['history', 'changes'] });
    out.push(...page.deals);
    after = page.next;
  } while (after !== null);
  return out;
}

/** The deal rows whose pipeline or stage the tenant's workspace does not have, read with SQL. */
async function strandedRows(c: Connection, store: StoreKind, tenantId: string, repos: Repositories): Promise<string[]> {
  const ws = await repos.workspace.load();
  const sql = `SELECT id, layout_id, pipeline_id, stage_id FROM sp_deals WHERE tenant_id = ${store === 'sqlite' ? '?' : '$1'}`;
  const rows = await c.query<{ id: string; layout_id: string; pipeline_id: string | null; stage_id: string }>(sql, [tenantId]);
  return rows.filter((r) => {
    const layout = ws.layouts.find((l) => l.id === r.layout_id);
    if (!layout) return true;
    if (r.pipeline_id === null) return layout.pipelines.length > 0 || !layout.stages.some((s) => s.id === r.stage_id);
    const pipeline = layout.pipelines.find((p) => p.id === r.pipeline_id);
    return !pipeline || !pipeline.stages.some((s) => s.stageId === r.stage_id);
  }).map((r) => `${r.id}@${r.pipeline_id}/${r.stage_id}`);
}

/** Runs the rounds and returns what happened; throws only on a failure of the harness itself. */
export async function runRace(o: RaceOptions): Promise<RaceReport> {
  const dealers = o.dealers ?? 3;
  const turns = o.turns ?? 1;
  const src = o.src ?? DEFAULT_SRC;
  const log = o.log ?? (() => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'in-use-race-'));
  const at = storeFor(o.store, dir);
  const lib = await loadLibrary(src);
  const own = await connect(lib, at);
  const workers = Array.from({ length: dealers + 1 }, () => new Worker(fork(join(here, 'raceWorker.ts'), [], { cwd: root, execArgv: ['--import', 'tsx'], env: { ...process.env, RACE_SRC: src } })));
  const report = { store: o.store, rounds: o.rounds, processes: workers.length, changes: {} as Record<string, Record<string, number>>, dealCommands: {} as Record<string, number>, stranded: 0, strandedRounds: 0, violations: 0, seconds: 0 };
  const started = Date.now();
  try {
    for (let round = 0; round < o.rounds; round++) {
      const scenario = scenarios[round % scenarios.length]!;
      const tenantId = freshTenant('race');
      const repos = own.repositories(tenantId);
      const service = lib.index.createPipelineService({ ...repos });
      for (const command of dealerCommands) await service.configure(command, { by: 'admin' });
      for (let j = 0; j < dealers; j++) for (let k = 0; k < turns; k++) for (const deal of scenario.setup(j, k)) await service.createDeal(deal);

      workers.forEach((w, i) => w.send({ type: 'round', at, tenantId, scenario: round % scenarios.length, role: i === 0 ? 'change' : i - 1, turns }));
      for (const w of workers) await w.next('ready');
      for (const w of workers) w.send({ type: 'go' });
      const [change, ...deals] = await Promise.all(workers.map((w) => w.next('done')));
      count((report.changes[scenario.name] ??= {}), change!.outcomes[0]!);
      for (const d of deals) for (const x of d.outcomes) count(report.dealCommands, x);

      const ws = await repos.workspace.load();
      const violations = lib.testing.checkInvariants(ws, await allDeals(repos), { now: Date.now() });
      const stranded = await strandedRows(own, o.store, tenantId, repos);
      report.violations += violations.length;
      report.stranded += stranded.length;
      if (stranded.length > 0) {
        report.strandedRounds++;
        log(`round ${round} (${scenario.name}): change ${change!.outcomes[0]}, stranded ${stranded.join(' ')}`);
      }
      if ((round + 1) % 50 === 0) log(`${round + 1} rounds, ${report.stranded} stranded deals so far`);
    }
  } finally {
    for (const w of workers) w.send({ type: 'exit' });
    await Promise.all(workers.map((w) => new Promise((r) => (w.child.exitCode !== null ? r(null) : w.child.once('exit', r)))));
    await own.close();
    rmSync(dir, { recursive: true, force: true });
  }
  report.seconds = Math.round((Date.now() - started) / 100) / 10;
  return report;
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const { values } = parseArgs({ options: { store: { type: 'string', default: 'sqlite' }, rounds: { type: 'string', default: '200' }, dealers: { type: 'string', default: '3' }, turns: { type: 'string', default: '1' }, src: { type: 'string' } } });
  const store = values.store === 'postgres' ? 'postgres' : 'sqlite';
  const report = await runRace({ store, rounds: Number(values.rounds), dealers: Number(values.dealers), turns: Number(values.turns), ...(values.src ? { src: resolve(values.src) } : {}), log: (line) => console.error(line) });
  console.log(JSON.stringify(report, null, 2));
  process.exitCode = report.stranded === 0 && report.violations === 0 ? 0 : 1;
}
