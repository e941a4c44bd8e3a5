// The public surface of sales-pipelines. Everything not listed here is internal.

export { PipelineError, isPipelineError, ERROR_CODES, type PipelineErrorCode } from './errors.js';

export {
  StageDef,
  StagePatch,
  Outcome,
  ForecastCategory,
} from './model/stage.js';
export {
  PipelineStage,
  TransitionRules,
  Pipeline,
  DEFAULT_RULES,
  type TransitionRulesInput,
} from './model/pipeline.js';
export { Layout, Workspace } from './model/layout.js';
export { Deal, StageVisit, DealInput, DealPatch, FieldChange, TrackedField } from './model/deal.js';
export {
  WorkspaceCommand,
  DealCommand,
  TransitionRulesPatch,
  StageMap,
  CommandContext,
  DEFAULT_LIMITS,
  type WorkspaceCommandInput,
  type DealCommandInput,
  type CommandContextInput,
  type Limits,
} from './model/commands.js';
export { MAX_AMOUNT, type JsonValue } from './model/primitives.js';

export {
  emptyWorkspace,
  decideWorkspace,
  evolveWorkspace,
  applyWorkspace,
  replayWorkspace,
  STANDARD_PIPELINE_NAME,
  type WorkspaceEvent,
  type WorkspaceEventType,
} from './workspace/index.js';

export {
  decideDeal,
  evolveDeal,
  applyDeal,
  replayDeal,
  checkTransition,
  allowedStages,
  suggestStageMap,
  type DealEvent,
  type DealEventType,
  type DealPosition,
  type DealChanges,
  type StageChangeReason,
  type Violation,
} from './deals/index.js';
export { stageOptions, type StageOption } from './deals/index.js';
export { checkInvariants } from './deals/checkInvariants.js';
export type { InvariantViolation } from './workspace/invariants.js';

export { planBulkUpdate, type BulkPlan } from './bulk/planBulkUpdate.js';
export { BulkChange, BulkContext, type BulkChangeInput, type BulkContextInput } from './model/commands.js';

export {
  timeInStages,
  stageAt,
  dwellStats,
  stalledDeals,
  conversionFunnel,
  weightedPipeline,
  movementStats,
  salesCycle,
  type StageDwell,
  type StageDwellStats,
  type DwellStatsOptions,
  type StalledDeal,
  type DealSummary,
  type Funnel,
  type FunnelStage,
  type WeightedCurrency,
  type WeightedTotals,
  type MovementStats,
  type MoveCount,
  type SalesCycle,
  dealAt,
  pipelineSnapshot,
  type DealState,
  pipelineWaterfall,
  type WaterfallBucket,
  type WaterfallCurrency,
  slippage,
  type Slippage,
  type SlippingDeal,
  stageConversion,
  type StageConversion,
  type StageConversionStats,
  salesVelocity,
  type SalesVelocity,
  pipelineCoverage,
  type Coverage,
  type CurrencyWinRate,
  type BusinessCalendar,
  type Weekday,
  rotsAt,
  type RottingOptions,
  dwellStatsOfVisits,
} from './metrics/index.js';

export type {
  WorkspaceRepository,
  WorkspaceSaveOptions,
  DealRepository,
  DealSaveOptions,
  DealDecision,
  DealTransactOptions,
  DealQuery,
  DealPage,
  DealTail,
  DealTailPage,
  TimelineQuery,
  DealTimeline,
  TimelinePage,
  DealChange,
  SummaryQuery,
  StageSummaryRow,
  OutboxRepository,
  OutboxEntry,
  VisitRepository,
  VisitQuery,
  DwellQuery,
  VisitPage,
  VisitRow,
  Repositories,
  DealFilter,
  DealErasure,
  DealErasedEvent,
  OutboxClaim,
  OutboxFailure,
} from './ports/repositories.js';
export type { FunnelQuery, FunnelStageKey, FunnelGroup } from './metrics/funnelGroups.js';
export {
  checkDealQuery,
  pageOfDeals,
  matchesQuery,
  leanDeal,
  sortValue,
  comparePositions,
  encodeCursor,
  type CheckedDealQuery,
  type DealSort,
  type DealInclude,
  type RottingThresholds,
} from './ports/dealQuery.js';
export { redactEvent, type RedactedEvent } from './ports/erasure.js';
export { checkDealChanges, type CheckedDealChange, type CheckedDealSave } from './ports/dealChanges.js';
export { createMemoryRepositories, type MemoryRepositories, type MemoryDealRepository } from './adapters/memory/createMemoryRepositories.js';
export {
  createPipelineService,
  type PipelineService,
  type PipelineServiceOptions,
  type AuthorizationRequest,
  type ActOptions,
  type DispatchOptions,
  type RetryOptions,
  type BulkRequest,
  type BulkReport,
  type BulkProgress,
  type ImportDealsOptions,
  type ImportReport,
  type Board,
  type BoardColumn,
  type BoardOptions,
  type StoredDwellOptions,
  type DealListQuery,
  type RottingDeal,
  type StoredLearnOptions,
  type StoredForecastOptions,
  type DeliveryOptions,
  type DeliveryFailure,
  type ListDealsQuery,
  type StoredRottingOptions,
  type StoredFunnelOptions,
  type StoredPeriodOptions,
  type StoredWaterfallOptions,
  type StoredConversionOptions,
  type StoredMovementOptions,
  type StoredCoverageOptions,
} from './service/index.js';

export {
  learnPipeline,
  forecast,
  backtest,
  type PipelineModel,
  type StageModel,
  type ForecastRow,
  type BacktestRow,
  type BacktestOptions,
  type PeriodUnit,
} from './forecast/index.js';

export { toProblem, PROBLEM_STATUS, PROBLEM_TYPE_BASE, type Problem, type ToProblemOptions } from './problem.js';
export { planConfiguration, configurationOf, DesiredConfiguration } from './configuration/index.js';

// Former names, kept for one minor version: each is the same type as its new name.
export type { StageTime, DwellRow } from './metrics/index.js';
export type { RottingBetweenOptions, StoredStalledOptions } from './service/index.js';
