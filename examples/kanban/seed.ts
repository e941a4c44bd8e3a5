// The board's data: the library's service over the server's store, configured as the car dealer
// and seeded with deals whose histories span the last four weeks.
import { createPipelineService, type PipelineService, type Repositories } from 'sales-pipelines';
import { dealerCommands } from '../dealership.js';

const DAY = 86_400_000;

/** When a seeded deal entered which stage (days before now), with the lost reason for lost stages. */
type Steps = readonly (readonly [daysAgo: number, stageId: string, lostReason?: string])[];

const sales = (id: string, pipelineId: string, name: string, amount: number | null, currency: string | null, ownerId: string, closingIn?: number) =>
  ({ id, layoutId: 'sales', pipelineId, name, amount, currency, ownerId, closingIn });
const repair = (id: string, name: string, amount: number, ownerId: string) =>
  ({ id, layoutId: 'service', pipelineId: 'repair', name, amount, currency: 'EUR', ownerId, closingIn: undefined });

type Spec = ReturnType<typeof sales>;
const seed = (spec: Spec, steps: Steps) => ({ spec, steps });

/** The seeded deals; the first step of each is its creation. */
const DEALS = [
  seed(sales('D-101', 'new-cars', 'Family SUV · Becker', 34_000, 'EUR', 'ann'), [[9, 'requirements']]),
  seed(sales('D-102', 'new-cars', 'City hatchback · Okafor', null, null, 'bob'), [[12, 'requirements'], [6, 'test-drive']]),
  seed(sales('D-103', 'new-cars', 'Estate · Lindqvist', 29_500, 'EUR', 'eve'), [[4, 'requirements']]),
  seed(sales('D-104', 'new-cars', 'Pickup · Moreau', 41_000, 'EUR', 'ann', 20), [[20, 'requirements'], [15, 'test-drive'], [8, 'quote']]),
  seed(sales('D-105', 'new-cars', 'Coupé · Tanaka', 52_000, 'USD', 'bob'), [[3, 'requirements']]),
  seed(sales('D-106', 'new-cars', 'Minivan · Haddad', 38_000, 'EUR', 'eve'), [[2, 'requirements']]),
  seed(sales('D-107', 'new-cars', 'EV compact · Novak', 27_000, 'EUR', 'ann', 10), [[25, 'requirements'], [20, 'test-drive'], [14, 'quote'], [6, 'negotiation']]),
  seed(sales('D-108', 'new-cars', 'Roadster · Silva', 61_000, 'USD', 'bob', 2), [[30, 'requirements'], [26, 'test-drive'], [18, 'quote'], [11, 'negotiation'], [3, 'won']]),
  seed(sales('D-109', 'new-cars', 'City hatchback · Kowalski', 19_000, 'EUR', 'eve'), [[22, 'requirements'], [17, 'test-drive'], [10, 'lost', 'Bought elsewhere']]),
  seed(sales('D-110', 'new-cars', 'Estate · Brennan', 31_000, 'EUR', 'ann'), [[16, 'requirements'], [11, 'test-drive']]),
  seed(sales('D-111', 'new-cars', 'Family SUV · Nakamura', 36_500, 'USD', 'eve', 30), [[13, 'requirements'], [9, 'test-drive'], [3, 'quote']]),
  seed(sales('D-201', 'used-cars', 'Hatchback 2019 · Ricci', 9_500, 'EUR', 'bob'), [[6, 'show-models']]),
  seed(sales('D-202', 'used-cars', 'SUV 2021 · Dubois', 18_500, 'EUR', 'eve'), [[14, 'show-models'], [9, 'test-drive'], [4, 'quote']]),
  seed(sales('D-203', 'used-cars', 'Van 2018 · Fischer', 12_000, 'EUR', 'ann'), [[18, 'show-models'], [12, 'test-drive'], [7, 'quote'], [2, 'negotiation']]),
  seed(sales('D-204', 'used-cars', 'Coupé 2020 · Ivanova', 15_000, 'EUR', 'bob'), [[24, 'show-models'], [19, 'test-drive'], [12, 'quote'], [9, 'negotiation'], [5, 'won']]),
  seed(sales('D-205', 'used-cars', 'Estate 2017 · Walsh', 7_800, 'GBP', 'eve'), [[8, 'show-models'], [5, 'test-drive']]),
  seed(repair('D-301', 'Repair: brakes · Becker', 450, 'carl'), [[3, 'analysis']]),
  seed(repair('D-302', 'Repair: gearbox · Young', 2_300, 'dana'), [[7, 'analysis'], [6, 'repair']]),
  seed(repair('D-303', 'Repair: inspection · Osei', 180, 'carl'), [[5, 'analysis'], [4, 'repair'], [2, 'quality-check']]),
  seed(repair('D-304', 'Repair: clutch · Lopez', 1_200, 'dana'), [[9, 'analysis'], [8, 'repair'], [5, 'quality-check'], [1, 'billing']]),
  seed(repair('D-305', 'Repair: tyres · Andersen', 600, 'carl'), [[12, 'analysis'], [11, 'repair'], [10, 'quality-check'], [9, 'billing'], [8, 'closed']]),
];

/** The service, as the server holds it. */
export interface Backend {
  readonly service: PipelineService;
  /** The service's clock. */
  readonly now: () => number;
}

/**
 * Creates the service over `repositories`, configures the dealer and replays the seeded deals'
 * histories in time order (with the clock set back), then lets the clock run. A store that
 * already holds a configuration is used as it is.
 */
export async function createBackend(repositories: Repositories, start: number = Date.now()): Promise<Backend> {
  let simulated: number | null = start - 35 * DAY;
  const now = () => simulated ?? Math.max(Date.now(), start);
  const service = createPipelineService({ ...repositories, clock: now, authorize: (r) => !r.bypassRules });
  if ((await service.getWorkspace()).layouts.length > 0) {
    simulated = null;
    return { service, now };
  }
  for (const command of dealerCommands) await service.configure(command, { by: 'admin' });

  const day = (daysAgo: number) => start - daysAgo * DAY + 9 * 3_600_000 - (daysAgo % 3) * 3_600_000;
  const closing = (days: number) => new Date(start + days * DAY).toISOString().slice(0, 10);
  const actions = DEALS.flatMap(({ spec, steps }) =>
    steps.map(([daysAgo, stageId, lostReason], i) => ({ at: day(daysAgo), spec, stageId, lostReason, first: i === 0 })),
  ).sort((a, b) => a.at - b.at);
  for (const a of actions) {
    simulated = a.at;
    const by = a.spec.ownerId;
    if (a.first) {
      const { closingIn, ...input } = a.spec;
      await service.createDeal({ ...input, stageId: a.stageId, closingDate: closingIn === undefined ? null : closing(closingIn) }, { by });
    } else {
      await service.dispatch(a.spec.id, a.lostReason === undefined ? { type: 'moveToStage', stageId: a.stageId } : { type: 'moveToStage', stageId: a.stageId, lostReason: a.lostReason }, { by });
    }
  }
  simulated = null;
  return { service, now };
}
