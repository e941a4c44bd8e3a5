import { describe, expect, it } from 'vitest';
import { runRace, type RaceReport } from '../../scripts/stress/inUseRace.js';

// Real OS processes racing a configuration change that is refused while in use, with no delay
// injected anywhere: a few rounds always (two processes on one SQLite file), hundreds when
// SALES_PIPELINES_STRESS is set (and on the PostgreSQL server when SALES_PIPELINES_PG_URL is).

function expectNothingStranded(report: RaceReport, rounds: number): void {
  expect(report.stranded).toBe(0);
  expect(report.violations).toBe(0);
  const outcomes = Object.values(report.changes).flatMap((byOutcome) => Object.entries(byOutcome));
  expect(outcomes.reduce((n, [, c]) => n + c, 0)).toBe(rounds);
  for (const [code] of outcomes) expect(['ok', 'stage_in_use', 'pipeline_in_use']).toContain(code);
  expect(report.dealCommands.ok ?? 0).toBeGreaterThan(0);
}

describe('the in-use race across processes', () => {
  it('a change and a dealer in two processes on one SQLite file: no deal is left in a stage or pipeline that is gone', async () => {
    const report = await runRace({ store: 'sqlite', rounds: 8, dealers: 1 });
    expectNothingStranded(report, 8);
  }, 60_000);

  const stress = process.env.SALES_PIPELINES_STRESS;
  describe.runIf(stress)('stress', () => {
    const rounds = Number(stress) > 1 ? Number(stress) : 200;
    it(`${rounds} rounds, 3 dealers, multi-process SQLite`, async () => {
      expectNothingStranded(await runRace({ store: 'sqlite', rounds }), rounds);
    }, 3_600_000);
    it.runIf(process.env.SALES_PIPELINES_PG_URL)(`${rounds} rounds, 3 dealers, the PostgreSQL server`, async () => {
      expectNothingStranded(await runRace({ store: 'postgres', rounds }), rounds);
    }, 3_600_000);
  });
});
