/**
 * A copy of `o` without the keys whose value is undefined: what zod leaves for absent optional
 * fields, which `exactOptionalPropertyTypes`, JSON equality and repository filters must not see.
 */
export function stripUndefinedKeys<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as never;
}
