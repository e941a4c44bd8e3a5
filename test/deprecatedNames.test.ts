// The former names of renamed exports stay, for one minor version, as the very same types,
// exported from the entry they always came from. tsc checks these (npm test typechecks first).
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  dwellStats,
  rotsAt,
  timeInStages,
  type DwellRow,
  type PipelineService,
  type RottingBetweenOptions,
  type RottingOptions,
  type StageDwell,
  type StageDwellStats,
  type StageTime,
  type StoredRottingOptions,
  type StoredStalledOptions,
} from '../src/index.js';

describe('deprecated names', () => {
  it('StageTime is StageDwell, the row of timeInStages', () => {
    expectTypeOf<StageTime>().toEqualTypeOf<StageDwell>();
    expectTypeOf(timeInStages).returns.toEqualTypeOf<StageDwell[]>();
  });

  it('DwellRow is StageDwellStats, the row of dwellStats and of service.dwellStats', () => {
    expectTypeOf<DwellRow>().toEqualTypeOf<StageDwellStats>();
    expectTypeOf(dwellStats).returns.toEqualTypeOf<StageDwellStats[]>();
    expectTypeOf<Awaited<ReturnType<PipelineService['dwellStats']>>>().toEqualTypeOf<StageDwellStats[]>();
  });

  it('RottingBetweenOptions is RottingOptions, the options of rotsAt', () => {
    expectTypeOf<RottingBetweenOptions>().toEqualTypeOf<RottingOptions>();
    expectTypeOf(rotsAt).parameter(2).toEqualTypeOf<RottingOptions | undefined>();
  });

  it('StoredStalledOptions is StoredRottingOptions, the options of service.stalledDeals', () => {
    expectTypeOf<StoredStalledOptions>().toEqualTypeOf<StoredRottingOptions>();
    expectTypeOf<Parameters<PipelineService['stalledDeals']>[0]>().toEqualTypeOf<StoredRottingOptions | undefined>();
  });

  it('a value written with a former name is accepted where the new name is asked for', () => {
    const old: StoredStalledOptions = { since: 'lastUpdate', businessDays: true };
    const now: StoredRottingOptions = old;
    const clock: RottingBetweenOptions = { since: 'stageEntry' };
    const rotting: RottingOptions = clock;
    expect([now, rotting]).toEqual([{ since: 'lastUpdate', businessDays: true }, { since: 'stageEntry' }]);
  });
});
