import { describe, expect, it } from 'vitest';
import { measureDeliveries } from '../../scripts/stress/deliveries.js';

// Four real processes, each a service with delivery on against one store, writing concurrently:
// every event reaches a consumer, at most 1.05 times on average. Runs when SALES_PIPELINES_STRESS
// is set (and on the PostgreSQL server when SALES_PIPELINES_PG_URL is).
describe.runIf(process.env.SALES_PIPELINES_STRESS)('deliveries per event across 4 processes', () => {
  it('multi-process SQLite: every event delivered, at most 1.05 deliveries per event', async () => {
    const report = await measureDeliveries({ store: 'sqlite', processes: 4, deals: 300 });
    expect(report.events).toBe(4 * 300 * 3);
    expect(report.undelivered).toBe(0);
    expect(report.perEvent).toBeLessThanOrEqual(1.05);
  }, 600_000);

  it.runIf(process.env.SALES_PIPELINES_PG_URL)('the PostgreSQL server: every event delivered, at most 1.05 deliveries per event', async () => {
    const report = await measureDeliveries({ store: 'postgres', processes: 4, deals: 300 });
    expect(report.events).toBe(4 * 300 * 3);
    expect(report.undelivered).toBe(0);
    expect(report.perEvent).toBeLessThanOrEqual(1.05);
  }, 600_000);
});
