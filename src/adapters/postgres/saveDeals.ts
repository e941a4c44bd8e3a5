import { PipelineError, type Deal, type DealChange, type DealSaveOptions, type StageVisit } from 'sales-pipelines';
import { named } from './client.js';
import type { Context } from './context.js';
import { historyStartOf, knownRead } from '../storedRows.js';
import { storageError } from './driverErrors.js';
import { eventColumns, saveColumns, type CheckedChange } from './rows.js';
import { arrayLiteral as a } from './text.js';

// One statement saves a chunk: it takes FOR SHARE on the tenant's workspace row (when the
// decision's workspace version is to be checked), locks the stored rows of the chunk in id
// order, compares versions, and only when everything matches writes the deals, their visits and
// their events. A statement is atomic, so a conflict writes nothing, and a pool needs no
// BEGIN/COMMIT round trips. Parts a save does not need (no workspace check, no events, no
// closed visits, ...) are left out of its variant of the statement; each variant is a fixed
// text with a stable name, prepared once per connection by clients that can (`fromPgPool`).

/** Which parts a save needs; one statement text per combination. */
interface Parts {
  readonly ws: boolean;
  readonly visits: boolean;
  readonly exits: boolean;
  readonly trims: boolean;
  readonly relayouts: boolean;
  readonly events: boolean;
}

const VARIANTS = new Map<string, string>();

function saveStatement(parts: Parts): string {
  const key = `${+parts.ws}${+parts.visits}${+parts.exits}${+parts.trims}${+parts.relayouts}${+parts.events}`;
  let sql = VARIANTS.get(key);
  if (sql === undefined) VARIANTS.set(key, (sql = named(`sp_save_deals_${key}`, buildSave(parts))));
  return sql;
}

