import { PipelineError } from '../errors.js';
import type { DealEvent } from '../deals/events.js';
import { assertDeal } from '../deals/shape.js';
import type { Deal } from '../model/deal.js';
import type { DealChange, DealSaveOptions } from './repositories.js';

/**
 * One change of a save as checked: each member read once, so that what a store writes is what
 * was checked.
 * @category Storage
 */
export interface CheckedDealChange {
  readonly deal: Deal;
  readonly expectedVersion: number | null;
  /** Where the deal's history starts in the stored one (`historyStart`, 0 when absent). */
  readonly start: number;
  readonly index: number;
}

/**
 * A save's input as checked by {@link checkDealChanges}.
 * @category Storage
 */
export interface CheckedDealSave {
  readonly changes: CheckedDealChange[];
  readonly events: readonly DealEvent[];
  readonly workspaceVersion: number | undefined;
}

function bad(path: string, what: string, details: Record<string, unknown> = {}): never {
  throw new PipelineError('invalid_input', `${path}: ${what}`, { path, ...details });
}

/**
 * Checks the input of `DealRepository.save` as every store must, before it writes anything:
 * `changes` an array of `{ deal, expectedVersion, historyStart? }` with valid deals, each
 * `expectedVersion` null or an integer of at least 0, each `historyStart` an integer of at least 0
 * (above 0 only with an expected version), no deal twice; `options.events` an array of events and
 * `options.workspaceVersion` an integer when given. Throws `invalid_input` naming the path
 * (`changes`, `changes[i].expectedVersion`, `options.events[j]`, …). The shipped stores call it,
 * so that they answer malformed saves alike; a host's own store may call it too.
 *
 * @param changes - the changes as given
 * @param options - the save options as given
 * @returns the checked changes (members read once), events and workspace version
 * @example
 * ```ts
 * checkDealChanges([{ deal, expectedVersion: 1.5 }]); // throws invalid_input naming changes[0].expectedVersion
 * ```
 * @category Storage
 */
export function checkDealChanges(changes: unknown, options?: unknown): CheckedDealSave {
  return { changes: checkChangeList(changes, (deal, path) => assertDeal(deal, path)), ...checkSaveOptions(options) };
}

/**
 * Checks the changes of a save as {@link checkDealChanges} does, each deal by `checkDeal` (a store
 * that remembers what it read may check a deal's stored visits faster; the rules are
 * `assertDeal`'s). Every shipped store checks a save's input through here, so that they answer a
 * malformed save alike.
 */
export function checkChangeList(changes: unknown, checkDeal: (deal: unknown, path: string) => void): CheckedDealChange[] {
  if (!Array.isArray(changes)) bad('changes', 'expected an array of { deal, expectedVersion }');
  const seen = new Set<string>();
  const checked = new Array<CheckedDealChange>(changes.length);
  for (let i = 0; i < changes.length; i++) {
    const change: unknown = changes[i];
    if (typeof change !== 'object' || change === null) bad(`changes[${i}]`, 'expected { deal, expectedVersion }');
    const { deal: given, expectedVersion, historyStart } = change as DealChange;
    checkDeal(given, `changes[${i}].deal`);
    const deal = given as Deal;
    if (expectedVersion !== null && !(typeof expectedVersion === 'number' && Number.isSafeInteger(expectedVersion) && expectedVersion >= 0)) {
      bad(`changes[${i}].expectedVersion`, 'expected null or an integer of at least 0');
    }
    let start = 0;
    if (historyStart !== undefined) {
      if (typeof historyStart !== 'number' || !Number.isSafeInteger(historyStart) || historyStart < 0) bad(`changes[${i}].historyStart`, 'expected an integer of at least 0');
      if (historyStart > 0 && expectedVersion === null) bad(`changes[${i}].historyStart`, 'needs an expectedVersion: only a stored deal has visits to keep');
      start = historyStart;
    }
    if (seen.has(deal.id)) bad('changes', `deal ${deal.id} appears twice`, { dealId: deal.id });
    seen.add(deal.id);
    checked[i] = { deal, expectedVersion, start, index: i };
  }
  return checked;
}

/** Checks a save's options (`events`, `workspaceVersion`) as {@link checkDealChanges} does. */
export function checkSaveOptions(options: unknown): Pick<CheckedDealSave, 'events' | 'workspaceVersion'> {
  if (options === undefined) return { events: [], workspaceVersion: undefined };
  if (typeof options !== 'object' || options === null || Array.isArray(options)) bad('options', 'expected { events?, workspaceVersion? }');
  const { events, workspaceVersion } = options as DealSaveOptions;
  if (workspaceVersion !== undefined && !(typeof workspaceVersion === 'number' && Number.isSafeInteger(workspaceVersion) && workspaceVersion >= 0)) {
    bad('options.workspaceVersion', 'expected an integer of at least 0');
  }
  if (events === undefined) return { events: [], workspaceVersion };
  if (!Array.isArray(events)) bad('options.events', 'expected an array of events');
  for (let j = 0; j < events.length; j++) {
    const e: unknown = events[j];
    if (typeof e !== 'object' || e === null || typeof (e as { type?: unknown }).type !== 'string') bad(`options.events[${j}]`, 'expected an event');
  }
  return { events, workspaceVersion };
}
