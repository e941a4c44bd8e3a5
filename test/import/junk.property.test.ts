import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPipelineError } from '../../src/index.js';
import { fromHubSpot, fromPipedrive, fromSalesforce, fromZoho, toCsv, toHubSpotTimeProperties, toPipedriveStatistics, toStageRows, type ImportResult } from '../../src/import.js';
import { checkInvariants } from '../../src/testing.js';
import { fixture } from './helpers.js';

// Whatever a payload holds, an importer answers with a valid import or a PipelineError
// `invalid_input` naming a path: never a TypeError, never a state that breaks an invariant.

const importers: [string, (p: never) => ImportResult, unknown][] = [
  ['fromHubSpot', fromHubSpot, fixture('hubspot.json')],
  ['fromPipedrive', fromPipedrive, fixture('pipedrive.json')],
  ['fromSalesforce', fromSalesforce, fixture('salesforce.json')],
  ['fromZoho', fromZoho, fixture('zoho.json')],
];

/** Every path into a JSON value: its objects' keys and arrays' indexes. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

function replaced(value: unknown, path: readonly (string | number)[], by: unknown): unknown {
  if (path.length === 0) return by;
  const [head, ...rest] = path;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string | number, unknown>;
  copy[head!] = replaced(copy[head!], rest, by);
  return copy;
}

const junk = fc.oneof(
  fc.anything(),
  fc.constantFrom(null, undefined, '', '__proto__', 'constructor', -1, 1e300, Number.NaN, Infinity, [], {}, '2024-02-30T00:00:00Z', '9999999999999999', 'true', ' ', '0.5'),
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.date({ noInvalidDate: false }),
);

function expectOnlyPipelineErrors(run: () => ImportResult): void {
  let result: ImportResult;
  try {
    result = run();
  } catch (e) {
    expect(isPipelineError(e, 'invalid_input'), `${(e as Error)?.name}: ${(e as Error)?.message}`).toBe(true);
    expect(typeof (e as { details: { path?: unknown } }).details.path).toBe('string');
    return;
  }
  const now = Math.max(0, ...result.deals.map((d) => d.updatedAt));
  expect(checkInvariants(result.workspace, result.deals, { now })).toEqual([]);
  for (const w of result.warnings) expect(Object.keys(w).sort()).toEqual(['code', 'message', 'path']);
  toCsv(toStageRows(result.deals));
}

describe('the importers refuse junk with invalid_input only', () => {
  for (const [name, run, sample] of importers) {
    const all = paths(sample);
    it(`${name}: any one value of its sample payload replaced by junk`, () => {
      fc.assert(
        fc.property(fc.nat({ max: all.length - 1 }), junk, (i, value) => {
          expectOnlyPipelineErrors(() => run(replaced(sample, all[i]!, value) as never));
        }),
        { numRuns: 400 },
      );
    }, 60_000);

    it(`${name}: junk as the whole payload`, () => {
      fc.assert(fc.property(fc.anything(), (value) => expectOnlyPipelineErrors(() => run(value as never))), { numRuns: 200 });
    }, 60_000);
  }

  it('toStageRows, toCsv, toHubSpotTimeProperties and toPipedriveStatistics', () => {
    const { workspace, deals } = fromPipedrive(fixture('pipedrive.json') as never);
    fc.assert(
      fc.property(junk, junk, (a, b) => {
        for (const call of [
          () => toStageRows([a] as never),
          () => toStageRows(a as never),
          () => toCsv([a] as never),
          () => toCsv(a as never),
          () => toHubSpotTimeProperties(a as never),
          () => toPipedriveStatistics(workspace, deals, { pipelineId: '1', from: a, to: b } as never),
          () => toPipedriveStatistics(a as never, deals, { pipelineId: '1', from: 0, to: 1 }),
          () => toPipedriveStatistics(workspace, [a] as never, { pipelineId: '1', from: 0, to: 1 }),
        ]) {
          try {
            call();
          } catch (e) {
            expect(isPipelineError(e), String(e)).toBe(true);
          }
        }
      }),
      { numRuns: 300 },
    );
  }, 60_000);
});
