export { createPipelineService } from './createPipelineService.js';
export type {
  PipelineService,
  PipelineServiceOptions,
  AuthorizationRequest,
  ActOptions,
  DispatchOptions,
  RetryOptions,
  BulkRequest,
  BulkReport,
  BulkProgress,
  Board,
  BoardColumn,
  BoardOptions,
  DealListQuery,
} from './types.js';
export type { DealInclude } from './lean.js';
export type { StoredDwellOptions } from './storedMetrics.js';
export type { RottingDeal, RottingBetweenOptions } from './rotting.js';
export type { StoredLearnOptions, StoredForecastOptions } from './forecast.js';
