import * as z from 'zod';
import { fail, isPipelineError, type PipelineErrorCode } from '../errors.js';
import type { DealEvent } from '../deals/events.js';
import type { Deal } from '../model/deal.js';
import type { Workspace } from '../model/layout.js';
import { parseWith } from '../model/parse.js';
import { Id, safeRecord } from '../model/primitives.js';
import { dealViolations } from '../deals/checkInvariants.js';
import { controlsOf } from './bulk.js';
import { createdEvent, mergeImported } from './importMerge.js';
import type { Runtime } from './runtime.js';
import type { ImportDealsOptions, ImportReport } from './types.js';

const Options = z.strictObject({
  mode: z.enum(['create', 'upsert']),
  by: Id.nullable().optional(),
  chunkSize: z.number().int().min(1).max(100_000).optional(),
  expectedVersions: safeRecord(z.number().int().min(1)).optional(),
});

type Parsed = z.output<typeof Options>;
type Refusal = ImportReport['refused'][number];
type Report = { created: string[]; updated: string[]; unchanged: string[]; refused: Refusal[]; cancelled?: boolean };

/** One deal of the input, with where it was in it (for paths in messages). */
interface Item {
  readonly deal: Deal;
  readonly index: number;
}

/**
 * Stores deals built elsewhere (an importer's), with their history as it is, chunk by chunk: each
 * deal is checked (shape and invariants against the stored workspace) and refused on its own;
 * `create` refuses ids that exist, `upsert` merges into stored deals (see `mergeImported`). Each
 * chunk is one all-or-nothing save with its events, retried on conflicts; `onProgress` is told
 * after each and `signal` stops between chunks (`cancelled: true`).
 */
export async function importDeals(rt: Runtime, deals: readonly Deal[], input: ImportDealsOptions): Promise<ImportReport> {
  const { onProgress, signal, rest } = controlsOf(input, 'opts');
  const opts = parseWith(Options, rest, 'opts');
  if (!Array.isArray(deals)) fail('invalid_input', 'deals: expected an array of deals', { path: 'deals' });
  if (opts.expectedVersions && opts.mode !== 'upsert') fail('invalid_input', 'opts.expectedVersions: only with mode upsert', { path: 'opts.expectedVersions' });
  const report: Report = { created: [], updated: [], unchanged: [], refused: [] };
  const items = admit(deals, report.refused);
  const size = opts.chunkSize ?? rt.chunkSize;
  const total = deals.length;
  const done = () => report.created.length + report.updated.length + report.unchanged.length + report.refused.length;
  for (let i = 0; i < items.length || i === 0; i += size) {
    // Between chunks: what is committed stays committed, the rest is not started.
    if (signal?.aborted) {
      report.cancelled = true;
      break;
    }
    await chunk(rt, opts, items.slice(i, i + size), report);
    onProgress?.({ done: done(), total });
  }
  return report;
}

/** The deals to work on; those with no usable id, or an id given before, are refused here. */
function admit(deals: readonly unknown[], refused: Refusal[]): Item[] {
  const seen = new Set<string>();
  const items: Item[] = [];
  for (let index = 0; index < deals.length; index++) {
    const deal = deals[index] as Deal;
    const id = typeof deal === 'object' && deal !== null ? (deal as { id?: unknown }).id : undefined;
    if (typeof id !== 'string') refused.push({ dealId: `deals[${index}]`, code: 'invalid_input', message: `deals[${index}].id: expected a deal id` });
    else if (seen.has(id)) refused.push({ dealId: id, code: 'duplicate_id', message: `deals[${index}]: deal ${id} is given twice` });
    else {
      seen.add(id);
      items.push({ deal, index });
    }
  }
  return items;
}

/** What one chunk's plan saves and reports. */
interface Plan {
  /** `kept`: how many stored visits come before the one an update rewrites (the last stored one). */
  readonly saves: { deal: Deal; events: readonly DealEvent[]; expected: number | null; kept: number }[];
  readonly created: string[];
  readonly updated: string[];
  readonly unchanged: string[];
  readonly refused: Refusal[];
}

async function chunk(rt: Runtime, opts: Parsed, items: readonly Item[], report: Report): Promise<void> {
  if (items.length === 0) return;
  try {
    const plan = await rt.retry(async () => {
      const stored = new Map<string, Deal>();
      for (const d of await rt.deals.getMany(items.map((x) => x.deal.id))) stored.set(d.id, d);
      const ws = await rt.workspaces.load();
      const p = await planChunk(rt, opts, items, stored, ws);
      const expected = new Map(p.saves.map((s) => [s.deal.id, s.expected]));
      const { saves, starts } = await asTails(rt, p.saves);
      await rt.commit(saves, ws.version, (d) => expected.get(d.id) ?? null, starts);
      return p;
    });
    report.created.push(...plan.created);
    report.updated.push(...plan.updated);
    report.unchanged.push(...plan.unchanged);
    report.refused.push(...plan.refused);
  } catch (e) {
    if (!isPipelineError(e, 'conflict')) throw e;
    for (const { deal } of items) report.refused.push({ dealId: deal.id, code: 'conflict', message: `deal ${deal.id} kept changing during the import` });
  }
}

