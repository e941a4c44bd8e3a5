import { guarded } from '../_internal/guard.js';
import { fail, isPipelineError, PipelineError } from '../errors.js';
import { DEFAULT_LIMITS, type TransitionRulesPatch, type WorkspaceCommand } from '../model/commands.js';
import { plural } from '../_internal/plural.js';
import type { Layout, Workspace } from '../model/layout.js';
import type { Pipeline, PipelineStage, TransitionRules } from '../model/pipeline.js';
import { parseWith } from '../model/parse.js';
import type { StageDef, StagePatch } from '../model/stage.js';
import { stripUndefinedKeys } from '../model/stripUndefinedKeys.js';
import { applyWorkspace } from '../workspace/apply.js';
import { checkedWorkspace } from '../workspace/validate.js';
import { checkDesired, DesiredConfiguration, type DesiredLayout, type DesiredPipeline } from './desired.js';
import { sameData } from './sameData.js';

/**
 * The workspace commands that turn the configuration of `ws` into `desired`, in an order the
 * reducers accept: layouts and new stages first, then new pipelines (the first of a layout brings
 * the standard one), then each listed pipeline gains its new stages and takes its rules, the
 * default is set, unlisted pipelines are deleted (with their transfers), removed stages go (with
 * their replacements), each pipeline drops the stages it no longer lists, and the picklist is
 * reordered last. Running it on its own result gives `[]`: a configuration applied twice changes
 * nothing the second time.
 *
 * Pure: it sees the configuration, not the deals. It refuses what would need a decision it cannot
 * make, naming the path in `desired`: a removed stage that pipelines use without a replacement
 * (`stage_in_use`), a stage whose outcome would change, a pipeline moving to another layout, a
 * different standard pipeline. Deleting a pipeline that holds deals needs a transfer; only the
 * deals can tell, so `service.applyConfiguration`, which runs every command through
 * `service.configure`, refuses such a deletion with `pipeline_in_use` (and a removal of a stage
 * that holds deals without a replacement with `stage_in_use`).
 *
 * @param ws - the current workspace
 * @param desired - the configuration wanted (see {@link DesiredConfiguration})
 * @returns the commands, possibly none
 * @example
 * ```ts
 * const commands = planConfiguration(ws, { layouts: [{ id: 'sales', name: 'Sales', stages: salesStages,
 *   pipelines: [{ id: 'new-cars', name: 'New cars', stages: ['requirements', 'quote', 'won', 'lost'], default: true }] }] });
 * for (const command of commands) ws = applyWorkspace(ws, command, { at: Date.now() }).workspace;
 * planConfiguration(ws, sameDesired); // []
 * ```
 * @category Configuration
 * @function
 */
export const planConfiguration = /* @__PURE__ */ guarded(function planConfiguration(ws: Workspace, desired: DesiredConfiguration): WorkspaceCommand[] {
  ws = checkedWorkspace(ws);
  const parsed = parseWith(DesiredConfiguration, desired, 'desired');
  checkDesired(parsed);
  const plan = new Plan(ws);
  parsed.layouts.forEach((layout, i) => planLayout(plan, layout, `desired.layouts[${i}]`));
  return plan.commands;
}, ['workspace', 'desired']);

/**
 * The commands so far and the configuration they lead to: every command is tried on the
 * reducers. Each layout is kept as a workspace of its own, and a command is applied to its
 * layout's alone: the reducers index the whole workspace they are given, so applying every
 * command to the whole workspace would make a plan quadratic in the number of layouts. What the
 * reducers would check across layouts (how many layouts there are, pipeline ids used by another
 * layout) is checked here.
 */
class Plan {
  readonly commands: WorkspaceCommand[] = [];
  /** Each layout as a workspace holding it alone. */
  private readonly views = new Map<string, Workspace>();
  /** The layout of each pipeline id. */
  private readonly owners = new Map<string, string>();

  constructor(ws: Workspace) {
    for (const layout of ws.layouts) this.keep({ version: ws.version, layouts: [layout] });
  }

  layout(id: string): Layout | undefined {
    return this.views.get(id)?.layouts[0];
  }

  pipeline(id: string): Pipeline | undefined {
    const layoutId = this.owners.get(id);
    return layoutId === undefined ? undefined : this.layout(layoutId)?.pipelines.find((p) => p.id === id);
  }

  private keep(view: Workspace): void {
    const layout = view.layouts[0]!;
    this.views.set(layout.id, view);
    for (const p of layout.pipelines) this.owners.set(p.id, layout.id);
  }

