import { PipelineError, type Deal, type StageVisit } from '../../index.js';

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

/**
 * The visits of {@link VISITS_JSON}, or null when a number in them has to be read by column.
 */
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

/** The parameters of a visit upsert: tenant, deal, seq, layout, then the visit's columns. */
export function visitParams(tenantId: string, deal: Deal, seq: number, v: StageVisit): unknown[] {
  return [
    tenantId, deal.id, seq, deal.layoutId, v.pipelineId, v.stageId, v.enteredAt, v.exitedAt, v.amount, v.probability,
    v.expectedRevenue, v.closingDate, v.forecastCategory, v.outcome, v.by, v.bypassedRules ? 1 : 0,
  ];
}

/** The deal without its history, as stored in `sp_deals.body`. */
export function dealBody(deal: Deal): string {
  // JSON.stringify leaves out undefined members; a spread copies faster than a rest pattern.
  return JSON.stringify({ ...deal, history: undefined });
}

/**
 * The copied-out columns of `sp_deals` after tenant and id, in insert order, then the body.
 * `start`: where the deal's history starts in the stored one (a tail's `historyStart`).
 */
export function dealColumns(deal: Deal, start = 0): unknown[] {
  const last = deal.history[deal.history.length - 1]!;
  return [
    deal.layoutId, deal.pipelineId, deal.stageId, last.enteredAt, deal.currency, deal.amount, deal.probability,
    deal.updatedAt, deal.version, start + deal.history.length, dealBody(deal),
  ];
}

/** Reassembles a deal from its body and its visits. */
export function dealFrom(body: string, history: StageVisit[]): Deal {
  const deal = JSON.parse(body) as Deal;
  deal.history = history;
  return deal;
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
const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
const numOrNull = (v: unknown) => v === null || num(v);

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

/**
 * A structural check of a deal handed to `save` (the reducers made it; hosts calling `save`
 * directly get `invalid_input` naming the field instead of a corrupt row). Visits from `from` on
 * are the ones written, so only they are checked, and of those only the ones that are not the
 * frozen visit this store handed out at the same place (`read`).
 */
export function checkDeal(deal: unknown, label: string, from = 0, read: readonly StageVisit[] = []): asserts deal is Deal {
  const fail = (field: string, what: string): never => {
    throw new PipelineError('invalid_input', `${label}${field}: ${what}`, { path: `${label}${field}` });
  };
  if (typeof deal !== 'object' || deal === null || Array.isArray(deal)) fail('', 'expected a deal object');
  const d = deal as Record<string, unknown>;
  if (!str(d.id)) fail('.id', 'expected a non-empty string');
  if (!str(d.layoutId)) fail('.layoutId', 'expected a non-empty string');
  if (!str(d.stageId)) fail('.stageId', 'expected a non-empty string');
  if (!strOrNull(d.pipelineId)) fail('.pipelineId', 'expected a string or null');
  if (!Number.isInteger(d.version) || (d.version as number) < 1) fail('.version', 'expected a positive integer');
  if (!num(d.updatedAt) || !num(d.createdAt)) fail('.updatedAt', 'expected epoch milliseconds');
  if (!numOrNull(d.amount) || !num(d.probability)) fail('.amount', 'expected a number or null');
  if (!strOrNull(d.currency)) fail('.currency', 'expected a string or null');
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
  checkText(d.id as string, `${label}.id`);
  checkText(d.layoutId as string, `${label}.layoutId`);
  checkText(d.currency as string | null, `${label}.currency`);
}