/**
 * On a store that reads tails, updated deals are saved as tails (from their last stored visit
 * on, `historyStart`), read as tails just before, as bulk updates do: the store then knows what
 * it holds for each and writes only what changed, instead of reading the stored visits again
 * to compare. Other stores get whole deals.
 */
async function asTails(rt: Runtime, saves: Plan['saves']): Promise<{ saves: Plan['saves']; starts: Map<string, number> | null }> {
  const updated = saves.filter((s) => s.expected !== null);
  if (!rt.deals.getTails || updated.length === 0) return { saves, starts: null };
  await rt.deals.getTails(updated.map((s) => s.deal.id));
  const starts = new Map<string, number>();
  const tails = saves.map((s) => {
    if (s.expected === null) return s;
    starts.set(s.deal.id, s.kept);
    return { ...s, deal: { ...s.deal, history: s.deal.history.slice(s.kept) } };
  });
  return { saves: tails, starts };
}

async function planChunk(rt: Runtime, opts: Parsed, items: readonly Item[], stored: ReadonlyMap<string, Deal>, ws: Workspace): Promise<Plan> {
  const plan: Plan = { saves: [], created: [], updated: [], unchanged: [], refused: [] };
  const by = opts.by ?? null;
  const refuse = (dealId: string, code: PipelineErrorCode, message: string) => plan.refused.push({ dealId, code, message });
  const now = rt.now();
  for (const { deal, index } of items) {
    const current = stored.get(deal.id) ?? null;
    const problem = dealViolations(ws, deal, `deals[${index}]`, Math.max(now, lastEntry(deal)))[0];
    if (problem) refuse(deal.id, 'invalid_input', problem.invariant === 'shape' ? problem.message : `deals[${index}]: ${problem.message} (invariant ${problem.invariant})`);
    else if (rt.authorizes && !(await rt.allows({ by, action: 'importDeal', dealId: deal.id, bypassRules: false, bulk: true, ...(current ? { deal: current } : {}) }))) {
      refuse(deal.id, 'forbidden', `${by ?? 'anonymous'} may not importDeal deal ${deal.id}`);
    } else if (current === null) {
      const expected = expectedVersion(opts, deal.id);
      if (expected !== undefined) refuse(deal.id, 'conflict', `deal ${deal.id} does not exist, not at version ${expected}`);
      else {
        plan.saves.push({ deal, events: [createdEvent(deal, by)], expected: null, kept: 0 });
        plan.created.push(deal.id);
      }
    } else if (opts.mode === 'create') refuse(deal.id, 'duplicate_id', `deal ${deal.id} already exists`);
    else planUpsert(plan, opts, current, deal, by);
  }
  return plan;
}

function planUpsert(plan: Plan, opts: Parsed, current: Deal, deal: Deal, by: string | null): void {
  const expected = expectedVersion(opts, deal.id);
  if (expected !== undefined && expected !== current.version) {
    plan.refused.push({ dealId: deal.id, code: 'conflict', message: `deal ${deal.id} is at version ${current.version}, not ${expected}: it changed since it was read` });
    return;
  }
  const merge = mergeImported(current, deal, by);
  if (merge.kind === 'unchanged') plan.unchanged.push(deal.id);
  else if (merge.kind === 'conflict') plan.refused.push({ dealId: deal.id, code: 'conflict', message: merge.message });
  else {
    plan.saves.push({ deal: merge.deal, events: merge.events, expected: current.version, kept: current.history.length - 1 });
    plan.updated.push(deal.id);
  }
}

const expectedVersion = (opts: Parsed, id: string): number | undefined =>
  opts.expectedVersions && Object.hasOwn(opts.expectedVersions, id) ? opts.expectedVersions[id] : undefined;

/** When the deal's open visit began: the open visit's dwell is measured from there. */
function lastEntry(deal: Deal): number {
  const h = (deal as { history?: unknown }).history;
  if (!Array.isArray(h) || h.length === 0) return 0;
  const at = (h[h.length - 1] as { enteredAt?: unknown } | null)?.enteredAt;
  return typeof at === 'number' && Number.isFinite(at) ? at : 0;
}
