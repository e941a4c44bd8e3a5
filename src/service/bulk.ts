import { fail, isPipelineError } from '../errors.js';
import { planBulkUpdate } from '../bulk/planBulkUpdate.js';
import { BulkChange, type BulkChangeInput } from '../model/commands.js';
import type { Deal } from '../model/deal.js';
import { parseWith } from '../model/parse.js';
import { Id, safeRecord } from '../model/primitives.js';
import { dealMatcher, type DealFilter } from '../ports/repositories.js';
import { MAX_LIST_LIMIT } from '../ports/dealQuery.js';
import * as z from 'zod';
import { stripUndefinedKeys } from '../model/stripUndefinedKeys.js';
import { readAhead } from './pages.js';
import type { Runtime } from './runtime.js';
import { pageForPlanning, readForPlanning, type PlanningRead } from './tails.js';
import type { BulkReport, BulkRequest } from './types.js';

const Request = z.strictObject({
  change: BulkChange,
  mode: z.enum(['atomic', 'bestEffort']),
  chunkSize: z.number().int().min(1).max(100_000).optional(),
  by: Id.nullable().optional(),
  bypassRules: z.boolean().optional(),
  dealIds: z.array(Id).max(1_000_000).optional(),
  expectedVersions: safeRecord(z.number().int().min(1)).optional(),
  query: z.strictObject({ layoutId: Id.optional(), pipelineId: Id.nullable().optional(), stageId: Id.optional() }).optional(),
});

type Parsed = z.output<typeof Request>;
type Rejected = BulkReport['rejected'][number];
type Report = { updated: string[]; rejected: Rejected[]; unchanged: string[]; aborted?: boolean; cancelled?: boolean };

/** Appends without spreading: reports of a million ids must not hit argument-count limits. */
function append<T>(target: T[], items: readonly T[]): void {
  for (let i = 0; i < items.length; i++) target.push(items[i]!);
}

/**
 * A bulk update through the repositories. `bestEffort` plans and saves chunk by chunk (a chunk
 * that keeps conflicting reports its deals as `conflict`), telling `onProgress` after each and
 * stopping between chunks once `signal` is aborted (`cancelled: true`); `atomic` reads every deal,
 * plans once and saves everything in one all-or-nothing save, or nothing (`aborted: true`).
 */
export async function bulkUpdate(rt: Runtime, request: BulkRequest): Promise<BulkReport> {
  const { onProgress, signal, rest } = controlsOf(request, 'request');
  const r = parseWith(Request, rest, 'request');
  if ((r.dealIds === undefined) === (r.query === undefined)) {
    fail('invalid_input', 'request: give either dealIds or query', { path: 'request' });
  }
  if (r.dealIds && new Set(r.dealIds).size !== r.dealIds.length) {
    fail('invalid_input', 'request.dealIds: an id is listed twice', { path: 'request.dealIds' });
  }
  if (r.expectedVersions && !r.dealIds) fail('invalid_input', 'request.expectedVersions: only with dealIds', { path: 'request.expectedVersions' });
  if (r.expectedVersions && r.dealIds) refuseUnlisted(r.expectedVersions, r.dealIds);
  const by = r.by ?? null;
  const bypassRules = r.bypassRules === true || r.change.bypassRules === true;
  if (bypassRules) await rt.authorize({ by, action: r.change.type, bypassRules, bulk: true });
  const report: Report = { updated: [], rejected: [], unchanged: [] };
  const job: Job = { rt, r, by, bypass: bypassRules, filter: r.query ? stripUndefinedKeys(r.query) : null, report };
  const total = r.dealIds ? r.dealIds.length : null;
  const progress = (all: number | null) => onProgress?.({ done: report.updated.length + report.rejected.length + report.unchanged.length, total: all });
  if (signal?.aborted) report.cancelled = true;
  else if (r.mode === 'atomic') {
    await atomic(job);
    progress(report.updated.length + report.rejected.length + report.unchanged.length);
  } else {
    for await (const page of chunks(rt, r)) {
      // Between chunks: what is committed stays committed, the rest is not started.
      if (signal?.aborted) {
        report.cancelled = true;
        break;
      }
      await chunk(job, page);
      progress(total);
    }
  }
  return report;
}

