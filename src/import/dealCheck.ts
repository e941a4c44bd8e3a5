import { Deal as DealSchema, type Deal } from '../model/deal.js';
import { isCalendarDate, isStorableText, MAX_TEXT } from '../model/primitives.js';
import { isId } from '../model/quickParse.js';

// The model's deal schema, written out for the deals the importers build: their structure is
// right by construction, so only the values read from a payload need checking. Checking 100k
// deals this way costs a fraction of the schema's generic walk; a deal this check doubts is
// handed to the schema, which names the problem.

const isMs = (v: number): boolean => Number.isInteger(v) && v >= -8.64e15 && v <= 8.64e15;
const isAmount = (v: number | null): boolean => v === null || Number.isFinite(v);
const isProbability = (v: number): boolean => typeof v === 'number' && v >= 0 && v <= 100;
const isDate = (v: string | null): boolean => v === null || isCalendarDate(v);
const isValue = (v: unknown): boolean => v === null || (typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && isStorableText(v));
const FORECASTS: ReadonlySet<string> = new Set(['pipeline', 'best_case', 'commit', 'closed', 'omitted']);
const OUTCOMES: ReadonlySet<string> = new Set(['open', 'won', 'lost']);
const FIELDS: ReadonlySet<string> = new Set(['amount', 'currency', 'closingDate', 'probability', 'ownerId']);

function looksValid(d: Deal): boolean {
  const name = d.name.trim();
  if (!isId(d.id) || !isId(d.layoutId) || !isId(d.stageId) || (d.pipelineId !== null && !isId(d.pipelineId)) || (d.ownerId !== null && !isId(d.ownerId))) return false;
  if (name.length === 0 || name.length > MAX_TEXT || !isStorableText(name)) return false;
  if (!isAmount(d.amount) || (d.currency !== null && !/^[A-Z]{3}$/.test(d.currency)) || !isProbability(d.probability) || !isDate(d.closingDate)) return false;
  if (d.lostReason !== null && (d.lostReason.length === 0 || d.lostReason.length > 1000 || !isStorableText(d.lostReason))) return false;
  if (Object.keys(d.fields).length > 0 || !isMs(d.createdAt) || !isMs(d.updatedAt) || !Number.isInteger(d.version) || d.version < 1 || d.history.length === 0) return false;
  // Visits mostly repeat the deal's pipeline and one actor: an id equal to one already accepted
  // is valid, and comparing costs less than scanning it again.
  let pipeline = d.pipelineId;
  let by: string | null = null;
  for (const v of d.history) {
    if (v.pipelineId !== pipeline && v.pipelineId !== null) {
      if (!isId(v.pipelineId)) return false;
      pipeline = v.pipelineId;
    }
    if (v.by !== by && v.by !== null) {
      if (!isId(v.by)) return false;
      by = v.by;
    }
    if (v.stageId !== d.stageId && !isId(v.stageId)) return false;
    if (!isMs(v.enteredAt) || (v.exitedAt !== null && !isMs(v.exitedAt)) || !isAmount(v.amount) || !isAmount(v.expectedRevenue)) return false;
    // Visits mostly repeat the deal's closing date, checked above.
    if (!isProbability(v.probability) || (v.closingDate !== d.closingDate && !isDate(v.closingDate)) || !FORECASTS.has(v.forecastCategory) || !OUTCOMES.has(v.outcome)) return false;
  }
  for (const c of d.changes ?? []) {
    if (!isMs(c.at) || (c.by !== null && !isId(c.by)) || !FIELDS.has(c.field) || !isValue(c.from) || !isValue(c.to)) return false;
  }
  return true;
}

/** A built deal's problem (field path and message), or null when it has the model's shape. */
export function dealProblem(deal: Deal): { path: string; message: string } | null {
  if (looksValid(deal)) return null;
  const result = DealSchema.safeParse(deal);
  if (result.success) return null;
  const issue = result.error.issues[0];
  const path = (issue?.path ?? []).map(String).join('.');
  return { path, message: `${path || 'deal'}: ${issue?.message ?? 'invalid'}` };
}
