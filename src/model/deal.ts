import * as z from 'zod';
import { Amount, CalendarDate, Currency, EpochMs, Id, JsonRecord, LostReasonText, Name, Probability, Text, type JsonValue } from './primitives.js';
import { ForecastCategory, Outcome } from './stage.js';

/**
 * One row of stage history, with a snapshot of the deal when it entered the stage.
 *
 * @example
 * ```ts
 * deal.history.map((v: StageVisit) => `${v.stageId} since ${new Date(v.enteredAt).toISOString()}`);
 * ```
 * @category Model
 */
export const StageVisit = z.strictObject({
  pipelineId: Id.nullable(),
  stageId: Id,
  enteredAt: EpochMs,
  exitedAt: EpochMs.nullable(),
  amount: Amount.nullable(),
  probability: Probability,
  expectedRevenue: Amount.nullable(),
  closingDate: CalendarDate.nullable(),
  forecastCategory: ForecastCategory,
  outcome: Outcome,
  by: Id.nullable(),
  bypassedRules: z.boolean(),
});
/**
 * @see {@link StageVisit}
 * @category Model
 */
export type StageVisit = z.infer<typeof StageVisit>;

/**
 * One stage visit as a row: what SQL and BI tools read from a visits table.
 *
 * @example
 * ```ts
 * const row: VisitRow = { dealId: 'd1', layoutId: 'sales', pipelineId: 'new-cars', stageId: 'quote', enteredAt: 0, exitedAt: null };
 * ```
 * @category Model
 */
export interface VisitRow {
  readonly dealId: string;
  /** The layout of the deal now (visits of a deal that changed layout carry its current layout). */
  readonly layoutId: string;
  readonly pipelineId: string | null;
  readonly stageId: string;
  readonly enteredAt: number;
  readonly exitedAt: number | null;
}

/**
 * The deal properties whose every change is recorded in a deal's change log.
 *
 * @example
 * ```ts
 * const field: TrackedField = 'closingDate';
 * ```
 * @category Model
 */
export const TrackedField = z.enum(['amount', 'currency', 'closingDate', 'probability', 'ownerId']);
/**
 * @see {@link TrackedField}
 * @category Model
 */
export type TrackedField = z.infer<typeof TrackedField>;

/**
 * One entry of a deal's change log: a tracked property changed from `from` to `to` at `at`,
 * whatever the cause (an update, or a stage change that set the probability). Stage, pipeline,
 * forecast category and outcome changes are in the stage visits.
 *
 * @example
 * ```ts
 * const pushed: FieldChange = { at: Date.parse('2026-03-04T10:00:00Z'), by: 'ann', field: 'closingDate', from: '2026-03-31', to: '2026-04-30' };
 * ```
 * @category Model
 */
export const FieldChange = z.strictObject({
  at: EpochMs,
  by: Id.nullable(),
  field: TrackedField,
  from: z.union([z.number(), Text, z.null()]),
  to: z.union([z.number(), Text, z.null()]),
});
/**
 * @see {@link FieldChange}
 * @category Model
 */
export type FieldChange = z.infer<typeof FieldChange>;

/**
 * A deal (opportunity) as stored.
 *
 * @example
 * ```ts
 * const result = Deal.safeParse(JSON.parse(row.body)); // validate a deal read from your own storage
 * ```
 * @category Model
 */
export const Deal = z.strictObject({
  id: Id,
  layoutId: Id,
  pipelineId: Id.nullable(),
  stageId: Id,
  name: Name,
  amount: Amount.nullable(),
  currency: Currency.nullable(),
  probability: Probability,
  closingDate: CalendarDate.nullable(),
  ownerId: Id.nullable(),
  lostReason: LostReasonText.nullable(),
  fields: JsonRecord,
  createdAt: EpochMs,
  updatedAt: EpochMs,
  version: z.number().int().min(1),
  history: z.array(StageVisit).min(1),
  /** The change log, oldest first; absent on deals stored before 0.2 (see `dealAt`). */
  changes: z.array(FieldChange).optional(),
});
/**
 * @see {@link Deal}
 * @category Model
 */
export type Deal = Omit<z.infer<typeof Deal>, 'fields'> & { fields: Record<string, JsonValue> };

/**
 * What a host gives to create a deal. Pipeline and stage default from the layout.
 *
 * @example
 * ```ts
 * const input: DealInput = { id: 'd1', layoutId: 'sales', name: 'Fleet of 3', amount: 90000, currency: 'EUR', fields: { source: 'web' } };
 * ```
 * @category Model
 */
export const DealInput = z.strictObject({
  id: Id,
  layoutId: Id,
  pipelineId: Id.optional(),
  stageId: Id.optional(),
  name: Name,
  amount: Amount.nullable().optional(),
  currency: Currency.nullable().optional(),
  probability: Probability.optional(),
  closingDate: CalendarDate.nullable().optional(),
  ownerId: Id.nullable().optional(),
  lostReason: LostReasonText.optional(),
  fields: JsonRecord.optional(),
});
/**
 * @see {@link DealInput}
 * @category Model
 */
export type DealInput = z.input<typeof DealInput>;

/**
 * The fields `updateDeal` may change. `removeFields` deletes keys of `fields`.
 *
 * @example
 * ```ts
 * applyDeal(ws, deal, { type: 'updateDeal', patch: { amount: 50000, fields: { color: 'red' }, removeFields: ['trim'] } }, { at: Date.now() });
 * ```
 * @category Model
 */
export const DealPatch = z.strictObject({
  name: Name.optional(),
  amount: Amount.nullable().optional(),
  currency: Currency.nullable().optional(),
  probability: Probability.optional(),
  closingDate: CalendarDate.nullable().optional(),
  ownerId: Id.nullable().optional(),
  lostReason: LostReasonText.nullable().optional(),
  fields: JsonRecord.optional(),
  removeFields: z.array(Id).max(1000).optional(),
});
/**
 * @see {@link DealPatch}
 * @category Model
 */
export type DealPatch = z.infer<typeof DealPatch>;
