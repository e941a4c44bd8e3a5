// History rows written in the same transaction share their timestamp (Salesforce's CreatedDate,
// Zoho's Modified_Time), and exports do not list them in the order they happened. Each vendor
// writes where a row came from or went to; that chain puts the rows of one instant in order.

/**
 * Rows sorted by time, each run of rows sharing an instant reordered so that every row follows
 * the one it says came before it (`follows(row, previous, pending)`); where no row does, the
 * first pending one (in the order given) is taken. Ends for any input: each step takes one row,
 * so cyclic stage graphs and contradictory chains cannot make it loop.
 */
export function orderTies<R extends { readonly at: number }>(rows: readonly R[], follows: (row: R, previous: R | null, pending: readonly R[]) => boolean): R[] {
  let tied = false;
  for (let k = 1; k < rows.length && !tied; k++) tied = rows[k]!.at === rows[k - 1]!.at;
  if (!tied) return rows as R[];
  const out: R[] = [];
  let i = 0;
  while (i < rows.length) {
    let j = i + 1;
    while (j < rows.length && rows[j]!.at === rows[i]!.at) j++;
    if (j - i === 1) out.push(rows[i]!);
    else {
      const pending = rows.slice(i, j);
      while (pending.length > 0) {
        const previous = out.length > 0 ? out[out.length - 1]! : null;
        const k = pending.findIndex((r) => follows(r, previous, pending));
        out.push(pending.splice(k < 0 ? 0 : k, 1)[0]!);
      }
    }
    i = j;
  }
  return out;
}

/**
 * Rows by time, ties in the order given: without sorting when they already are in order (SOQL's
 * `ORDER BY CreatedDate`) or in reverse order (Zoho lists the newest first), the common cases.
 */
export function byTime<R extends { readonly at: number }>(rows: readonly R[]): R[] {
  let up = true;
  let down = true;
  for (let i = 1; i < rows.length && (up || down); i++) {
    const d = rows[i]!.at - rows[i - 1]!.at;
    if (d <= 0) up = false;
    if (d >= 0) down = false;
  }
  if (up) return rows as R[];
  if (down) return [...rows].reverse();
  return rows.map((r, i) => [r, i] as const).sort(([a, i], [b, j]) => a.at - b.at || i - j).map(([r]) => r);
}
