import { named, type PostgresQueryable } from './client.js';
import type { DealColumns, EventColumns, SaveColumns } from './rows.js';
import { arrayLiteral as a } from './text.js';

// The write statements of a deal save: each touches one table, filters by (or inserts) the
// tenant as $1, and takes the chunk's rows as array parameters (one array literal each), so a
// chunk costs the same number of statements whatever its size. Each is a fixed text with a
// stable name, prepared once per connection by clients that can (`fromPgPool`). Updates and
// deletes also name the chunk's ids with `= ANY($2)`, so that the index scan reads the chunk's
// rows whatever the planner guesses of the tenant's size (a tenant whose statistics are stale
// would otherwise have all its rows hashed for every chunk).
//
// Inserts read their arrays beside the tenant's workspace row (`FROM sp_workspace w CROSS JOIN
// unnest(...) WHERE w.tenant_id = $1`, the tenant taken from that row): on a database sharded
// by tenant (Citus), an INSERT … SELECT that reads a colocated row of the tenant runs as one task
// on the node holding it, while one that reads arrays alone is pulled through the coordinator.
// A tenant without a workspace row (only a host saving deals directly, before any configuration)
// gets the same insert from the arrays alone.

/**
 * Puts every array parameter in a scalar subquery. A plan made for the values at hand (a custom
 * plan) would otherwise count the elements of each array and always look cheaper than the plan
 * for any values (the generic plan), so a prepared statement would be planned again on every
 * call; this way both plans estimate the same and the server keeps the generic one. Only for the
 * inserts: an UPDATE or DELETE joined to arrays of unknown size can be planned as a nested loop
 * that rescans the arrays for every stored row, so those keep their sizes visible.
 */
