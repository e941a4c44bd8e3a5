// The public surface of sales-pipelines/testing: tools for hosts' own tests.

export { checkInvariants } from './testing/checkInvariants.js';
export type { InvariantViolation } from './workspace/invariants.js';
