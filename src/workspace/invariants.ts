import type { Workspace } from '../model/layout.js';

/**
 * One broken invariant of the model, by number (see {@link checkInvariants} for the list), or
 * `'shape'` for a deal that does not have the shape of a deal.
 *
 * @example
 * ```ts
 * checkInvariants(ws, deals, { now }).forEach((v: InvariantViolation) => console.log(v.invariant, v.dealId, v.message));
 * ```
 * @category Configuration
 */
export interface InvariantViolation {
  readonly invariant: string;
  readonly message: string;
  readonly dealId?: string;
}

/** Checks invariants 1 (stages) and 2 (standard and default pipelines) of a workspace. */
export function workspaceViolations(ws: Workspace): InvariantViolation[] {
  const out: InvariantViolation[] = [];
  const pipelineIds = new Set<string>();
  const layoutIds = new Set<string>();
  for (const layout of ws.layouts) {
    if (layoutIds.has(layout.id)) out.push({ invariant: '1', message: `layout id ${layout.id} is used twice` });
    layoutIds.add(layout.id);
    const outcomes = new Map<string, string>();
    for (const s of layout.stages) {
      if (outcomes.has(s.id)) out.push({ invariant: '1', message: `stage ${s.id} appears twice in layout ${layout.id}` });
      outcomes.set(s.id, s.outcome);
    }
    for (const p of layout.pipelines) {
      if (pipelineIds.has(p.id)) out.push({ invariant: '1', message: `pipeline id ${p.id} is used twice` });
      pipelineIds.add(p.id);
      if (p.layoutId !== layout.id) {
        out.push({ invariant: '1', message: `pipeline ${p.id} names layout ${p.layoutId} but sits in ${layout.id}` });
      }
      out.push(...pipelineStageViolations(layout.id, p.id, p.stages.map((s) => s.stageId), outcomes));
      out.push(...ruleReferenceViolations(p.id, new Set(p.stages.map((s) => s.stageId)), p.rules));
    }
    out.push(...standardAndDefaultViolations(layout));
  }
  return out;
}

function pipelineStageViolations(
  layoutId: string,
  pipelineId: string,
  stageIds: readonly string[],
  outcomes: ReadonlyMap<string, string>,
): InvariantViolation[] {
  const out: InvariantViolation[] = [];
  if (stageIds.length === 0) out.push({ invariant: '1', message: `pipeline ${pipelineId} has no stage` });
  if (new Set(stageIds).size !== stageIds.length) {
    out.push({ invariant: '1', message: `pipeline ${pipelineId} lists a stage twice` });
  }
  for (const id of stageIds) {
    if (!outcomes.has(id)) {
      out.push({ invariant: '1', message: `pipeline ${pipelineId} holds stage ${id}, not in layout ${layoutId}` });
    }
  }
  if (!stageIds.some((id) => outcomes.get(id) === 'open')) {
    out.push({ invariant: '1', message: `pipeline ${pipelineId} has no open stage` });
  }
  return out;
}

function ruleReferenceViolations(
  pipelineId: string,
  stages: ReadonlySet<string>,
  rules: { creationStageIds?: readonly string[] | undefined; allowed?: Readonly<Record<string, readonly string[]>> | undefined },
): InvariantViolation[] {
  const refs = [...(rules.creationStageIds ?? [])];
  for (const [from, tos] of Object.entries(rules.allowed ?? {})) refs.push(from, ...tos);
  const unknown = refs.filter((id) => !stages.has(id));
  return unknown.length === 0
    ? []
    : [{ invariant: '1', message: `rules of pipeline ${pipelineId} name stages it lacks: ${[...new Set(unknown)].join(', ')}` }];
}

function standardAndDefaultViolations(layout: Workspace['layouts'][number]): InvariantViolation[] {
  const out: InvariantViolation[] = [];
  if (layout.pipelines.length === 0) {
    if (layout.defaultPipelineId !== null) {
      out.push({ invariant: '2', message: `layout ${layout.id} has no pipeline but a default pipeline id` });
    }
    return out;
  }
  const standards = layout.pipelines.filter((p) => p.standard).length;
  if (standards !== 1) out.push({ invariant: '2', message: `layout ${layout.id} has ${standards} standard pipelines` });
  if (!layout.pipelines.some((p) => p.id === layout.defaultPipelineId)) {
    out.push({ invariant: '2', message: `layout ${layout.id} has no valid default pipeline` });
  }
  return out;
}
