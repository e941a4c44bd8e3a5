export { timeInStages, stageAt, type StageTime } from './timeInStages.js';
export { dwellStats, type DwellRow } from './dwellStats.js';
export { stalledDeals, type StalledDeal } from './stalledDeals.js';
export { conversionFunnel, type Funnel, type FunnelStage } from './conversionFunnel.js';
export { weightedPipeline, type WeightedCurrency, type WeightedTotals } from './weightedPipeline.js';
export { movementStats, type MovementStats, type MoveCount } from './movementStats.js';
export { salesCycle, type SalesCycle } from './salesCycle.js';
export { dealAt, type DealState } from './dealAt.js';
export { pipelineSnapshot } from './pipelineSnapshot.js';
