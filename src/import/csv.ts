import { guarded } from '../_internal/guard.js';
import { PipelineError } from '../errors.js';
import { STAGE_ROW_COLUMNS, type StageRow } from './stageRows.js';

const INSTANT_COLUMNS: ReadonlySet<string> = new Set(['enteredAt', 'exitedAt']);

/**
 * Writes stage rows as CSV (RFC 4180): a header of {@link STAGE_ROW_COLUMNS}, one line per row,
 * `\r\n` line ends. Instants are written as ISO-8601 UTC (`2024-05-02T10:00:00.000Z`), null
 * as an empty cell, booleans as `true` / `false`; cells holding a comma, quote or line break are
 * quoted. Cells are written as they are: a spreadsheet may read a name that starts with `=` as
 * a formula, so open the file as text or load it into a warehouse.
 *
 * @param rows - rows from {@link toStageRows}
 * @returns the CSV text
 * @example
 * ```ts
 * toCsv(toStageRows(deals)).split('\r\n')[0];
 * // 'dealId,dealName,layoutId,pipelineId,stageId,visit,enteredAt,exitedAt,current,outcome,...'
 * ```
 */
export const toCsv = /* @__PURE__ */ guarded(function toCsv(rows: readonly StageRow[]): string {
  if (!Array.isArray(rows)) throw new PipelineError('invalid_input', 'rows: expected an array of stage rows', { path: 'rows' });
  const lines = [STAGE_ROW_COLUMNS.join(',')];
  rows.forEach((row, i) => {
    if (typeof row !== 'object' || row === null) throw new PipelineError('invalid_input', `rows[${i}]: expected a stage row`, { path: `rows[${i}]` });
    lines.push(STAGE_ROW_COLUMNS.map((column) => cell(row[column], column, `rows[${i}].${column}`)).join(','));
  });
  return `${lines.join('\r\n')}\r\n`;
}, ['rows']);

function cell(value: unknown, column: string, path: string): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new PipelineError('invalid_input', `${path}: expected a finite number`, { path });
    if (!INSTANT_COLUMNS.has(column)) return String(value);
    if (Math.abs(value) > 8.64e15) throw new PipelineError('invalid_input', `${path}: expected epoch milliseconds`, { path });
    return new Date(value).toISOString();
  }
  if (typeof value === 'boolean') return String(value);
  if (typeof value !== 'string') throw new PipelineError('invalid_input', `${path}: expected a string, number, boolean or null`, { path });
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
