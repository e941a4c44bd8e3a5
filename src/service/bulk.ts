import { fail, isPipelineError, PipelineError } from '../errors.js';
import { planBulkUpdate } from '../bulk/planBulkUpdate.js';
import { BulkChange } from '../model/commands.js';
import type { Deal } from '../model/deal.js';
import { parseWith } from '../model/parse.js';
import { Id } from '../model/primitives.js';
import * as z from 'zod';
import { stripUndefinedKeys } from '../model/stripUndefinedKeys.js';
import type { Runtime } from './runtime.js';
import type { BulkReport, BulkRequest } from './types.js';

const Request = z.strictObject({
  change: BulkChange,
  mode: z.enum(['atomic', 'bestEffort']),
  chunkSize: z.number().int().min(1).max(100_000).optional(),
  by: Id.nullable().optional(),
  bypassRules: z.boolean().optional(),
  dealIds: z.array(Id).max(1_000_000).optional(),
  query: z.strictObject({ layoutId: Id.optional(), pipelineId: Id.nullable().optional(), stageId: Id.optional() }).optional(),
});

type Parsed = z.output<typeof Request>;

/**
 * A bulk update through the repositories. `bestEffort` plans and saves chunk by chunk (a chunk
 * that keeps conflicting reports its deals as `conflict`); `atomic` reads every deal, plans once
 * and saves everything in one all-or-nothing save.
 */
export async function bulkUpdate(rt: Runtime, request: BulkRequest): Promise<BulkReport> {
  const r = parseWith(Request, request, 'request');
  if ((r.dealIds === undefined) === (r.query === undefined)) {
    fail('invalid_input', 'request: give either dealIds or query', { path: 'request' });
  }
  if (r.dealIds && new Set(r.dealIds).size !== r.dealIds.length) {
    fail('invalid_input', 'request.dealIds: an id is listed twice', { path: 'request.dealIds' });
  }
  const by = r.by ?? null;
  const bypassRules = r.bypassRules === true || r.change.bypassRules === true;
  if (bypassRules) await rt.authorize({ by, action: r.change.type, bypassRules, bulk: true });
  const report: BulkReport = { updated: [], rejected: [], unchanged: [] };
  if (r.mode === 'atomic') await atomic(rt, r, by, bypassRules, report);
  else for await (const page of chunks(rt, r)) await chunk(rt, r, page, by, bypassRules, report);
  return report;
}

/** A chunk of deal ids to work on, with the deals themselves when a query page already read them. */
interface Chunk {
  readonly ids: string[];
  readonly deals?: Deal[];
}

/** The given ids in chunks, or the query page by page. */
async function* chunks(rt: Runtime, r: Parsed): AsyncGenerator<Chunk> {
  const size = r.chunkSize ?? rt.chunkSize;
  if (r.dealIds) {
    for (let i = 0; i < r.dealIds.length; i += size) yield { ids: r.dealIds.slice(i, i + size) };
    return;
  }
  let after: string | null = null;
  do {
    const page = await rt.deals.list({ ...stripUndefinedKeys(r.query ?? {}), after, limit: size });
    yield { ids: page.deals.map((d) => d.id), deals: page.deals };
    after = page.next;
  } while (after !== null);
}

async function chunk(rt: Runtime, r: Parsed, page: Chunk, by: string | null, bypass: boolean, report: BulkReport): Promise<void> {
  const { ids } = page;
  let fresh = page.deals ? { deals: page.deals, missing: [] } : null;
  try {
    await rt.retry(async () => {
      // The first attempt uses what the query page read; a retry after a conflict reads again.
      const found = fresh ?? (await read(rt, ids));
      fresh = null;
      const { deals, missing } = await permitted(rt, found, r.change.type, by, bypass);
      const plan = planBulkUpdate(await rt.workspaces.load(), deals, { ...r.change, ...(bypass ? { bypassRules: true } : {}) }, { at: rt.now(), by, mode: 'bestEffort' });
      await rt.commit(plan.updated);
      report.updated.push(...plan.updated.map((u) => u.deal.id));
      report.unchanged.push(...plan.unchanged);
      report.rejected.push(...plan.rejected.map((x) => ({ dealId: x.dealId, code: x.error.code, message: x.error.message })), ...missing);
    });
  } catch (e) {
    if (!isPipelineError(e, 'conflict')) throw e;
    report.rejected.push(...ids.map((dealId) => ({ dealId, code: 'conflict', message: `deal ${dealId} kept changing during the bulk update` })));
  }
}

async function atomic(rt: Runtime, r: Parsed, by: string | null, bypass: boolean, report: BulkReport): Promise<void> {
  const all: string[] = [];
  for await (const page of chunks(rt, r)) all.push(...page.ids);
  await rt.retry(async () => {
    const { deals, missing } = await permitted(rt, await read(rt, all), r.change.type, by, bypass);
    const plan = planBulkUpdate(await rt.workspaces.load(), deals, { ...r.change, ...(bypass ? { bypassRules: true } : {}) }, { at: rt.now(), by, mode: 'atomic' });
    const rejected = [...plan.rejected.map((x) => ({ dealId: x.dealId, code: x.error.code, message: x.error.message })), ...missing];
    if (rejected.length > 0) {
      report.rejected.push(...rejected);
      const refused = new Set(rejected.map((x) => x.dealId));
      report.unchanged.push(...deals.map((d) => d.id).filter((id) => !refused.has(id)));
      return;
    }
    await rt.commit(plan.updated);
    report.updated.push(...plan.updated.map((u) => u.deal.id));
    report.unchanged.push(...plan.unchanged);
  });
}

/** Asks `authorize` about each deal, as for a single command; refused deals are reported `forbidden`. */
async function permitted(
  rt: Runtime,
  read: { deals: Deal[]; missing: BulkReport['rejected'] },
  action: string,
  by: string | null,
  bypassRules: boolean,
): Promise<{ deals: Deal[]; missing: BulkReport['rejected'] }> {
  const deals: Deal[] = [];
  const missing = [...read.missing];
  for (const deal of read.deals) {
    if (await rt.allows({ by, action, dealId: deal.id, bypassRules, bulk: true })) deals.push(deal);
    else missing.push({ dealId: deal.id, code: 'forbidden', message: `${by ?? 'anonymous'} may not ${action} deal ${deal.id}` });
  }
  return { deals, missing };
}

/** Reads deals by id, in the order asked, and reports the ids that do not exist. */
async function read(rt: Runtime, ids: readonly string[]): Promise<{ deals: Deal[]; missing: BulkReport['rejected'] }> {
  const found = new Map((await rt.deals.getMany(ids)).map((d) => [d.id, d]));
  const deals: Deal[] = [];
  const missing: BulkReport['rejected'] = [];
  for (const id of ids) {
    const d = found.get(id);
    if (d) deals.push(d);
    else missing.push({ dealId: id, code: 'not_found', message: new PipelineError('not_found', `deal ${id} does not exist`).message });
  }
  return { deals, missing };
}
