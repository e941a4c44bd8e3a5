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
export type { StoredDwellOptions } from './types.js';
export type { RottingDeal, RottingBetweenOptions } from './types.js';
export type { StoredLearnOptions, StoredForecastOptions } from './types.js';
export type { ListDealsQuery } from './types.js';
export type { StoredRottingOptions, StoredStalledOptions } from './types.js';
export type { StoredFunnelOptions, StoredPeriodOptions, StoredWaterfallOptions, StoredConversionOptions, StoredMovementOptions, StoredCoverageOptions } from './types.js';
