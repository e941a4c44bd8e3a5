// The public surface of sales-pipelines/testing: tools for hosts' own tests.

/** The core's invariant check, re-exported for property tests. @category Test kit */
export { checkInvariants } from './deals/checkInvariants.js';
/** @category Test kit */
export type { InvariantViolation } from './workspace/invariants.js';
export {
  arbWorkspace,
  arbScenario,
  arbStageDef,
  stepCommand,
  type ScenarioStep,
  type ArbWorkspaceOptions,
  type ArbScenarioOptions,
} from './testing/arbitraries.js';
// The vitest suite over these checks, describeRepositoryContract, is in sales-pipelines/testing/vitest.
export {
  repositoryContractChecks,
  tenantIsolationChecks,
  type ContractCheck,
  type ContractHooks,
  type MakeRepositories,
  type MakeTenant,
  type TenantCheck,
} from './testing/repositoryContract.js';
