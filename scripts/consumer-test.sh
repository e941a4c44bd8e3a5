#!/usr/bin/env bash
# Packs the package, installs the tarball into a scratch project and imports it as ESM and CJS,
# every entry point, as a host application would: first without vitest (the test kit must load
# without it), then with vitest to run the repository contract suite.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

tarball=$(npm pack --silent --pack-destination "$scratch" | tail -n 1)
fast_check=$(node -p "require('./node_modules/fast-check/package.json').version")
vitest=$(node -p "require('./node_modules/vitest/package.json').version")

cd "$scratch"
npm init -y > /dev/null
npm install --no-audit --no-fund --silent "./$tarball" "fast-check@$fast_check" > /dev/null
if [ -e node_modules/vitest ]; then echo "vitest must not be installed for the first checks" >&2; exit 1; fi

cat > esm.mjs <<'JS'
import { applyWorkspace, emptyWorkspace, isPipelineError, planBulkUpdate } from 'sales-pipelines';
import { createMemoryRepositories } from 'sales-pipelines';
import { arbWorkspace, checkInvariants, repositoryContractChecks } from 'sales-pipelines/testing';
import fc from 'fast-check';
const { workspace } = applyWorkspace(emptyWorkspace(), { type: 'addLayout', layoutId: 'sales', name: 'Sales',
  stages: [{ id: 'new', name: 'New', probability: 10, outcome: 'open', forecastCategory: 'pipeline' }] }, { at: 0 });
if (workspace.layouts.length !== 1) throw new Error('ESM: addLayout did not apply');
try { applyWorkspace(workspace, { type: 'renameLayout', layoutId: 'x', name: 'y' }, { at: 0 }); } catch (e) { if (!isPipelineError(e, 'not_found')) throw e; }
const [sample] = fc.sample(arbWorkspace(), 1);
if (checkInvariants(sample, [], { now: 0 }).length !== 0) throw new Error('ESM: arbWorkspace broke an invariant');
if (typeof planBulkUpdate !== 'function') throw new Error('ESM: missing exports');
// The contract checks run without vitest, with the test kit's own assertions.
for (const check of repositoryContractChecks) await check.run(() => createMemoryRepositories());
const refused = await import('sales-pipelines/testing/vitest').then(() => null, (e) => e.code);
if (refused !== 'ERR_MODULE_NOT_FOUND') throw new Error(`ESM: sales-pipelines/testing/vitest without vitest gave ${refused}`);
console.log('esm ok (sales-pipelines/testing without vitest)');
JS

cat > cjs.cjs <<'JS'
const { applyWorkspace, emptyWorkspace, isPipelineError, PipelineError } = require('sales-pipelines');
const { arbScenario, checkInvariants } = require('sales-pipelines/testing');
const fc = require('fast-check');
const { workspace } = applyWorkspace(emptyWorkspace(), { type: 'addLayout', layoutId: 'sales', name: 'Sales',
  stages: [{ id: 'new', name: 'New', probability: 10, outcome: 'open', forecastCategory: 'pipeline' }] }, { at: 0 });
if (workspace.layouts.length !== 1) throw new Error('CJS: addLayout did not apply');
if (!isPipelineError(new PipelineError('conflict', 'x'), 'conflict')) throw new Error('CJS: isPipelineError');
const [s] = fc.sample(arbScenario({ maxDeals: 3 }), 1);
if (checkInvariants(s.workspace, s.deals, { now: s.now }).length !== 0) throw new Error('CJS: arbScenario broke an invariant');
console.log('cjs ok');
JS

cat > dual.mjs <<'JS'
// One error class from the ESM copy, checked with the CJS copy's guard.
import { createRequire } from 'node:module';
import { PipelineError } from 'sales-pipelines';
const { isPipelineError } = createRequire(import.meta.url)('sales-pipelines');
if (!isPipelineError(new PipelineError('forbidden', 'x'), 'forbidden')) throw new Error('isPipelineError across ESM and CJS copies');
console.log('dual ok');
JS

node esm.mjs
node cjs.cjs
node dual.mjs

# With vitest: the contract suite from its own entry point, run by the host's vitest.
npm install --no-audit --no-fund --silent "vitest@$vitest" > /dev/null
cat > contract.test.mjs <<'JS'
import { createMemoryRepositories } from 'sales-pipelines';
import { describeRepositoryContract } from 'sales-pipelines/testing/vitest';
describeRepositoryContract('memory (from the tarball)', () => createMemoryRepositories());
JS
npx vitest run contract.test.mjs > vitest.log 2>&1 || { cat vitest.log; exit 1; }
sed 's/\x1b\[[0-9;]*m//g' vitest.log | grep -E 'Tests +[0-9]+ passed' || { cat vitest.log; exit 1; }
echo "vitest ok (sales-pipelines/testing/vitest)"
echo "consumer test passed ($tarball)"
