import { applyWorkspace, emptyWorkspace, type Deal, type StageVisit, type Workspace } from '../../src/index.js';
import { mulberry32 } from '../../src/forecast/random.js';

const DAY = 86_400_000;

/** The true behaviour of the synthetic pipeline: where each stage leads, and how long deals sit. */
export const TRUTH = {
  lead: { next: { demo: 0.6, lost: 0.4 }, meanDays: 8 },
  demo: { next: { proposal: 0.5, lead: 0.1, lost: 0.4 }, meanDays: 12 },
  proposal: { next: { won: 0.45, lost: 0.55 }, meanDays: 15 },
} as const;
export type OpenStage = keyof typeof TRUTH;

/** The chance of winning from each stage, solved by hand from TRUTH. */
export const TRUE_WIN = (() => {
  const proposal = 0.45;
  const demo = (0.5 * proposal) / (1 - 0.1 * 0.6);
  return { lead: 0.6 * demo, demo, proposal };
})();

/** The admin's stage probabilities: deliberately wrong (far too hopeful). */
const ADMIN = { lead: 20, demo: 50, proposal: 80, won: 100, lost: 0 } as const;

export function syntheticWorkspace(): Workspace {
  const stage = (id: keyof typeof ADMIN, outcome: 'open' | 'won' | 'lost') => ({
    id,
    name: id,
    probability: ADMIN[id],
    outcome,
    forecastCategory: outcome === 'won' ? ('closed' as const) : outcome === 'lost' ? ('omitted' as const) : ('pipeline' as const),
  });
  const stages = [stage('lead', 'open'), stage('demo', 'open'), stage('proposal', 'open'), stage('won', 'won'), stage('lost', 'lost')];
  let ws = applyWorkspace(emptyWorkspace(), { type: 'addLayout', layoutId: 'l', name: 'L', stages }, { at: 0 }).workspace;
  ws = applyWorkspace(ws, { type: 'createPipeline', layoutId: 'l', pipelineId: 'p', name: 'P', stages: stages.map((s) => s.id), makeDefault: true }, { at: 0 }).workspace;
  return ws;
}

/**
 * Deals arriving at `perWeek` a week from `start`, each walking TRUTH (dwell: gamma with shape 2
 * and the stage's mean) until won or lost, recorded as of `end` (later moves are not yet history).
 * The rep's closing date is 21 days after creation, though deals take about five weeks.
 */
export function syntheticDeals(opts: { start: number; end: number; perWeek: number; seed: number }): Deal[] {
  const random = mulberry32(opts.seed);
  const exp = (mean: number) => -Math.log(1 - random()) * mean;
  const deals: Deal[] = [];
  for (let t = opts.start + exp((7 * DAY) / opts.perWeek); t < opts.end; t += exp((7 * DAY) / opts.perWeek)) {
    const createdAt = Math.round(t);
    const amount = Math.round(10_000 * Math.exp(0.5 * normal(random)));
    const currency = random() < 0.7 ? 'EUR' : 'USD';
    const closingDate = new Date(createdAt + 21 * DAY).toISOString().slice(0, 10);
    const history: StageVisit[] = [];
    let stage: keyof typeof ADMIN = 'lead';
    let at = createdAt;
    for (;;) {
      const outcome = stage === 'won' ? 'won' : stage === 'lost' ? 'lost' : 'open';
      history.push({
        pipelineId: 'p', stageId: stage, enteredAt: at, exitedAt: null, amount, probability: ADMIN[stage], expectedRevenue: (amount * ADMIN[stage]) / 100,
        closingDate, forecastCategory: outcome === 'won' ? 'closed' : outcome === 'lost' ? 'omitted' : 'pipeline', outcome, by: null, bypassedRules: false,
      });
      if (outcome !== 'open') break;
      const truth: (typeof TRUTH)[OpenStage] = TRUTH[stage as OpenStage];
      const leave = at + Math.round(exp(truth.meanDays * DAY / 2) + exp(truth.meanDays * DAY / 2));
      if (leave >= opts.end) break;
      history[history.length - 1] = { ...history[history.length - 1]!, exitedAt: leave };
      stage = draw(truth.next, random());
      at = leave;
    }
    const last = history[history.length - 1]!;
    deals.push({
      id: `d${String(deals.length).padStart(6, '0')}`, layoutId: 'l', pipelineId: 'p', stageId: last.stageId, name: `Deal ${deals.length}`,
      amount, currency, probability: last.probability, closingDate, ownerId: null, lostReason: null, fields: {},
      createdAt, updatedAt: last.enteredAt, version: history.length, history, changes: [],
    });
  }
  return deals;
}

function draw<K extends string>(odds: Readonly<Partial<Record<K, number>>>, u: number): K {
  let sum = 0;
  const keys = Object.keys(odds) as K[];
  for (const k of keys) if (u < (sum += odds[k] ?? 0)) return k;
  return keys[keys.length - 1]!;
}

function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}
