import { PipelineError } from '../../errors.js';
import type { Deal, FieldChange, StageVisit } from '../../model/deal.js';

/** The columns of `sp_deals` in insert order (tenant_id first). */
const DEAL_COLUMN_NAMES = `tenant_id, id, layout_id, pipeline_id, stage_id, name, name_key, amount, currency, probability, closing_date, owner_id,
  lost_reason, outcome, created_at, updated_at, stage_entered_at, version, visit_count, change_count, fields`;
/** Parameters per deal row. */
export const DEAL_WIDTH = 21;
export const DEAL_INSERT = `INSERT INTO sp_deals (${DEAL_COLUMN_NAMES}) VALUES (${Array(DEAL_WIDTH).fill('?').join(', ')})`;

/** Parameters per visit row. */
export const VISIT_WIDTH = 16;
const VISIT_COLUMN_NAMES = `tenant_id, deal_id, seq, layout_id, pipeline_id, stage_id, entered_at, exited_at, amount, probability, expected_revenue,
  closing_date, forecast_category, outcome, "by", bypassed_rules`;
export const VISIT_INSERT = `INSERT INTO sp_stage_visits (${VISIT_COLUMN_NAMES}) VALUES (${Array(VISIT_WIDTH).fill('?').join(', ')})`;
export const VISIT_UPSERT = `${VISIT_INSERT}
  ON CONFLICT (tenant_id, deal_id, seq) DO UPDATE SET layout_id = excluded.layout_id, pipeline_id = excluded.pipeline_id,
    stage_id = excluded.stage_id, entered_at = excluded.entered_at, exited_at = excluded.exited_at, amount = excluded.amount,
    probability = excluded.probability, expected_revenue = excluded.expected_revenue, closing_date = excluded.closing_date,
    forecast_category = excluded.forecast_category, outcome = excluded.outcome, "by" = excluded."by", bypassed_rules = excluded.bypassed_rules`;

