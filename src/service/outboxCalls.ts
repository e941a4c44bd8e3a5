import { PipelineError } from '../errors.js';
import { parseWith } from '../model/parse.js';
import { Instant } from '../model/primitives.js';
import type { OutboxEntry, OutboxRepository } from '../ports/repositories.js';
import { claims } from './delivery.js';
import type { Runtime } from './runtime.js';
import { isOptionsForm } from './instantOptions.js';
import * as z from 'zod';

const Limit = z.number().int().min(1).max(10_000);
const Seqs = z.array(z.number().int().min(0)).max(100_000);

/** The outbox when it offers claims, parking and purge; else null (nothing is ever parked). */
function claiming(rt: Runtime): Required<OutboxRepository> | null {
  return rt.outbox !== null && claims(rt.outbox) ? rt.outbox : null;
}

/** Runs a delivery pass and waits for it; 0 without `onEvents` or without an outbox. */
export async function deliverPending(rt: Runtime): Promise<number> {
  return rt.delivery ? rt.delivery.pass() : 0;
}

/** Parked events, oldest first. */
export async function parkedEvents(rt: Runtime, limit: number | undefined): Promise<OutboxEntry[]> {
  const n = limit === undefined ? 100 : parseWith(Limit, limit, 'limit');
  const outbox = claiming(rt);
  return outbox ? outbox.parked(n) : [];
}

/** Makes parked events due again and starts a pass to deliver them. */
export async function retryParked(rt: Runtime, seqs: readonly number[]): Promise<number> {
  const list = parseWith(Seqs, seqs, 'seqs');
  const outbox = claiming(rt);
  if (!outbox) return 0;
  const count = await outbox.retryParked(list);
  if (count > 0) rt.delivery?.kick();
  return count;
}

const PurgeOptions = z.strictObject({ before: Instant });

/** Deletes events delivered before `before`, given as `{ before }` or (deprecated) on its own. */
export async function purgeDelivered(rt: Runtime, input: unknown): Promise<number> {
  const at = isOptionsForm(input, []) ? parseWith(PurgeOptions, input, 'opts').before : parseWith(Instant, input, 'before');
  const outbox = claiming(rt);
  if (!outbox) {
    throw new PipelineError('invalid_input', 'purgeDelivered: the outbox of these repositories does not offer purgeDelivered (it deletes delivered events itself, or keeps none)', { path: 'repositories.outbox' });
  }
  return outbox.purgeDelivered(at);
}
