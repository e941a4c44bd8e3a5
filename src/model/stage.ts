import * as z from 'zod';
import { Id, Name, Probability } from './primitives.js';

/**
 * Whether a stage is open, or closes the deal as won or lost.
 *
 * @example
 * ```ts
 * Outcome.parse('won'); // 'won'
 * ```
 * @category Model
 */
export const Outcome = z.enum(['open', 'won', 'lost']);
/**
 * @see {@link Outcome}
 * @category Model
 */
export type Outcome = z.infer<typeof Outcome>;

/**
 * Forecast category of a stage (Salesforce / Zoho).
 *
 * @example
 * ```ts
 * ForecastCategory.options; // ['pipeline', 'best_case', 'commit', 'closed', 'omitted']
 * ```
 * @category Model
 */
export const ForecastCategory = z.enum(['pipeline', 'best_case', 'commit', 'closed', 'omitted']);
/**
 * @see {@link ForecastCategory}
 * @category Model
 */
export type ForecastCategory = z.infer<typeof ForecastCategory>;

/** Days after which a deal sitting in a stage is rotting (see `stalledDeals`). 0 turns rotting off. */
export const RotAfterDays = z.number().min(0).max(36500);

/**
 * One value of a layout's Stage picklist. `rotAfterDays`, when set, is how many days a deal may
 * sit in the stage before it is rotting (a pipeline may override it per stage; 0: never).
 *
 * @example
 * ```ts
 * StageDef.parse({ id: 'quote', name: 'Quote', probability: 60, outcome: 'open', forecastCategory: 'best_case', rotAfterDays: 10 });
 * ```
 * @category Model
 */
export const StageDef = z.strictObject({
  id: Id,
  name: Name,
  probability: Probability,
  outcome: Outcome,
  forecastCategory: ForecastCategory,
  rotAfterDays: RotAfterDays.optional(),
});
/**
 * @see {@link StageDef}
 * @category Model
 */
export type StageDef = z.infer<typeof StageDef>;

/**
 * The fields of a stage that `updateStage` may change (its id and outcome are fixed).
 *
 * @example
 * ```ts
 * applyWorkspace(ws, { type: 'updateStage', layoutId: 'sales', stageId: 'quote', patch: { probability: 65, rotAfterDays: null } }, { at: Date.now() });
 * ```
 * @category Model
 */
export const StagePatch = z.strictObject(
  {
    name: Name.optional(),
    probability: Probability.optional(),
    forecastCategory: ForecastCategory.optional(),
    rotAfterDays: RotAfterDays.nullable().optional(),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys' && (issue.keys as readonly string[]).some((k) => k === 'outcome' || k === 'id')
        ? "a stage's id and outcome cannot change (deals in it would silently become won, lost or open); add a stage with the new outcome and remove this one with a replacement"
        : undefined,
  },
);
/**
 * @see {@link StagePatch}
 * @category Model
 */
export type StagePatch = z.infer<typeof StagePatch>;