/** Parameters per change-log row. */
export const CHANGE_WIDTH = 8;
export const CHANGE_INSERT = `INSERT INTO sp_deal_changes (tenant_id, deal_id, seq, at, "by", field, from_value, to_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;

/** A multi-row INSERT of `rows` rows: the single-row statement with `, (?, …)` repeated. */
export function multiRow(insert: string, width: number, rows: number): string {
  return `${insert}${`, (${Array(width).fill('?').join(', ')})`.repeat(rows - 1)}`;
}

/**
 * The parameters of a deal row after tenant_id (see {@link DEAL_INSERT}): `visitCount` is the
 * number of stored visits (a tail's `historyStart` plus its history), `current` the current
 * visit (the history's last).
 */
export function dealParams(deal: Deal, visitCount: number, current: Pick<StageVisit, 'enteredAt' | 'outcome'> = deal.history[deal.history.length - 1]!): unknown[] {
  const last = current;
  return [
    deal.id, deal.layoutId, deal.pipelineId, deal.stageId, deal.name, deal.name.toLowerCase(), deal.amount, deal.currency, deal.probability,
    deal.closingDate, deal.ownerId, deal.lostReason, last.outcome, deal.createdAt, deal.updatedAt, last.enteredAt, deal.version,
    visitCount, deal.changes === undefined ? null : deal.changes.length, JSON.stringify(deal.fields),
  ];
}

/** The deal columns every deal read selects first, from `sp_deals d` (see {@link dealFromRow}). */
export const DEAL_SELECT = `d.id, d.layout_id, d.pipeline_id, d.stage_id, d.name, d.amount, d.currency, d.probability, d.closing_date, d.owner_id,
  d.lost_reason, d.fields, d.created_at, d.updated_at, d.version, d.visit_count, d.change_count`;
/** How many columns {@link DEAL_SELECT} has: what a read selects after them starts here. */
export const DEAL_SELECTED = 17;
export type DealRow = [
  id: string, layoutId: string, pipelineId: string | null, stageId: string, name: string, amount: number | null, currency: string | null,
  probability: number, closingDate: string | null, ownerId: string | null, lostReason: string | null, fields: string, createdAt: number,
  updatedAt: number, version: number, visitCount: number, changeCount: number | null, ...rest: unknown[],
];

/** A deal from its row, its history, and its change log (absent when `change_count` is null). */
export function dealFromRow(r: DealRow, history: StageVisit[], changes: FieldChange[] | undefined): Deal {
  const deal: Deal = {
    id: r[0], layoutId: r[1], pipelineId: r[2], stageId: r[3], name: r[4], amount: r[5], currency: r[6], probability: r[7], closingDate: r[8],
    ownerId: r[9], lostReason: r[10], fields: JSON.parse(r[11]) as Deal['fields'], createdAt: r[12], updatedAt: r[13], version: r[14], history,
  };
  if (changes !== undefined) deal.changes = changes;
  return deal;
}

/**
 * The change log of deal row `d` as one JSON array of `[at, by, field, from, to]`, in seq order:
 * one cell per deal. `from`/`to` are stored as JSON text and spliced in as written (no JSON
 * parse in SQL: a bulk update reads every change log it extends).
 */
export const CHANGES_JSON = `CASE WHEN d.change_count > 0 THEN (SELECT '[' || group_concat('[' || c.at || ',' || json_quote(c."by") || ',' || json_quote(c.field) || ','
  || c.from_value || ',' || c.to_value || ']', ',' ORDER BY c.seq) || ']' FROM sp_deal_changes c WHERE c.tenant_id = d.tenant_id AND c.deal_id = d.id) END`;

/** The change log of {@link CHANGES_JSON}: undefined when the deal has none (null count), [] when empty. */
export function changesFromJson(json: string | null, count: number | null): FieldChange[] | undefined {
  if (count === null) return undefined;
  if (json === null) return [];
  const rows = JSON.parse(json) as [number, string | null, FieldChange['field'], FieldChange['from'], FieldChange['to']][];
  const out: FieldChange[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    out[i] = { at: r[0], by: r[1], field: r[2], from: r[3], to: r[4] };
  }
  return out;
}

/** The parameters of a change-log row. */
export function changeParams(tenantId: string, dealId: string, seq: number, c: FieldChange): unknown[] {
  return [tenantId, dealId, seq, c.at, c.by, c.field, JSON.stringify(c.from), JSON.stringify(c.to)];
}

/** The visit columns in the order every visit SELECT returns them (after any leading columns). */
export const VISIT_COLUMNS =
  'v.pipeline_id, v.stage_id, v.entered_at, v.exited_at, v.amount, v.probability, v.expected_revenue, v.closing_date, v.forecast_category, v.outcome, v."by", v.bypassed_rules';

/**
 * A REAL/INTEGER column as a JSON value that reads back exactly: the integer itself when the
 * value is one (below 2^53), `[n]` for n / 100 when that division gives the value back bit for
 * bit, else `[]` (SQLite prints doubles with 15 digits only; such a deal is read again by column).
 */
function exactNumber(x: string): string {
  return `CASE WHEN ${x} IS NULL THEN NULL WHEN ${x} = CAST(${x} AS INTEGER) AND abs(${x}) < 9007199254740992 THEN CAST(${x} AS INTEGER)
    WHEN abs(${x}) < 1e13 AND CAST(round(${x} * 100) AS INTEGER) / 100.0 = ${x} THEN json_array(CAST(round(${x} * 100) AS INTEGER)) ELSE json_array() END`;
}

/**
 * The visits of deal row `d`, in seq order, as one JSON array of arrays in the order of
 * {@link VISIT_COLUMNS}: one cell per deal instead of twelve per visit (see {@link visitsFromJson}).
 */
export const VISITS_JSON = `(SELECT json_group_array(json_array(v.pipeline_id, v.stage_id, ${exactNumber('v.entered_at')}, ${exactNumber('v.exited_at')},
  ${exactNumber('v.amount')}, ${exactNumber('v.probability')}, ${exactNumber('v.expected_revenue')}, v.closing_date, v.forecast_category, v.outcome,
  v."by", v.bypassed_rules) ORDER BY v.seq) FROM sp_stage_visits v WHERE v.tenant_id = d.tenant_id AND v.deal_id = d.id)`;

/** Thrown by {@link visitsFromJson} when a number was not printed exactly. */
const INEXACT = Symbol('inexact');

function exact(v: unknown): number | null {
  if (typeof v === 'number' || v === null) return v;
  const a = v as number[];
  if (a.length === 0) throw INEXACT;
  return a[0]! / 100;
}

/** The visits of {@link VISITS_JSON}, or null when a number in them has to be read by column. */
export function visitsFromJson(json: string): StageVisit[] | null {
  const rows = JSON.parse(json) as unknown[][];
  const out: StageVisit[] = new Array(rows.length);
  try {
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      out[i] = {
        pipelineId: r[0] as string | null,
        stageId: r[1] as string,
        enteredAt: exact(r[2]) as number,
        exitedAt: exact(r[3]),
        amount: exact(r[4]),
        probability: exact(r[5]) as number,
        expectedRevenue: exact(r[6]),
        closingDate: r[7] as string | null,
        forecastCategory: r[8] as StageVisit['forecastCategory'],
        outcome: r[9] as StageVisit['outcome'],
        by: r[10] as string | null,
        bypassedRules: r[11] === 1,
      };
    }
  } catch (e) {
    if (e === INEXACT) return null;
    throw e;
  }
  return out;
}

/** One visit row as better-sqlite3 returns it in raw mode, starting at `at`. */
export function visitFromRow(r: readonly unknown[], at: number): StageVisit {
  return {
    pipelineId: r[at] as string | null,
    stageId: r[at + 1] as string,
    enteredAt: r[at + 2] as number,
    exitedAt: r[at + 3] as number | null,
    amount: r[at + 4] as number | null,
    probability: r[at + 5] as number,
    expectedRevenue: r[at + 6] as number | null,
    closingDate: r[at + 7] as string | null,
    forecastCategory: r[at + 8] as StageVisit['forecastCategory'],
    outcome: r[at + 9] as StageVisit['outcome'],
    by: r[at + 10] as string | null,
    bypassedRules: r[at + 11] === 1,
  };
}

/** The parameters of a visit row: tenant, deal, layout, seq, then the visit's columns. */
export function visitParams(tenantId: string, dealId: string, layoutId: string, seq: number, v: StageVisit): unknown[] {
  return [
    tenantId, dealId, seq, layoutId, v.pipelineId, v.stageId, v.enteredAt, v.exitedAt, v.amount, v.probability,
    v.expectedRevenue, v.closingDate, v.forecastCategory, v.outcome, v.by, v.bypassedRules ? 1 : 0,
  ];
}

// U+0000 and lone surrogates do not survive a TEXT column; the library refuses them at its boundary.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Refuses a string that a TEXT column would not store exactly. */
export function checkText(value: string | null, path: string): void {
  if (value !== null && UNSTORABLE.test(value)) {
    throw new PipelineError('invalid_input', `${path}: contains U+0000 or a lone surrogate`, { path });
  }
}

const str = (v: unknown) => typeof v === 'string' && v.length > 0;
const strOrNull = (v: unknown) => v === null || str(v);
const textOrNull = (v: unknown) => v === null || typeof v === 'string';
const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
const numOrNull = (v: unknown) => v === null || num(v);
const scalar = (v: unknown) => v === null || typeof v === 'string' || num(v);

function badVisit(v: unknown): string | null {
  if (typeof v !== 'object' || v === null) return '';
  const r = v as Record<string, unknown>;
  if (!strOrNull(r.pipelineId)) return '.pipelineId';
  if (!str(r.stageId)) return '.stageId';
  if (!num(r.enteredAt)) return '.enteredAt';
  if (!numOrNull(r.exitedAt)) return '.exitedAt';
  if (!numOrNull(r.amount) || !num(r.probability) || !numOrNull(r.expectedRevenue)) return '.amount';
  if (!strOrNull(r.closingDate) || !str(r.forecastCategory) || !str(r.outcome) || !strOrNull(r.by)) return '.closingDate';
  if (typeof r.bypassedRules !== 'boolean') return '.bypassedRules';
  return null;
}

function checkChangeLog(changes: unknown, label: string, from: number): void {
  const fail = (field: string, what: string): never => {
    throw new PipelineError('invalid_input', `${label}.changes${field}: ${what}`, { path: `${label}.changes${field}` });
  };
  if (changes === undefined) return;
  if (!Array.isArray(changes)) fail('', 'expected an array of field changes');
  const log = changes as unknown[];
  for (let i = from; i < log.length; i++) {
    const c = log[i] as Record<string, unknown> | null;
    if (typeof c !== 'object' || c === null || !num(c.at) || !strOrNull(c.by) || !str(c.field) || !scalar(c.from) || !scalar(c.to)) fail(`[${i}]`, 'expected { at, by, field, from, to }');
    for (const key of ['by', 'field', 'from', 'to'] as const) if (typeof c![key] === 'string') checkText(c![key] as string, `${label}.changes[${i}].${key}`);
  }
}

/**
 * A structural check of a deal handed to `save` (the reducers made it; hosts calling `save`
 * directly get `invalid_input` naming the field instead of a corrupt row). Visits from `from` on
 * are the ones written, so only they are checked, and of those only the ones that are not the
 * frozen visit this store handed out at the same place (`read`); likewise change-log entries
 * from `changesFrom` on.
 */
export function checkDeal(deal: unknown, label: string, from = 0, read: readonly StageVisit[] = [], changesFrom = 0): asserts deal is Deal {
  const fail = (field: string, what: string): never => {
    throw new PipelineError('invalid_input', `${label}${field}: ${what}`, { path: `${label}${field}` });
  };
  if (typeof deal !== 'object' || deal === null || Array.isArray(deal)) fail('', 'expected a deal object');
  const d = deal as Record<string, unknown>;
  if (!str(d.id)) fail('.id', 'expected a non-empty string');
  if (!str(d.layoutId)) fail('.layoutId', 'expected a non-empty string');
  if (!str(d.stageId)) fail('.stageId', 'expected a non-empty string');
  if (!strOrNull(d.pipelineId)) fail('.pipelineId', 'expected a string or null');
  if (typeof d.name !== 'string') fail('.name', 'expected a string');
  if (!Number.isInteger(d.version) || (d.version as number) < 1) fail('.version', 'expected a positive integer');
  if (!num(d.updatedAt) || !num(d.createdAt)) fail('.updatedAt', 'expected epoch milliseconds');
  if (!numOrNull(d.amount) || !num(d.probability)) fail('.amount', 'expected a number or null');
  if (!strOrNull(d.currency)) fail('.currency', 'expected a string or null');
  if (!textOrNull(d.closingDate)) fail('.closingDate', 'expected a string or null');
  if (!textOrNull(d.ownerId)) fail('.ownerId', 'expected a string or null');
  if (!textOrNull(d.lostReason)) fail('.lostReason', 'expected a string or null');
  if (typeof d.fields !== 'object' || d.fields === null || Array.isArray(d.fields)) fail('.fields', 'expected an object');
  const h = d.history;
  if (!Array.isArray(h) || h.length === 0) fail('.history', 'expected a non-empty array');
  const history = h as unknown[];
  for (let i = from; i < history.length; i++) {
    // A visit this store handed out is frozen and was checked when it was written.
    if (history[i] === read[i]) continue;
    const bad = badVisit(history[i]);
    if (bad !== null) fail(`.history[${i}]${bad}`, 'expected a stage visit');
    const v = history[i] as StageVisit;
    checkText(v.stageId, `${label}.history[${i}].stageId`);
    checkText(v.pipelineId, `${label}.history[${i}].pipelineId`);
    checkText(v.by, `${label}.history[${i}].by`);
  }
  checkChangeLog(d.changes, label, changesFrom);
  for (const key of ['id', 'layoutId', 'stageId', 'pipelineId', 'name', 'currency', 'closingDate', 'ownerId', 'lostReason'] as const) {
    checkText(d[key] as string | null, `${label}.${key}`);
  }
}
