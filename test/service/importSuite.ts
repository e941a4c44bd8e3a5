import { describe, expect, it } from 'vitest';
import { applyDeal, configurationOf, createPipelineService, isPipelineError, type Deal, type DealEvent, type Repositories } from '../../src/index.js';
import { fromHubSpot, fromPipedrive, importInto, type ImportResult } from '../../src/import.js';
import { hubspotExport } from '../../examples/demo/legacyImport.js';
import { fixture } from '../import/helpers.js';
import { allDeals } from './helpers.js';

const NOW = Date.parse('2026-12-01T00:00:00Z');
const LATER = NOW + 86_400_000;

export const pipedriveResult = (): ImportResult => fromPipedrive(fixture('pipedrive.json') as never);

/** The result as the vendor has it a day later: deal 103 won, deal 102's name changed. */
export function changedResult(r: ImportResult): ImportResult {
  const deals = r.deals.map((d) => {
    if (d.id === '103') return applyDeal(r.workspace, d, { type: 'closeDeal', outcome: 'won', bypassRules: true }, { at: LATER, by: 'vendor' }).deal;
    if (d.id === '102') return applyDeal(r.workspace, d, { type: 'updateDeal', patch: { name: 'Renamed at the vendor', amount: 4321 } }, { at: LATER, by: 'vendor' }).deal;
    return d;
  });
  return { ...r, deals };
}

/** What a deal holds apart from its bookkeeping (version, updatedAt). */
export const data = ({ version: _v, updatedAt: _u, ...rest }: Deal) => rest;

/** A service over `repos` with an outbox-delivered event log and a fixed clock. */
async function serviceOver(repos: Repositories) {
  const events: DealEvent[] = [];
  const service = createPipelineService({ ...repos, clock: () => NOW, onEvents: (e) => void events.push(...(e.filter((x) => x.type.startsWith('deal')) as DealEvent[])) });
  const delivered = async () => {
    await service.idle();
    await service.deliverPending();
    return events.splice(0);
  };
  return { service, delivered };
}

