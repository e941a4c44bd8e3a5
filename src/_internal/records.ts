// Host ids index records (stage maps, transition graphs, metric groups). A plain `rec[id]` read
// finds Object.prototype members for ids such as `toString`; these helpers read own keys only.

/** The value stored under `key` as an own property of `rec`, or undefined. */
export function own<V>(rec: Readonly<Record<string, V>> | undefined, key: string): V | undefined {
  return rec !== undefined && Object.hasOwn(rec, key) ? rec[key] : undefined;
}

/** The value under `key`, created with `make` when `rec` has no own property of that name. */
export function ownOrSet<V>(rec: Record<string, V>, key: string, make: () => V): V {
  if (Object.hasOwn(rec, key)) return rec[key] as V;
  const value = make();
  // defineProperty, not assignment: a data property even for a key that names an accessor.
  Object.defineProperty(rec, key, { value, writable: true, enumerable: true, configurable: true });
  return value;
}
