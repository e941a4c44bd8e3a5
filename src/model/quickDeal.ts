import { TrackedField } from './deal.js';
import { MAX_AMOUNT, MAX_TEXT, isCalendarDate, isStorableText } from './primitives.js';
import { isId } from './quickParse.js';
import { ForecastCategory, Outcome } from './stage.js';

// Checking every imported or stored deal against the zod `Deal` schema costs more than building
// it. This hand-written check answers "surely valid" for the common shape (plain objects, no
// custom fields) and "ask zod" for anything else, so it never accepts what the schema refuses
// (a property test holds it to that).

const CATEGORIES: ReadonlySet<unknown> = new Set(ForecastCategory.options);
const OUTCOMES: ReadonlySet<unknown> = new Set(Outcome.options);
const FIELDS: ReadonlySet<unknown> = new Set(TrackedField.options);

const isPlain = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
const isEpoch = (v: unknown): boolean => Number.isSafeInteger(v) && Math.abs(v as number) <= 8.64e15;
const isFiniteNumber = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
// Amounts are bounded as the Amount schema bounds them (expected revenue stays finite).
const isAmount = (v: unknown): boolean => isFiniteNumber(v) && Math.abs(v as number) <= MAX_AMOUNT;
const isProbability = (v: unknown): boolean => isFiniteNumber(v) && (v as number) >= 0 && (v as number) <= 100;
const isText = (v: unknown): boolean => typeof v === 'string' && isStorableText(v);
const isName = (v: unknown): boolean => {
  if (typeof v !== 'string') return false;
  const s = v.trim();
  return s.length >= 1 && s.length <= MAX_TEXT && isStorableText(s);
};

const isDate = (v: unknown): boolean => typeof v === 'string' && isCalendarDate(v);

function isVisit(v: unknown): boolean {
  return isPlain(v) && Object.keys(v).length === 12 &&
    (v.pipelineId === null || isId(v.pipelineId)) && isId(v.stageId) && isEpoch(v.enteredAt) && (v.exitedAt === null || isEpoch(v.exitedAt)) &&
    (v.amount === null || isAmount(v.amount)) && isProbability(v.probability) && (v.expectedRevenue === null || isAmount(v.expectedRevenue)) &&
    (v.closingDate === null || isDate(v.closingDate)) && CATEGORIES.has(v.forecastCategory) && OUTCOMES.has(v.outcome) &&
    (v.by === null || isId(v.by)) && typeof v.bypassedRules === 'boolean';
}

const isValue = (v: unknown): boolean => v === null || isFiniteNumber(v) || isText(v);

function isChange(c: unknown): boolean {
  return isPlain(c) && Object.keys(c).length === 5 && isEpoch(c.at) && (c.by === null || isId(c.by)) && FIELDS.has(c.field) && isValue(c.from) && isValue(c.to);
}

/**
 * True when the `Deal` schema surely accepts `d`; false means only "ask the schema" (custom
 * fields, a class instance, anything unusual).
 */
export function isSurelyValidDeal(d: unknown): boolean {
  if (!isPlain(d)) return false;
  const keys = Object.keys(d).length;
  const changes = d.changes;
  if (keys !== (changes === undefined ? 16 : 17) || (changes !== undefined && !Array.isArray(changes))) return false;
  if (!(isId(d.id) && isId(d.layoutId) && (d.pipelineId === null || isId(d.pipelineId)) && isId(d.stageId) && isName(d.name))) return false;
  if (!((d.amount === null || isAmount(d.amount)) && (d.currency === null || (typeof d.currency === 'string' && /^[A-Z]{3}$/.test(d.currency))) && isProbability(d.probability))) return false;
  if (!((d.closingDate === null || isDate(d.closingDate)) && (d.ownerId === null || isId(d.ownerId)))) return false;
  if (!(d.lostReason === null || (typeof d.lostReason === 'string' && d.lostReason.length >= 1 && d.lostReason.length <= 1000 && isStorableText(d.lostReason)))) return false;
  // Custom fields are JSON of any depth: the schema judges those.
  if (!(isPlain(d.fields) && Object.keys(d.fields).length === 0)) return false;
  if (!(isEpoch(d.createdAt) && isEpoch(d.updatedAt) && Number.isSafeInteger(d.version) && (d.version as number) >= 1)) return false;
  const history = d.history;
  if (!Array.isArray(history) || history.length === 0 || !history.every(isVisit)) return false;
  return changes === undefined || (changes as unknown[]).every(isChange);
}
