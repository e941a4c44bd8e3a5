// The period reports a developer would write by hand on the schema of bench/sqliteBaselines.ts
// (typed deal columns, a visits table, a change log), plus a stages table holding their pipelines'
// configuration: the baselines of bench/storage.reports.bench.ts. Each computes the library's
// figures for a period, by the library's definition (the JSDoc of conversionFunnel and
// pipelineWaterfall), with GROUP BY where the definition allows and one ordered pass in JS where a
// deal's state has to be followed through time. Dwell is sqlDwell of bench/sqliteBaselines.ts. The
// stage rows, the funnel's tally of reaches and the waterfall's walk serve the PostgreSQL baselines
// (bench/postgresReportBaselines.ts) too.
import type Database from 'better-sqlite3';
import type { Deal, Funnel, FunnelStage, WaterfallBucket, WaterfallCurrency, Workspace } from '../src/index.js';

type Db = Database.Database;

/** Creates and fills the stages table (pipeline, stage, position among open stages, name, outcome) and the change log of `deals`. */
export function loadReportTables(db: Db, prefix: string, ws: Workspace, deals: readonly Deal[]): void {
  db.exec(`CREATE TABLE ${prefix}stages (pipeline_id TEXT NOT NULL, stage_id TEXT NOT NULL, position INTEGER NOT NULL, open_position INTEGER,
    name TEXT NOT NULL, outcome TEXT NOT NULL, PRIMARY KEY (pipeline_id, stage_id)) WITHOUT ROWID`);
  const stage = db.prepare(`INSERT INTO ${prefix}stages VALUES (?, ?, ?, ?, ?, ?)`);
  const change = db.prepare(`INSERT INTO ${prefix}deal_changes VALUES (?, ?, ?, ?, ?, ?, ?)`);
  db.transaction(() => {
    for (const row of stageTable(ws)) stage.run(...row);
    for (const d of deals) d.changes?.forEach((c, seq) => change.run(d.id, seq, c.at, c.by, c.field, c.from === null ? null : String(c.from), c.to === null ? null : String(c.to)));
  }).immediate();
}

/** The rows of a stages table: pipeline, stage, position, position among the open stages, name, outcome. */
export function stageTable(ws: Workspace): [string, string, number, number | null, string, string][] {
  const rows: [string, string, number, number | null, string, string][] = [];
  for (const layout of ws.layouts) {
    for (const p of layout.pipelines) {
      let open = 0;
      p.stages.forEach((ref, position) => {
        const def = layout.stages.find((s) => s.id === ref.stageId)!;
        rows.push([p.id, ref.stageId, position, def.outcome === 'open' ? open++ : null, def.name, def.outcome]);
      });
    }
  }
  return rows;
}

/**
 * conversionFunnel: the cohort is the deals whose first visit to the pipeline began in
 * `[from, to)`, counting only its visits that began before `to`. A deal's reach is its furthest
 * open stage by position, or past the last once it entered a won stage: one GROUP BY per deal,
 * one GROUP BY over reaches; the stage rows add up the reaches (the pipeline has one won and one
 * lost stage, as the dealer's do).
 */
export function sqlFunnel(db: Db, prefix: string, pipelineId: string, from: number, to: number): Funnel {
  const stages = db.prepare(`SELECT stage_id, name, outcome, open_position FROM ${prefix}stages WHERE pipeline_id = ? ORDER BY position`).raw().all(pipelineId) as StageRow[];
  const openCount = stages.filter((s) => s[2] === 'open').length;
  const rows = db.prepare(`WITH r AS (
      SELECT min(v.entered_at) AS first, max(CASE s.outcome WHEN 'open' THEN s.open_position WHEN 'won' THEN ? ELSE -1 END) AS reach,
        max(s.outcome = 'won') AS won, max(s.outcome = 'lost') AS lost
      FROM ${prefix}visits v LEFT JOIN ${prefix}stages s ON s.pipeline_id = v.pipeline_id AND s.stage_id = v.stage_id
      WHERE v.pipeline_id = ? AND v.entered_at < ? GROUP BY v.deal_id)
    SELECT reach, won, lost, count(*) FROM r WHERE first >= ? GROUP BY 1, 2, 3`).raw().all(openCount, pipelineId, to, from) as ReachRow[];
  return funnelOf(pipelineId, stages, rows);
}

