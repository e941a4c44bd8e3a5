import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Deal as DealSchema } from '../../src/model/deal.js';
import { isSurelyValidDeal } from '../../src/model/quickDeal.js';
import { arbScenario } from '../../src/testing.js';

// The hand-written deal check never accepts what the zod `Deal` schema refuses.

const odd = fc.oneof(
  fc.string(), fc.constantFrom('', ' ', '__proto__', 'x'.repeat(256), '\u0000', '\ud800', '2024-02-30', 'eur', 'EUR'),
  fc.integer(), fc.double(), fc.constantFrom(8.64e15 + 1, 1.5, -1, 101, Number.NaN, Infinity), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.object(), fc.constant([]),
);

/** Every path into a value: object keys and array indexes. */
function paths(v: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out = [prefix];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...prefix, i])));
  else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...prefix, k]));
  return out;
}

function replaced(v: unknown, path: readonly (string | number)[], by: unknown): unknown {
  if (path.length === 0) return by;
  const [head, ...rest] = path;
  const copy = (Array.isArray(v) ? [...v] : { ...(v as object) }) as Record<string | number, unknown>;
  copy[head!] = replaced(copy[head!], rest, by);
  return copy;
}

describe('isSurelyValidDeal', () => {
  const deals = arbScenario({ maxDeals: 4, maxSteps: 20 }).map((s) => s.deals.map((d) => ({ ...d, fields: {} })));

  it('accepts the deals the reducers produce', () => {
    fc.assert(fc.property(deals, (list) => list.every(isSurelyValidDeal)), { numRuns: 100 });
  }, 60_000);

  it('accepts a deal only when the schema does, whatever one value is replaced by', () => {
    fc.assert(
      fc.property(deals.filter((l) => l.length > 0), fc.nat(), odd, fc.boolean(), (list, pick, value, extraKey) => {
        const deal = list[pick % list.length]!;
        const all = paths(deal);
        const path = all[pick % all.length]!;
        const changed = extraKey ? replaced(deal, [...path.slice(0, -1), 'extra'], value) : replaced(deal, path, value);
        if (isSurelyValidDeal(changed)) expect(DealSchema.safeParse(changed).success).toBe(true);
      }),
      { numRuns: 800 },
    );
  }, 120_000);
});
