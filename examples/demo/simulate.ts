// The dealer's story: six weeks of deals on the service with the embedded memory store.
import {
  allowedStages,
  createMemoryRepositories,
  createPipelineService,
  isPipelineError,
  type Deal,
  type DealCommandInput,
  type PipelineService,
  type BulkProgress,
  type Workspace,
} from '../../src/index.js';
import { dealerCommands } from '../dealership.js';
import { importLegacy, progressBar } from './legacyImport.js';

export const START = Date.UTC(2026, 0, 5, 8); // Monday 5 January 2026, 08:00 UTC
const DAY = 86_400_000;
const WEEKS = 6;

/** A seeded generator, so every run tells the same story. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Story {
  readonly workspace: Workspace;
  readonly deals: Deal[];
  readonly now: number;
  readonly log: string[];
  /** The deal that moved from the Service layout to the Sales layout. */
  readonly movedDealId: string;
}

const MODELS = ['Family SUV', 'City hatchback', 'Estate', 'Pickup', 'Coupé', 'Minivan', 'Roadster', 'EV compact'];
const LOST = ['Price', 'Bought elsewhere', 'No financing', 'Went quiet'];

/** Options of {@link simulate}. */
export interface SimulateOptions {
  /** Told after each committed chunk of the HubSpot import (a progress bar in a terminal). */
  readonly onImportProgress?: (progress: BulkProgress) => void;
}

/** Runs the simulation and returns the final state and what happened worth telling. */
export async function simulate(seed = 7, options: SimulateOptions = {}): Promise<Story> {
  const rnd = seeded(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
  let now = START;
  const repos = createMemoryRepositories();
  const service = createPipelineService({ ...repos, clock: () => now, authorize: (r) => !r.bypassRules || r.by === 'manager' });
  const log: string[] = [];
  for (const command of dealerCommands) await service.configure(command, { by: 'admin' });
  await service.configure({ type: 'createPipeline', layoutId: 'sales', pipelineId: 'fleet', name: 'Fleet sales', stages: ['requirements', 'quote', 'negotiation', 'won', 'lost'] }, { by: 'admin' });
  log.push('Configured: Sales layout (New cars, Used cars, Fleet sales) and Service layout (Repair service)');

  // Before the showroom opens: the web shop's leads come over from HubSpot (a store of their own).
  const seen: string[] = [];
  const steps = await importLegacy(START, (p) => {
    seen.push(progressBar(p, 5));
    options.onImportProgress?.(p);
  });
  log.push(steps[0]!, `Import progress by chunk: ${seen.slice(0, 4).join(' ')}`, steps[1]!);

  const ids: string[] = [];
  let next = 1;
  const create = async (layoutId: string, pipelineId: string, amount: number) => {
    const id = `D-${String(next++).padStart(3, '0')}`;
    const input = { id, layoutId, pipelineId, name: layoutId === 'service' ? `Repair: ${pick(MODELS)}` : pick(MODELS), amount, currency: 'EUR', ownerId: pick(['ann', 'bob', 'eve']) };
    await service.createDeal(input, { by: input.ownerId });
    ids.push(id);
  };

  for (let day = 0; day < WEEKS * 7; day++) {
    now = START + day * DAY + Math.floor(rnd() * 8) * 3_600_000;
    if (day % 7 >= 5) continue; // the showroom is closed at weekends
    if (rnd() < 0.8) await create('sales', 'new-cars', 18_000 + Math.round(rnd() * 40) * 1000);
    if (rnd() < 0.5) await create('sales', 'used-cars', 6_000 + Math.round(rnd() * 20) * 500);
    if (rnd() < 0.25 && day < 20) await create('sales', 'fleet', 60_000 + Math.round(rnd() * 10) * 10_000);
    if (rnd() < 0.6) await create('service', 'repair', 200 + Math.round(rnd() * 30) * 50);
    for (const id of ids) {
      if (rnd() > 0.3) continue;
      await advance(service, id, rnd, pick, log);
    }
  }

  // A customer of the repair shop decides to buy: the deal moves to another layout.
  const repairs = (await repos.deals.list({ pipelineId: 'repair', limit: 1000, include: ['history'] })).deals;
  const repairDeal = (repairs.find((d) => d.history.length >= 3) ?? repairs[0]!).id;
  now += 3_600_000;
  await tryTo(log, `${repairDeal} moved from Repair service to Used cars`, () =>
    service.dispatch(repairDeal, { type: 'moveToPipeline', pipelineId: 'used-cars', stageId: 'show-models', ...reopenIfClosed() }, { by: 'manager', bypassRules: true }));

  // Mass update: every Used cars deal still showing models gets a test drive.
  now += 3_600_000;
  const bulk = await service.bulkUpdate({ query: { pipelineId: 'used-cars', stageId: 'show-models' }, change: { type: 'moveToStage', stageId: 'test-drive' }, mode: 'bestEffort', by: 'manager' });
  log.push(`Bulk update (used cars, show models → test drive): ${bulk.updated.length} moved, ${bulk.unchanged.length} unchanged, ${bulk.rejected.length} refused`);

  // Fleet sales is merged into New cars: its deals move over with a stage map, then it goes.
  now += 3_600_000;
  const fleet = (await repos.deals.list({ pipelineId: 'fleet', limit: 1000 })).deals.length;
  await service.configure({ type: 'deletePipeline', pipelineId: 'fleet', transferTo: { pipelineId: 'new-cars' } }, { by: 'admin' }).then(
    () => log.push(`Deleted the Fleet sales pipeline: ${fleet} deals transferred to New cars first`),
    async (e: unknown) => {
      if (!isPipelineError(e)) throw e;
      log.push(`Deleting Fleet sales without a map: ${e.code} (${e.message})`);
      await service.configure({ type: 'deletePipeline', pipelineId: 'fleet', transferTo: { pipelineId: 'new-cars', stageMap: {} } }, { by: 'admin' });
    },
  );

  now = START + WEEKS * 7 * DAY;
  const deals: Deal[] = [];
  let after: string | null = null;
  do {
    const page = await repos.deals.list({ after, limit: 100, include: ['history', 'changes'] });
    deals.push(...page.deals);
    after = page.next;
  } while (after !== null);
  return { workspace: await service.getWorkspace(), deals, now, log, movedDealId: repairDeal };
}

function reopenIfClosed() {
  return {};
}

async function tryTo(log: string[], success: string, fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
    log.push(success);
  } catch (e) {
    if (!isPipelineError(e)) throw e;
    log.push(`Refused: ${e.code}: ${e.message}`);
  }
}