/** Stage rows of a pipeline in order: id, name, outcome, position among the open stages. */
export type StageRow = [stageId: string, name: string, outcome: string, openPosition: number | null];
/** Deals counted by reach (open position, `open count` once won, -1 or null otherwise) and whether they won, lost. */
export type ReachRow = [reach: number | null, won: unknown, lost: unknown, deals: number];

/** The funnel from the deals counted by reach: the stage rows add up the reaches (the pipeline has one won and one lost stage, as the dealer's do). */
export function funnelOf(pipelineId: string, stages: readonly StageRow[], rows: readonly ReachRow[]): Funnel {
  const openCount = stages.filter((s) => s[2] === 'open').length;
  let deals = 0;
  let won = 0;
  let lost = 0;
  const byReach = new Array<number>(openCount + 2).fill(0);
  for (const [reach, w, l, n] of rows) {
    deals += n;
    byReach[(reach ?? -1) + 1]! += n;
    if (w) won += n;
    if (l) lost += n;
  }
  const atLeast = (r: number) => byReach.reduce((sum, n, k) => (k - 1 >= r ? sum + n : sum), 0);
  const out = stages.map(([stageId, stageName, outcome, position]): FunnelStage => {
    const entered = outcome === 'open' ? atLeast(position!) : outcome === 'won' ? won : lost;
    const advanced = outcome === 'open' ? atLeast(position! + 1) : outcome === 'won' ? won : 0;
    return { stageId, stageName, entered, advanced, conversionRate: entered === 0 ? null : advanced / entered };
  });
  return { pipelineId, deals, stages: out, wonRate: deals === 0 ? null : won / deals, lostRate: deals === 0 ? null : lost / deals };
}

export interface WaterfallOptions {
  readonly from: number;
  readonly to: number;
  readonly pipelineId?: string;
  readonly closingFrom?: string;
  readonly closingTo?: string;
}

const BUCKETS = ['start', 'created', 'pulledIn', 'increased', 'reopened', 'movedIn', 'decreased', 'pushedOut', 'won', 'lost', 'movedOut', 'end'] as const;
type Bucket = (typeof BUCKETS)[number];
export type Visit = [dealId: string, at: number, pipelineId: string | null, outcome: string, amount: number | null, closingDate: string | null];
export type Change = [dealId: string, at: number, field: string, from: string | null, to: string | null];

/**
 * pipelineWaterfall: the visits begun before `to` and the changes of amount, closing date and
 * currency, each read once in (deal, time) order, the primary keys' order, and the deal's state
 * followed through them: before `from` it is the start, each instant in `[from, to)` a step
 * classified as the library's definition says, the state at the last one the end.
 */
export function sqlWaterfall(db: Db, prefix: string, o: WaterfallOptions): Record<string, WaterfallCurrency> {
  const visits = db.prepare(`SELECT deal_id, entered_at, pipeline_id, outcome, amount, closing_date FROM ${prefix}visits WHERE entered_at < ? ORDER BY deal_id, seq`).raw().all(o.to) as Visit[];
  const changes = db.prepare(`SELECT deal_id, at, field, from_value, to_value FROM ${prefix}deal_changes WHERE field IN ('amount', 'closingDate', 'currency') ORDER BY deal_id, seq`).raw().all() as Change[];
  const currencies = db.prepare(`SELECT id, currency FROM ${prefix}deals ORDER BY id`).raw().all() as [string, string | null][];
  return walk(o, visits, changes, currencies);
}

/**
 * The waterfall of visits and changes in (deal, time) order, with each deal's current currency
 * (`deals` in id order, a superset of the visits' deals): one walk per deal of its visits and
 * changes merged in time order.
 */
export function walk(o: WaterfallOptions, visits: Visit[], changes: Change[], deals: readonly (readonly [id: string, currency: string | null, ...rest: unknown[]])[]): Record<string, WaterfallCurrency> {
  const w = new Walker(o);
  let c = 0;
  let d = 0;
  for (let i = 0; i < visits.length; ) {
    const id = visits[i]![0];
    let end = i;
    while (end < visits.length && visits[end]![0] === id) end++;
    while (c < changes.length && changes[c]![0] < id) c++;
    let cEnd = c;
    while (cEnd < changes.length && changes[cEnd]![0] === id) cEnd++;
    while (deals[d]![0] !== id) d++;
    w.deal(id, deals[d]![1], visits, i, end, changes, c, cEnd);
    i = end;
    c = cEnd;
  }
  return w.out;
}

