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
  Board,
  BoardColumn,
  BoardOptions,
  DeliveryOptions,
  DeliveryFailure,
} from './types.js';
export type { StoredDwellOptions } from './storedMetrics.js';
export type { ListDealsQuery } from './listing.js';
export type { StoredStalledOptions } from './reports/stalled.js';
