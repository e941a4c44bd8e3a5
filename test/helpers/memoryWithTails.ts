import { createMemoryRepositories, type Deal, type DealChange, type DealTail, type Repositories } from '../../src/index.js';

/**
 * Memory repositories that also hand out tails (built from whole deals, as a host's store might),
 * and record, for each deal saved with a `historyStart`, that position and the number of visits
 * stored before the save.
 */
export function memoryWithTails(): { repos: Repositories; starts: [historyStart: number, storedVisits: number][] } {
  const inner = createMemoryRepositories();
  const starts: [number, number][] = [];
  const tail = (d: Deal): DealTail => ({ deal: { ...d, history: d.history.slice(-1) }, historyStart: d.history.length - 1 });
  return {
    starts,
    repos: {
      ...inner,
      deals: {
        ...inner.deals,
        getTails: async (ids) => (await inner.deals.getMany(ids)).map(tail),
        listTails: async (q) => {
          const page = await inner.deals.list({ ...q, include: ['history', 'changes'] });
          return { tails: page.deals.map(tail), next: page.next };
        },
        save: async (changes: readonly DealChange[], options) => {
          if (Array.isArray(changes)) {
            for (const c of changes) {
              const stored = typeof c?.historyStart === 'number' && typeof c.deal?.id === 'string' ? await inner.deals.get(c.deal.id) : null;
              if (stored) starts.push([c.historyStart!, stored.history.length]);
            }
          }
          return inner.deals.save(changes, options);
        },
      },
    },
  };
}
