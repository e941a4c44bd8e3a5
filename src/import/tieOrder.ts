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