// $1 tenant, $2..$14 deal columns, then the parts' parameters in the order of `Parts`.
function buildSave(parts: Parts): string {
  let n = 14;
  const p = () => `$${++n}`;
  const ctes: string[] = [
    `input AS MATERIALIZED (
  SELECT * FROM unnest($2::text[], $3::integer[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[],
                       $9::double precision[], $10::double precision[], $11::bigint[], $12::integer[], $13::integer[], $14::text[])
    AS t(id, expected, layout_id, pipeline_id, stage_id, stage_entered_at, currency, amount, probability, updated_at, version, visit_count, body)
)`,
  ];
  let wsCheck = 'true';
  if (parts.ws) {
    const expected = p();
    ctes.push(`ws AS MATERIALIZED (
  SELECT version FROM sp_workspace WHERE tenant_id = $1 FOR SHARE
)`);
    wsCheck = `coalesce((SELECT version FROM ws), 0) = ${expected}::integer`;
  }
  ctes.push(`locked AS MATERIALIZED (
  SELECT id, version FROM sp_deals WHERE tenant_id = $1 AND id = ANY($2::text[]) ORDER BY id FOR UPDATE
)`, `conflicts AS MATERIALIZED (
  SELECT i.id FROM input i LEFT JOIN locked l ON l.id = i.id WHERE l.version IS DISTINCT FROM i.expected
)`, `verdict AS MATERIALIZED (
  SELECT NOT EXISTS (SELECT 1 FROM conflicts) AND ${wsCheck} AS ok
)`, `updated AS (
  UPDATE sp_deals d SET layout_id = i.layout_id, pipeline_id = i.pipeline_id, stage_id = i.stage_id,
         stage_entered_at = i.stage_entered_at, currency = i.currency, amount = i.amount, probability = i.probability,
         updated_at = i.updated_at, version = i.version, visit_count = i.visit_count, body = i.body::jsonb
  FROM input i
  WHERE (SELECT ok FROM verdict) AND d.tenant_id = $1 AND d.id = i.id AND i.expected IS NOT NULL AND d.version = i.expected
  RETURNING d.id
)`, `inserted AS (
  INSERT INTO sp_deals (tenant_id, id, layout_id, pipeline_id, stage_id, stage_entered_at, currency, amount, probability,
                        updated_at, version, visit_count, body)
  SELECT $1, id, layout_id, pipeline_id, stage_id, stage_entered_at, currency, amount, probability, updated_at, version,
         visit_count, body::jsonb
  FROM input WHERE (SELECT ok FROM verdict) AND expected IS NULL ORDER BY id
  RETURNING id
)`);
  if (parts.visits) {
    const v = Array.from({ length: 15 }, p);
    ctes.push(`visits AS (
  INSERT INTO sp_stage_visits AS s (tenant_id, deal_id, seq, layout_id, pipeline_id, stage_id, entered_at, exited_at, amount,
                                    probability, expected_revenue, closing_date, forecast_category, outcome, "by", bypassed_rules)
  SELECT $1, v.* FROM unnest(${v[0]}::text[], ${v[1]}::integer[], ${v[2]}::text[], ${v[3]}::text[], ${v[4]}::text[], ${v[5]}::bigint[], ${v[6]}::bigint[],
                             ${v[7]}::double precision[], ${v[8]}::double precision[], ${v[9]}::double precision[], ${v[10]}::text[], ${v[11]}::text[],
                             ${v[12]}::text[], ${v[13]}::text[], ${v[14]}::boolean[]) AS v
  WHERE (SELECT ok FROM verdict)
  ON CONFLICT (tenant_id, deal_id, seq) DO UPDATE SET
    layout_id = EXCLUDED.layout_id, pipeline_id = EXCLUDED.pipeline_id, stage_id = EXCLUDED.stage_id,
    entered_at = EXCLUDED.entered_at, exited_at = EXCLUDED.exited_at, amount = EXCLUDED.amount,
    probability = EXCLUDED.probability, expected_revenue = EXCLUDED.expected_revenue, closing_date = EXCLUDED.closing_date,
    forecast_category = EXCLUDED.forecast_category, outcome = EXCLUDED.outcome, "by" = EXCLUDED."by",
    bypassed_rules = EXCLUDED.bypassed_rules
  WHERE (s.layout_id, s.pipeline_id, s.stage_id, s.entered_at, s.exited_at, s.amount, s.probability, s.expected_revenue,
         s.closing_date, s.forecast_category, s.outcome, s."by", s.bypassed_rules)
        IS DISTINCT FROM
        (EXCLUDED.layout_id, EXCLUDED.pipeline_id, EXCLUDED.stage_id, EXCLUDED.entered_at, EXCLUDED.exited_at, EXCLUDED.amount,
         EXCLUDED.probability, EXCLUDED.expected_revenue, EXCLUDED.closing_date, EXCLUDED.forecast_category, EXCLUDED.outcome,
         EXCLUDED."by", EXCLUDED.bypassed_rules)
  RETURNING 1
)`);
  }
  if (parts.exits) {
    const [id, seq, at] = [p(), p(), p()];
    ctes.push(`exits AS (
  UPDATE sp_stage_visits s SET exited_at = x.exited_at
  FROM unnest(${id}::text[], ${seq}::integer[], ${at}::bigint[]) AS x(deal_id, seq, exited_at)
  WHERE (SELECT ok FROM verdict) AND s.tenant_id = $1 AND s.deal_id = x.deal_id AND s.seq = x.seq
  RETURNING 1
)`);
  }
  if (parts.trims) {
    const [id, count] = [p(), p()];
    ctes.push(`trimmed AS (
  DELETE FROM sp_stage_visits s USING unnest(${id}::text[], ${count}::integer[]) AS t(deal_id, visit_count)
  WHERE (SELECT ok FROM verdict) AND s.tenant_id = $1 AND s.deal_id = t.deal_id AND s.seq >= t.visit_count
  RETURNING 1
)`);
  }
  if (parts.relayouts) {
    const [id, before, layout] = [p(), p(), p()];
    ctes.push(`relayout AS (
  UPDATE sp_stage_visits s SET layout_id = r.layout_id
  FROM unnest(${id}::text[], ${before}::integer[], ${layout}::text[]) AS r(deal_id, before, layout_id)
  WHERE (SELECT ok FROM verdict) AND s.tenant_id = $1 AND s.deal_id = r.deal_id AND s.seq < r.before AND s.layout_id <> r.layout_id
  RETURNING 1
)`);
  }
  if (parts.events) {
    const e = [p(), p(), p(), p()];
    ctes.push(`events AS (
  INSERT INTO sp_outbox (tenant_id, event_id, deal_id, version, body)
  SELECT $1, e.event_id, e.deal_id, e.version, e.body::jsonb
  FROM unnest(${e[0]}::text[], ${e[1]}::text[], ${e[2]}::integer[], ${e[3]}::text[]) WITH ORDINALITY AS e(event_id, deal_id, version, body, n)
  WHERE (SELECT ok FROM verdict) ORDER BY e.n
  RETURNING 1
)`);
  }
  return opaqueArrays(`
WITH ${ctes.join(',\n')}
SELECT (SELECT ok FROM verdict) AS ok, ARRAY(SELECT id FROM conflicts ORDER BY id) AS conflicts,
       ${parts.ws ? '(SELECT version FROM ws)' : 'NULL::integer'} AS workspace_version`);
}

