import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { guideFiles, guidesProgram, readmeProgram } from './helpers/readme.js';

const root = join(import.meta.dirname, '..');

describe('README', () => {
  it('shows the two commands a newcomer types on its first screen', () => {
    const first = readFileSync(join(root, 'README.md'), 'utf8').split('\n').slice(0, 15).join('\n');
    expect(first).toContain('npm ci && npm run demo');
    expect(first).toContain('npm ci && npm test');
  });

  it('links every guide under docs/, and each guide exists', () => {
    const files = guideFiles();
    expect(files.length).toBeGreaterThanOrEqual(10);
    for (const file of files) expect(readFileSync(join(root, file), 'utf8')).toMatch(/^# /);
  });

  it("runs the README's first program", () => {
    const dir = join(root, 'node_modules/.readme');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'readme.mts');
    writeFileSync(file, readmeProgram());
    const output = execFileSync(process.execPath, ['--import', 'tsx', file], { cwd: root, encoding: 'utf8' });
    expect(output).toContain('lost_reason_required');
    expect(output).toContain("[ 'Lead 0', 'Quote 1', 'Won 0', 'Lost 0' ]");
    expect(output).toContain('1 240000 144000');
  }, 60_000);

  it("runs every ts snippet of the guides, in the README's order, as one program", () => {
    const dir = join(root, 'node_modules/.readme');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'guides.mts');
    writeFileSync(file, guidesProgram());
    const output = execFileSync(process.execPath, ['--import', 'tsx', file], { cwd: root, encoding: 'utf8' });
    expect(output).toContain("[ 'sales:standard', 'new-cars', 'used-cars' ]");
    expect(output).toContain("[ 'skip_not_allowed', 'required_fields_missing' ]");
    expect(output).toContain("[ 'b1', 'b2', 'b3' ]");
    expect(output).toContain("{ updated: [ 's1' ], rejected: [], unchanged: [] }");
    expect(output).toContain('dealStageChanged lost 5');
    expect(output).toContain('sales 1');
    expect(output).toContain("1 [ 'workspace/1/0' ]");
    expect(output).toContain("[ 'Closed lost', 1, 30000, 0 ]");
    expect(output).toContain('true 1');
    expect(output).toContain("[ 'deletePipeline', 'removeStage' ] 0");
    expect(output).toContain('invariants hold');
    expect(output).toContain("tail 2 [ 'quote' ]");
    expect(output).toContain("[ 'requirements', 'test-drive', 'quote', 'test-drive' ]");
    expect(output).toContain('layout nope does not exist');
    expect(output).toContain('hs cumulative 1904400000');
    expect(output).toContain("[ [ '1', 2, 1 ], [ '2', 1, 1 ], [ 'won', 1, 1 ], [ 'lost', 0, 0 ] ]");
    expect(output).toContain("'appointmentscheduled 2024-03-01',\n  'qualifiedtobuy 2024-03-04',\n  'appointmentscheduled 2024-03-08',\n  'closedwon 2024-03-10'");
    expect(output).toContain('USD []');
    expect(output).toContain('9 2024-05-01T08:00:00.000Z');
    expect(output).toContain("[ 'c2' ] [ 'c1' ] 1");
    expect(output).toContain("[ 'c1', 'ann', 30000 ]\n123000");
    expect(output).toContain("3 1 [ { from: 'requirements', to: 'test-drive', count: 1 } ]\n[ [ 'requirements', 3, 5 ], [ 'test-drive', 1, 5 ] ]");
    expect(output).toContain("parked workspace/1/0 1\n[ [ 'workspace/1/0', 'schema not registered' ] ]\n1\n0 1");
    expect(output).toContain("null [ 'c1', 'c2' ]");
  }, 60_000);
});
