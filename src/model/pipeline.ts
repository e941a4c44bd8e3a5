import * as z from 'zod';
import { Id, Name, Probability, SafeKey, safeRecord } from './primitives.js';
import { RotAfterDays } from './stage.js';

/**
 * A stage of a pipeline, with per-pipeline overrides of its StageDef.
 *
 * @example
 * ```ts
 * PipelineStage.parse({ stageId: 'quote', probability: 50, rotAfterDays: 10, requiredFields: ['amount'] });
 * ```
 * @category Model
 */
export const PipelineStage = z.strictObject({
  stageId: Id,
  probability: Probability.optional(),
  rotAfterDays: RotAfterDays.optional(),
  requiredFields: z.array(SafeKey).max(100).optional(),
});
/**
 * @see {@link PipelineStage}
 * @category Model
 */
export type PipelineStage = z.infer<typeof PipelineStage>;

/**
 * Transition rules of a pipeline. Every flag defaults to the permissive value.
 *
 * @example
 * ```ts
 * TransitionRules.parse({ allowSkip: false }); // { allowSkip: false, allowBackward: true, allowReopen: true, requireLostReason: false }
 * ```
 * @category Model
 */
export const TransitionRules = z.strictObject({
  allowSkip: z.boolean().default(true),
  allowBackward: z.boolean().default(true),
  allowReopen: z.boolean().default(true),
  requireLostReason: z.boolean().default(false),
  creationStageIds: z.array(Id).min(1).max(100).optional(),
  allowed: safeRecord(z.array(Id).max(100)).optional(),
});
/**
 * @see {@link TransitionRules}
 * @category Model
 */
export type TransitionRules = z.output<typeof TransitionRules>;
/**
 * The input form of {@link TransitionRules}: every field optional.
 *
 * @example
 * ```ts
 * const rules: TransitionRulesInput = { allowBackward: false, allowed: { quote: ['negotiation', 'lost'] } };
 * ```
 * @category Model
 */
export type TransitionRulesInput = z.input<typeof TransitionRules>;

/**
 * The rules a pipeline gets when none are given: everything allowed.
 *
 * @example
 * ```ts
 * DEFAULT_RULES; // { allowSkip: true, allowBackward: true, allowReopen: true, requireLostReason: false }
 * ```
 * @category Model
 */
export const DEFAULT_RULES: TransitionRules = Object.freeze({
  allowSkip: true,
  allowBackward: true,
  allowReopen: true,
  requireLostReason: false,
});

/**
 * A pipeline: an ordered subset of its layout's Stage picklist, with rules.
 *
 * @example
 * ```ts
 * const pipeline: Pipeline = ws.layouts[0].pipelines[0];
 * pipeline.standard; // true for the standard pipeline
 * ```
 * @category Model
 */
export const Pipeline = z.strictObject({
  id: Id,
  layoutId: Id,
  name: Name,
  standard: z.boolean(),
  stages: z.array(PipelineStage).min(1).max(10000),
  rules: TransitionRules,
});
/**
 * @see {@link Pipeline}
 * @category Model
 */
export type Pipeline = z.output<typeof Pipeline>;
