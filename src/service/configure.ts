import { own } from '../_internal/records.js';
import { fail, isPipelineError, PipelineError } from '../errors.js';
import { WorkspaceCommand, type WorkspaceCommandInput } from '../model/commands.js';
import type { Workspace } from '../model/layout.js';
import { parseWith } from '../model/parse.js';
import { applyWorkspace } from '../workspace/apply.js';
import { decideWorkspace } from '../workspace/decide.js';
import type { DealFilter } from '../ports/repositories.js';
import { finalConflict, type Runtime } from './runtime.js';
import { sweep, usage } from './sweep.js';

type Cmd<T extends WorkspaceCommand['type']> = Extract<WorkspaceCommand, { type: T }>;

/**
 * Loads, decides, saves one workspace command, with retries on conflict; publishes its events.
 * `unused`: what the command drops, which no stored deal may match when the save lands (the store
 * refuses with a conflict naming `inUse`, which is not retried here: the caller decides again).
 */
export async function saveCommand(rt: Runtime, command: WorkspaceCommandInput, by: string | null, unused: readonly DealFilter[] = []): Promise<Workspace> {
  return rt.retry(async () => {
    const ws = await rt.workspaces.load();
    const { workspace, events } = applyWorkspace(ws, command, { at: rt.now(), by });
    if (events.length === 0) return ws;
    try {
      await rt.saveWorkspace(workspace, ws.version, events, unused);
    } catch (e) {
      if (inUseConflict(e)) throw finalConflict(e);
      throw e;
    }
    return workspace;
  });
}

/** A workspace save refused because deals match what it drops. */
function inUseConflict(e: unknown): e is PipelineError {
  return isPipelineError(e, 'conflict') && typeof e.details === 'object' && e.details !== null && (e.details as { inUse?: unknown }).inUse !== undefined;
}

/**
 * Refuses while deals match what a command drops, then saves it with the same filters as the
 * store's in-use guard: a deal command that commits between the count and the save makes the
 * save fail with an in-use conflict, and the command is decided again (and refused, unless the
 * deal has left in the meantime). The count and the save are then one decision.
 */
async function saveUnlessInUse(rt: Runtime, input: WorkspaceCommandInput, by: string | null, checks: readonly InUseCheck[]): Promise<Workspace> {
  for (let attempt = 0; ; attempt++) {
    for (const check of checks) await refuseInUse(rt, check);
    try {
      return await saveCommand(rt, input, by, checks.map((c) => c.query));
    } catch (e) {
      if (!inUseConflict(e) || attempt >= MAX_REDECISIONS) throw e;
    }
  }
}

const MAX_REDECISIONS = 20;

/**
 * Runs a workspace command. Multi-step commands move deals first and change the configuration
 * last, so that a crash leaves every deal in a valid place and running the same command again
 * finishes the job.
 */
export async function configure(rt: Runtime, input: WorkspaceCommandInput, by: string | null): Promise<Workspace> {
  const command = parseWith(WorkspaceCommand, input, 'command');
  await rt.authorize({ by, action: command.type, bypassRules: false });
  switch (command.type) {
    case 'createPipeline':
      return createPipeline(rt, input, command, by);
    case 'deletePipeline':
      return deletePipeline(rt, input, command, by);
    case 'removeStage':
      return removeStage(rt, input, command, by);
    case 'setPipelineStages':
      return setPipelineStages(rt, input, command, by);
    default:
      return saveCommand(rt, input, by);
  }
}

const pipelineIn = (ws: Workspace, id: string) => ws.layouts.flatMap((l) => l.pipelines).find((p) => p.id === id);
const layoutIn = (ws: Workspace, id: string) => ws.layouts.find((l) => l.id === id);

/** The first pipeline of a layout also brings the standard one; the layout's deals join it. */
async function createPipeline(rt: Runtime, input: WorkspaceCommandInput, c: Cmd<'createPipeline'>, by: string | null): Promise<Workspace> {
  let ws = await rt.workspaces.load();
  const existing = pipelineIn(ws, c.pipelineId);
  const rerun = existing !== undefined && existing.layoutId === c.layoutId && existing.name === c.name &&
    existing.stages.map((s) => s.stageId).join('\u0000') === c.stages.map((s) => (typeof s === 'string' ? s : s.stageId)).join('\u0000');
  if (!rerun) ws = await saveCommand(rt, input, by);
  const standard = layoutIn(ws, c.layoutId)?.pipelines.find((p) => p.standard);
  if (standard) await sweep(rt, { layoutId: c.layoutId, pipelineId: null }, () => ({ type: 'moveToPipeline', pipelineId: standard.id }), by);
  return ws;
}

