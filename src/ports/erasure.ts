import type { DealEvent } from '../deals/events.js';
import type { DealErasedEvent } from './repositories.js';

/**
 * What an erased deal's outbox event keeps: its type, id, deal, version and instant, nothing the
 * deal held (no payload, no actor). Stores write it in place of each stored event of the deal.
 *
 * @example
 * ```ts
 * redactEvent({ type: 'dealStageChanged', id: 'deal/2/0/d1', dealId: 'd1', version: 2, at: 5, by: 'ann', ... });
 * // { type: 'dealStageChanged', id: 'deal/2/0/d1', dealId: 'd1', version: 2, at: 5, by: null, redacted: true }
 * ```
 * @category Storage
 */
export function redactEvent(event: Pick<DealEvent | DealErasedEvent, 'type' | 'id' | 'dealId' | 'version' | 'at'>): RedactedEvent {
  return { type: event.type, id: event.id, dealId: event.dealId, version: event.version, at: event.at, by: null, redacted: true };
}

/**
 * An outbox event of an erased deal, as {@link redactEvent} leaves it.
 *
 * @example
 * ```ts
 * if ('redacted' in event) skip(event.dealId);
 * ```
 * @category Storage
 */
export interface RedactedEvent {
  readonly type: string;
  readonly id: string;
  readonly dealId: string;
  readonly version: number;
  readonly at: number;
  readonly by: null;
  readonly redacted: true;
}
