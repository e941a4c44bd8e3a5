// Turns the story into what a sales manager looks at; the same data feeds the text and --json.
import {
  conversionFunnel,
  dwellStats,
  pipelineWaterfall,
  slippage,
  salesCycle,
  stalledDeals,
  timeInStages,
  weightedPipeline,
  type Deal,
  type Workspace,
} from '../../src/index.js';
import type { Story } from './simulate.js';

const DAY = 86_400_000;

export interface Board {
  readonly pipelineId: string;
  readonly name: string;
  readonly columns: { stageId: string; name: string; cards: { id: string; amount: number | null; daysInStage: number; stalled: boolean }[] }[];
}

/** A stalled deal as the demo shows it: the library's row, with the names a manager reads. */
export interface StalledRow {
  readonly dealId: string;
  readonly dealName: string;
  readonly pipeline: string;
  readonly stage: string;
  readonly dwellDays: number;
  readonly limitDays: number;
}

/** A slipping deal with its name and the closing date it had when the period began, or when it was created in the period. */
export type SlippingRow = ReturnType<typeof slippage>['deals'][number] & { readonly name: string; readonly firstClosingDate: string | null };

export interface Report {
  readonly now: string;
  readonly log: string[];
  readonly boards: Board[];
  readonly stalled: StalledRow[];
  readonly dwell: { pipelineId: string | null; pipeline: string; stageId: string; name: string; visits: number; meanDays: number; medianDays: number; p90Days: number }[];
  readonly weighted: ReturnType<typeof weightedPipeline>;
  readonly funnels: (ReturnType<typeof conversionFunnel> & { readonly pipeline: string; readonly stageNames: Record<string, string> })[];
  readonly cycle: ReturnType<typeof salesCycle>;
  readonly history: { dealId: string; rows: { pipelineId: string | null; pipeline: string; stage: string; enteredAt: string; days: number; by: string | null; bypassedRules: boolean }[] };
  readonly waterfall: { from: string; to: string; closingFrom: string; closingTo: string; bars: { bucket: string; count: number; amount: number; dealIds: string[] }[] };
  readonly slipping: { readonly deals: SlippingRow[]; readonly totals: ReturnType<typeof slippage>['totals'] };
}

const round = (n: number) => Math.round(n * 10) / 10;

function stageName(ws: Workspace, stageId: string): string {
  for (const l of ws.layouts) {
    const s = l.stages.find((x) => x.id === stageId);
    if (s) return s.name;
  }
  return stageId;
}

function pipelineName(ws: Workspace, pipelineId: string | null): string {
  if (pipelineId === null) return '(no pipeline)';
  for (const l of ws.layouts) {
    const p = l.pipelines.find((x) => x.id === pipelineId);
    if (p) return p.name;
  }
  // A deleted pipeline still names the visits made in it.
  return pipelineId === 'fleet' ? 'Fleet (deleted)' : pipelineId;
}

