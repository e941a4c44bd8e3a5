// A rule verdict is model data: the workspace index keeps the verdicts of stage pairs (see
// StageScope.verdicts) and the deal rules produce them.

/**
 * Why a transition is refused. `code` is stable; `message` is for people.
 *
 * @example
 * ```ts
 * checkTransition(ws, deal, { stageId: 'quote' }).violations.map((v: Violation) => v.message);
 * ```
 * @category Deals and rules
 */
export interface Violation {
  readonly code:
    | 'skip_not_allowed'
    | 'backward_not_allowed'
    | 'reopen_not_allowed'
    | 'transition_not_in_graph'
    | 'creation_stage_not_allowed'
    | 'required_fields_missing'
    | 'lost_reason_required'
    | 'not_closed'
    | 'stage_not_in_pipeline';
  readonly message: string;
  /** For `required_fields_missing`: the fields that are missing. */
  readonly fields?: readonly string[];
  /**
   * What the host can supply to lift this violation, for a UI that prompts for it:
   * `{ lostReason: true }` (pass `lostReason` with the move) or `{ fields: [...] }` (fill these
   * in first). Absent on violations no input can lift (order rules, reopening, the graph).
   */
  readonly needs?: { readonly lostReason?: true; readonly fields?: readonly string[] };
}
