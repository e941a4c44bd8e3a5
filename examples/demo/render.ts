// Plain-text rendering for a terminal of 100 columns; colour only on a TTY.
import type { Report } from './report.js';

const WIDTH = 100;

export function render(report: Report, colour: boolean): string {
  const c = (code: number) => (s: string) => (colour ? `\u001b[${code}m${s}\u001b[0m` : s);
  const bold = c(1);
  const red = c(31);
  const dim = c(2);
  const out: string[] = [];
  const title = (s: string) => out.push('', bold(s), dim('─'.repeat(Math.min(WIDTH, s.length + 4))));
  const money = (n: number | null) => (n === null ? '—' : n >= 1000 ? `€${Math.round(n / 1000)}k` : `€${Math.round(n)}`);

  out.push(bold(`sales-pipelines demo — the car dealer, ${report.now.slice(0, 10)}`));
  out.push('A car dealer sells new and used cars (Sales layout) and repairs them (Service layout), each');
  out.push('in its own pipeline. Six simulated weeks run on the library\'s service and in-memory store:');
  out.push('deals are created, dragged across stages (some moves are refused by the pipeline rules),');
  out.push('moved between pipelines and layouts, bulk-updated; one pipeline is deleted with a transfer.');
  out.push(dim('Run `npm run demo -- --json` for the same data as JSON.'));
  title('What happened');
  for (const line of report.log) out.push(`  • ${line}`);

  for (const board of report.boards) {
    title(`Board: ${board.name}`);
    const width = Math.floor((WIDTH - 2) / board.columns.length);
    const cell = (s: string) => (s.length > width - 1 ? `${s.slice(0, width - 2)}…` : s).padEnd(width);
    out.push(`  ${board.columns.map((col) => bold(cell(`${col.name} (${col.cards.length})`))).join('')}`);
    const rows = Math.min(6, Math.max(...board.columns.map((col) => col.cards.length)));
    for (let i = 0; i < rows; i++) {
      out.push(`  ${board.columns.map((col) => {
        const card = col.cards[i];
        if (!card) return cell(i === rows - 1 && col.cards.length > rows ? `+${col.cards.length - rows + 1} more` : '');
        const text = cell(`${card.id} ${money(card.amount)} ${card.daysInStage}d${card.stalled ? '!' : ''}`);
        return card.stalled ? red(text) : text;
      }).join('')}`.trimEnd());
    }
  }
  out.push(dim('  card: id, amount, days in stage; ! = stalled (past the stage\'s rotting threshold)'));

  title(`Stalled deals (${report.stalled.length})`);
  for (const s of report.stalled.slice(0, 8)) {
    out.push(`  ${red(s.dealId)}  ${String(s.pipelineId).padEnd(10)} ${s.stageId.padEnd(14)} ${(s.dwellMs / 86_400_000).toFixed(1).padStart(5)} days in stage (limit ${s.thresholdMs / 86_400_000})`);
  }
  if (report.stalled.length > 8) out.push(dim(`  … and ${report.stalled.length - 8} more`));

  title('Time in stage (completed visits, days)');
  const maxMean = Math.max(1, ...report.dwell.map((d) => d.meanDays));
  out.push(dim(`  ${'pipeline'.padEnd(10)} ${'stage'.padEnd(27)} ${'visits'.padStart(6)} ${'mean'.padStart(6)} ${'median'.padStart(6)} ${'p90'.padStart(6)}  mean`));
  for (const d of report.dwell) {
    const bar = '█'.repeat(Math.max(1, Math.round((d.meanDays / maxMean) * 28)));
    out.push(`  ${String(d.pipelineId).padEnd(10)} ${d.name.slice(0, 27).padEnd(27)} ${String(d.visits).padStart(6)} ${d.meanDays.toFixed(1).padStart(6)} ${d.medianDays.toFixed(1).padStart(6)} ${d.p90Days.toFixed(1).padStart(6)}  ${bar}`);
  }

  title('Weighted pipeline (open deals: amount × probability)');
  for (const [currency, w] of Object.entries(report.weighted)) {
    out.push(`  ${currency || '(no currency)'}: ${w.count} deals, total ${money(w.total)}, weighted ${money(w.weighted)}`);
    const maxW = Math.max(1, ...Object.values(w.byForecastCategory).map((x) => x.weighted));
    for (const [category, t] of Object.entries(w.byForecastCategory)) {
      out.push(`    ${category.padEnd(10)} ${String(t.count).padStart(4)} deals ${money(t.weighted).padStart(7)}  ${'▇'.repeat(Math.max(1, Math.round((t.weighted / maxW) * 40)))}`);
    }
  }

  title('Conversion funnels');
  for (const f of report.funnels) {
    out.push(`  ${bold(f.pipelineId)}: ${f.deals} deals, won ${pct(f.wonRate)}, lost ${pct(f.lostRate)}`);
    for (const s of f.stages) {
      out.push(`    ${s.stageId.padEnd(14)} entered ${String(s.entered).padStart(3)}  went on ${String(s.advanced).padStart(3)}  ${pct(s.conversionRate).padStart(5)}  ${'▇'.repeat(Math.round((s.entered / Math.max(1, f.deals)) * 40))}`);
    }
  }

  title(`Stage history of ${report.history.dealId}: kept across pipelines and layouts`);
  for (const h of report.history.rows) {
    const who = `${h.by ?? 'system'}${h.bypassedRules ? ', rules bypassed' : ''}`;
    out.push(`  ${h.enteredAt}  ${String(h.pipelineId).padEnd(10)} ${h.stage.slice(0, 30).padEnd(30)} ${h.days.toFixed(1).padStart(5)} days  ${dim(who)}`);
  }

  const wf = report.waterfall;
  title(`Pipeline waterfall: deals closing ${wf.closingFrom} to ${wf.closingTo}, ${wf.from} to ${wf.to} (EUR)`);
  const sign: Record<string, string> = { start: ' ', end: '=', decreased: '−', pushedOut: '−', won: '−', lost: '−', movedOut: '−' };
  const maxBar = Math.max(1, ...wf.bars.map((b) => b.amount));
  for (const b of wf.bars) {
    const bar = '▇'.repeat(b.amount === 0 ? 0 : Math.max(1, Math.round((b.amount / maxBar) * 40)));
    out.push(`  ${sign[b.bucket] ?? '+'} ${b.bucket.padEnd(10)} ${String(b.count).padStart(4)} deals ${money(b.amount).padStart(7)}  ${bar}`);
  }

  const slip = report.slipping;
  title(`Slipping deals: closing date pushed later (${slip.totals.deals} deals, ${slip.totals.pushes} pushes, ${slip.totals.daysPushed} days)`);
  for (const d of slip.deals.slice(0, 8)) {
    out.push(`  ${d.dealId.padEnd(8)} pushed ${String(d.pushes).padStart(2)}x ${String(d.daysPushed).padStart(4)} days   ${d.closingDateBefore ?? '—'} → ${d.closingDateAfter ?? '—'}${d.pushedOut ? '  pushed out of the period' : ''}`);
  }
  if (slip.deals.length > 8) out.push(dim(`  … and ${slip.deals.length - 8} more`));

  title('Sales cycle (last six weeks)');
  const cyc = report.cycle;
  out.push(`  won ${cyc.won}, lost ${cyc.lost}, win rate ${pct(cyc.winRate)}, median cycle ${cyc.medianCycleMs === null ? '—' : `${(cyc.medianCycleMs / 86_400_000).toFixed(1)} days`}`);
  out.push('');
  return out.join('\n');
}

function pct(n: number | null): string {
  return n === null ? '—' : `${Math.round(n * 100)}%`;
}