/** Builds the report from the final state of the story. */
export function buildReport(story: Story): Report {
  const { workspace: ws, deals, now } = story;
  const stalledRows = stalledDeals(ws, deals, { now });
  const stalledIds = new Set(stalledRows.map((s) => s.dealId));
  const byId = new Map(deals.map((d) => [d.id, d]));
  const stalled = stalledRows.map((s) => ({
    dealId: s.dealId,
    dealName: byId.get(s.dealId)?.name ?? '',
    pipeline: pipelineName(ws, s.pipelineId),
    stage: stageName(ws, s.stageId),
    dwellDays: round(s.dwellMs / DAY),
    limitDays: s.thresholdMs / DAY,
  }));
  const boards: Board[] = ws.layouts.flatMap((layout) =>
    layout.pipelines
      .filter((p) => deals.some((d) => d.pipelineId === p.id))
      .map((p) => ({
        pipelineId: p.id,
        name: `${layout.name} / ${p.name}`,
        columns: p.stages.map(({ stageId }) => ({
          stageId,
          name: stageName(ws, stageId),
          cards: deals
            .filter((d) => d.pipelineId === p.id && d.stageId === stageId)
            .map((d) => ({ id: d.id, amount: d.amount, daysInStage: daysIn(d, now), stalled: stalledIds.has(d.id) }))
            .sort((a, b) => b.daysInStage - a.daysInStage),
        })),
      })),
  );
  const order = ws.layouts.flatMap((l) => l.pipelines.flatMap((p) => p.stages.map((s) => `${p.id}/${s.stageId}`)));
  const rank = (r: { pipelineId: string | null; stageId: string }) => {
    const i = order.indexOf(`${r.pipelineId}/${r.stageId}`);
    return i < 0 ? order.length : i;
  };
  const dwell = dwellStats(deals, { now })
    .filter((r) => r.pipelineId !== null)
    .sort((a, b) => rank(a) - rank(b))
    .map((r) => ({ pipelineId: r.pipelineId, pipeline: pipelineName(ws, r.pipelineId), stageId: r.stageId, name: stageName(ws, r.stageId), visits: r.visits, meanDays: round(r.meanMs / DAY), medianDays: round(r.medianMs / DAY), p90Days: round(r.p90Ms / DAY) }));
  const funnels = ['new-cars', 'used-cars', 'repair'].map((pipelineId) => {
    const funnel = conversionFunnel(ws, deals, { pipelineId });
    return { ...funnel, pipeline: pipelineName(ws, pipelineId), stageNames: Object.fromEntries(funnel.stages.map((st) => [st.stageId, stageName(ws, st.stageId)])) };
  });
  const slipped = slippage(deals, { from: now - 42 * DAY, to: now });
  return {
    now: new Date(now).toISOString(),
    log: [...new Set(story.log)],
    boards,
    stalled,
    dwell,
    weighted: weightedPipeline(ws, deals),
    funnels,
    cycle: salesCycle(deals, { from: now - 42 * DAY, to: now }),
    history: historyOf(ws, deals.find((d) => d.id === story.movedDealId)!, now),
    waterfall: waterfallOf(ws, deals, now),
    slipping: { totals: slipped.totals, deals: slipped.deals.map((d) => ({ ...d, name: byId.get(d.dealId)?.name ?? '', firstClosingDate: firstClosingDate(byId.get(d.dealId)!, now - 42 * DAY, d.closingDateBefore) })) },
  };
}

/** The Q1 pipeline (deals closing January to March, in euros) over the last two weeks. */
function waterfallOf(ws: Workspace, deals: readonly Deal[], now: number): Report['waterfall'] {
  const window = { from: now - 14 * DAY, to: now, closingFrom: '2026-01-01', closingTo: '2026-03-31' };
  const eur = pipelineWaterfall(ws, deals, window).EUR;
  const buckets = ['start', 'created', 'pulledIn', 'increased', 'reopened', 'movedIn', 'decreased', 'pushedOut', 'won', 'lost', 'movedOut', 'end'] as const;
  return {
    from: new Date(window.from).toISOString().slice(0, 10),
    to: new Date(window.to).toISOString().slice(0, 10),
    closingFrom: window.closingFrom,
    closingTo: window.closingTo,
    bars: buckets.map((bucket) => ({ bucket, count: eur?.[bucket].count ?? 0, amount: eur?.[bucket].amount ?? 0, dealIds: eur?.[bucket].dealIds ?? [] })),
  };
}

function daysIn(deal: Deal, now: number): number {
  const current = timeInStages(deal, { now }).find((r) => r.current);
  return Math.floor((current?.latestMs ?? 0) / DAY);
}

function historyOf(ws: Workspace, deal: Deal, now: number): Report['history'] {
  return {
    dealId: deal.id,
    rows: deal.history.map((v) => ({
      pipelineId: v.pipelineId,
      pipeline: pipelineName(ws, v.pipelineId),
      stage: stageName(ws, v.stageId),
      enteredAt: new Date(v.enteredAt).toISOString().slice(0, 16).replace('T', ' '),
      days: round(((v.exitedAt ?? now) - v.enteredAt) / DAY),
      by: v.by,
      bypassedRules: v.bypassedRules,
    })),
  };
}

/** The closing date a deal had before its first push in the period (the one it had when the period began, or was given in it). */
function firstClosingDate(deal: Deal, from: number, before: string | null): string | null {
  let current = before;
  for (const c of deal.changes ?? []) {
    if (c.field !== 'closingDate' || c.at < from) continue;
    if (current !== null && c.to !== null && (c.to as string) > current) return current;
    current = c.to as string | null;
  }
  return before;
}
