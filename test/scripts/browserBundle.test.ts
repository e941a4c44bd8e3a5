import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { bundleBrowserPage } from '../../scripts/browser-bundle.js';

describe('a browser page using applyDeal, checkTransition, allowedStages and dwellStats', () => {
  // 43 kB since dwellStats carries the business calendar in a time zone (its hours schema and the offsets from @date-fns/tz).
  it('bundles to at most 43 kB gzip with its dependencies, without zod locales other than English or a date parser', async () => {
    const bundle = await bundleBrowserPage('src');
    const files = Object.keys(bundle.inputs).filter((f) => bundle.inputs[f]! > 0);
    expect(files.filter((f) => /zod\/v4\/locales\/(?!en\.js)/.test(f))).toEqual([]);
    expect(files.filter((f) => f.includes('node_modules/date-fns/'))).toEqual([]);
    expect(bundle.gzipped).toBeLessThanOrEqual(43_000);
  }, 60_000);

  it('runs in a context with no Node.js globals', async () => {
    const { code } = await bundleBrowserPage('src');
    const sandbox: { salesPipelines?: { dwellStats(deals: unknown[], o: { now: number }): unknown; checkTransition(...a: unknown[]): unknown } } = {};
    runInNewContext(code, sandbox);
    expect(sandbox.salesPipelines?.dwellStats([], { now: 0 })).toEqual([]);
    expect(() => sandbox.salesPipelines?.checkTransition({ version: 0, layouts: [] }, null, { stageId: 'x' })).toThrow(/deal/);
  }, 60_000);
});
