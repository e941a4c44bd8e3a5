export { createPipelineService } from './createPipelineService.js';
export type { PipelineService, PipelineServiceOptions, AuthorizationRequest, ActOptions, BulkRequest, BulkReport } from './types.js';