/**
 * Takes `onProgress` and `signal` (not data, so not for zod) out of a request or options object
 * (named `label` in errors), checked.
 */
export function controlsOf(request: { onProgress?: unknown; signal?: unknown }, label: string): { onProgress: BulkRequest['onProgress']; signal: AbortSignal | undefined; rest: unknown } {
  if (typeof request !== 'object' || request === null) return { onProgress: undefined, signal: undefined, rest: request };
  const { onProgress, signal, ...rest } = request;
  if (onProgress !== undefined && typeof onProgress !== 'function') fail('invalid_input', `${label}.onProgress: expected a function`, { path: `${label}.onProgress` });
  if (signal !== undefined && (typeof signal !== 'object' || signal === null || typeof (signal as { aborted?: unknown }).aborted !== 'boolean')) {
    fail('invalid_input', `${label}.signal: expected an AbortSignal`, { path: `${label}.signal` });
  }
  return { onProgress: onProgress as BulkRequest['onProgress'], signal: signal as AbortSignal | undefined, rest };
}

/** A version for a deal the request does not change is a caller's mistake, not something to ignore. */
function refuseUnlisted(expected: Readonly<Record<string, number>>, dealIds: readonly string[]): void {
  const listed = new Set(dealIds);
  for (const id of Object.keys(expected)) {
    if (!listed.has(id)) {
      fail('invalid_input', `request.expectedVersions.${id}: deal ${id} is not in request.dealIds`, { path: `request.expectedVersions.${id}`, dealId: id });
    }
  }
}

interface Job {
  readonly rt: Runtime;
  readonly r: Parsed;
  readonly by: string | null;
  readonly bypass: boolean;
  /** The query's filters, checked again on every read: a deal that left the query is not changed. */
  readonly filter: DealFilter | null;
  readonly report: Report;
}

/** A chunk of deal ids to work on, with the deals themselves when a query page already read them. */
interface Chunk {
  readonly ids: string[];
  readonly read?: PlanningRead;
}

/** The given ids in chunks, or the query page by page. */
async function* chunks(rt: Runtime, r: Parsed): AsyncGenerator<Chunk> {
  const size = r.chunkSize ?? rt.chunkSize;
  if (r.dealIds) {
    for (let i = 0; i < r.dealIds.length; i += size) yield { ids: r.dealIds.slice(i, i + size) };
    return;
  }
  const query = stripUndefinedKeys(r.query ?? {});
  // The next page is read while the caller plans and saves this one (its ids all come after this
  // page's, so what this page's save changes cannot move deals into or out of it).
  const pages = readAhead((after) => pageForPlanning(rt, { ...query, after, limit: Math.min(size, MAX_LIST_LIMIT) }));
  for await (const page of pages) yield { ids: page.read.deals.map((d) => d.id), read: page.read };
}

function change(job: Job): BulkChangeInput {
  return { ...job.r.change, ...(job.bypass ? { bypassRules: true } : {}) } as BulkChangeInput;
}

async function chunk(job: Job, page: Chunk): Promise<void> {
  const { rt, report } = job;
  let fresh = page.read ?? null;
  try {
    await rt.retry(async () => {
      // The first attempt uses what the query page read; a retry after a conflict reads again.
      const found = await read(job, page.ids, fresh);
      fresh = null;
      const { deals, refused } = await permitted(job, found);
      const ws = await rt.workspaces.load();
      const plan = planBulkUpdate(ws, deals, change(job), { at: rt.atFor(deals), by: job.by, mode: 'bestEffort' });
      await rt.commit(plan.updated, ws.version, undefined, found.starts);
      for (const u of plan.updated) report.updated.push(u.deal.id);
      append(report.unchanged, plan.unchanged);
      append(report.unchanged, found.left);
      for (const x of plan.rejected) report.rejected.push({ dealId: x.dealId, code: x.error.code, message: x.error.message });
      append(report.rejected, refused);
    });
  } catch (e) {
    if (!isPipelineError(e, 'conflict')) throw e;
    for (const dealId of page.ids) report.rejected.push({ dealId, code: 'conflict', message: `deal ${dealId} kept changing during the bulk update` });
  }
}

