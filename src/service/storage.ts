import { isPipelineError, PipelineError } from '../errors.js';
import type { Repositories } from '../ports/repositories.js';

/**
 * The host's repositories, with every failure that is not a `PipelineError` turned into
 * `storage_failed` (the original as `cause`), so that nothing else escapes the service.
 */
export function guardRepositories(repos: Repositories): Repositories {
  const { workspace, deals, outbox, visits } = repos;
  return {
    workspace: {
      load: () => guard('workspace.load', () => workspace.load()),
      save: (ws, v, options) => guard('workspace.save', () => workspace.save(ws, v, options)),
    },
    deals: {
      get: (id) => guard('deals.get', () => deals.get(id)),
      getMany: (ids) => guard('deals.getMany', () => deals.getMany(ids)),
      list: (q) => guard('deals.list', () => deals.list(q)),
      save: (changes, options) => guard('deals.save', () => deals.save(changes, options)),
      // Tails are used only when the store offers both reads (and so accepts `historyStart`).
      ...(deals.getTails && deals.listTails
        ? { getTails: (ids) => guard('deals.getTails', () => deals.getTails!(ids)), listTails: (q) => guard('deals.listTails', () => deals.listTails!(q)) }
        : {}),
      ...(deals.timelines ? { timelines: (q) => guard('deals.timelines', () => deals.timelines!(q)) } : {}),
      ...(deals.summarize ? { summarize: (q) => guard('deals.summarize', () => deals.summarize!(q)) } : {}),
      ...(deals.erase ? { erase: (id, erasure) => guard('deals.erase', () => deals.erase!(id, erasure)) } : {}),
      ...(deals.transact ? { transact: (id, decide, options) => guard('deals.transact', () => deals.transact!(id, decide, options)) } : {}),
    },
    ...(outbox
      ? {
          outbox: {
            pending: (limit) => guard('outbox.pending', () => outbox.pending(limit)),
            markDelivered: (seqs) => guard('outbox.markDelivered', () => outbox.markDelivered(seqs)),
            // Claims are used only when the store offers all of them.
            ...(outbox.claim && outbox.fail && outbox.parked && outbox.retryParked && outbox.purgeDelivered
              ? {
                  claim: (c) => guard('outbox.claim', () => outbox.claim!(c)),
                  fail: (seqs, f) => guard('outbox.fail', () => outbox.fail!(seqs, f)),
                  parked: (limit) => guard('outbox.parked', () => outbox.parked!(limit)),
                  retryParked: (seqs) => guard('outbox.retryParked', () => outbox.retryParked!(seqs)),
                  purgeDelivered: (before) => guard('outbox.purgeDelivered', () => outbox.purgeDelivered!(before)),
                }
              : {}),
          },
        }
      : {}),
    ...(visits
      ? {
          visits: {
            list: (q) => guard('visits.list', () => visits.list(q)),
            ...(visits.dwell ? { dwell: (q) => guard('visits.dwell', () => visits.dwell!(q)), ...(visits.dwellPeriods === true ? { dwellPeriods: true } : {}) } : {}),
            ...(visits.funnel ? { funnel: (q) => guard('visits.funnel', () => visits.funnel!(q)) } : {}),
          },
        }
      : {}),
  };
}

async function guard<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isPipelineError(e)) throw e;
    throw new PipelineError('storage_failed', `${operation} failed: ${e instanceof Error ? e.message : String(e)}`, { operation }, { cause: e });
  }
}
