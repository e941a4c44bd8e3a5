export { decideDeal } from './decide.js';
export { evolveDeal } from './evolve.js';
export { applyDeal, replayDeal } from './apply.js';
export { checkTransition, allowedStages, suggestStageMap } from './transitions.js';
export type { DealEvent, DealEventType, DealPosition, DealChanges, StageChangeReason } from './events.js';
export type { Violation } from './rules.js';
export { stageOptions, type StageOption } from './transitions.js';