/** The rules of importInto, run against one store. */
export function importSuite(name: string, makeRepos: () => Promise<Repositories>): void {
  describe(`importInto (${name})`, () => {
    it('creates the configuration and the deals with their vendor history, one dealCreated each', async () => {
      const repos = await makeRepos();
      const { service, delivered } = await serviceOver(repos);
      const result = pipedriveResult();
      const report = await importInto(service, result, { mode: 'create', by: 'sync' });
      expect(report).toEqual({ created: ['101', '102', '103', '1'], updated: [], unchanged: [], refused: [] });
      expect(configurationOf(await service.getWorkspace())).toEqual(configurationOf(result.workspace));
      const stored = await allDeals(repos);
      expect(stored.sort((a, b) => a.id.localeCompare(b.id))).toEqual([...result.deals].sort((a, b) => a.id.localeCompare(b.id)));
      const events = await delivered();
      expect(events.map((e) => [e.type, e.dealId, e.version, e.by])).toEqual(result.deals.map((d) => ['dealCreated', d.id, d.version, 'sync']));
    });

    it('refuses ids that exist in create mode, and reconciles the configuration instead of duplicating it', async () => {
      const { service } = await serviceOver(await makeRepos());
      await importInto(service, pipedriveResult(), { mode: 'create' });
      const version = (await service.getWorkspace()).version;
      const again = await importInto(service, pipedriveResult(), { mode: 'create' });
      expect(again.created).toEqual([]);
      expect(again.refused.map((r) => [r.dealId, r.code])).toEqual([['101', 'duplicate_id'], ['102', 'duplicate_id'], ['103', 'duplicate_id'], ['1', 'duplicate_id']]);
      expect((await service.getWorkspace()).version).toBe(version);
    });

    it('reports every deal unchanged when the same result is upserted again: no new version, no event', async () => {
      const repos = await makeRepos();
      const { service, delivered } = await serviceOver(repos);
      expect((await importInto(service, pipedriveResult(), { mode: 'upsert' })).created).toHaveLength(4);
      await delivered();
      const before = await allDeals(repos);
      const report = await importInto(service, pipedriveResult(), { mode: 'upsert' });
      expect(report).toEqual({ created: [], updated: [], unchanged: ['101', '102', '103', '1'], refused: [] });
      expect(await allDeals(repos)).toEqual(before);
      expect(await delivered()).toEqual([]);
    });

    it('appends the vendor\'s new history to a changed deal with one new version and its events, leaving the rest alone', async () => {
      const repos = await makeRepos();
      const { service, delivered } = await serviceOver(repos);
      await importInto(service, pipedriveResult(), { mode: 'create' });
      await delivered();
      const old103 = (await service.getDeal('103'))!;
      const changed = changedResult(pipedriveResult());
      const report = await importInto(service, changed, { mode: 'upsert', by: 'sync' });
      expect(report).toEqual({ created: [], updated: ['102', '103'], unchanged: ['101', '1'], refused: [] });
      const vendor103 = changed.deals.find((d) => d.id === '103')!;
      const new103 = (await service.getDeal('103'))!;
      expect(data(new103)).toEqual(data(vendor103));
      expect(new103.version).toBe(old103.version + 1);
      expect(new103.history.slice(0, old103.history.length - 1)).toEqual(old103.history.slice(0, -1));
      const events = await delivered();
      expect(events.map((e) => [e.dealId, e.type, e.version])).toEqual([
        ['102', 'dealUpdated', 3], ['103', 'dealStageChanged', old103.version + 1],
      ]);
      expect(events[0]).toMatchObject({ changes: { name: 'Renamed at the vendor', amount: 4321 }, by: 'sync' });
      expect(events[1]).toMatchObject({ reason: 'closeDeal', from: { stageId: '3' }, to: { stageId: 'won', outcome: 'won' } });
      expect((await importInto(service, changed, { mode: 'upsert' })).unchanged).toHaveLength(4);
    });

    it('refuses with conflict a deal whose stored history the vendor rewrote, keeping the stored deal', async () => {
      const { service } = await serviceOver(await makeRepos());
      await importInto(service, pipedriveResult(), { mode: 'create' });
      const before = await service.getDeal('101');
      const r = pipedriveResult();
      const rewritten = r.deals.map((d) => (d.id === '101' ? { ...d, history: d.history.map((v, i) => (i === 0 ? { ...v, by: 'someone-else' } : v)) } : d));
      const report = await importInto(service, { ...r, deals: rewritten }, { mode: 'upsert' });
      expect(report.refused).toEqual([{ dealId: '101', code: 'conflict', message: expect.stringContaining('visit 0 differs') }]);
      expect(report.unchanged).toEqual(['102', '103', '1']);
      expect(await service.getDeal('101')).toEqual(before);
    });

    it('refuses with conflict a deal that changed here since it was imported', async () => {
      const { service } = await serviceOver(await makeRepos());
      await importInto(service, pipedriveResult(), { mode: 'create' });
      const here = await service.dispatch('1', { type: 'closeDeal', outcome: 'won' });
      const report = await importInto(service, changedResult(pipedriveResult()), { mode: 'upsert' });
      expect(report).toMatchObject({ updated: ['102', '103'], unchanged: ['101'] });
      expect(report.refused).toEqual([{ dealId: '1', code: 'conflict', message: expect.stringContaining('the store holds 3 visits, the vendor 2') }]);
      expect(await service.getDeal('1')).toEqual(here);
    });

    it('refuses a deal that breaks an invariant on its own and saves the others', async () => {
      const repos = await makeRepos();
      const { service } = await serviceOver(repos);
      const r = pipedriveResult();
      const deals = r.deals.map((d) => (d.id === '102' ? { ...d, stageId: 'nowhere' } : d.id === '1' ? { ...d, amount: 'lots' as never } : d));
      const report = await importInto(service, { ...r, deals: [...deals, deals[0]!] }, { mode: 'create' });
      expect(report.created).toEqual(['101', '103']);
      expect(report.refused.map((x) => [x.dealId, x.code])).toEqual([['101', 'duplicate_id'], ['102', 'invalid_input'], ['1', 'invalid_input']]);
      expect(report.refused[1]!.message).toContain('nowhere');
      expect(report.refused[2]!.message).toContain('deals[3].amount');
      expect((await allDeals(repos)).map((d) => d.id).sort()).toEqual(['101', '103']);
    });

    it('tells onProgress after each chunk and stops between chunks when aborted; running it again finishes', async () => {
      const { service } = await serviceOver(await makeRepos());
      const controller = new AbortController();
      const seen: { done: number; total: number | null }[] = [];
      const report = await importInto(service, pipedriveResult(), {
        mode: 'upsert', chunkSize: 1, signal: controller.signal,
        onProgress: (p) => {
          seen.push(p);
          if (p.done === 2) controller.abort();
        },
      });
      expect(report).toEqual({ created: ['101', '102'], updated: [], unchanged: [], refused: [], cancelled: true });
      expect(seen).toEqual([{ done: 1, total: 4 }, { done: 2, total: 4 }]);
      expect(await service.getDeal('103')).toBeNull();
      const rest = await importInto(service, pipedriveResult(), { mode: 'upsert', chunkSize: 3, onProgress: (p) => seen.push(p) });
      expect(rest).toEqual({ created: ['103', '1'], updated: [], unchanged: ['101', '102'], refused: [] });
      expect(seen.slice(2)).toEqual([{ done: 3, total: 4 }, { done: 4, total: 4 }]);
    });

    it('imports a layout whose only pipeline is the standard one, and re-syncs it', async () => {
      const { service } = await serviceOver(await makeRepos());
      const at = Date.parse('2026-06-01T00:00:00Z');
      const result = fromHubSpot(hubspotExport(6, at));
      expect(result.workspace.layouts[0]!.pipelines.map((p) => p.id)).toEqual(['default']);
      expect((await importInto(service, result, { mode: 'upsert' })).created).toHaveLength(6);
      expect(configurationOf(await service.getWorkspace())).toEqual(configurationOf(result.workspace));
      const report = await importInto(service, fromHubSpot(hubspotExport(6, at, new Set([0]))), { mode: 'upsert' });
      expect(report).toMatchObject({ updated: ['HS-1000'], unchanged: ['HS-1001', 'HS-1002', 'HS-1003', 'HS-1004', 'HS-1005'], refused: [] });
    });

    it('changes nothing for a signal aborted before the call or an unknown mode', async () => {
      const { service } = await serviceOver(await makeRepos());
      expect(await importInto(service, pipedriveResult(), { mode: 'create', signal: AbortSignal.abort() })).toEqual({ created: [], updated: [], unchanged: [], refused: [], cancelled: true });
      const e = await importInto(service, pipedriveResult(), { mode: 'merge' } as never).catch((x: unknown) => x);
      expect(isPipelineError(e, 'invalid_input') && e.details).toMatchObject({ path: 'options.mode' });
      expect((await service.getWorkspace()).version).toBe(0);
    });
  });
}