class Walker {
  readonly out: Record<string, WaterfallCurrency> = {};
  private readonly bounded: boolean;
  constructor(private readonly o: WaterfallOptions) {
    this.bounded = o.closingFrom !== undefined || o.closingTo !== undefined;
  }

  private put(currency: string | null, id: string, bucket: Bucket, amount: number): void {
    const key = currency ?? '';
    const c = (this.out[key] ??= Object.fromEntries(BUCKETS.map((b) => [b, { count: 0, amount: 0, dealIds: [] }])) as unknown as WaterfallCurrency);
    const b: WaterfallBucket = c[bucket];
    b.amount += amount;
    if (b.dealIds[b.dealIds.length - 1] !== id) {
      b.dealIds.push(id);
      b.count++;
    }
  }

  private inScope(exists: boolean, outcome: string, pipelineId: string | null, closing: string | null): boolean {
    const o = this.o;
    if (!exists || outcome !== 'open' || (o.pipelineId !== undefined && pipelineId !== o.pipelineId)) return false;
    return !this.bounded || (closing !== null && (o.closingFrom === undefined || closing >= o.closingFrom) && (o.closingTo === undefined || closing <= o.closingTo));
  }

  /** One deal: visits [i, iEnd) and changes [c, cEnd), each in time order. */
  deal(id: string, current: string | null, visits: Visit[], i: number, iEnd: number, changes: Change[], c: number, cEnd: number): void {
    const { from, to } = this.o;
    // The currency before its first logged change, else the deal's.
    let currency = current;
    for (let k = c; k < cEnd; k++) if (changes[k]![2] === 'currency') { currency = changes[k]![3]; break; }
    let exists = false;
    let pipelineId: string | null = null;
    let outcome = 'open';
    let amount: number | null = null;
    let closing: string | null = null;
    let amountLogged = false;
    let closingLogged = false;
    let started = false;
    let was = false;
    for (;;) {
      const tv = i < iEnd ? visits[i]![1] : Infinity;
      const tc = c < cEnd ? changes[c]![1] : Infinity;
      const t = Math.min(tv, tc);
      if (!(t < to)) break;
      if (!started && t >= from) {
        started = true;
        was = this.inScope(exists, outcome, pipelineId, closing);
        if (was) this.put(currency, id, 'start', amount ?? 0);
      }
      const [prevExists, prevPipeline, prevOutcome, prevAmount, prevCurrency] = [exists, pipelineId, outcome, amount, currency];
      for (; i < iEnd && visits[i]![1] === t; i++) {
        const v = visits[i]!;
        exists = true;
        pipelineId = v[2];
        outcome = v[3];
        if (!amountLogged) amount = v[4];
        if (!closingLogged) closing = v[5];
      }
      for (; c < cEnd && changes[c]![1] === t; c++) {
        const [, , field, , value] = changes[c]!;
        if (field === 'amount') [amount, amountLogged] = [value === null ? null : Number(value), true];
        else if (field === 'closingDate') [closing, closingLogged] = [value, true];
        else currency = value;
      }
      if (!started) continue;
      const is = this.inScope(exists, outcome, pipelineId, closing);
      if (was && is) {
        const [before, after] = [prevAmount ?? 0, amount ?? 0];
        if (prevCurrency !== currency) {
          this.put(prevCurrency, id, 'decreased', before);
          this.put(currency, id, 'increased', after);
        } else if (after > before) this.put(currency, id, 'increased', after - before);
        else if (after < before) this.put(currency, id, 'decreased', before - after);
      } else if (is) {
        this.put(currency, id, !prevExists ? 'created' : prevOutcome !== 'open' ? 'reopened' : prevPipeline !== pipelineId ? 'movedIn' : 'pulledIn', amount ?? 0);
      } else if (was) {
        this.put(prevCurrency, id, outcome === 'won' ? 'won' : outcome === 'lost' ? 'lost' : prevPipeline !== pipelineId ? 'movedOut' : 'pushedOut', prevAmount ?? 0);
      }
      was = is;
    }
    if (!started) {
      was = this.inScope(exists, outcome, pipelineId, closing);
      if (was) this.put(currency, id, 'start', amount ?? 0);
    }
    if (was) this.put(currency, id, 'end', amount ?? 0);
  }
}
