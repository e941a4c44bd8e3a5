// Peak and retained memory of the importers above the parsed payload, against the hand-written
// importers, on 100k deals; and the peak of the streaming importers, page by page.
// Run with `node --expose-gc --import tsx bench/importHeap.ts` (part of `npm run bench`): each
// measure runs in a fresh process, as peak RSS is per process.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fromHubSpot, fromPipedrive, fromSalesforce, fromZoho, streamHubSpot, streamPipedrive } from '../src/import.js';
import { handHubSpot, handPipedrive } from './importBaselines.js';
import { hubDeals, hubPipelines, pdConfig, pdDeals } from './importData.js';
import { handSalesforce, handZoho } from './importBaselinesCrm.js';
import { salesforcePayload, ZOHO_LAYOUT, zohoPayload } from './importDataCrm.js';

const FULL = 100_000;
let N = FULL;
const PAGE = 1000;
type Measure = 'library' | 'baseline' | 'stream';

async function child(vendor: string, measure: Measure, count: number): Promise<void> {
  N = count;
  const gc = (globalThis as { gc?: () => void }).gc!;
  const settle = (): void => (gc(), gc());
  const hub = vendor === 'hubspot';
  if (vendor === 'salesforce' || vendor === 'zoho') return crmChild(vendor, measure === 'library', count, settle);
  // The payload (for the stream, only the configuration) is in memory before the import starts.
  const payload = measure === 'stream' ? null : hub ? { pipelines: hubPipelines, deals: hubDeals(N) } : { ...pdConfig, ...pdDeals(N) };
  settle();
  const before = process.memoryUsage();
  const peakBefore = process.resourceUsage().maxRSS * 1024;
  let result: unknown;
  if (measure === 'stream') {
    let count = 0;
    const pages = function* () {
      for (let i = 0; i < N / PAGE; i++) {
        if (hub) yield { results: hubDeals(PAGE).map((d, k) => ({ ...(d as object), id: String(i * PAGE + k) })) };
        else {
          const { deals, flows } = pdDeals(PAGE);
          yield { deals: deals.map((d) => ({ ...(d as object), id: i * PAGE + (d as { id: number }).id })), flows: Object.fromEntries(Object.entries(flows).map(([k, f]) => [String(i * PAGE + Number(k)), f])) };
        }
      }
    };
    const batches = hub ? streamHubSpot({ pipelines: hubPipelines }, pages()) : streamPipedrive(pdConfig, pages());
    for await (const b of batches) count += b.deals.length; // each batch is stored and dropped
    result = count;
  } else if (measure === 'library') result = hub ? fromHubSpot(payload as never) : fromPipedrive(payload as never);
  else result = hub ? handHubSpot(payload as never) : handPipedrive(payload as never);
  const peak = process.resourceUsage().maxRSS * 1024;
  settle();
  const after = process.memoryUsage();
  console.log(JSON.stringify({ peakAboveBytes: Math.max(0, peak - Math.max(before.rss, peakBefore)), retainedBytes: after.heapUsed - before.heapUsed, held: result !== null }));
}

/** Salesforce and Zoho: the one-shot importer against the hand-written one (their streams are checked by tests). */
function crmChild(vendor: 'salesforce' | 'zoho', library: boolean, count: number, settle: () => void): void {
  const payload = vendor === 'salesforce' ? salesforcePayload(count, 8) : zohoPayload(count, 8);
  settle();
  const before = process.memoryUsage();
  const peakBefore = process.resourceUsage().maxRSS * 1024;
  const result = vendor === 'salesforce'
    ? (library ? fromSalesforce(payload as never) : handSalesforce(payload as never))
    : (library ? fromZoho(payload as never) : handZoho(payload as never, ZOHO_LAYOUT));
  const peak = process.resourceUsage().maxRSS * 1024;
  settle();
  const after = process.memoryUsage();
  console.log(JSON.stringify({ peakAboveBytes: Math.max(0, peak - Math.max(before.rss, peakBefore)), retainedBytes: after.heapUsed - before.heapUsed, held: result !== null }));
}

function run(vendor: string, measure: Measure, count = FULL): { peakAboveBytes: number; retainedBytes: number } {
  const out = execFileSync(process.execPath, ['--expose-gc', '--max-old-space-size=8192', '--import', 'tsx', fileURLToPath(import.meta.url), 'child', vendor, measure, String(count)], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!) as { peakAboveBytes: number; retainedBytes: number };
}

if (process.argv[2] === 'child') await child(process.argv[3]!, process.argv[4] as Measure, Number(process.argv[5]));
else {
  const mb = (b: number): number => Math.round(b / 2 ** 20);
  const result: Record<string, unknown> = { deals: FULL, page: PAGE, goal: 2 };
  for (const vendor of ['hubspot', 'pipedrive']) {
    const lib = run(vendor, 'library');
    const base = run(vendor, 'baseline');
    const stream = run(vendor, 'stream');
    // Bounded by a page: a stream of a fifth as many deals peaks about as high.
    const small = run(vendor, 'stream', FULL / 5);
    result[vendor] = {
      peakAboveMB: { library: mb(lib.peakAboveBytes), baseline: mb(base.peakAboveBytes), ratio: +(lib.peakAboveBytes / base.peakAboveBytes).toFixed(2) },
      retainedMB: { library: mb(lib.retainedBytes), baseline: mb(base.retainedBytes), ratio: +(lib.retainedBytes / base.retainedBytes).toFixed(2) },
      streamPeakAboveMB: { [`${FULL / 1000}k deals`]: mb(stream.peakAboveBytes), [`${FULL / 5000}k deals`]: mb(small.peakAboveBytes) },
    };
    console.log(vendor, JSON.stringify(result[vendor]));
  }
  for (const vendor of ['salesforce', 'zoho']) {
    const lib = run(vendor, 'library');
    const base = run(vendor, 'baseline');
    result[vendor] = {
      peakAboveMB: { library: mb(lib.peakAboveBytes), baseline: mb(base.peakAboveBytes), ratio: +(lib.peakAboveBytes / base.peakAboveBytes).toFixed(2) },
      retainedMB: { library: mb(lib.retainedBytes), baseline: mb(base.retainedBytes), ratio: +(lib.retainedBytes / base.retainedBytes).toFixed(2) },
    };
    console.log(vendor, JSON.stringify(result[vendor]));
  }
  writeFileSync('bench/importHeap.json', `${JSON.stringify(result, null, 2)}\n`);
}