async function atomic(job: Job): Promise<void> {
  const { rt, report } = job;
  const all: string[] = [];
  for await (const page of chunks(rt, job.r)) append(all, page.ids);
  try {
    await rt.retry(async () => {
      const found = await read(job, all, null);
      const { deals, refused } = await permitted(job, found);
      const ws = await rt.workspaces.load();
      const plan = planBulkUpdate(ws, deals, change(job), { at: rt.atFor(deals), by: job.by, mode: 'atomic' });
      const rejected: Rejected[] = plan.rejected.map((x) => ({ dealId: x.dealId, code: x.error.code, message: x.error.message }));
      append(rejected, refused);
      if (rejected.length > 0) {
        abort(report, all, rejected);
        return;
      }
      await rt.commit(plan.updated, ws.version, undefined, found.starts);
      for (const u of plan.updated) report.updated.push(u.deal.id);
      append(report.unchanged, plan.unchanged);
      append(report.unchanged, found.left);
    });
  } catch (e) {
    if (!isPipelineError(e, 'conflict')) throw e;
    abort(report, all, all.map((dealId) => ({ dealId, code: 'conflict' as const, message: `deal ${dealId} kept changing during the bulk update` })));
  }
}

/** Nothing was saved: the rejected deals say why, every other deal is unchanged. */
function abort(report: Report, all: readonly string[], rejected: readonly Rejected[]): void {
  const refused = new Set(rejected.map((x) => x.dealId));
  report.updated.length = 0;
  report.rejected.length = 0;
  report.unchanged.length = 0;
  append(report.rejected, rejected);
  for (const id of all) if (!refused.has(id)) report.unchanged.push(id);
  report.aborted = true;
}

/**
 * Asks `authorize` about each deal as read (the save then expects that version, so a change in
 * between conflicts and the retry asks again); refused deals are reported `forbidden`.
 */
async function permitted(job: Job, found: Found): Promise<{ deals: Deal[]; refused: Rejected[] }> {
  // Without an authorize function every deal is allowed (a bypass was refused up front).
  if (!job.rt.authorizes) return { deals: found.deals, refused: found.rejected };
  const deals: Deal[] = [];
  const refused = [...found.rejected];
  const action = job.r.change.type;
  for (const deal of found.deals) {
    if (await job.rt.allows({ by: job.by, action, dealId: deal.id, bypassRules: job.bypass, bulk: true, deal })) deals.push(deal);
    else refused.push({ dealId: deal.id, code: 'forbidden', message: `${job.by ?? 'anonymous'} may not ${action} deal ${deal.id}` });
  }
  return { deals, refused };
}

interface Found {
  /** Deals to plan, in the order asked. */
  readonly deals: Deal[];
  /** Ids that do not exist, or are not at the version the caller expected. */
  readonly rejected: Rejected[];
  /** Deals that no longer match the query: left alone, reported unchanged. */
  readonly left: string[];
  /** Where the history of deals read as tails starts, by id. */
  readonly starts: Map<string, number> | null;
}

/** Reads deals by id (or takes a page already read), in the order asked, checking the query and expected versions. */
async function read(job: Job, ids: readonly string[], already: PlanningRead | null): Promise<Found> {
  const { deals: list, starts } = already ?? (await readForPlanning(job.rt, ids));
  const found = new Map<string, Deal>();
  for (const d of list) found.set(d.id, d);
  const deals: Deal[] = [];
  const rejected: Rejected[] = [];
  const left: string[] = [];
  const expected = job.r.expectedVersions;
  const matches = job.filter ? dealMatcher(job.filter) : null;
  for (const id of ids) {
    const d = found.get(id);
    if (!d) rejected.push({ dealId: id, code: 'not_found', message: `deal ${id} does not exist` });
    else if (matches && !matches(d)) left.push(id);
    else if (expected && Object.hasOwn(expected, id) && expected[id] !== d.version) {
      rejected.push({ dealId: id, code: 'conflict', message: `deal ${id} is at version ${d.version}, not ${expected[id]}: it changed since it was read` });
    } else deals.push(d);
  }
  return { deals, rejected, left, starts };
}
