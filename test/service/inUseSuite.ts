import { describe, expect, it } from 'vitest';
import { configurationOf, createPipelineService, isPipelineError, type PipelineService, type Repositories, type WorkspaceCommandInput } from '../../src/index.js';
import { checkInvariants } from '../../src/testing.js';
import { dealerCommands } from '../../examples/dealership.js';
import { allDeals, steppingClock } from './helpers.js';

type Make = () => Repositories | Promise<Repositories>;

/** Repositories whose next workspace save first runs `before` (a deal command of another caller) to its end. */
function interleaving(repos: Repositories) {
  let before: (() => Promise<unknown>) | null = null;
  const wrapped: Repositories = {
    ...repos,
    workspace: {
      load: () => repos.workspace.load(),
      save: async (ws, version, options) => {
        const run = before;
        before = null;
        if (run) await run();
        return repos.workspace.save(ws, version, options);
      },
    },
  };
  return { repos: wrapped, beforeNextWorkspaceSave: (run: () => Promise<unknown>) => void (before = run) };
}

/** No deal sits in a stage or pipeline that the configuration no longer has, and each can still be worked on. */
async function expectNothingStranded(repos: Repositories, service: PipelineService): Promise<void> {
  const ws = await repos.workspace.load();
  const deals = await allDeals(repos);
  expect(checkInvariants(ws, deals, { now: Date.parse('2030-01-01T00:00:00Z') })).toEqual([]);
  for (const d of deals) await service.dispatch(d.id, { type: 'updateDeal', patch: { fields: { touched: true } } });
}

async function outcome(promise: Promise<unknown>): Promise<string> {
  return promise.then(() => 'ok', (e: unknown) => {
    if (!isPipelineError(e)) throw e;
    return e.code;
  });
}

interface Race {
  readonly name: string;
  /** The configuration change that drops something. */
  readonly change: WorkspaceCommandInput;
  /** A deal command that puts a deal into what the change drops. */
  readonly race: (service: PipelineService, i: number) => Promise<unknown>;
  readonly refusal: 'stage_in_use' | 'pipeline_in_use';
}

const races: readonly Race[] = [
  {
    name: 'setPipelineStages dropping a stage',
    change: { type: 'setPipelineStages', pipelineId: 'new-cars', stages: ['requirements', { stageId: 'quote', requiredFields: ['amount'] }, 'won', 'lost'] },
    race: (s, i) => s.dispatch(`d${i}`, { type: 'moveToStage', stageId: 'test-drive' }),
    refusal: 'stage_in_use',
  },
  {
    name: 'removeStage without a replacement',
    change: { type: 'removeStage', layoutId: 'sales', stageId: 'show-models' },
    race: (s, i) => s.createDeal({ id: `u${i}`, layoutId: 'sales', pipelineId: 'used-cars', name: 'Used' }),
    refusal: 'stage_in_use',
  },
  {
    name: 'deletePipeline without a transfer',
    change: { type: 'deletePipeline', pipelineId: 'used-cars' },
    race: (s, i) => s.createDeal({ id: `u${i}`, layoutId: 'sales', pipelineId: 'used-cars', stageId: 'test-drive', name: 'Used' }),
    refusal: 'pipeline_in_use',
  },
  {
    name: 'applyConfiguration deleting a pipeline',
    change: { type: 'deletePipeline', pipelineId: 'used-cars' },
    race: (s, i) => s.createDeal({ id: `u${i}`, layoutId: 'sales', pipelineId: 'used-cars', name: 'Used' }),
    refusal: 'pipeline_in_use',
  },
];

async function setUp(make: Make, deals: number) {
  const inner = await make();
  const between = interleaving(inner);
  const service = createPipelineService({ ...between.repos, clock: steppingClock() });
  for (const command of dealerCommands) await service.configure(command, { by: 'admin' });
  for (let i = 0; i < deals; i++) await service.createDeal({ id: `d${i}`, layoutId: 'sales', name: `Deal ${i}` });
  return { service, repos: between.repos, beforeNextWorkspaceSave: between.beforeNextWorkspaceSave };
}

/** Runs the change: by `configure`, or for the applyConfiguration race by applying the configuration it leads to. */
async function change(service: PipelineService, race: Race): Promise<unknown> {
  if (!race.name.startsWith('applyConfiguration')) return service.configure(race.change, { by: 'admin' });
  const desired = configurationOf(await service.getWorkspace());
  const layouts = desired.layouts.map((l) => ({ ...l, pipelines: l.pipelines.filter((p) => p.id !== 'used-cars') }));
  return service.applyConfiguration({ ...desired, layouts }, { by: 'admin' });
}

/**
 * A configuration change that is refused while in use, racing deal commands: the in-use count
 * and the workspace save are one decision, so no deal is ever left in a stage or pipeline that
 * no longer exists. Runs on any store (`makeRepositories` gives fresh, empty repositories).
 */
export function inUseSuite(name: string, make: Make, options: { rounds?: number } = {}): void {
  const rounds = options.rounds ?? 100;
  describe(`a change refused while in use, racing deal commands, on ${name}`, () => {
    for (const race of races) {
      it(`${race.name}: a deal command committed between the in-use count and the workspace save makes the change refuse with ${race.refusal}`, async () => {
        const { service, repos, beforeNextWorkspaceSave } = await setUp(make, 1);
        let raced = '';
        beforeNextWorkspaceSave(async () => (raced = await outcome(race.race(service, 0))));
        expect(await outcome(change(service, race))).toBe(race.refusal);
        expect(raced).toBe('ok');
        await expectNothingStranded(repos, service);
      });
    }

    for (const race of races.slice(0, 3)) {
      it(`${race.name}, ${rounds} rounds against concurrent deal commands: nothing stranded, the change applied only when nothing was in use`, async () => {
        for (let round = 0; round < rounds; round++) {
          const { service, repos } = await setUp(make, 3);
          const other = createPipelineService({ ...repos, clock: steppingClock() });
          const results = await Promise.all([
            outcome(change(service, race)),
            ...[0, 1, 2].map((i) => outcome(race.race(i % 2 === 0 ? other : service, i))),
          ]);
          expect(['ok', race.refusal]).toContain(results[0]);
          await expectNothingStranded(repos, service);
        }
      });
    }
  });
}
