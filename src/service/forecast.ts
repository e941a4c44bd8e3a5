import * as z from 'zod';
import { PipelineError } from '../errors.js';
import type { Deal } from '../model/deal.js';
import { parseWith } from '../model/parse.js';
import { Instant } from '../model/primitives.js';
import { DAY_MS } from '../metrics/common.js';
import { backtest, type BacktestOptions, type BacktestRow } from '../forecast/backtest.js';
import { forecast, type ForecastRow } from '../forecast/forecast.js';
import { DEFAULT_WINDOW_DAYS } from '../forecast/learnPipeline.js';
import { ModelBuilder } from '../forecast/modelBuilder.js';
import type { PipelineModel } from '../forecast/pipelineModel.js';
import type { Runtime } from './runtime.js';
import { storedPages } from './pages.js';
import type { StoredLearnOptions, StoredForecastOptions } from './types.js';

const Window = z.number().finite().positive().max(36_500).optional();
const LearnOptions = z.strictObject({ until: Instant.optional(), window: Window });
const ForecastStart = z.object({ from: Instant.optional(), window: Window });

/** Every stored deal, page by page, handed to `visit` (the page is dropped after). */
async function eachDeal(rt: Runtime, visit: (deal: Deal) => void): Promise<void> {
  for await (const deals of storedPages(rt, { include: ['history', 'changes'] })) for (const d of deals) visit(d);
}

/** `learnPipeline` over the store: the deals are counted page by page, none is kept. */
export async function storedLearnPipeline(rt: Runtime, input: StoredLearnOptions | undefined): Promise<PipelineModel> {
  const o = parseWith(LearnOptions, input ?? {}, 'opts');
  const ws = await rt.workspaces.load();
  const builder = new ModelBuilder(o.until ?? rt.now(), (o.window ?? DEFAULT_WINDOW_DAYS) * DAY_MS);
  await eachDeal(rt, (d) => builder.add(d));
  return builder.build(ws);
}

/**
 * `forecast` over the store: learns the model as of `from` page by page and keeps only the
 * deals open at `from`, then simulates them.
 */
export async function storedForecast(rt: Runtime, input: StoredForecastOptions): Promise<ForecastRow[]> {
  if (typeof input !== 'object' || input === null) throw new PipelineError('invalid_input', 'opts: expected an object', { path: 'opts' });
  const o = parseWith(ForecastStart, { from: input.from, window: input.window }, 'opts');
  const from = o.from ?? rt.now();
  const ws = await rt.workspaces.load();
  const builder = new ModelBuilder(from, (o.window ?? DEFAULT_WINDOW_DAYS) * DAY_MS);
  const open: Deal[] = [];
  await eachDeal(rt, (d) => {
    builder.add(d);
    if (d.history[0]!.enteredAt <= from && openAt(d, from)) open.push(d);
  });
  const { window: _window, ...rest } = input;
  return forecast(builder.build(ws), open, { ...rest, from });
}

/** `backtest` over the store: every deal's history is needed for every instant, so all are read. */
export async function storedBacktest(rt: Runtime, input: BacktestOptions): Promise<BacktestRow[]> {
  const ws = await rt.workspaces.load();
  const deals: Deal[] = [];
  await eachDeal(rt, (d) => deals.push(d));
  return backtest(ws, deals, input);
}

/** Whether the deal was in an open stage at `t` (or is now, when no visit has ended after `t`). */
function openAt(deal: Deal, t: number): boolean {
  const h = deal.history;
  for (let i = h.length - 1; i >= 0; i--) if (h[i]!.enteredAt <= t) return h[i]!.outcome === 'open';
  return false;
}
