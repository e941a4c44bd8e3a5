import { PipelineError } from '../../errors.js';
import type { StageVisit } from '../../model/deal.js';
import type { DealErasure } from '../../ports/repositories.js';
import type { DealStore } from './dealStore.js';
import { freezeJson } from './freeze.js';
import type { MemoryOutbox } from './outbox.js';

/** A visit as an erasure leaves it: where and when, the amounts and probabilities; not who. */
function anonymised(v: StageVisit): StageVisit {
  return { ...v, by: null };
}

/**
 * Erases deal `id` in one step: the deal (and its change log) is gone, its visits stay
 * anonymised for the figures, every outbox event of the deal is redacted and the erasure's event
 * is stored.
 */
export function eraseDeal(store: DealStore, outbox: MemoryOutbox, id: unknown, erasure: DealErasure): void {
  if (typeof id !== 'string' || id.length === 0) throw new PipelineError('invalid_input', 'id: expected a deal id', { path: 'id' });
  if (typeof erasure !== 'object' || erasure === null) throw new PipelineError('invalid_input', 'erasure: expected { by, at, event }', { path: 'erasure' });
  const { expectedVersion, event } = erasure;
  if (typeof event !== 'object' || event === null || event.type !== 'dealErased' || event.dealId !== id) {
    throw new PipelineError('invalid_input', `erasure.event: expected the dealErased event of deal ${id}`, { path: 'erasure.event' });
  }
  if (expectedVersion !== undefined && !(Number.isSafeInteger(expectedVersion) && expectedVersion >= 1)) {
    throw new PipelineError('invalid_input', 'erasure.expectedVersion: expected a positive integer', { path: 'erasure.expectedVersion' });
  }
  const deal = store.byId.get(id);
  if (!deal) throw new PipelineError('not_found', `deal ${id} does not exist`, { dealId: id });
  if (expectedVersion !== undefined && deal.version !== expectedVersion) {
    throw new PipelineError('conflict', `deal ${id} is at version ${deal.version}, not ${expectedVersion}`, { ids: [id], dealId: id, currentVersion: deal.version, expectedVersion });
  }
  freezeJson(event, 'erasure.event');
  store.erase(id, freezeJson({ layoutId: deal.layoutId, history: deal.history.map(anonymised) }, 'visits'));
  outbox.redact(id);
  outbox.append([event]);
}
