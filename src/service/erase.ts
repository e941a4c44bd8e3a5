import { PipelineError } from '../errors.js';
import { parseWith } from '../model/parse.js';
import { Id } from '../model/primitives.js';
import type { DealErasedEvent } from '../ports/repositories.js';
import { finalConflict, type Runtime } from './runtime.js';
import * as z from 'zod';

const Options = z.strictObject({ by: Id.nullable().optional(), expectedVersion: z.number().int().min(1).optional() });

/**
 * Erases a stored deal (a data-protection request), authorized like a command (action
 * `eraseDeal`): the store removes the deal and its change log, keeps its stage visits anonymised
 * for the figures, redacts its outbox events and stores a `dealErased` event, in one write.
 */
export async function eraseDeal(rt: Runtime, dealIdInput: string, input: { by?: string | null; expectedVersion?: number } | undefined): Promise<void> {
  const dealId = parseWith(Id, dealIdInput, 'dealId');
  const opts = parseWith(Options, input ?? {}, 'opts');
  const by = opts.by ?? null;
  await rt.authorize({ by, action: 'eraseDeal', dealId, bypassRules: false });
  const erase = rt.deals.erase;
  if (!erase) throw new PipelineError('invalid_input', 'eraseDeal: the deal repository does not offer erase', { path: 'repositories.deals.erase' });
  await rt.retry(async () => {
    const current = await rt.deals.get(dealId);
    if (!current) throw new PipelineError('not_found', `deal ${dealId} does not exist`, { dealId });
    if (opts.expectedVersion !== undefined && current.version !== opts.expectedVersion) {
      throw finalConflict(new PipelineError('conflict', `deal ${dealId} is at version ${current.version}, not ${opts.expectedVersion}: it changed since it was read`, {
        ids: [dealId],
        dealId,
        currentVersion: current.version,
        expectedVersion: opts.expectedVersion,
      }));
    }
    const at = rt.atFor([current]);
    const event: DealErasedEvent = { type: 'dealErased', id: `erased/${current.version}/${dealId}`, dealId, version: current.version, at, by };
    // The version read is the one erased: a change in between is a conflict, and the erasure is decided again.
    await erase(dealId, { by, at, expectedVersion: current.version, event });
    await rt.afterErase(event);
  });
}
