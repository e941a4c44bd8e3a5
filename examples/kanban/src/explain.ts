// What a refused move means for the person who tried it, and what they can do about it.
import type { Violation } from 'sales-pipelines';

const WHY: Record<Violation['code'], string> = {
  skip_not_allowed: 'This pipeline moves deals one stage at a time: stages cannot be skipped.',
  backward_not_allowed: 'This pipeline does not let deals move back to an earlier stage.',
  reopen_not_allowed: 'Closed deals cannot be reopened in this pipeline.',
  transition_not_in_graph: 'This move is not one of the transitions the pipeline allows.',
  creation_stage_not_allowed: 'Deals cannot start in this stage.',
  required_fields_missing: 'The stage needs some fields filled in first.',
  lost_reason_required: 'Losing a deal in this pipeline needs a reason.',
  not_closed: 'Only a closed deal can be reopened.',
  stage_not_in_pipeline: 'The stage is not part of this pipeline.',
};

/** A sentence for people about one violated rule. */
export function explain(v: Violation): string {
  return WHY[v.code] ?? v.message;
}

/** Whether the person can satisfy every violated rule by entering data (fields, a lost reason). */
export function fixable(violations: readonly Violation[]): boolean {
  return violations.length > 0 && violations.every((v) => v.code === 'required_fields_missing' || v.code === 'lost_reason_required');
}

/** The violations carried by a refused command's error, if it carries any. */
export function violationsOf(error: unknown): Violation[] | null {
  const details = (error as { details?: { violations?: unknown } } | null)?.details;
  return Array.isArray(details?.violations) ? (details.violations as Violation[]) : null;
}

const LABELS: Record<string, string> = { amount: 'Amount', currency: 'Currency', closingDate: 'Closing date', ownerId: 'Owner', name: 'Name' };

/** The label of a deal field. */
export function fieldLabel(field: string): string {
  return LABELS[field] ?? field;
}

/** The input type used to ask for a field. */
export function fieldInput(field: string): { type: string; placeholder?: string } {
  if (field === 'amount') return { type: 'number', placeholder: '25000' };
  if (field === 'closingDate') return { type: 'date' };
  if (field === 'currency') return { type: 'text', placeholder: 'EUR' };
  return { type: 'text' };
}
