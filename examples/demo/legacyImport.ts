// The web shop's leads, kept in HubSpot before the dealer moved to this library: an export
// imported into a store with a progress bar, then re-synced after HubSpot moved a few deals on.
import { createMemoryRepositories, createPipelineService, type BulkProgress } from '../../src/index.js';
import { fromHubSpot, importInto, type HubSpotPayload } from '../../src/import.js';

const DAY = 86_400_000;
const STAGES = [
  { id: 'appointmentscheduled', label: 'Appointment scheduled', probability: '0.2', closed: false },
  { id: 'qualifiedtobuy', label: 'Qualified to buy', probability: '0.4', closed: false },
  { id: 'contractsent', label: 'Contract sent', probability: '0.9', closed: false },
  { id: 'closedwon', label: 'Closed won', probability: '1.0', closed: true },
  { id: 'closedlost', label: 'Closed lost', probability: '0.0', closed: true },
] as const;

const iso = (ms: number) => new Date(ms).toISOString();

/** HubSpot's answer for `count` deals created before `until`, each a few stages along (`extra`: deals moved on once more). */
export function hubspotExport(count: number, until: number, extra: ReadonlySet<number> = new Set()): HubSpotPayload {
  const pipeline = {
    id: 'default', label: 'Web shop leads', displayOrder: 0, archived: false, createdAt: iso(until - 400 * DAY), updatedAt: iso(until - 400 * DAY),
    stages: STAGES.map((s, i) => ({ id: s.id, label: s.label, displayOrder: i, archived: false, metadata: { isClosed: String(s.closed), probability: s.probability } })),
  };
  const results = Array.from({ length: count }, (_, n) => {
    const created = until - (60 - (n % 50)) * DAY;
    // Deal n went through the first (n % 4) + 1 stages a week apart; one in five ends lost.
    const path = STAGES.slice(0, Math.min(3, (n % 4) + 1)).map((s) => s.id as string);
    if (n % 4 === 3) path.push(n % 5 === 0 ? 'closedlost' : 'closedwon');
    if (extra.has(n) && path.length < 3) path.push(STAGES[path.length]!.id);
    const history = path.map((stage, i) => ({ value: stage, timestamp: iso(created + i * 7 * DAY), sourceType: 'CRM_UI' })).reverse();
    const modified = created + (path.length - 1) * 7 * DAY;
    return {
      id: `HS-${1000 + n}`,
      properties: {
        dealname: `Web lead ${1000 + n}`, dealstage: path[path.length - 1], pipeline: 'default', amount: String(15_000 + (n % 9) * 2_500),
        createdate: iso(created), hs_lastmodifieddate: iso(modified), deal_currency_code: 'EUR',
      },
      propertiesWithHistory: { dealstage: history, pipeline: [{ value: 'default', timestamp: iso(created), sourceType: 'CRM_UI' }] },
      createdAt: iso(created), updatedAt: iso(modified), archived: false,
    };
  });
  return { pipelines: { results: [pipeline] }, deals: { results } };
}

/** A text progress bar: `[#####.....]  20/40`. */
export function progressBar({ done, total }: BulkProgress, width = 20): string {
  const all = total ?? done;
  const filled = all === 0 ? width : Math.round((done / all) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(done).padStart(String(all).length)}/${all}`;
}

/**
 * Imports the export chunk by chunk (`onProgress` after each), then re-syncs a later export in
 * which HubSpot moved three deals on: returns what to tell.
 */
export async function importLegacy(now: number, onProgress: (p: BulkProgress) => void = () => {}): Promise<string[]> {
  const service = createPipelineService({ ...createMemoryRepositories(), clock: () => now });
  const first = await importInto(service, fromHubSpot(hubspotExport(40, now - 7 * DAY)), { mode: 'create', by: 'hubspot-import', chunkSize: 10, onProgress });
  const steps = [`Imported the web shop's HubSpot export: ${first.created.length} deals created, ${first.refused.length} refused, in chunks of 10`];
  const moved = new Set([0, 1, 4]);
  const later = await importInto(service, fromHubSpot(hubspotExport(40, now - 7 * DAY, moved)), { mode: 'upsert', by: 'hubspot-import', chunkSize: 10, onProgress });
  steps.push(`Re-synced HubSpot: ${later.updated.length} deals updated (${later.updated.join(', ')}), ${later.unchanged.length} unchanged, ${later.created.length} created`);
  return steps;
}
