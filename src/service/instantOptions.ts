// The service takes instants in an options object (`{ from, to }`, `{ before }`, `{ now }`). A
// few methods also keep an older form with the instants as arguments; this tells the two apart.

/**
 * Whether a call passed one options object rather than instants as arguments: a single argument
 * that is an object and not a Date (an instant is a Date, a number or a string).
 */
export function isOptionsForm(first: unknown, rest: readonly unknown[]): first is object {
  return typeof first === 'object' && first !== null && !(first instanceof Date) && rest.every((v) => v === undefined);
}
