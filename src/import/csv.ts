import { guarded } from '../_internal/guard.js';
import { PipelineError } from '../errors.js';
import { STAGE_ROW_COLUMNS, type StageRow } from './stageRows.js';

const INSTANT_COLUMNS: ReadonlySet<string> = new Set(['enteredAt', 'exitedAt']);

/**
 * Writes stage rows as CSV (RFC 4180): a header of {@link STAGE_ROW_COLUMNS}, one line per row,
 * `\r\n` line ends. Instants are written as ISO-8601 UTC (`2024-05-02T10:00:00.000Z`), null
 * as an empty cell, booleans as `true` / `false`; cells holding a comma, quote or line break are
 * quoted.
 *
 * Formula injection: a spreadsheet reads a cell that starts with `=`, `+`, `-` or `@` (or a tab
 * or carriage return before one) as a formula, so a deal named `=HYPERLINK(...)` would run when
 * the file is opened. As OWASP and the spreadsheet vendors recommend, such text cells are written
 * with a single quote before them (`'=HYPERLINK(...)`), which spreadsheets show as text. Numbers
 * (a negative amount) are left as they are. Pass `{ escapeFormulas: false }` to write every text
 * exactly (for a warehouse load that must read back what was written).
 *
 * @param rows - rows from {@link toStageRows}
 * @param options - `{ escapeFormulas? }`: prefix text cells that a spreadsheet would run (default true)
 * @returns the CSV text
 * @example
 * ```ts
 * toCsv(toStageRows(deals)).split('\r\n')[0];
 * // 'dealId,dealName,layoutId,pipelineId,stageId,visit,enteredAt,exitedAt,current,outcome,...'
 * ```
 * @category Importers
 * @function
 */
export const toCsv = /* @__PURE__ */ guarded(function toCsv(rows: readonly StageRow[], options?: { readonly escapeFormulas?: boolean }): string {
  if (!Array.isArray(rows)) throw new PipelineError('invalid_input', 'rows: expected an array of stage rows', { path: 'rows' });
  const escape = escapeOption(options);
  const lines = [STAGE_ROW_COLUMNS.join(',')];
  rows.forEach((row, i) => {
    if (typeof row !== 'object' || row === null) throw new PipelineError('invalid_input', `rows[${i}]: expected a stage row`, { path: `rows[${i}]` });
    lines.push(STAGE_ROW_COLUMNS.map((column) => cell(row[column], column, `rows[${i}].${column}`, escape)).join(','));
  });
  return `${lines.join('\r\n')}\r\n`;
}, ['rows', 'options']);

function escapeOption(options: unknown): boolean {
  if (options === undefined) return true;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new PipelineError('invalid_input', 'options: expected { escapeFormulas? }', { path: 'options' });
  for (const key of Object.keys(options)) if (key !== 'escapeFormulas') throw new PipelineError('invalid_input', `options.${key}: unknown option`, { path: `options.${key}` });
  const v = (options as { escapeFormulas?: unknown }).escapeFormulas;
  if (v !== undefined && typeof v !== 'boolean') throw new PipelineError('invalid_input', 'options.escapeFormulas: expected a boolean', { path: 'options.escapeFormulas' });
  return v !== false;
}

/** Text a spreadsheet would read as a formula. */
const FORMULA = /^[=+\-@\t\r]/;

function cell(value: unknown, column: string, path: string, escape: boolean): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new PipelineError('invalid_input', `${path}: expected a finite number`, { path });
    if (!INSTANT_COLUMNS.has(column)) return String(value);
    if (Math.abs(value) > 8.64e15) throw new PipelineError('invalid_input', `${path}: expected epoch milliseconds`, { path });
    return new Date(value).toISOString();
  }
  if (typeof value === 'boolean') return String(value);
  if (typeof value !== 'string') throw new PipelineError('invalid_input', `${path}: expected a string, number, boolean or null`, { path });
  const text = escape && FORMULA.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
