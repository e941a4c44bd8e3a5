import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * A real vendor payload from `shared/vendor-exports/<vendor>/<name>` (see its PROVENANCE.md),
 * found by walking up from the tests, wherever the checkout sits.
 */
export function vendorFile(vendor: string, name: string): unknown {
  for (let dir = import.meta.dirname; ; dir = dirname(dir)) {
    const file = join(dir, 'shared', 'vendor-exports', vendor, name);
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
    if (dirname(dir) === dir) throw new Error(`shared/vendor-exports/${vendor}/${name} not found above ${import.meta.dirname}`);
  }
}