  /** The workspace to decide `command` on: its layout's view, with any layout whose pipeline ids it would reuse. */
  private viewFor(command: WorkspaceCommand): Workspace {
    const layoutId = 'layoutId' in command ? command.layoutId : this.owners.get(command.pipelineId);
    const view = layoutId === undefined ? undefined : this.views.get(layoutId);
    if (command.type === 'addLayout' && view === undefined && this.views.size >= DEFAULT_LIMITS.maxLayouts) {
      fail('limit_exceeded', `a workspace can hold at most ${plural(DEFAULT_LIMITS.maxLayouts, 'layout')}`, { limit: DEFAULT_LIMITS.maxLayouts });
    }
    const base = view ?? { version: 0, layouts: [] };
    if (command.type !== 'createPipeline') return base;
    // A pipeline id taken in another layout: decided on both, so that the reducers refuse it as they would.
    const others = [command.pipelineId, command.standardPipelineId]
      .map((id) => (id === undefined ? undefined : this.owners.get(id)))
      .filter((owner): owner is string => owner !== undefined && owner !== command.layoutId);
    if (others.length === 0) return base;
    return { version: base.version, layouts: [...base.layouts, ...new Set(others)].map((l) => (typeof l === 'string' ? this.layout(l)! : l)) };
  }

  /** Adds `command` when it changes anything; a refusal names the path it was planned for. */
  step(path: string, command: WorkspaceCommand): void {
    try {
      const { workspace, events } = applyWorkspace(this.viewFor(command), command, { at: 0 });
      if (events.length === 0) return;
      this.keep(workspace);
      this.commands.push(command);
    } catch (e) {
      if (!isPipelineError(e)) throw e;
      const inner = e.details.path;
      const renamed = typeof inner === 'string' && inner.startsWith(TRANSFER) ? renameTransfer(inner, path) : null;
      const message = renameTransfer(e.message, path);
      const text = renamed !== null && message.startsWith(renamed) ? message : `${path}: ${message}`;
      throw new PipelineError(e.code, text, { ...e.details, path: renamed ?? path, command: command.type }, { cause: e });
    }
  }
}

const TRANSFER = 'command.transferTo';

/** A reducer's `command.transferTo…` in the desired configuration's terms: the deletion was planned from `transfers[k]`, whose target is `to`. */
function renameTransfer(text: string, path: string): string {
  return text.replaceAll(`${TRANSFER}.pipelineId`, `${path}.to`).replaceAll(TRANSFER, path);
}

function planLayout(plan: Plan, d: DesiredLayout, path: string): void {
  const before = plan.layout(d.id);
  const removed = (before?.stages ?? []).filter((s) => !d.stages.some((t) => t.id === s.id));
  if (before) {
    checkOutcomes(before, d, path);
    checkRemovals(before, d, removed, path);
  }
  planPicklist(plan, before, d, path);
  const standardId = standardIdOf(plan, d, path);
  planNewPipelines(plan, d, standardId, path);
  const listed = d.pipelines.map((p, j) => ({ p, path: `${path}.pipelines[${j}]` }));
  // Listed pipelines gain their new stages and take their rules, keeping the stages they will drop
  // until the deals there have moved (a deletion's transfer or a stage's replacement).
  for (const { p, path: at } of listed) {
    const current = plan.pipeline(p.id)!;
    if (current.name !== p.name) plan.step(`${at}.name`, { type: 'renamePipeline', pipelineId: p.id, name: p.name });
    const wanted = stagesOf(p);
    if (wanted.some((w) => !current.stages.some((s) => s.stageId === w.stageId))) {
      const kept = current.stages.filter((s) => !wanted.some((w) => w.stageId === s.stageId));
      planStages(plan, p.id, [...wanted, ...kept], `${at}.stages`);
    }
    planRules(plan, p, `${at}.rules`);
  }
  planDefault(plan, d, standardId, path);
  planDeletions(plan, d, standardId, path);
  for (const s of removed) {
    const replacement = replacementOf(d, s.id);
    const at = replacement === undefined ? `${path}.stages` : `${path}.stageReplacements.${s.id}`;
    plan.step(at, { type: 'removeStage', layoutId: d.id, stageId: s.id, ...(replacement === undefined ? {} : { replacementStageId: replacement }) });
  }
  for (const { p, path: at } of listed) {
    planStages(plan, p.id, stagesOf(p), `${at}.stages`);
    planRules(plan, p, `${at}.rules`);
  }
  const order = d.stages.map((s) => s.id);
  if (!sameData(plan.layout(d.id)!.stages.map((s) => s.id), order)) {
    plan.step(`${path}.stages`, { type: 'reorderStages', layoutId: d.id, stageIds: order });
  }
}

