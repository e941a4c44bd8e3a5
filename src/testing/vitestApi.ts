// The vitest functions the contract suite registers tests with. vitest loads as ESM only, so the
// CommonJS build swaps this module for vitestApiCjs.ts (see tsup.config.ts).
export { describe, expect, it } from 'vitest';
