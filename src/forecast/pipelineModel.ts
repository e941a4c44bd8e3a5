import * as z from 'zod';

const Key = z.string().min(1).max(500);
const Sample = z.array(z.number().finite().min(0)).max(50_000_000);

/** Where deals went after a stage, and how often. */
const NextStage = z.strictObject({
  pipelineId: Key.nullable(),
  stageId: Key,
  outcome: z.enum(['open', 'won', 'lost']),
  count: z.number().int().min(0),
  probability: z.number().min(0).max(1),
});

/** What the history says about one stage of one pipeline. */
const StageModelSchema = z.strictObject({
  pipelineId: Key.nullable(),
  stageId: Key,
  /** The probability the admin set on the stage (in %), or null when the stage is gone. */
  adminProbability: z.number().min(0).max(100).nullable(),
  /** Visits that moved on inside the window: what the rest is learned from. */
  visits: z.number().int().min(0),
  next: z.array(NextStage).max(10_000),
  /** The chance that a deal in this stage is eventually won, by the learned transitions. */
  winProbability: z.number().min(0).max(1),
  /** The chance that it is eventually lost. */
  lossProbability: z.number().min(0).max(1),
  /** Time to the next stage of the visits learned from (ms, ascending). */
  dwellMs: Sample,
  /** Time from entering the stage to closing (won or lost), of those visits whose deal closed by `until` (ms, ascending). */
  closeMs: Sample,
});

/** The schema of a {@link PipelineModel}, checked where a model enters `forecast`. */
export const PipelineModelSchema = z.strictObject({
  until: z.number().finite(),
  windowMs: z.number().finite().min(0),
  stages: z.array(StageModelSchema).max(100_000),
});

/**
 * What a pipeline's own history says: per pipeline and stage, where deals went next and how
 * often (including won and lost), the chance of eventually winning, and the empirical
 * distributions of time to the next stage and to close. Plain JSON data: store it, compare it
 * with the admin's stage probabilities, hand it to {@link forecast}.
 *
 * @example
 * ```ts
 * const model: PipelineModel = learnPipeline(ws, deals, { until: Date.now() });
 * for (const s of model.stages) console.log(s.stageId, s.adminProbability, Math.round(s.winProbability * 100));
 * ```
 * @category Forecast
 */
export type PipelineModel = z.infer<typeof PipelineModelSchema>;

/**
 * One (pipeline, stage) of a {@link PipelineModel}.
 *
 * @example
 * ```ts
 * const quote: StageModel | undefined = model.stages.find((s) => s.stageId === 'quote');
 * ```
 * @category Forecast
 */
export type StageModel = PipelineModel['stages'][number];
