export { learnPipeline } from './learnPipeline.js';
export { forecast, type ForecastRow } from './forecast.js';
export { backtest, type BacktestRow, type BacktestOptions } from './backtest.js';
export { type PipelineModel, type StageModel } from './pipelineModel.js';
export { type PeriodUnit } from './periods.js';