function checkOutcomes(before: Layout, d: DesiredLayout, path: string): void {
  d.stages.forEach((s, j) => {
    const current = before.stages.find((c) => c.id === s.id);
    if (current && current.outcome !== s.outcome) {
      const at = `${path}.stages[${j}].outcome`;
      fail('invalid_input', `${at}: stage ${s.id} is ${current.outcome} and a stage's outcome cannot change; remove it (with a replacement) and add a stage with another id`, {
        path: at,
        stageId: s.id,
        outcome: current.outcome,
      });
    }
  });
}

function checkRemovals(before: Layout, d: DesiredLayout, removed: readonly StageDef[], path: string): void {
  for (const s of removed) {
    const users = before.pipelines.filter((p) => p.stages.some((ps) => ps.stageId === s.id)).map((p) => p.id);
    if (users.length > 0 && replacementOf(d, s.id) === undefined) {
      const at = `${path}.stageReplacements`;
      fail('stage_in_use', `${at}: stage ${s.id} is removed but pipelines ${users.join(', ')} use it; name the stage its deals move to`, {
        path: at,
        layoutId: d.id,
        stageId: s.id,
        pipelineIds: users,
      });
    }
  }
}

function planPicklist(plan: Plan, before: Layout | undefined, d: DesiredLayout, path: string): void {
  if (!before) {
    plan.step(path, { type: 'addLayout', layoutId: d.id, name: d.name, stages: d.stages });
    return;
  }
  if (before.name !== d.name) plan.step(`${path}.name`, { type: 'renameLayout', layoutId: d.id, name: d.name });
  d.stages.forEach((s, j) => {
    const current = before.stages.find((c) => c.id === s.id);
    if (!current) plan.step(`${path}.stages[${j}]`, { type: 'addStage', layoutId: d.id, stage: s });
    else {
      const patch = stagePatch(current, s);
      if (Object.keys(patch).length > 0) plan.step(`${path}.stages[${j}]`, { type: 'updateStage', layoutId: d.id, stageId: s.id, patch });
    }
  });
}

function stagePatch(current: StageDef, wanted: StageDef): StagePatch {
  const patch: StagePatch = {};
  if (current.name !== wanted.name) patch.name = wanted.name;
  if (current.probability !== wanted.probability) patch.probability = wanted.probability;
  if (current.forecastCategory !== wanted.forecastCategory) patch.forecastCategory = wanted.forecastCategory;
  if (current.rotAfterDays !== wanted.rotAfterDays) patch.rotAfterDays = wanted.rotAfterDays ?? null;
  return patch;
}

/** The standard pipeline's id: the existing one, the one marked, or the reducer's default. */
function standardIdOf(plan: Plan, d: DesiredLayout, path: string): string {
  const existing = plan.layout(d.id)!.pipelines.find((p) => p.standard);
  const j = d.pipelines.findIndex((p) => p.standard === true);
  if (existing) {
    const k = d.pipelines.findIndex((p) => (p.id === existing.id ? p.standard === false : p.standard === true));
    if (k >= 0) {
      fail('standard_pipeline', `${path}.pipelines[${k}].standard: the standard pipeline of layout ${d.id} is ${existing.id} and stays so`, {
        path: `${path}.pipelines[${k}].standard`,
        pipelineId: existing.id,
      });
    }
    return existing.id;
  }
  return j >= 0 ? d.pipelines[j]!.id : `${d.id}:standard`;
}

function planNewPipelines(plan: Plan, d: DesiredLayout, standardId: string, path: string): void {
  d.pipelines.forEach((p, j) => {
    const owner = plan.pipeline(p.id)?.layoutId;
    if (owner !== undefined && owner !== d.id) {
      fail('duplicate_id', `${path}.pipelines[${j}].id: pipeline ${p.id} belongs to layout ${owner}; a pipeline cannot move to another layout`, {
        path: `${path}.pipelines[${j}].id`,
        pipelineId: p.id,
        layoutId: owner,
      });
    }
  });
  const fresh = d.pipelines.map((p, j) => ({ p, j })).filter(({ p }) => plan.pipeline(p.id) === undefined && p.id !== standardId);
  if (plan.layout(d.id)!.pipelines.length === 0 && d.pipelines.length > 0 && fresh.length === 0) {
    fail('invalid_input', `${path}.pipelines: list a pipeline besides the standard one; a layout's first pipeline brings the standard pipeline with it`, {
      path: `${path}.pipelines`,
    });
  }
  for (const { p, j } of fresh) {
    const first = plan.layout(d.id)!.pipelines.length === 0;
    plan.step(`${path}.pipelines[${j}]`, {
      type: 'createPipeline',
      layoutId: d.id,
      pipelineId: p.id,
      name: p.name,
      stages: stagesOf(p),
      rules: rulesPatch(p.rules),
      ...(p.default ? { makeDefault: true } : {}),
      ...(first ? { standardPipelineId: standardId } : {}),
    });
  }
}

