import { createMemoryRepositories, createPipelineService, type PipelineServiceOptions, type Repositories } from '../../src/index.js';
import { dealerCommands } from '../../examples/dealership.js';

export const T0 = Date.parse('2026-03-02T09:00:00Z');
export const HOUR = 3_600_000;

/** A clock that moves one hour per reading. */
export function steppingClock(start = T0): () => number {
  let t = start;
  return () => (t += HOUR);
}

/** Every deal in the repository, whole, by paging through list. */
export { wholeDeals as allDeals } from '../helpers/paging.js';

/** A service over fresh memory repositories with the dealer configured. */
export async function dealerService(options: Partial<PipelineServiceOptions> = {}, repos: Repositories = createMemoryRepositories()) {
  const clock = steppingClock();
  const service = createPipelineService({ ...repos, clock, ...options });
  for (const command of dealerCommands) await service.configure(command, { by: 'admin' });
  return { service, repos, clock };
}

/** Wraps repositories so that the k-th save (workspace or deals, counted together) throws. */
export function failingOnSave(repos: Repositories, k: number): Repositories & { saves: () => number; disarm: () => void } {
  let saves = 0;
  let armed = true;
  const tick = () => {
    saves++;
    if (armed && saves === k) throw new Error(`injected failure on save ${k}`);
  };
  return {
    saves: () => saves,
    disarm: () => {
      armed = false;
    },
    workspace: {
      load: () => repos.workspace.load(),
      save: async (ws, v) => {
        tick();
        return repos.workspace.save(ws, v);
      },
    },
    deals: {
      get: (id) => repos.deals.get(id),
      getMany: (ids) => repos.deals.getMany(ids),
      list: (q) => repos.deals.list(q),
      save: async (changes) => {
        tick();
        return repos.deals.save(changes);
      },
    },
  };
}
