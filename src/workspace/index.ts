export { decideWorkspace } from './decide.js';
export { evolveWorkspace } from './evolve.js';
export { applyWorkspace, emptyWorkspace, replayWorkspace } from './apply.js';
export type { WorkspaceEvent, WorkspaceEventType } from './events.js';
export { STANDARD_PIPELINE_NAME } from './decidePipeline.js';
