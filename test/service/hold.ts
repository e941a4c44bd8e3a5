import type { DealChange, DealSaveOptions, Repositories } from '../../src/index.js';

/**
 * Repositories whose next matching deal save waits at a gate: `reached` resolves when the save
 * arrives (the decision is made), `release()` lets it through. Used to land a decision made on
 * one configuration after the configuration changed.
 */
export function holdingDealSaves(repos: Repositories) {
  let armed: ((changes: readonly DealChange[]) => boolean) | null = null;
  let arrive: () => void = () => {};
  let open: () => void = () => {};
  let reached = Promise.resolve();
  let gate = Promise.resolve();
  // Without `transact`: a decision and its save are separate calls, so the save can be held.
  const { transact: _oneTransaction, ...deals } = repos.deals;
  const wrapped: Repositories = {
    ...repos,
    deals: {
      ...deals,
      get: (id) => repos.deals.get(id),
      getMany: (ids) => repos.deals.getMany(ids),
      list: (q) => repos.deals.list(q),
      ...(repos.deals.summarize ? { summarize: (q) => repos.deals.summarize!(q) } : {}),
      save: async (changes: readonly DealChange[], options?: DealSaveOptions) => {
        if (armed && armed(changes)) {
          armed = null;
          arrive();
          await gate;
        }
        return repos.deals.save(changes, options);
      },
    },
  };
  return {
    repos: wrapped,
    /** Holds the next deal save that `matches` (default: any). */
    hold(matches: (changes: readonly DealChange[]) => boolean = () => true) {
      armed = matches;
      reached = new Promise<void>((resolve) => (arrive = resolve));
      gate = new Promise<void>((resolve) => (open = resolve));
      return { reached, release: () => open() };
    },
  };
}