/** One step for a deal: usually a legal move, sometimes a refused one, sometimes a close. */
async function advance(service: PipelineService, id: string, rnd: () => number, pick: <T>(l: readonly T[]) => T, log: string[]): Promise<void> {
  const deal = (await service.getDeal(id))!;
  const ws = await service.getWorkspace();
  const layout = ws.layouts.find((l) => l.id === deal.layoutId)!;
  const outcome = layout.stages.find((s) => s.id === deal.stageId)?.outcome;
  if (outcome !== 'open') return;
  const by = deal.ownerId ?? 'ann';
  const roll = rnd();
  const attempt = async (command: Parameters<PipelineService['dispatch']>[1]) => {
    try {
      await service.dispatch(id, command, { by });
    } catch (e) {
      if (!isPipelineError(e)) throw e;
      if (log.filter((l) => l.startsWith('Refused')).length < 4) log.push(`Refused ${id} ${describe(command)}: ${e.code} (${e.message.replace(/^deal [^:]+: /, '')})`);
    }
  };
  if (roll < 0.1) return attempt({ type: 'closeDeal', outcome: 'lost', ...(rnd() < 0.6 ? { lostReason: pick(LOST) } : {}) });
  if (roll < 0.2) {
    const order = deal.pipelineId === null ? [] : ws.layouts.flatMap((l) => l.pipelines).find((p) => p.id === deal.pipelineId)!.stages.map((s) => s.stageId);
    const far = order[Math.min(order.length - 1, order.indexOf(deal.stageId) + 2)];
    if (far) return attempt({ type: 'moveToStage', stageId: far });
  }
  if (roll < 0.35 && deal.closingDate === null) {
    await service.dispatch(id, { type: 'updateDeal', patch: { closingDate: '2026-03-31' } }, { by });
  } else if (roll < 0.42 && deal.closingDate !== null) {
    // The customer needs more time: the closing date slips by a month.
    await service.dispatch(id, { type: 'updateDeal', patch: { closingDate: nextMonthEnd(deal.closingDate) } }, { by });
  } else if (roll < 0.47 && deal.amount !== null) {
    await service.dispatch(id, { type: 'updateDeal', patch: { amount: Math.round(deal.amount * (roll < 0.45 ? 1.1 : 0.85)) } }, { by });
  }
  const targets = allowedStages(ws, (await service.getDeal(id))!).filter((s) => layout.stages.find((d) => d.id === s)?.outcome !== 'lost');
  const forward = targets.filter((s) => layout.stages.findIndex((d) => d.id === s) > layout.stages.findIndex((d) => d.id === deal.stageId));
  const stageId = forward[0] ?? targets[0];
  if (stageId) await attempt({ type: 'moveToStage', stageId });
}

function describe(command: DealCommandInput): string {
  if (command.type === 'closeDeal') return `close as ${command.outcome}`;
  return 'stageId' in command ? `→ ${command.stageId}` : command.type;
}

/** The last day of the month after the one of `date` ('YYYY-MM-DD'). */
function nextMonthEnd(date: string): string {
  const [y, m] = date.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m + 1, 0)).toISOString().slice(0, 10);
}