export function opaqueArrays(sql: string): string {
  return sql.replace(/(?<!ANY\()(\$\d+::[a-z ]+\[\])/g, '(SELECT $1)');
}

const DEAL_INPUT = `unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::double precision[], $9::text[],
  $10::double precision[], $11::text[], $12::text[], $13::text[], $14::text[], $15::bigint[], $16::bigint[], $17::bigint[], $18::integer[],
  $19::integer[], $20::integer[], $21::text[])
  AS i(id, layout_id, pipeline_id, stage_id, name, name_key, amount, currency, probability, closing_date, owner_id, lost_reason, outcome,
       created_at, updated_at, stage_entered_at, version, visit_count, change_count, fields)`;

const UPDATE_DEALS = named('sp_deals_update', `UPDATE sp_deals d SET layout_id = i.layout_id, pipeline_id = i.pipeline_id,
  stage_id = i.stage_id, name = i.name, name_key = i.name_key, amount = i.amount, currency = i.currency, probability = i.probability,
  closing_date = i.closing_date, owner_id = i.owner_id, lost_reason = i.lost_reason, outcome = i.outcome, created_at = i.created_at,
  updated_at = i.updated_at, stage_entered_at = i.stage_entered_at, version = i.version, visit_count = i.visit_count,
  change_count = i.change_count, fields = i.fields::jsonb
FROM ${DEAL_INPUT}
WHERE d.tenant_id = $1 AND d.id = ANY($2::text[]) AND d.id = i.id`);

// The update of one deal (a dispatch, an edit) by its key, the values as scalars. A prepared
// statement is planned once for any values (the generic plan), and the tenant's share of rows it
// then assumes is the average tenant's: with many small tenants, `d.id = ANY($2)` over the arrays
// of UPDATE_DEALS was planned as a scan of the whole tenant filtered by id (3 ms for a tenant of
// 10k deals, against 0.1 ms). Equality on the whole primary key is always one index lookup.
const UPDATE_ONE_DEAL = named('sp_deals_update_one', `UPDATE sp_deals d SET layout_id = $3, pipeline_id = $4, stage_id = $5, name = $6,
  name_key = $7, amount = $8::double precision, currency = $9, probability = $10::double precision, closing_date = $11, owner_id = $12,
  lost_reason = $13, outcome = $14, created_at = $15::bigint, updated_at = $16::bigint, stage_entered_at = $17::bigint,
  version = $18::integer, visit_count = $19::integer, change_count = $20::integer, fields = $21::jsonb
WHERE d.tenant_id = $1 AND d.id = $2`);

/** An insert's two forms: reading its arrays beside the tenant's workspace row, or from the arrays alone (see above). */
export interface AnchoredInsert {
  readonly anchored: string;
  readonly bare: string;
}

/** Both forms of an insert written with `{tenant}` for the tenant value and `{from}` / `{where}` around its arrays. */
function anchoredInsert(name: string, sql: string): AnchoredInsert {
  const fill = (tenant: string, from: string, where: string) =>
    opaqueArrays(sql.replaceAll('{tenant}', tenant).replace('{from}', from).replace('{where}', where));
  return {
    anchored: named(`${name}_anchored`, fill('w.tenant_id', 'sp_workspace w CROSS JOIN ', 'WHERE w.tenant_id = $1')),
    bare: named(name, fill('$1', '', '')),
  };
}

const INSERT_DEALS = anchoredInsert('sp_deals_insert', `INSERT INTO sp_deals (tenant_id, id, layout_id, pipeline_id, stage_id, name, name_key,
  amount, currency, probability, closing_date, owner_id, lost_reason, outcome, created_at, updated_at, stage_entered_at, version, visit_count,
  change_count, fields)
SELECT {tenant}, i.id, i.layout_id, i.pipeline_id, i.stage_id, i.name, i.name_key, i.amount, i.currency, i.probability, i.closing_date, i.owner_id,
  i.lost_reason, i.outcome, i.created_at, i.updated_at, i.stage_entered_at, i.version, i.visit_count, i.change_count, i.fields::jsonb
FROM {from}${DEAL_INPUT}
{where}`);

const UPSERT_VISITS = anchoredInsert('sp_visits_upsert', `INSERT INTO sp_stage_visits AS s (tenant_id, deal_id, seq, layout_id, pipeline_id,
  stage_id, entered_at, exited_at, amount, probability, expected_revenue, closing_date, forecast_category, outcome, "by", bypassed_rules)
SELECT {tenant}, v.* FROM {from}unnest($2::text[], $3::integer[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::bigint[], $9::double precision[],
  $10::double precision[], $11::double precision[], $12::text[], $13::text[], $14::text[], $15::text[], $16::boolean[]) AS v
{where}
ON CONFLICT (tenant_id, deal_id, seq) DO UPDATE SET
  layout_id = EXCLUDED.layout_id, pipeline_id = EXCLUDED.pipeline_id, stage_id = EXCLUDED.stage_id, entered_at = EXCLUDED.entered_at,
  exited_at = EXCLUDED.exited_at, amount = EXCLUDED.amount, probability = EXCLUDED.probability, expected_revenue = EXCLUDED.expected_revenue,
  closing_date = EXCLUDED.closing_date, forecast_category = EXCLUDED.forecast_category, outcome = EXCLUDED.outcome, "by" = EXCLUDED."by",
  bypassed_rules = EXCLUDED.bypassed_rules
WHERE (s.layout_id, s.pipeline_id, s.stage_id, s.entered_at, s.exited_at, s.amount, s.probability, s.expected_revenue, s.closing_date,
       s.forecast_category, s.outcome, s."by", s.bypassed_rules)
  IS DISTINCT FROM (EXCLUDED.layout_id, EXCLUDED.pipeline_id, EXCLUDED.stage_id, EXCLUDED.entered_at, EXCLUDED.exited_at, EXCLUDED.amount,
       EXCLUDED.probability, EXCLUDED.expected_revenue, EXCLUDED.closing_date, EXCLUDED.forecast_category, EXCLUDED.outcome, EXCLUDED."by",
       EXCLUDED.bypassed_rules)`);

const CLOSE_VISITS = named('sp_visits_exit', `UPDATE sp_stage_visits s SET exited_at = x.exited_at
FROM unnest($2::text[], $3::integer[], $4::bigint[]) AS x(deal_id, seq, exited_at)
WHERE s.tenant_id = $1 AND s.deal_id = ANY($2::text[]) AND s.deal_id = x.deal_id AND s.seq = x.seq`);

const TRIM_VISITS = named('sp_visits_trim', `DELETE FROM sp_stage_visits s USING unnest($2::text[], $3::integer[]) AS t(deal_id, visit_count)
WHERE s.tenant_id = $1 AND s.deal_id = ANY($2::text[]) AND s.deal_id = t.deal_id AND s.seq >= t.visit_count`);

const RELAYOUT_VISITS = named('sp_visits_relayout', `UPDATE sp_stage_visits s SET layout_id = r.layout_id
FROM unnest($2::text[], $3::integer[], $4::text[]) AS r(deal_id, before, layout_id)
WHERE s.tenant_id = $1 AND s.deal_id = ANY($2::text[]) AND s.deal_id = r.deal_id AND s.seq < r.before AND s.layout_id <> r.layout_id`);

const INSERT_CHANGES = anchoredInsert('sp_changes_insert', `INSERT INTO sp_deal_changes AS c (tenant_id, deal_id, seq, at, "by", field, from_value, to_value)
SELECT {tenant}, x.* FROM {from}unnest($2::text[], $3::integer[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[]) AS x
{where}
ON CONFLICT (tenant_id, deal_id, seq) DO UPDATE SET at = EXCLUDED.at, "by" = EXCLUDED."by", field = EXCLUDED.field,
  from_value = EXCLUDED.from_value, to_value = EXCLUDED.to_value`);

const TRIM_CHANGES = named('sp_changes_trim', `DELETE FROM sp_deal_changes c USING unnest($2::text[], $3::integer[]) AS t(deal_id, change_count)
WHERE c.tenant_id = $1 AND c.deal_id = ANY($2::text[]) AND c.deal_id = t.deal_id AND c.seq >= t.change_count`);

/** Events in the outbox: `n` is each event's place in its save, so a stream orders by (version, n) whatever numbered `seq`. */
// Events go in as rows of VALUES, not from arrays: sp_outbox numbers `seq` from an identity
// column, and a sharded database (Citus) pulls an INSERT … SELECT that needs a sequence value
// through its coordinator, while it routes an INSERT … VALUES of one tenant as one task to the
// node holding it. Five parameters a row; a save's events go in statements of EVENT_ROWS rows.
const EVENT_ROWS = 1000;
/** Row counts up to this (and full statements) run as named prepared statements; others unnamed. */
const NAMED_EVENT_ROWS = 16;
const eventInserts = new Map<number, string>();

/** The INSERT … VALUES of `rows` events: `n` is each event's place in its save, so a stream orders by (version, n) whatever numbered `seq`. */
function insertEventsText(rows: number): string {
  let text = eventInserts.get(rows);
  if (text === undefined) {
    const values = Array.from({ length: rows }, (_, i) => {
      const p = 2 + i * 5;
      return `($1, $${p}::text, $${p + 1}::text, $${p + 2}::integer, $${p + 3}::integer, $${p + 4}::jsonb)`;
    });
    text = `INSERT INTO sp_outbox (tenant_id, event_id, deal_id, version, n, body) VALUES ${values.join(', ')}`;
    if (rows <= NAMED_EVENT_ROWS || rows === EVENT_ROWS) {
      named(`sp_outbox_insert_${rows}`, text);
      eventInserts.set(rows, text);
    }
  }
  return text;
}

/** A chunk's deal columns in the order of the deal statements' parameters $2.. (DEAL_INPUT's, UPDATE_ONE_DEAL's). */
function dealColumns(d: DealColumns): readonly (readonly (string | number | boolean | null)[])[] {
  return [d.id, d.layoutId, d.pipelineId, d.stageId, d.name, d.nameKey, d.amount, d.currency, d.probability, d.closingDate, d.ownerId,
    d.lostReason, d.outcome, d.createdAt, d.updatedAt, d.stageEnteredAt, d.version, d.visitCount, d.changeCount, d.fields];
}

function dealParams(tenantId: string, d: DealColumns): unknown[] {
  return [tenantId, ...dealColumns(d).map((c) => a(c))];
}

/** The parameters of UPDATE_ONE_DEAL: the chunk's one deal, as scalars. */
function oneDealParams(tenantId: string, d: DealColumns): unknown[] {
  return [tenantId, ...dealColumns(d).map((c) => c[0])];
}

/** Stores events in the outbox, in order (nothing when there are none). */
export async function insertEvents(tx: PostgresQueryable, tenantId: string, e: EventColumns): Promise<void> {
  for (let from = 0; from < e.eventId.length; from += EVENT_ROWS) {
    const to = Math.min(from + EVENT_ROWS, e.eventId.length);
    const params: unknown[] = [tenantId];
    for (let i = from; i < to; i++) params.push(e.eventId[i], e.dealId[i], e.version[i], i, e.body[i]);
    await tx.query(insertEventsText(to - from), params);
  }
}

const pick = (insert: AnchoredInsert, anchored: boolean): string => (anchored ? insert.anchored : insert.bare);

/**
 * Writes a checked, locked chunk: one statement per table and kind of change, the parts a save
 * does not need left out. `anchored`: the tenant's workspace row is known to exist (see above).
 */
export async function writeChunk(tx: PostgresQueryable, tenantId: string, s: SaveColumns, events: EventColumns, anchored: boolean): Promise<void> {
  const t = tenantId;
  if (s.updates.id.length === 1) await tx.query(UPDATE_ONE_DEAL, oneDealParams(t, s.updates));
  else if (s.updates.id.length > 0) await tx.query(UPDATE_DEALS, dealParams(t, s.updates));
  if (s.inserts.id.length > 0) await tx.query(pick(INSERT_DEALS, anchored), dealParams(t, s.inserts));
  const v = s.visits;
  if (v.dealId.length > 0) {
    await tx.query(pick(UPSERT_VISITS, anchored), [t, a(v.dealId), a(v.seq), a(v.layoutId), a(v.pipelineId), a(v.stageId), a(v.enteredAt), a(v.exitedAt), a(v.amount),
      a(v.probability), a(v.expectedRevenue), a(v.closingDate), a(v.forecastCategory), a(v.outcome), a(v.by), a(v.bypassedRules)]);
  }
  if (s.exits.dealId.length > 0) await tx.query(CLOSE_VISITS, [t, a(s.exits.dealId), a(s.exits.seq), a(s.exits.exitedAt)]);
  if (s.trims.dealId.length > 0) await tx.query(TRIM_VISITS, [t, a(s.trims.dealId), a(s.trims.visitCount)]);
  if (s.relayouts.dealId.length > 0) await tx.query(RELAYOUT_VISITS, [t, a(s.relayouts.dealId), a(s.relayouts.before), a(s.relayouts.layoutId)]);
  if (s.changeTrims.dealId.length > 0) await tx.query(TRIM_CHANGES, [t, a(s.changeTrims.dealId), a(s.changeTrims.visitCount)]);
  const c = s.changes;
  if (c.dealId.length > 0) await tx.query(pick(INSERT_CHANGES, anchored), [t, a(c.dealId), a(c.seq), a(c.at), a(c.by), a(c.field), a(c.from), a(c.to)]);
  await insertEvents(tx, t, events);
}