/**
 * Puts every array parameter in a scalar subquery. A plan made for the values at hand (a custom
 * plan) would otherwise count the elements of each array and always look cheaper than the plan
 * for any values (the generic plan), so a prepared save would be planned again on every call;
 * this way both plans estimate the same and the server keeps the generic one.
 */
function opaqueArrays(sql: string): string {
  return sql.replace(/(?<!ANY\()(\$\d+::[a-z ]+\[\])/g, '(SELECT $1)');
}

/** Checks the shape of what `save` was handed: an array of { deal, expectedVersion, historyStart? }, ids unique. */
function checkChanges(ctx: Context, changes: readonly DealChange[]): CheckedChange[] {
  if (!Array.isArray(changes)) throw new PipelineError('invalid_input', 'changes: expected an array', { path: 'changes' });
  const seen = new Set<string>();
  return changes.map((change: unknown, i) => {
    const path = `changes[${i}]`;
    if (typeof change !== 'object' || change === null) throw new PipelineError('invalid_input', `${path}: expected { deal, expectedVersion }`, { path });
    const { deal, expectedVersion, historyStart } = change as DealChange;
    const read = knownRead(ctx.known, deal) ?? (typeof deal === 'object' && deal !== null ? ctx.tails.get(deal.id) : undefined);
    checkDeal(deal, `${path}.deal`, read?.visits ?? []);
    if (expectedVersion !== null && !Number.isInteger(expectedVersion)) {
      throw new PipelineError('invalid_input', `${path}.expectedVersion: expected an integer or null`, { path: `${path}.expectedVersion` });
    }
    const start = historyStartOf(historyStart, expectedVersion, i);
    if (typeof start !== 'number') throw new PipelineError('invalid_input', `${start[0]}: ${start[1]}`, { path: start[0] });
    if (seen.has(deal.id)) throw new PipelineError('invalid_input', `changes: deal ${deal.id} appears twice`, { path: 'changes', dealId: deal.id });
    seen.add(deal.id);
    // The visits stored at the expected version from `start` on, when this object read the deal at that version in the same layout.
    const known = read !== undefined && read.version === expectedVersion && read.layoutId === deal.layoutId && read.start <= start;
    if (known && start > read.start + read.visits.length) pastStored(`${path}.historyStart`, start, read.start + read.visits.length);
    return { deal, expectedVersion, index: i, path: `${path}.deal`, start, stored: known ? { from: read.start, visits: read.visits } : null };
  });
}

function pastStored(path: string, start: number, count: number): never {
  throw new PipelineError('invalid_input', `${path}: ${start} is past the ${count} stored visits`, { path });
}

const VISIT_COUNTS = named('sp_deals_visit_counts', 'SELECT id, version, visit_count FROM sp_deals WHERE tenant_id = $1 AND id = ANY($2::text[])');

/**
 * Refuses a tail this object did not read whose `historyStart` is past the visits stored at its
 * expected version. A deal at another version is left to the save, which reports the conflict.
 */
async function checkStarts(ctx: Context, changes: readonly CheckedChange[]): Promise<void> {
  const unknown = changes.filter((c) => c.start > 0 && c.stored === null);
  if (unknown.length === 0) return;
  const { rows } = await ctx.db.query<{ id: string; version: number; visit_count: number }>(VISIT_COUNTS, [ctx.tenantId, a(unknown.map((c) => c.deal.id))]);
  const counts = new Map(rows.map((r) => [r.id, r]));
  for (const c of unknown) {
    const head = counts.get(c.deal.id);
    if (head !== undefined && head.version === c.expectedVersion && c.start > head.visit_count) pastStored(`changes[${c.index}].historyStart`, c.start, head.visit_count);
  }
}

const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The columns the adapter copies out must have their types; the rest is stored as given. */
function checkDeal(deal: unknown, path: string, read: readonly StageVisit[]): asserts deal is Deal {
  const d = deal as Record<string, unknown> | null;
  const bad = (field: string, what: string): never => {
    throw new PipelineError('invalid_input', `${path}${field ? `.${field}` : ''}: expected ${what}`, { path: field ? `${path}.${field}` : path });
  };
  if (typeof d !== 'object' || d === null || Array.isArray(d)) return bad('', 'a deal object');
  if (!isText(d.id)) bad('id', 'a non-empty string');
  if (!isText(d.layoutId)) bad('layoutId', 'a non-empty string');
  if (!isText(d.stageId)) bad('stageId', 'a non-empty string');
  if (d.pipelineId !== null && !isText(d.pipelineId)) bad('pipelineId', 'a string or null');
  if (d.currency !== null && typeof d.currency !== 'string') bad('currency', 'a string or null');
  if (d.amount !== null && !isNum(d.amount)) bad('amount', 'a number or null');
  if (!isNum(d.probability)) bad('probability', 'a number');
  if (!Number.isInteger(d.version) || !Number.isInteger(d.updatedAt)) bad('version', 'an integer version and updatedAt');
  const h = d.history;
  if (!Array.isArray(h) || h.length === 0) return bad('history', 'a non-empty array');
  h.forEach((v: unknown, i) => {
    if (v === read[i]) return; // frozen as read from the database
    const r = v as Record<string, unknown> | null;
    const ok = typeof r === 'object' && r !== null && isText(r.stageId) && Number.isInteger(r.enteredAt) &&
      (r.exitedAt === null || Number.isInteger(r.exitedAt)) && (r.pipelineId === null || isText(r.pipelineId)) &&
      (r.amount === null || isNum(r.amount)) && isNum(r.probability) && (r.expectedRevenue === null || isNum(r.expectedRevenue)) &&
      (r.closingDate === null || typeof r.closingDate === 'string') && typeof r.forecastCategory === 'string' &&
      typeof r.outcome === 'string' && (r.by === null || typeof r.by === 'string');
    if (!ok) bad(`history[${i}]`, 'a stage visit');
  });
}

async function guardedStarts(ctx: Context, changes: readonly CheckedChange[], ids: readonly string[]): Promise<void> {
  try {
    await checkStarts(ctx, changes);
  } catch (error) {
    if (error instanceof PipelineError) throw error;
    throw storageError(error, 'deals.save', ids);
  }
}

/**
 * Saves deals (and their events) in one statement: all or nothing, rows locked in id order.
 * Throws `conflict` naming the ids whose stored version differs, or with `workspaceVersion`
 * details when the workspace changed since the decision.
 */
export async function saveDeals(ctx: Context, changes: readonly DealChange[], options: DealSaveOptions = {}): Promise<void> {
  if (typeof options !== 'object' || options === null) throw new PipelineError('invalid_input', 'options: expected { workspaceVersion?, events? }', { path: 'options' });
  const checked = checkChanges(ctx, changes);
  if (checked.length === 0 && (options.events ?? []).length === 0) return;
  const { workspaceVersion, events = [] } = options;
  if (workspaceVersion !== undefined && !Number.isInteger(workspaceVersion)) {
    throw new PipelineError('invalid_input', 'options.workspaceVersion: expected an integer', { path: 'options.workspaceVersion' });
  }
  if (!Array.isArray(events)) throw new PipelineError('invalid_input', 'options.events: expected an array', { path: 'options.events' });
  // Id order: two saves over the same deals take their row locks in the same order.
  checked.sort((a, b) => (a.deal.id < b.deal.id ? -1 : a.deal.id > b.deal.id ? 1 : 0));
  const { deals: d, visits: v, exits: x, trims: t, relayouts: r } = saveColumns(checked);
  const e = eventColumns(events, 'options.events');
  await guardedStarts(ctx, checked, d.id);
  const parts = {
    ws: workspaceVersion !== undefined, visits: v.dealId.length > 0, exits: x.dealId.length > 0, trims: t.dealId.length > 0,
    relayouts: r.dealId.length > 0, events: e.eventId.length > 0,
  };
  // Every array goes as one array literal (see arrayLiteral).
  const params: unknown[] = [ctx.tenantId, a(d.id), a(d.expected), a(d.layoutId), a(d.pipelineId), a(d.stageId), a(d.stageEnteredAt), a(d.currency), a(d.amount),
    a(d.probability), a(d.updatedAt), a(d.version), a(d.visitCount), a(d.body)];
  if (parts.ws) params.push(workspaceVersion);
  if (parts.visits) {
    params.push(a(v.dealId), a(v.seq), a(v.layoutId), a(v.pipelineId), a(v.stageId), a(v.enteredAt), a(v.exitedAt), a(v.amount), a(v.probability),
      a(v.expectedRevenue), a(v.closingDate), a(v.forecastCategory), a(v.outcome), a(v.by), a(v.bypassedRules));
  }
  if (parts.exits) params.push(a(x.dealId), a(x.seq), a(x.exitedAt));
  if (parts.trims) params.push(a(t.dealId), a(t.visitCount));
  if (parts.relayouts) params.push(a(r.dealId), a(r.before), a(r.layoutId));
  if (parts.events) params.push(a(e.eventId), a(e.dealId), a(e.version), a(e.body));
  const ids = d.id;
  let row: { ok: boolean; conflicts: string[]; workspace_version: number | null } | undefined;
  try {
    ({ rows: [row] } = await ctx.db.query<{ ok: boolean; conflicts: string[]; workspace_version: number | null }>(saveStatement(parts), params));
  } catch (error) {
    // A deal inserted by a concurrent save between our check and our insert: a conflict on the new ids.
    if ((error as { code?: unknown } | null)?.code === '23505') {
      const created = checked.filter((c) => c.expectedVersion === null).map((c) => c.deal.id);
      throw new PipelineError('conflict', `deals created concurrently: ${created.slice(0, 10).join(', ')}`, { ids: created }, { cause: error });
    }
    throw storageError(error, 'deals.save', ids);
  }
  if (!row) throw new PipelineError('storage_failed', 'deals.save: the database returned no result');
  if (row.ok) {
    // The deals' versions rose: their tail reads are stale.
    for (const id of ids) ctx.tails.delete(id);
    return;
  }
  if (row.conflicts.length > 0) {
    throw new PipelineError('conflict', `deals changed since they were read: ${row.conflicts.slice(0, 10).join(', ')}`, { ids: row.conflicts });
  }
  const stored = row.workspace_version ?? 0;
  throw new PipelineError('conflict', `workspace: stored version ${stored}, the decision was made on ${workspaceVersion}`, {
    ids: [],
    workspaceVersion: { stored, expected: workspaceVersion },
  });
}
