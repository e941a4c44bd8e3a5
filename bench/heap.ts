// Heap bytes per stored deal on the memory store, against the same deals parsed from JSON.
// Run with `node --expose-gc --import tsx bench/heap.ts` (part of `npm run bench`).
import { writeFileSync } from 'node:fs';
import { createMemoryRepositories, createPipelineService, type MemoryRepositories } from '../src/index.js';
import { LATER, makeDeals, ws } from './data.js';

const N = 100_000;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

function heap(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

// Each step runs in a function of its own, so that no temporary outlives it in a register.
function jsonText(): string {
  const text = JSON.stringify(makeDeals(N, 8));
  JSON.parse(text); // flattens the string, so that only the parsed deals are measured below
  return text;
}
const parse = (text: string) => JSON.parse(text) as unknown[];
const store = () => createMemoryRepositories({ workspace: ws, deals: makeDeals(N, 8) });
async function move(repos: MemoryRepositories): Promise<void> {
  const service = createPipelineService({ ...repos, clock: () => LATER });
  await service.bulkUpdate({ query: { pipelineId: 'new-cars' }, change: { type: 'moveToPipeline', pipelineId: 'used-cars', stageMap: { requirements: 'show-models' } }, mode: 'bestEffort', chunkSize: 5000 });
}

const text = jsonText();
let before = heap();
const parsed = parse(text);
const perParsed = (heap() - before) / N;

before = heap();
const repos = store();
const perStored = (heap() - before) / N;

// After a bulk move every deal is a new version sharing its older visits with the one it replaced.
before = heap();
await move(repos);
const perMove = (heap() - before) / N;

const result = { deals: N, visitsPerDeal: 8, bytesPerDealFromJson: Math.round(perParsed), bytesPerStoredDeal: Math.round(perStored), extraBytesPerDealAfterAMove: Math.round(perMove), goal: 2000 };
console.log(result, parsed.length);
writeFileSync('bench/heap.json', `${JSON.stringify(result, null, 2)}\n`);
