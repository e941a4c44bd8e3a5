import type { Deal } from '../model/deal.js';
import type { Workspace } from '../model/layout.js';

/**
 * What an importer had to guess or drop, with a stable code.
 *
 * - `stage_kept`: a stage deleted or archived in the CRM is kept in the layout's picklist
 *   because history (or a deal) names it; history is never rewritten.
 * - `pipeline_kept`: a deleted or archived pipeline is kept because a deal is in it now.
 * - `stage_added_to_pipeline`: a deal sits in a stage its pipeline no longer lists; the stage is
 *   added to the end of that pipeline.
 * - `history_missing`: no stage history for a deal; one visit from its creation is assumed.
 * - `history_approximated`: history rebuilt from per-stage dates (one visit per stage) or with
 *   gaps closed; revisits before the last one are lost.
 * - `history_completed`: the history does not end where the deal is; a last move is assumed.
 * - `row_skipped`: a history row that cannot be read, is deleted, or lies before the deal
 *   existed, is left out.
 * - `deal_skipped`: a deleted deal, one whose stage cannot be placed, or a second record of a
 *   deal already imported, is left out.
 * - `value_dropped`: an unreadable amount, currency, date, probability, name or lost reason is
 *   left out (null) or replaced by a default.
 * - `value_without_history`: the deal's current value of a tracked field differs from the end
 *   of its reported history; the change is logged at the deal's last update.
 * - `probability_guessed`: a stage probability was not in the payload and was derived.
 * - `probability_clamped`: a probability outside 0-100 was clamped.
 * - `outcome_guessed`: whether a closed stage is won or lost was derived.
 * - `time_zone_assumed`: an instant without a time zone was read as UTC.
 * - `layout_guessed`: a deal names no layout (or an unknown one); the first layout is used.
 * - `pipeline_guessed`: a deal's pipeline cannot be told from the payload (an unknown record
 *   type or pipeline name); the layout's standard pipeline is used.
 * - `standard_guessed`: which pipeline holds the whole picklist (the standard one) was derived.
 * - `pipeline_skipped`: a pipeline that lists no stage the import can place (none at all, or
 *   only closed ones) and that no deal is in, is left out.
 * - `figure_mismatch`: a figure the vendor reported (HubSpot's cumulative or latest time in a
 *   stage, Pipedrive's `stay_in_pipeline_stages`) differs from the one computed from the
 *   imported history.
 *
 * @example
 * ```ts
 * const w: ImportWarning = { code: 'stage_kept', path: 'stages.data[4]', message: 'stage 7 is deleted in Pipedrive; kept because history names it' };
 * ```
 * @category Importers
 */
export interface ImportWarning {
  readonly code: ImportWarningCode;
  /** JSON path into the payload of what the warning is about. */
  readonly path: string;
  readonly message: string;
}

/**
 * The codes of {@link ImportWarning}.
 *
 * @example
 * ```ts
 * const drops: ImportWarningCode[] = ['value_dropped', 'row_skipped', 'deal_skipped'];
 * ```
 * @category Importers
 */
export type ImportWarningCode =
  | 'stage_kept'
  | 'pipeline_kept'
  | 'stage_added_to_pipeline'
  | 'history_missing'
  | 'history_approximated'
  | 'history_completed'
  | 'row_skipped'
  | 'deal_skipped'
  | 'value_dropped'
  | 'value_without_history'
  | 'probability_guessed'
  | 'probability_clamped'
  | 'outcome_guessed'
  | 'time_zone_assumed'
  | 'layout_guessed'
  | 'pipeline_guessed'
  | 'standard_guessed'
  | 'pipeline_skipped'
  | 'figure_mismatch';

/**
 * What every importer returns: a workspace and deals that pass `checkInvariants`, and the
 * warnings about what was guessed or dropped.
 *
 * Each deal's `createdAt` is its first visit's `enteredAt`; its `version` is the number of
 * distinct instants at which it changed (creation, later moves, entries of its change log), as
 * if each had been one accepted command; `changes` holds the amount, closing-date and
 * probability history the vendor reported (a probability change at each move included).
 *
 * @example
 * ```ts
 * const { workspace, deals, warnings }: ImportResult = fromPipedrive(payload);
 * ```
 * @category Importers
 */
export interface ImportResult {
  readonly workspace: Workspace;
  readonly deals: Deal[];
  readonly warnings: ImportWarning[];
}

/**
 * One batch of a streaming import (`streamHubSpot`, `streamPipedrive`): the deals of one page of
 * the payload, the warnings about them, and the workspace the deals imported so far need. The
 * last batch holds no deals: its workspace is the final one, and its warnings those only the
 * whole import can tell (pipelines left out). Concatenated, the batches' deals and warnings are
 * the one-shot import's, and the last workspace is its workspace.
 *
 * @example
 * ```ts
 * for await (const batch of streamHubSpot({ pipelines }, pages)) await save(batch.deals);
 * ```
 * @category Importers
 */
export interface ImportBatch { readonly workspace: Workspace; readonly deals: Deal[]; readonly warnings: ImportWarning[] }