function planStages(plan: Plan, pipelineId: string, stages: PipelineStage[], path: string): void {
  if (sameData(plan.pipeline(pipelineId)!.stages, stages)) return;
  plan.step(path, { type: 'setPipelineStages', pipelineId, stages });
}

function planRules(plan: Plan, p: DesiredPipeline, path: string): void {
  const patch = rulesPatch(p.rules);
  if (sameData(plan.pipeline(p.id)!.rules, stripUndefinedKeys(fullRules(patch)))) return;
  plan.step(path, { type: 'setTransitionRules', pipelineId: p.id, rules: patch });
}

function planDefault(plan: Plan, d: DesiredLayout, standardId: string, path: string): void {
  const layout = plan.layout(d.id)!;
  if (layout.pipelines.length === 0) return;
  const marked = d.pipelines.findIndex((p) => p.default === true);
  const keeps = layout.defaultPipelineId !== null && (layout.defaultPipelineId === standardId || d.pipelines.some((p) => p.id === layout.defaultPipelineId));
  const target = marked >= 0 ? d.pipelines[marked]!.id : keeps ? layout.defaultPipelineId! : standardId;
  if (target === layout.defaultPipelineId) return;
  plan.step(marked >= 0 ? `${path}.pipelines[${marked}].default` : `${path}.pipelines`, { type: 'setDefaultPipeline', layoutId: d.id, pipelineId: target });
}

function planDeletions(plan: Plan, d: DesiredLayout, standardId: string, path: string): void {
  const transfers = d.transfers ?? [];
  const targets = new Set([standardId, ...d.pipelines.map((p) => p.id)]);
  transfers.forEach((t, k) => {
    const from = plan.pipeline(t.pipelineId);
    if (from !== undefined && from.layoutId !== d.id) {
      fail('invalid_input', `${path}.transfers[${k}].pipelineId: pipeline ${t.pipelineId} belongs to layout ${from.layoutId}`, { path: `${path}.transfers[${k}].pipelineId` });
    }
    if (!targets.has(t.to)) {
      fail('invalid_input', `${path}.transfers[${k}].to: ${t.to} is not a pipeline of layout ${d.id} in this configuration`, { path: `${path}.transfers[${k}].to` });
    }
  });
  for (const p of plan.layout(d.id)!.pipelines) {
    if (p.standard || targets.has(p.id)) continue;
    const k = transfers.findIndex((t) => t.pipelineId === p.id);
    const t = transfers[k];
    const transferTo = t ? { transferTo: { pipelineId: t.to, ...(t.stageMap ? { stageMap: t.stageMap } : {}) } } : {};
    plan.step(t ? `${path}.transfers[${k}]` : `${path}.pipelines`, { type: 'deletePipeline', pipelineId: p.id, ...transferTo });
  }
}

/** The replacement of a removed stage, read by own key: a stage may be called `toString`. */
function replacementOf(d: DesiredLayout, stageId: string): string | undefined {
  const map = d.stageReplacements;
  return map !== undefined && Object.hasOwn(map, stageId) ? map[stageId] : undefined;
}

/** A pipeline's stage list in the form the reducers store. */
function stagesOf(p: DesiredPipeline): PipelineStage[] {
  return p.stages.map((s) => (typeof s === 'string' ? { stageId: s } : stripUndefinedKeys(s)));
}

/** Whole rules as a patch: every flag, and `null` for an absent optional rule. */
function rulesPatch(rules: TransitionRules | undefined): TransitionRulesPatch {
  return {
    allowSkip: rules?.allowSkip ?? true,
    allowBackward: rules?.allowBackward ?? true,
    allowReopen: rules?.allowReopen ?? true,
    requireLostReason: rules?.requireLostReason ?? false,
    creationStageIds: rules?.creationStageIds ?? null,
    allowed: rules?.allowed ?? null,
  };
}

function fullRules(patch: TransitionRulesPatch): TransitionRules {
  return {
    allowSkip: patch.allowSkip ?? true,
    allowBackward: patch.allowBackward ?? true,
    allowReopen: patch.allowReopen ?? true,
    requireLostReason: patch.requireLostReason ?? false,
    ...(patch.creationStageIds ? { creationStageIds: patch.creationStageIds } : {}),
    ...(patch.allowed ? { allowed: patch.allowed } : {}),
  };
}
