import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyDeal, CommandContext, DealCommand } from '../../src/index.js';
import { newDeal, T0, ws } from '../helpers/dealer.js';
import { quickContext } from '../../src/model/parse.js';
import { quickMoveToStage, quickTarget } from '../../src/model/quickParse.js';
import { TransitionTarget } from '../../src/deals/transitions.js';
import { isStorableText } from '../../src/model/primitives.js';

// The hand-written fast paths must never accept what the zod schemas refuse, nor change a value.

const oddStrings = fc.oneof(fc.string(), fc.constantFrom('', '__proto__', 'constructor', 'prototype', 'x'.repeat(256), 'quote'));
const oddValues = fc.oneof(oddStrings, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.object());

describe('fast paths agree with the schemas', () => {
  it('quickMoveToStage accepts only what DealCommand accepts, unchanged', () => {
    const candidate = fc.record(
      { type: fc.constantFrom('moveToStage', 'moveToPipeline', 'x'), stageId: oddValues, lostReason: oddValues, bypassRules: oddValues, extra: oddValues },
      { requiredKeys: ['type'] },
    );
    fc.assert(
      fc.property(candidate, (c) => {
        const quick = quickMoveToStage(c);
        if (quick === null) return;
        const parsed = DealCommand.safeParse(c);
        expect(parsed.success).toBe(true);
        expect(quick).toEqual(parsed.data);
      }),
      { numRuns: 2000 },
    );
  });

  it('quickContext accepts only what CommandContext accepts, with the same instant and actor', () => {
    const candidate = fc.record({ at: fc.oneof(fc.integer(), fc.double(), fc.constant(8.64e15 + 1), oddValues), by: oddValues, limits: oddValues }, { requiredKeys: [] });
    fc.assert(
      fc.property(candidate, (c) => {
        const quick = quickContext(c);
        if (quick === null) return;
        const parsed = CommandContext.safeParse(c);
        expect(parsed.success).toBe(true);
        expect(quick.at).toBe(parsed.data!.at);
        expect(quick.by).toBe(parsed.data!.by ?? null);
      }),
      { numRuns: 2000 },
    );
  });

  it('quickTarget accepts only what the transition target schema accepts, unchanged', () => {
    const candidate = fc.record({ pipelineId: oddValues, stageId: oddValues, lostReason: oddValues, other: oddValues }, { requiredKeys: [] });
    fc.assert(
      fc.property(candidate, (t) => {
        const quick = quickTarget(t);
        if (quick === null) return;
        const parsed = TransitionTarget.safeParse(t);
        expect(parsed.success).toBe(true);
        expect(quick).toEqual(parsed.data);
      }),
      { numRuns: 2000 },
    );
  });

  it('the storable-text check refuses exactly U+0000 and unpaired surrogates, as the regex of the rule says', () => {
    const unstorable = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
    const unit = fc.oneof(fc.constantFrom(0, 0xd7ff, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xe000, 0x61), fc.integer({ min: 0, max: 0xffff }));
    const text = fc.array(unit, { maxLength: 12 }).map((codes) => String.fromCharCode(...codes));
    fc.assert(
      fc.property(fc.oneof(text, fc.string({ unit: 'binary' })), (s) => {
        expect(isStorableText(s)).toBe(!unstorable.test(s));
      }),
      { numRuns: 5000 },
    );
    expect(['', 'quote', '\uD83D\uDE00', 'a\uD83D\uDE00b'].every(isStorableText)).toBe(true);
    expect(['a\u0000b', 'x\uD800', '\uDC00y', '\uDE00\uD83D', '\uD83D\uD83D\uDE00'].some(isStorableText)).toBe(false);
  });

  it('a stage id or actor accepted last does not make a different, invalid one pass', () => {
    const command = (stageId: unknown) => quickMoveToStage({ type: 'moveToStage', stageId });
    const context = (by: unknown) => quickContext({ at: 1, by });
    for (const bad of ['', '__proto__', 'quote\u0000', 'x'.repeat(256), '\uD800', 7, null]) {
      expect(command('quote')).toEqual({ type: 'moveToStage', stageId: 'quote' });
      expect(command(bad)).toBeNull();
      expect(context('ann')).toEqual(expect.objectContaining({ by: 'ann' }));
      expect(context(bad === null ? 'constructor' : bad)).toBeNull();
    }
  });

  it('fast paths refuse arrays, as the schemas do', () => {
    const cmd = Object.assign([], { type: 'moveToStage', stageId: 'quote' });
    const ctx = Object.assign([], { at: 1 });
    expect(DealCommand.safeParse(cmd).success).toBe(false);
    expect(CommandContext.safeParse(ctx).success).toBe(false);
    expect(quickMoveToStage(cmd)).toBeNull();
    expect(quickContext(ctx)).toBeNull();
    expect(quickTarget(Object.assign([], { stageId: 'quote' }))).toBeNull();
    const move = Object.assign([], { type: 'moveToStage', stageId: 'test-drive' });
    expect(() => applyDeal(ws, newDeal(), move as never, { at: T0 + 1 })).toThrow(expect.objectContaining({ code: 'invalid_input', details: expect.objectContaining({ path: 'command' }) }));
    expect(() => applyDeal(ws, newDeal(), { type: 'moveToStage', stageId: 'test-drive' }, Object.assign([], { at: T0 + 1 }) as never)).toThrow(
      expect.objectContaining({ code: 'invalid_input', details: expect.objectContaining({ path: 'ctx' }) }),
    );
  });
});
