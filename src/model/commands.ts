import * as z from 'zod';
import { Id, Instant, LostReasonText, Name, safeRecord } from './primitives.js';
import { StageDef, StagePatch } from './stage.js';
import { PipelineStage, TransitionRules } from './pipeline.js';
import { DealInput, DealPatch } from './deal.js';

/**
 * A change to a pipeline's rules: given flags replace the current ones; `null` removes
 * `creationStageIds` or `allowed`.
 *
 * @example
 * ```ts
 * applyWorkspace(ws, { type: 'setTransitionRules', pipelineId: 'new-cars', rules: { allowSkip: true, creationStageIds: null } }, { at: Date.now() });
 * ```
 * @category Model
 */
export const TransitionRulesPatch = z.strictObject({
  allowSkip: z.boolean().optional(),
  allowBackward: z.boolean().optional(),
  allowReopen: z.boolean().optional(),
  requireLostReason: z.boolean().optional(),
  creationStageIds: TransitionRules.shape.creationStageIds.unwrap().nullable().optional(),
  allowed: TransitionRules.shape.allowed.unwrap().nullable().optional(),
});
/**
 * @see {@link TransitionRulesPatch}
 * @category Model
 */
export type TransitionRulesPatch = z.infer<typeof TransitionRulesPatch>;

const StageIdList = z.array(Id).min(1).max(10000);
/**
 * A map from a stage id to another stage id.
 *
 * @example
 * ```ts
 * StageMap.parse({ requirements: 'show-models' });
 * ```
 * @category Model
 */
export const StageMap = safeRecord(Id);

/**
 * Every command the workspace (configuration) aggregate accepts, by `type`.
 *
 * @example
 * ```ts
 * WorkspaceCommand.parse({ type: 'renamePipeline', pipelineId: 'new-cars', name: 'New vehicles' });
 * ```
 * @category Model
 */
export const WorkspaceCommand = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('addLayout'), layoutId: Id, name: Name, stages: z.array(StageDef).min(1).max(10000) }),
  z.strictObject({ type: z.literal('renameLayout'), layoutId: Id, name: Name }),
  z.strictObject({ type: z.literal('addStage'), layoutId: Id, stage: StageDef, index: z.number().int().min(0).optional() }),
  z.strictObject({ type: z.literal('updateStage'), layoutId: Id, stageId: Id, patch: StagePatch }),
  z.strictObject({ type: z.literal('reorderStages'), layoutId: Id, stageIds: StageIdList }),
  z.strictObject({ type: z.literal('removeStage'), layoutId: Id, stageId: Id, replacementStageId: Id.optional() }),
  z.strictObject({
    type: z.literal('createPipeline'),
    layoutId: Id,
    pipelineId: Id,
    name: Name,
    stages: z.array(z.union([Id, PipelineStage])).min(1).max(10000),
    rules: TransitionRulesPatch.optional(),
    makeDefault: z.boolean().optional(),
    standardPipelineId: Id.optional(),
  }),
  z.strictObject({ type: z.literal('renamePipeline'), pipelineId: Id, name: Name }),
  z.strictObject({ type: z.literal('setPipelineStages'), pipelineId: Id, stages: z.array(z.union([Id, PipelineStage])).min(1).max(10000) }),
  z.strictObject({ type: z.literal('setTransitionRules'), pipelineId: Id, rules: TransitionRulesPatch }),
  z.strictObject({ type: z.literal('setDefaultPipeline'), layoutId: Id, pipelineId: Id }),
  z.strictObject({
    type: z.literal('deletePipeline'),
    pipelineId: Id,
    transferTo: z.strictObject({ pipelineId: Id, stageMap: StageMap.optional() }).optional(),
  }),
]);
/**
 * A parsed workspace command.
 * @category Model
 */
export type WorkspaceCommand = z.output<typeof WorkspaceCommand>;
/**
 * A workspace command as a host writes it (rules fields optional).
 *
 * @example
 * ```ts
 * const command: WorkspaceCommandInput = { type: 'setDefaultPipeline', layoutId: 'sales', pipelineId: 'used-cars' };
 * ```
 * @category Model
 */
export type WorkspaceCommandInput = z.input<typeof WorkspaceCommand>;

const Bypass = { bypassRules: z.boolean().optional() };
const LostReason = LostReasonText;

// `patch`: fields set in the same decision as the move, judged with the target stage's rules.
const MoveToStage = z.strictObject({ type: z.literal('moveToStage'), stageId: Id, lostReason: LostReason.optional(), patch: DealPatch.optional(), ...Bypass });
const MoveToPipeline = z.strictObject({
  type: z.literal('moveToPipeline'),
  pipelineId: Id,
  stageId: Id.optional(),
  stageMap: StageMap.optional(),
  lostReason: LostReason.optional(),
  ...Bypass,
});
const UpdateDeal = z.strictObject({ type: z.literal('updateDeal'), patch: DealPatch, ...Bypass });
const CloseDeal = z.strictObject({
  type: z.literal('closeDeal'),
  outcome: z.enum(['won', 'lost']),
  stageId: Id.optional(),
  lostReason: LostReason.optional(),
  ...Bypass,
});

