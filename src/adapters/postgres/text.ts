import { PipelineError } from '../../errors.js';

// A lone surrogate, or U+0000: what PostgreSQL text cannot hold (the driver would replace a lone
// surrogate with U+FFFD silently, so it is refused here before it reaches the driver).
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// The same inside JSON.stringify's output, where both appear as escapes (\u0000, \udxxx)
// after an even number of backslashes.
const UNSTORABLE_ESCAPE = /(?:^|[^\\])(?:\\\\)*\\u(?:0000|d[89a-f][0-9a-f]{2})/;

/** Refuses a string column value the database cannot store exactly. */
export function storableText<T extends string | null>(value: T, path: string): T {
  if (value !== null && UNSTORABLE.test(value)) {
    throw new PipelineError('invalid_input', `${path}: U+0000 and lone surrogates cannot be stored`, { path });
  }
  return value;
}

/** Refuses JSON text that holds U+0000 or a lone surrogate in any of its strings. */
export function storableJson(json: string, path: string): string {
  if (json.includes('\\u') && UNSTORABLE_ESCAPE.test(json)) {
    throw new PipelineError('invalid_input', `${path}: U+0000 and lone surrogates cannot be stored`, { path });
  }
  return json;
}

// In JSON text: an escape JSON.stringify writes for a control character (after an even number of backslashes).
const CONTROL_ESCAPE = /(?:^|[^\\])(?:\\\\)*\\[bfnrtu]/;

/**
 * An array parameter as a PostgreSQL array literal: the statement casts it (`$2::text[]`), and the
 * driver sends one string instead of escaping every element with regular expressions.
 * `JSON.stringify` writes the literal natively: a JSON string is a quoted array element (quotes
 * and backslashes escaped by a backslash), `null` is NULL and numbers print in their shortest
 * exact form, which PostgreSQL reads back to the same double. Only a control character, which
 * JSON escapes differently, takes the element-by-element path.
 */
export function arrayLiteral(values: readonly (string | number | boolean | null)[]): string {
  const json = JSON.stringify(values);
  if (!json.includes('\\') || !CONTROL_ESCAPE.test(json)) return `{${json.slice(1, -1)}}`;
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) parts[i] = 'NULL';
    else if (typeof v === 'string') parts[i] = `"${v.replace(/[\\"]/g, '\\$&')}"`;
    else parts[i] = String(v);
  }
  return `{${parts.join(',')}}`;
}