/** Deals move to the transfer target first; the pipeline goes last. Refused while in use without a transfer. */
async function deletePipeline(rt: Runtime, input: WorkspaceCommandInput, c: Cmd<'deletePipeline'>, by: string | null): Promise<Workspace> {
  const ws = await rt.workspaces.load();
  if (!pipelineIn(ws, c.pipelineId)) {
    // A rerun after the pipeline went: move any deal still naming it, then report success.
    if (c.transferTo && pipelineIn(ws, c.transferTo.pipelineId)) {
      const map = c.transferTo.stageMap;
      await sweep(rt, { pipelineId: c.pipelineId }, (d) => {
        const stageId = own(map, d.stageId); // own keys only: a stage may be called toString
        return { type: 'moveToPipeline', pipelineId: c.transferTo!.pipelineId, ...(stageId ? { stageId } : {}) };
      }, by);
      return ws;
    }
    return fail('not_found', `pipeline ${c.pipelineId} does not exist`, { pipelineId: c.pipelineId });
  }
  const [event] = decideWorkspace(ws, input, { at: rt.now(), by });
  const transfer = event?.type === 'pipelineDeleted' ? event.transferTo : null;
  if (!transfer) {
    return saveUnlessInUse(rt, input, by, [{
      query: { pipelineId: c.pipelineId },
      code: 'pipeline_in_use',
      message: (n) => `pipeline ${c.pipelineId} holds ${deals(n)}; give transferTo to move them`,
      details: { pipelineId: c.pipelineId },
    }]);
  }
  const move = () => sweep(rt, { pipelineId: c.pipelineId }, (d) => ({ type: 'moveToPipeline', pipelineId: transfer.pipelineId, stageId: own(transfer.stageMap, d.stageId) ?? d.stageId }), by);
  await move();
  const next = await saveCommand(rt, input, by);
  await move(); // deals created in the pipeline while it was being emptied
  return next;
}

/** Deals move to the replacement first (which joins the pipelines that lack it); the stage goes last. */
async function removeStage(rt: Runtime, input: WorkspaceCommandInput, c: Cmd<'removeStage'>, by: string | null): Promise<Workspace> {
  const replacement = c.replacementStageId ?? null;
  let ws = await rt.workspaces.load();
  const layout = layoutIn(ws, c.layoutId);
  const query = { layoutId: c.layoutId, stageId: c.stageId };
  if (layout && replacement && !layout.stages.some((s) => s.id === c.stageId) && layout.stages.some((s) => s.id === replacement)) {
    await sweep(rt, query, () => ({ type: 'moveToStage', stageId: replacement }), by); // a rerun after the stage went
    return ws;
  }
  decideWorkspace(ws, input, { at: rt.now(), by });
  if (replacement === null) {
    return saveUnlessInUse(rt, input, by, [{
      query,
      code: 'stage_in_use',
      message: (n) => `stage ${c.stageId} holds ${deals(n)}; give replacementStageId to move them`,
      details: { stageId: c.stageId },
    }]);
  }
  for (const p of layout?.pipelines ?? []) {
    const ids = p.stages.map((s) => s.stageId);
    if (!ids.includes(c.stageId) || ids.includes(replacement)) continue;
    const at = ids.indexOf(c.stageId);
    const stages = [...p.stages.slice(0, at + 1), { stageId: replacement }, ...p.stages.slice(at + 1)];
    ws = await saveCommand(rt, { type: 'setPipelineStages', pipelineId: p.id, stages }, by);
  }
  await sweep(rt, query, () => ({ type: 'moveToStage', stageId: replacement }), by);
  ws = await saveCommand(rt, input, by);
  await sweep(rt, query, () => ({ type: 'moveToStage', stageId: replacement }), by);
  return ws;
}

/** Refuses to drop a stage from a pipeline while deals sit in it. */
async function setPipelineStages(rt: Runtime, input: WorkspaceCommandInput, c: Cmd<'setPipelineStages'>, by: string | null): Promise<Workspace> {
  const ws = await rt.workspaces.load();
  const pipeline = pipelineIn(ws, c.pipelineId);
  const kept = new Set(c.stages.map((s) => (typeof s === 'string' ? s : s.stageId)));
  const dropped = pipeline ? pipeline.stages.filter((s) => !kept.has(s.stageId)) : [];
  return saveUnlessInUse(rt, input, by, dropped.map(({ stageId }): InUseCheck => ({
    query: { pipelineId: c.pipelineId, stageId },
    code: 'stage_in_use',
    message: (n) => `stage ${stageId} of pipeline ${c.pipelineId} holds ${deals(n)}; move them first`,
    details: { pipelineId: c.pipelineId, stageId },
  })));
}

/** "1 deal", "2 deals". */
const deals = (n: number) => `${n} deal${n === 1 ? '' : 's'}`;

/** What a command drops and how to refuse it while deals match. */
interface InUseCheck {
  readonly query: DealFilter;
  readonly code: 'pipeline_in_use' | 'stage_in_use';
  readonly message: (count: number) => string;
  readonly details: Record<string, unknown>;
}

/** Throws the check's code naming a sample of the deals matching its query and their count, if there are any. */
async function refuseInUse(rt: Runtime, { query, code, message, details }: InUseCheck): Promise<void> {
  const inUse = await usage(rt, query);
  if (inUse.count > 0) throw new PipelineError(code, message(inUse.count), { ...details, dealIds: inUse.sample, count: inUse.count });
}
