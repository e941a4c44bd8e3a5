// The backtest table of the synthetic pipeline (known odds, wrong admin probabilities): for each
// month of 2025, the deals open on its first day, forecast three months ahead by the model learned
// from what was known then, against what they actually won and what the weighted pipeline said.
// Prints the table and writes bench/backtest.md. Run through `npm run bench`.
import { writeFileSync } from 'node:fs';
import { backtest, type BacktestRow } from 'sales-pipelines';
import { historyOf, ws } from './forecastData.js';

const deals = historyOf(25);
const at = Array.from({ length: 13 }, (_, i) => Date.UTC(2025, i, 1));
const rows = backtest(ws, deals, { at, horizon: 3, period: 'month', runs: 1000, seed: 1 });

const day = (t: number) => new Date(t).toISOString().slice(0, 10);
const k = (n: number) => `${(n / 1000).toFixed(0)}k`;
const covered = (r: BacktestRow) => r.actual >= r.forecast.p10 && r.actual <= r.forecast.p90;
const mae = (f: (r: BacktestRow) => number) => rows.reduce((s, r) => s + Math.abs(f(r) - r.actual), 0) / rows.length;

const eur = rows.filter((r) => r.currency === 'EUR' && (r.at === at[0] || r.period.from === r.at));
const lines = [
  '| at | period from | actual | forecast expected | P10–P90 | in band | weighted |',
  '|---|---|---:|---:|---|:-:|---:|',
  ...eur.map((r) => `| ${day(r.at)} | ${day(r.period.from)} | ${k(r.actual)} | ${k(r.forecast.expected)} | ${k(r.forecast.p10)}–${k(r.forecast.p90)} | ${covered(r) ? 'yes' : 'no'} | ${k(r.weighted)} |`),
];
const summary =
  `All ${rows.length} rows (13 instants × 3 months × EUR and USD): the P10–P90 band holds the actual won amount in ` +
  `${((100 * rows.filter(covered).length) / rows.length).toFixed(0)}%; mean absolute error ${k(mae((r) => r.forecast.expected))} for the forecast, ` +
  `${k(mae((r) => r.weighted))} for the weighted pipeline.`;
const text = `EUR rows: the first month after each instant (and all three for the first).\n\n${lines.join('\n')}\n\n${summary}\n`;
console.log(`\nbacktest of the synthetic pipeline (${deals.length} deals, ${deals.reduce((n, d) => n + d.history.length, 0)} visits)\n`);
console.log(text);
writeFileSync('bench/backtest.md', text);
