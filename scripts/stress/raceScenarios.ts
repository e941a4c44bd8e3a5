// The configuration changes that are refused while in use, and the deal commands that race them by
// putting deals into what the change drops. Before a round nothing is in what is dropped, so the
// change's own count finds nothing: a deal command committing between that count and the workspace
// save is the race.
import type { Library } from './stores.js';

type Service = import('../../src/index.js').PipelineService;
type CreateDeal = Parameters<Service['createDeal']>[0];

export interface Scenario {
  readonly name: string;
  /** The code the change is refused with while deals are in use. */
  readonly refusal: 'stage_in_use' | 'pipeline_in_use';
  /** The deals made before the round for dealer `j`'s `k`-th turn. */
  setup(j: number, k: number): CreateDeal[];
  /** Dealer `j`'s `k`-th turn: commands run one after the other. */
  turn(service: Service, j: number, k: number): (() => Promise<unknown>)[];
  /** The change. */
  change(service: Service, lib: Library): Promise<unknown>;
}

const by = { by: 'admin' };
const inNewCars = (id: string): CreateDeal => ({ id, layoutId: 'sales', pipelineId: 'new-cars', name: id });
const inUsedCars = (id: string, stageId: string): CreateDeal => ({ id, layoutId: 'sales', pipelineId: 'used-cars', stageId, name: id });

/** Into used-cars: a new deal, and a deal moved over from new-cars. */
const intoUsedCars = (s: Service, j: number, k: number) => [
  () => s.createDeal({ id: `c${j}_${k}`, layoutId: 'sales', pipelineId: 'used-cars', name: 'Racing' }),
  () => s.dispatch(`n${j}_${k}`, { type: 'moveToPipeline', pipelineId: 'used-cars', stageId: 'show-models' }),
];

export const scenarios: readonly Scenario[] = [
  {
    name: 'setPipelineStages dropping test-drive and negotiation from new-cars',
    refusal: 'stage_in_use',
    setup: (j, k) => [inNewCars(`n${j}_${k}`), inUsedCars(`u${j}_${k}`, 'show-models')],
    turn: (s, j, k) => [
      () => s.dispatch(`n${j}_${k}`, { type: 'moveToStage', stageId: 'test-drive' }),
      () => s.dispatch(`u${j}_${k}`, { type: 'moveToPipeline', pipelineId: 'new-cars', stageId: 'test-drive' }),
      () => s.createDeal({ id: `c${j}_${k}`, layoutId: 'sales', pipelineId: 'new-cars', stageId: 'test-drive', name: 'Racing' }),
    ],
    change: (s) => s.configure({ type: 'setPipelineStages', pipelineId: 'new-cars', stages: ['requirements', { stageId: 'quote', requiredFields: ['amount'] }, 'won', 'lost'] }, by),
  },
  {
    name: 'removeStage show-models without a replacement',
    refusal: 'stage_in_use',
    setup: (j, k) => [inNewCars(`n${j}_${k}`), inUsedCars(`u${j}_${k}`, 'test-drive')],
    turn: intoUsedCars,
    change: (s) => s.configure({ type: 'removeStage', layoutId: 'sales', stageId: 'show-models' }, by),
  },
  {
    name: 'deletePipeline used-cars without a transfer',
    refusal: 'pipeline_in_use',
    setup: (j, k) => [inNewCars(`n${j}_${k}`)],
    turn: intoUsedCars,
    change: (s) => s.configure({ type: 'deletePipeline', pipelineId: 'used-cars' }, by),
  },
  {
    name: 'applyConfiguration without used-cars',
    refusal: 'pipeline_in_use',
    setup: (j, k) => [inNewCars(`n${j}_${k}`)],
    turn: intoUsedCars,
    change: async (s, lib) => {
      const desired = lib.index.configurationOf(await s.getWorkspace());
      const layouts = desired.layouts.map((l) => ({ ...l, pipelines: l.pipelines.filter((p) => p.id !== 'used-cars') }));
      return s.applyConfiguration({ ...desired, layouts }, by);
    },
  },
];

/** 'ok', or the code of the PipelineError a command was refused with (anything else is rethrown). */
export async function outcome(lib: Library, run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
    return 'ok';
  } catch (e) {
    if (lib.index.isPipelineError(e)) return e.code;
    throw e;
  }
}
