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
    const cell = (text: string) => (text.length > width - 1 ? `${text.slice(0, width - 2)}…` : text).padEnd(width);
    // Stage names wrap onto two lines instead of being cut; the deal count has a line of its own.
    const names = board.columns.map((col) => wrap(col.name, width - 1, 2));
    const nameLines = Math.max(...names.map((n) => n.length));
    for (let i = 0; i < nameLines; i++) out.push(`  ${names.map((n) => bold(cell(n[i] ?? ''))).join('')}`.trimEnd());
    out.push(`  ${board.columns.map((col) => dim(cell(deals(col.cards.length)))).join('')}`.trimEnd());
    const rows = Math.min(MAX_CARDS, Math.max(...board.columns.map((col) => col.cards.length)));
    for (let i = 0; i < rows; i++) {
      out.push(`  ${board.columns.map((col) => {
        // A column with more cards than fit shows as many as it can and says how many are left.
        if (col.cards.length > MAX_CARDS && i === MAX_CARDS - 1) return dim(cell(`+${col.cards.length - (MAX_CARDS - 1)} more`));
        const card = col.cards[i];
        if (!card) return cell('');
        const text = cell(`${card.id} ${money(card.amount)} ${card.daysInStage}d${card.stalled ? '!' : ''}`);
        return card.stalled ? red(text) : text;
      }).join('')}`.trimEnd());
    }
  }
  out.push(dim('  card: deal id, amount, days in stage; ! = rotting (in the stage past its rotAfterDays)'));

  title(`Rotting deals (${report.stalled.length}, from stalledDeals)`);
  for (const s of report.stalled.slice(0, 8)) {
    out.push(`  ${red(s.dealId)} ${s.dealName.slice(0, 16).padEnd(16)} ${s.pipeline.slice(0, 14).padEnd(14)} ${s.stage.slice(0, 26).padEnd(26)} ${s.dwellDays.toFixed(1).padStart(5)} days (limit ${s.limitDays})`);
  }
  if (report.stalled.length > 8) out.push(dim(`  … and ${report.stalled.length - 8} more`));

  title('Dwell: time in stage (completed visits, days)');
  const maxMean = Math.max(1, ...report.dwell.map((d) => d.meanDays));
  out.push(dim(`  ${'pipeline'.padEnd(15)} ${'stage'.padEnd(26)} ${'visits'.padStart(6)} ${'mean'.padStart(6)} ${'median'.padStart(6)} ${'p90'.padStart(6)}  mean`));
  for (const d of report.dwell) {
    const bar = '█'.repeat(Math.max(1, Math.round((d.meanDays / maxMean) * 24)));
    out.push(`  ${d.pipeline.slice(0, 15).padEnd(15)} ${d.name.slice(0, 26).padEnd(26)} ${String(d.visits).padStart(6)} ${d.meanDays.toFixed(1).padStart(6)} ${d.medianDays.toFixed(1).padStart(6)} ${d.p90Days.toFixed(1).padStart(6)}  ${bar}`);
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
    out.push(`  ${bold(f.pipeline)}: ${deals(f.deals)}, won ${pct(f.wonRate)}, lost ${pct(f.lostRate)}`);
    for (const s of f.stages) {
      // The bar is the percentage beside it: the share of the deals that entered the stage and went on.
      const rate = s.conversionRate ?? 0;
      out.push(`    ${(f.stageNames[s.stageId] ?? s.stageId).slice(0, 26).padEnd(26)} entered ${String(s.entered).padStart(3)}  went on ${String(s.advanced).padStart(3)}  ${pct(s.conversionRate).padStart(5)}  ${'▇'.repeat(Math.round(rate * 30))}`);
    }
  }

  title(`Stage history of ${report.history.dealId}: kept across pipelines and layouts`);
  for (const h of report.history.rows) {
    const who = `${h.by ?? 'system'}${h.bypassedRules ? ', rules bypassed' : ''}`;
    out.push(`  ${h.enteredAt}  ${h.pipeline.slice(0, 14).padEnd(14)} ${h.stage.slice(0, 28).padEnd(28)} ${h.days.toFixed(1).padStart(5)} days  ${dim(who)}`);
  }

  const wf = report.waterfall;
  title(`Pipeline waterfall (EUR): deals closing ${wf.closingFrom} to ${wf.closingTo}, changes ${wf.from} to ${wf.to}`);
  const sign: Record<string, string> = { start: ' ', end: '=', decreased: '−', pushedOut: '−', won: '−', lost: '−', movedOut: '−' };
  const maxBar = Math.max(1, ...wf.bars.map((b) => b.amount));
  for (const b of wf.bars) {
    const bar = '▇'.repeat(b.amount === 0 ? 0 : Math.max(1, Math.round((b.amount / maxBar) * 40)));
    out.push(`  ${sign[b.bucket] ?? '+'} ${(BUCKETS[b.bucket] ?? b.bucket).padEnd(18)} ${String(b.count).padStart(4)} deals ${money(b.amount).padStart(7)}  ${bar}`);
  }

  const slip = report.slipping;
  title(`Slipping deals: ${deals(slip.totals.deals)} had their closing date pushed later (${times(slip.totals.pushes)}, ${slip.totals.daysPushed} days in all)`);
  for (const d of slip.deals.slice(0, 8)) {
    const dates = d.firstClosingDate === null ? `now ${d.closingDateAfter ?? 'none'}` : `from ${d.firstClosingDate} to ${d.closingDateAfter ?? 'none'}`;
    out.push(`  ${d.dealId} ${d.name.slice(0, 16).padEnd(16)} pushed ${times(d.pushes)}, ${d.daysPushed} days later, ${dates}${d.pushedOut ? ', out of the period' : ''}.`);
  }
  if (slip.deals.length > 8) out.push(dim(`  … and ${slip.deals.length - 8} more`));

  title('Sales cycle (last six weeks)');
  const cyc = report.cycle;
  out.push(`  won ${cyc.won}, lost ${cyc.lost}, win rate ${pct(cyc.winRate)}, median cycle ${cyc.medianCycleMs === null ? '—' : `${(cyc.medianCycleMs / 86_400_000).toFixed(1)} days`}`);
  out.push('');
  return out.join('\n');
}

const MAX_CARDS = 6;

/** Waterfall buckets as a manager reads them. */
const BUCKETS: Record<string, string> = {
  start: 'at the start', created: 'created', pulledIn: 'pulled in', increased: 'amount increased', reopened: 'reopened',
  movedIn: 'moved in', decreased: 'amount decreased', pushedOut: 'pushed out', won: 'won', lost: 'lost', movedOut: 'moved out', end: 'at the end',
};

/** "1 deal", "3 deals". */
function deals(n: number): string {
  return `${n} deal${n === 1 ? '' : 's'}`;
}

/** "once", "2 times". */
function times(n: number): string {
  return n === 1 ? 'once' : `${n} times`;
}

/** Words of `text` in lines of at most `width` characters, at most `lines` lines (the last cut with an ellipsis). */
function wrap(text: string, width: number, lines: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const next = line === '' ? word : `${line} ${word}`;
    if (next.length <= width) line = next;
    else {
      if (line !== '') out.push(line);
      line = word;
    }
  }
  if (line !== '') out.push(line);
  if (out.length <= lines) return out;
  const kept = out.slice(0, lines);
  kept[lines - 1] = `${out.slice(lines - 1).join(' ').slice(0, width - 1)}…`;
  return kept;
}

function pct(n: number | null): string {
  return n === null ? '—' : `${Math.round(n * 100)}%`;
}
