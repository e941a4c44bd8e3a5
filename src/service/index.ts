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
  ImportDealsOptions,
  ImportReport,
  Board,
  BoardColumn,
  BoardOptions,
  DealListQuery,
  DeliveryOptions,
  DeliveryFailure,
} from './types.js';
export type { StoredDwellOptions } from './storedMetrics.js';
export type { RottingDeal, RottingBetweenOptions } from './rotting.js';
export type { StoredLearnOptions, StoredForecastOptions } from './forecast.js';
export type { ListDealsQuery } from './listing.js';
export type { StoredStalledOptions } from './reports/stalled.js';
export type { StoredFunnelOptions, StoredPeriodOptions, StoredWaterfallOptions, StoredConversionOptions, StoredMovementOptions, StoredCoverageOptions } from './reports/tallied.js';
