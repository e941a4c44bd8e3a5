import { fail } from '../errors.js';
import type { Context, DealCommand } from '../model/commands.js';
import type { Deal } from '../model/deal.js';
import type { Workspace } from '../model/layout.js';
import type { JsonValue } from '../model/primitives.js';
import { dealEventId, type DealChanges, type DealEvent } from './events.js';
import { rulesOf } from './rules.js';
import { scopeOfDeal } from './scope.js';

type Update = Extract<DealCommand, { type: 'updateDeal' }>;

const PROPS = ['name', 'amount', 'currency', 'probability', 'closingDate', 'ownerId', 'lostReason'] as const;

const sameJson = (a: unknown, b: unknown): boolean => a === b || JSON.stringify(a) === JSON.stringify(b);

export function decideUpdateDeal(ws: Workspace, deal: Deal, c: Update, ctx: Context): DealEvent[] {
  const { patch } = c;
  const changes: Record<string, unknown> = {};
  for (const key of PROPS) {
    const value = patch[key];
    if (value !== undefined && value !== deal[key]) changes[key] = value;
  }
  const fields: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(patch.fields ?? {})) {
    if (!Object.hasOwn(deal.fields, key) || !sameJson(deal.fields[key], value)) fields[key] = value;
  }
  const removeFields = [...new Set(patch.removeFields ?? [])].filter((k) => Object.hasOwn(deal.fields, k) && !Object.hasOwn(fields, k));
  if (Object.keys(changes).length === 0 && Object.keys(fields).length === 0 && removeFields.length === 0) return [];
  checkLostReason(ws, deal, changes, c.bypassRules === true);
  return [
    {
      type: 'dealUpdated',
      id: dealEventId(deal.id, deal.version + 1),
      dealId: deal.id,
      at: ctx.at,
      by: ctx.by,
      version: deal.version + 1,
      changes: changes as DealChanges,
      fields,
      removeFields,
    },
  ];
}

function checkLostReason(ws: Workspace, deal: Deal, changes: Record<string, unknown>, bypass: boolean): void {
  if (!('lostReason' in changes)) return;
  const scope = scopeOfDeal(ws, deal);
  const slot = scope?.slots.get(deal.stageId);
  const lost = slot?.def.outcome === 'lost';
  if (changes.lostReason !== null && !lost) {
    fail('invalid_input', `command.patch.lostReason: deal ${deal.id} is not in a lost stage`, { path: 'command.patch.lostReason' });
  }
  if (changes.lostReason === null && lost && scope && rulesOf(scope).requireLostReason && !bypass) {
    fail('lost_reason_required', `deal ${deal.id} is lost in a pipeline that requires a lost reason`, {
      dealId: deal.id,
      violations: [{ code: 'lost_reason_required', message: 'a lost reason is required' }],
    });
  }
}