/**
 * Every command the deal aggregate accepts, by `type`.
 *
 * @example
 * ```ts
 * DealCommand.parse({ type: 'moveToStage', stageId: 'quote' });
 * ```
 * @category Model
 */
export const DealCommand = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('createDeal'), deal: DealInput, ...Bypass }),
  MoveToStage,
  MoveToPipeline,
  UpdateDeal,
  CloseDeal,
  z.strictObject({ type: z.literal('reopenDeal'), stageId: Id, ...Bypass }),
]);
/**
 * A parsed deal command.
 * @category Model
 */
export type DealCommand = z.output<typeof DealCommand>;
/**
 * A deal command as a host writes it.
 *
 * @example
 * ```ts
 * const command: DealCommandInput = { type: 'closeDeal', outcome: 'won' };
 * ```
 * @category Model
 */
export type DealCommandInput = z.input<typeof DealCommand>;

/**
 * Limits checked by the reducers; override any of them through `ctx.limits`.
 *
 * @example
 * ```ts
 * applyWorkspace(ws, command, { at: Date.now(), limits: { maxStagesPerLayout: 250 } });
 * ```
 * @category Model
 */
export const Limits = z.strictObject({
  maxStagesPerLayout: z.number().int().min(1).max(10000).optional(),
  maxPipelinesPerLayout: z.number().int().min(1).max(10000).optional(),
  maxLayouts: z.number().int().min(1).max(100000).optional(),
});
/**
 * @see {@link Limits}
 * @category Model
 */
export type Limits = { maxStagesPerLayout: number; maxPipelinesPerLayout: number; maxLayouts: number };

/**
 * The default limits (HubSpot and Kommo use the same orders of magnitude).
 *
 * @example
 * ```ts
 * DEFAULT_LIMITS.maxPipelinesPerLayout; // 50
 * ```
 * @category Model
 */
export const DEFAULT_LIMITS: Limits = Object.freeze({ maxStagesPerLayout: 100, maxPipelinesPerLayout: 50, maxLayouts: 1000 });

/**
 * The context of a command: when it happens and who does it.
 *
 * @example
 * ```ts
 * CommandContext.parse({ at: '2026-03-02T09:00:00Z', by: 'ann' }); // { at: 1772442000000, by: 'ann' }
 * ```
 * @category Model
 */
export const CommandContext = z.strictObject({
  at: Instant,
  by: Id.nullable().optional(),
  limits: Limits.optional(),
});
/**
 * A context as a host writes it: `at` may be a Date, epoch ms or ISO string.
 *
 * @example
 * ```ts
 * const ctx: CommandContextInput = { at: new Date(), by: 'ann', limits: { maxStagesPerLayout: 200 } };
 * ```
 * @category Model
 */
export type CommandContextInput = z.input<typeof CommandContext>;
/** A parsed context. */
export interface Context {
  readonly at: number;
  readonly by: string | null;
  readonly limits: Limits;
}

/**
 * The change a bulk update applies to every deal: one of four deal commands.
 *
 * @example
 * ```ts
 * BulkChange.parse({ type: 'moveToPipeline', pipelineId: 'used-cars', stageMap: { requirements: 'show-models' } });
 * ```
 * @category Model
 */
export const BulkChange = z.discriminatedUnion('type', [MoveToStage, MoveToPipeline, UpdateDeal, CloseDeal]);
/**
 * A parsed bulk change.
 * @category Model
 */
export type BulkChange = z.output<typeof BulkChange>;
/**
 * A bulk change as a host writes it.
 *
 * @example
 * ```ts
 * const change: BulkChangeInput = { type: 'closeDeal', outcome: 'lost', lostReason: 'Price' };
 * ```
 * @category Model
 */
export type BulkChangeInput = z.input<typeof BulkChange>;

/**
 * The context of a bulk update: a command context plus the mode.
 *
 * @example
 * ```ts
 * BulkContext.parse({ at: '2026-03-10T09:00:00Z', by: 'manager', mode: 'atomic' }).at; // 1773133200000
 * ```
 * @category Model
 */
export const BulkContext = CommandContext.extend({ mode: z.enum(['atomic', 'bestEffort']) });
/**
 * A bulk context as a host writes it.
 *
 * @example
 * ```ts
 * const ctx: BulkContextInput = { at: new Date(), by: 'manager', mode: 'bestEffort' };
 * ```
 * @category Model
 */
export type BulkContextInput = z.input<typeof BulkContext>;
