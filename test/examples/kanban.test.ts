// The kanban example page, built with Vite and driven in Debian's Chromium through playwright-core,
// against its backend (examples/kanban/server.ts: a SQLite file served by sales-pipelines/http).
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page, type Route } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startKanbanServer, type KanbanServer } from '../../examples/kanban/server.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const config = join(import.meta.dirname, '../../examples/kanban/vite.config.ts');

describe.skipIf(!hasChromium)(`the kanban page in Chromium${hasChromium ? '' : ` (skipped: ${CHROMIUM} is missing; install Debian's chromium package)`}`, () => {
  let dir = '';
  let server: PreviewServer | undefined;
  let api: KanbanServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let url = '';
  const errors: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kanban-'));
    api = await startKanbanServer({ file: join(dir, 'kanban.db') });
    // The preview server proxies the page's /api to this backend.
    process.env['KANBAN_API'] = api.url;
    const outDir = join(dir, 'dist');
    await build({ configFile: config, logLevel: 'silent', build: { outDir, emptyOutDir: true } });
    server = await preview({ configFile: config, logLevel: 'silent', build: { outDir }, preview: { host: '127.0.0.1', port: 0, strictPort: true, open: false } });
    url = server.resolvedUrls?.local[0] ?? '';
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1360, height: 700 } });
    page.on('pageerror', (e) => errors.push(e.message));
    // A refused command is a 4xx answer, which Chromium logs as a failed resource load: expected.
    page.on('console', (m) => void (m.type() === 'error' && !/^Failed to load resource: the server responded with a status of 4\d\d/.test(m.text()) && errors.push(m.text())));
    page.setDefaultTimeout(10_000);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await api?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    // Every test starts from a freshly seeded store.
    await api!.reset();
    await page.goto(url);
    await page.waitForSelector('#app[data-ready="true"]');
  });

  afterEach(() => {
    // No test may leave an uncaught error or a console error behind.
    expect(errors.splice(0)).toEqual([]);
  });

  const column = (stageId: string) => page.locator(`.column[data-stage-id="${stageId}"]`);
  const card = (dealId: string) => page.locator(`.card[data-deal-id="${dealId}"]`);
  const cardIn = (stageId: string, dealId: string) => column(stageId).locator(`.card[data-deal-id="${dealId}"]`);

  async function startDrag(source: Locator): Promise<void> {
    const box = (await source.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + 12);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 10, box.y + 20, { steps: 4 });
  }

  async function dropOn(target: Locator): Promise<void> {
    const box = (await target.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 8 });
    await page.mouse.up();
  }

  it('shows the default pipeline as columns with count, totals per currency and median dwell', async () => {
    await expect(page.locator('[role="tab"][aria-selected="true"]').textContent()).resolves.toBe('New cars');
    await expect(page.locator('.column').count()).resolves.toBe(6);
    const head = column('requirements').locator('.column-head');
    await expect(head.locator('.count').textContent()).resolves.toBe('4 deals · 1 rotting');
    const totals = await head.locator('.totals li').allTextContents();
    expect(totals).toEqual(['€101,500 · weighted €10,150', '$52,000 · weighted $5,200']);
    await expect(head.locator('.dwell').textContent()).resolves.toMatch(/^median dwell: \d+(\.\d)? d$/);
    await expect(column('test-drive').locator('.count').textContent()).resolves.toBe('2 deals · 1 rotting');
  });

  it('shows the first deals of each column from service.board and pages on with service.listDeals', async () => {
    await page.goto(`${url}?perStage=2`);
    await page.waitForSelector('#app[data-ready="true"]');
    const requirements = column('requirements');
    await expect(requirements.locator('.card').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-deal-id')))).resolves.toEqual(['D-101', 'D-103']);
    await expect(requirements.locator('.count').textContent()).resolves.toBe('4 deals · 1 rotting');
    await requirements.getByRole('button', { name: 'Show 2 more of 2' }).click();
    await cardIn('requirements', 'D-106').waitFor();
    await expect(requirements.locator('.card').count()).resolves.toBe(4);
    await expect(requirements.locator('button.more').count()).resolves.toBe(0);
  });

  it('goes from card to card with the arrow keys', async () => {
    const focused = () => page.locator('.card:focus').getAttribute('data-deal-id');
    await card('D-101').focus();
    await page.keyboard.press('ArrowDown');
    await expect(focused()).resolves.toBe('D-103');
    await page.keyboard.press('ArrowRight');
    await expect(focused()).resolves.toBe('D-110');
    await page.keyboard.press('ArrowUp');
    await expect(focused()).resolves.toBe('D-102');
    await page.keyboard.press('ArrowLeft');
    await expect(focused()).resolves.toBe('D-101');
  });

  it('moves a focused card to the next stage with Shift + Arrow right', async () => {
    await card('D-101').focus();
    await page.keyboard.press('Shift+ArrowRight');
    await cardIn('test-drive', 'D-101').waitFor();
    await expect(page.locator('#status').textContent()).resolves.toBe('Moved “Family SUV · Becker” to Test drive & choose.');
    await expect(card('D-101').evaluate((el) => el.matches(':focus'))).resolves.toBe(true);
  });

  it('refuses a move made from a stale board and shows the deal as it is now', async () => {
    // A second user changes the deal after the board was drawn.
    const res = await fetch(`${api!.url}/api/deals/D-101/commands`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-user': 'bob' }, body: JSON.stringify({ type: 'updateDeal', patch: { amount: 35_000 } }),
    });
    expect(res.status).toBe(200);
    await card('D-101').focus();
    await page.keyboard.press('Shift+ArrowRight');
    const dialog = page.locator('dialog[open]');
    await expect(dialog.locator('h2').textContent()).resolves.toBe('“Family SUV · Becker” changed since the board was loaded');
    await expect(dialog.locator('p').textContent()).resolves.toContain('(conflict)');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect(cardIn('requirements', 'D-101').locator('.card-amount').textContent()).resolves.toBe('€35,000');
  });

  it('highlights the allowed columns while a card is dragged, and moves it on drop', async () => {
    await startDrag(card('D-110'));
    await page.waitForSelector('.column.drop-allowed');
    const allowed = await page.locator('.column.drop-allowed').evaluateAll((cols) => cols.map((c) => c.getAttribute('data-stage-id')));
    // allowSkip: false: the next stage, earlier stages, and lost (a reason comes with the move).
    expect(allowed).toEqual(['requirements', 'quote', 'lost']);
    await expect(column('negotiation').getAttribute('class')).resolves.toContain('drop-refused');
    await dropOn(column('quote'));
    await cardIn('quote', 'D-110').waitFor();
    await expect(page.locator('.column.drop-allowed').count()).resolves.toBe(0);
  });

  it('explains every rule a refused drop breaks and leaves the card where it was', async () => {
    await startDrag(card('D-103'));
    await dropOn(column('negotiation'));
    const dialog = page.locator('dialog[open]');
    await dialog.waitFor();
    await expect(dialog.locator('h2').textContent()).resolves.toBe('Cannot move “Estate · Lindqvist” to Negotiation');
    const codes = await dialog.locator('.violations li').evaluateAll((items) => items.map((li) => li.getAttribute('data-code')));
    expect(codes).toEqual(['skip_not_allowed', 'required_fields_missing']);
    await expect(dialog.locator('.violations').textContent()).resolves.toContain('stage negotiation of pipeline new-cars requires closingDate');
    await expect(dialog.locator('form').count()).resolves.toBe(0);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await page.waitForSelector('dialog', { state: 'detached' });
    await cardIn('requirements', 'D-103').waitFor();
  });

  it('asks for the missing required field, saves it and moves the card', async () => {
    await card('D-102').focus();
    await page.keyboard.press('Shift+ArrowRight');
    const dialog = page.locator('dialog[open]');
    await dialog.locator('#fix-amount').fill('21000');
    await dialog.getByRole('button', { name: 'Save and move' }).click();
    await cardIn('quote', 'D-102').waitFor();
    await expect(cardIn('quote', 'D-102').locator('.card-amount').textContent()).resolves.toBe('21,000');
    // One command: the field and the move at one version (created, test drive, quote).
    const deal = (await (await fetch(`${api!.url}/api/deals/D-102`)).json()) as { version: number; history: unknown[]; amount: number };
    expect(deal).toMatchObject({ version: 3, amount: 21_000 });
    expect(deal.history).toHaveLength(3);
  });

  it('shows the progress of a bulk move and cancels it between requests, keeping what was saved', async () => {
    await page.goto(`${url}?bulkChunk=1`);
    await page.waitForSelector('#app[data-ready="true"]');
    let held: Route | null = null;
    let holding = () => {};
    const reached = new Promise<void>((resolve) => (holding = resolve));
    let requests = 0;
    // The second request waits until Cancel was clicked: the first deal is saved, the second is on its way.
    await page.route('**/api/deals/bulk', async (route) => {
      if (++requests === 2) {
        held = route;
        holding();
      } else await route.continue();
    });
    for (const id of ['D-105', 'D-106', 'D-101']) await card(id).locator('input.select').check();
    await page.locator('#bulk-stage').selectOption('test-drive');
    await page.locator('#bulk-move').click();
    await reached;
    await expect(page.locator('#bulk-progress').evaluate((el) => (el as unknown as { value: number }).value)).resolves.toBe(1);
    await expect(page.locator('.progress-label').textContent()).resolves.toBe('1 of 3 deals');
    await page.locator('#bulk-cancel').click();
    await held!.continue();
    const dialog = page.locator('dialog[open]');
    await expect(dialog.locator('.cancelled').textContent()).resolves.toContain('1 of 3 deals were not moved');
    await expect(dialog.locator('.report-updated h3').textContent()).resolves.toBe('Updated: 2');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await page.unroute('**/api/deals/bulk');
    expect(requests).toBe(2);
    await cardIn('test-drive', 'D-105').waitFor();
    await cardIn('test-drive', 'D-106').waitFor();
    await cardIn('requirements', 'D-101').waitFor();
    // The deal the cancel left behind stays selected.
    await expect(page.locator('#selection-count').textContent()).resolves.toBe('1 selected');
  });

  it('asks for a lost reason when the move menu loses a deal, then moves it', async () => {
    await card('D-104').focus();
    await page.keyboard.press('Enter');
    const menu = page.locator('dialog.move-menu[open]');
    await expect(menu.locator('[data-stage-id="lost"] .menu-status').textContent()).resolves.toBe('needs details');
    await expect(menu.locator('[data-stage-id="quote"]').isDisabled()).resolves.toBe(true);
    await menu.locator('[data-stage-id="lost"]').click();
    const dialog = page.locator('dialog[open]');
    await expect(dialog.locator('.violations li').getAttribute('data-code')).resolves.toBe('lost_reason_required');
    await dialog.locator('#fix-lost-reason').fill('Price');
    await dialog.getByRole('button', { name: 'Save and move' }).click();
    await cardIn('lost', 'D-104').waitFor();
    await expect(cardIn('lost', 'D-104').locator('.card-lost').textContent()).resolves.toBe('Lost: Price');
  });

  it('mass-moves two selected cards with a bulk update and shows the report', async () => {
    await card('D-105').locator('input.select').check();
    await card('D-106').focus();
    await page.keyboard.press(' ');
    await expect(page.locator('#selection-count').textContent()).resolves.toBe('2 selected');
    await page.locator('#bulk-stage').selectOption('test-drive');
    await page.locator('#bulk-move').click();
    const report = page.locator('dialog[open] .report');
    await expect(report.locator('.report-updated h3').textContent()).resolves.toBe('Updated: 2');
    await expect(report.locator('.report-rejected h3').textContent()).resolves.toBe('Refused: 0');
    await page.locator('dialog[open]').getByRole('button', { name: 'Close' }).click();
    await cardIn('test-drive', 'D-105').waitFor();
    await cardIn('test-drive', 'D-106').waitFor();
    await expect(page.locator('.toolbar').isHidden()).resolves.toBe(true);
  });

  it('reports an all-or-nothing bulk move that one refusal stopped, and saves nothing', async () => {
    await card('D-105').locator('input.select').check();
    await card('D-110').locator('input.select').check();
    await page.locator('#bulk-stage').selectOption('quote');
    await page.locator('#bulk-mode').selectOption('atomic');
    await page.locator('#bulk-move').click();
    const dialog = page.locator('dialog[open]');
    await expect(dialog.locator('.aborted').textContent()).resolves.toContain('Nothing was saved');
    await expect(dialog.locator('.report-rejected li').textContent()).resolves.toContain('(transition_not_allowed)');
    await expect(dialog.locator('.report-updated h3').textContent()).resolves.toBe('Updated: 0');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await cardIn('test-drive', 'D-110').waitFor();
    await cardIn('requirements', 'D-105').waitFor();
    // The refused deal stays selected, to be fixed and moved again.
    await expect(page.locator('#selection-count').textContent()).resolves.toBe('1 selected');
  });

  it('moves a card to another pipeline with the suggested stage map, and switches pipeline and layout', async () => {
    await card('D-111').locator('.card-move').click();
    await page.locator('dialog.move-menu[open]').getByRole('button', { name: 'Move to another pipeline…' }).click();
    const dialog = page.locator('dialog[open]');
    await dialog.locator('#target-pipeline').selectOption('used-cars');
    await expect(dialog.locator('select[data-from="quote"]').inputValue()).resolves.toBe('quote');
    await dialog.getByRole('button', { name: 'Move' }).click();
    await page.waitForSelector('dialog', { state: 'detached' });
    // The dialog closes before the move is saved and the board reloaded: wait for the card to leave.
    await card('D-111').waitFor({ state: 'detached' });
    await expect(card('D-111').count()).resolves.toBe(0);
    await page.locator('[role="tab"][data-pipeline-id="used-cars"]').click();
    await cardIn('quote', 'D-111').waitFor();
    await expect(page.locator('[role="tab"][aria-selected="true"]').textContent()).resolves.toBe('Used cars');
    await page.locator('#layout').selectOption('service');
    await cardIn('billing', 'D-304').waitFor();
    await expect(page.locator('[role="tab"][aria-selected="true"]').textContent()).resolves.toBe('Repair service');
  });

  it('saves a screenshot of a drag in progress with two cards selected', async () => {
    await card('D-105').locator('input.select').check();
    await card('D-106').locator('input.select').check();
    await card('D-107').focus();
    await startDrag(card('D-110'));
    await page.waitForSelector('.column.drop-allowed');
    await page.mouse.move(0, 0);
    const file = process.env['KANBAN_SCREENSHOT'] ?? join(dir, 'kanban.png');
    await page.screenshot({ path: file, fullPage: true });
    await page.mouse.up();
    expect((await stat(file)).size).toBeGreaterThan(10_000);
  });
});
