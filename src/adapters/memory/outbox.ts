import { PipelineError } from '../../errors.js';
import type { DealEvent } from '../../deals/events.js';
import type { OutboxEntry, OutboxRepository } from '../../ports/repositories.js';
import type { WorkspaceEvent } from '../../workspace/events.js';

/** Undelivered events in commit order; delivered ones are dropped. */
export class MemoryOutbox implements OutboxRepository {
  private readonly undelivered = new Map<number, OutboxEntry>();
  private seq = 0;

  /** Appends events (already checked and frozen by the caller's save). */
  append(events: readonly (WorkspaceEvent | DealEvent)[]): void {
    for (const event of events) {
      const seq = ++this.seq;
      this.undelivered.set(seq, Object.freeze({ seq, event }));
    }
  }

  async pending(limit: number): Promise<OutboxEntry[]> {
    if (typeof limit !== 'number' || !(limit >= 1)) throw new PipelineError('invalid_input', 'limit: expected a positive number', { path: 'limit' });
    const out: OutboxEntry[] = [];
    for (const entry of this.undelivered.values()) {
      if (out.length >= limit) break;
      out.push(entry);
    }
    return out;
  }

  async markDelivered(seqs: readonly number[]): Promise<void> {
    if (!Array.isArray(seqs)) throw new PipelineError('invalid_input', 'seqs: expected an array of numbers', { path: 'seqs' });
    for (const seq of seqs) this.undelivered.delete(seq);
  }
}

/** Checks that `events` is an array of events and returns it. */
export function checkEvents<E>(events: unknown, path: string): readonly E[] {
  if (events === undefined) return [];
  if (!Array.isArray(events)) throw new PipelineError('invalid_input', `${path}: expected an array of events`, { path });
  events.forEach((e, i) => {
    if (typeof e !== 'object' || e === null || typeof (e as { type?: unknown }).type !== 'string') {
      throw new PipelineError('invalid_input', `${path}[${i}]: expected an event`, { path: `${path}[${i}]` });
    }
  });
  return events as readonly E[];
}
