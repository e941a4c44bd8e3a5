// The kanban page: pipelines of a layout as boards, cards moved by drag and drop or keyboard,
// refusals explained, moves to other pipelines, and bulk moves of selected cards, all through
// the backend's HTTP API.
import { isPipelineError, stageOptions, type BulkChangeInput, type Deal, type DealCommandInput, type Workspace } from 'sales-pipelines';
import type { HttpClient } from 'sales-pipelines/http';
import { findPipeline, loadBoard, type BoardView } from './board.js';
import { renderColumn, type CardHandlers } from './columns.js';
import { errorDialog, moveMenu, progressDialog, refusalDialog, reportDialog, stageMapDialog } from './dialogs.js';
import { h } from './dom.js';
import { violationsOf } from './explain.js';

/** Who acts on this page (a real host takes it from its session). */
export const USER = 'ann';

/** How the page loads: deals per column at first, deals per request of a bulk move. */
export interface KanbanOptions {
  readonly perStage: number;
  readonly bulkChunk: number;
}

type MoveCommand = Extract<DealCommandInput, { type: 'moveToStage' | 'moveToPipeline' }>;

/** Renders the page into `root` and keeps it in step with the backend through `service`, the HTTP client. */
export async function startKanban(root: HTMLElement, service: HttpClient, { perStage, bulkChunk }: KanbanOptions): Promise<void> {
  const now = () => Date.now();
  let ws: Workspace = await service.getWorkspace();
  let pipelineId = ws.layouts[0]?.defaultPipelineId ?? '';
  let board: BoardView;
  let focusId: string | null = null;
  let bulkStage = '';
  let bulkMode: 'bestEffort' | 'atomic' = 'bestEffort';
  const selected = new Set<string>();
  /** Deals shown beyond `perStage`, per stage, after "Show more". */
  const more = new Map<string, number>();

  const nav = h('nav', { class: 'switcher', 'aria-label': 'Pipelines' });
  const toolbar = h('div', { class: 'toolbar', role: 'region', 'aria-label': 'Selected deals' });
  const status = h('p', { id: 'status', class: 'status', role: 'status', 'aria-live': 'polite' });
  const columns = h('div', { class: 'board', id: 'board' });
  root.replaceChildren(
    h('header', { class: 'top' }, h('h1', {}, 'Deals'), nav),
    toolbar,
    status,
    columns,
    h(
      'p',
      { id: 'card-help', class: 'help' },
      'Keyboard: arrow keys go from card to card; Shift + ←/→ moves the card one stage; Enter opens the move menu; Space selects the card for a bulk move.',
    ),
  );

  const say = (text: string) => void (status.textContent = text);
  const dealById = (id: string): Deal | undefined => board.columns.flatMap((c) => c.deals).find((d) => d.id === id);
  const stageName = (stageId: string) => board.columns.find((c) => c.stage.id === stageId)?.stage.name ?? stageId;

  async function refresh(): Promise<void> {
    ws = await service.getWorkspace();
    board = await loadBoard(service, ws, pipelineId, { perStage, more, now: now() });
    for (const id of selected) if (!dealById(id)) selected.delete(id);
    render();
  }

  function render(): void {
    renderNav();
    renderToolbar();
    const view = { board, selected, perStage, now: now() };
    columns.replaceChildren(...board.columns.map((column) => renderColumn(column, view, handlers)));
    columns.setAttribute('aria-label', `${board.pipeline.name} board`);
    const card = focusId === null ? null : columns.querySelector<HTMLElement>(`[data-deal-id="${CSS.escape(focusId)}"]`);
    card?.focus();
  }

  function renderNav(): void {
    const layoutSelect = h(
      'select',
      { id: 'layout', 'aria-label': 'Layout', onchange: () => void switchTo(ws.layouts.find((l) => l.id === layoutSelect.value)?.defaultPipelineId ?? pipelineId) },
      ws.layouts.map((l) => h('option', { value: l.id, selected: l.id === board.layout.id }, l.name)),
    );
    nav.replaceChildren(
      layoutSelect,
      h(
        'div',
        { role: 'tablist', 'aria-label': `${board.layout.name} pipelines` },
        board.layout.pipelines.map((p) =>
          h('button', { type: 'button', role: 'tab', 'aria-selected': String(p.id === pipelineId), 'data-pipeline-id': p.id, onclick: () => void switchTo(p.id) }, p.name),
        ),
      ),
    );
  }

  async function switchTo(id: string): Promise<void> {
    pipelineId = id;
    selected.clear();
    more.clear();
    focusId = null;
    await refresh();
    say(`Showing ${board.pipeline.name}.`);
  }

  function renderToolbar(): void {
    toolbar.hidden = selected.size === 0;
    if (selected.size === 0) return toolbar.replaceChildren();
    if (!board.columns.some((c) => c.stage.id === bulkStage)) bulkStage = board.columns[0]?.stage.id ?? '';
    const lost = board.columns.find((c) => c.stage.id === bulkStage)?.stage.outcome === 'lost';
    const reason = h('input', { id: 'bulk-reason', placeholder: 'Lost reason', 'aria-label': 'Lost reason', maxlength: 1000 });
    const stageSelect = h(
      'select',
      { id: 'bulk-stage', 'aria-label': 'Target stage', onchange: () => ((bulkStage = stageSelect.value), renderToolbar()) },
      board.columns.map((c) => h('option', { value: c.stage.id, selected: c.stage.id === bulkStage }, c.stage.name)),
    );
    const modeSelect = h(
      'select',
      { id: 'bulk-mode', 'aria-label': 'Mode', onchange: () => void (bulkMode = modeSelect.value === 'atomic' ? 'atomic' : 'bestEffort') },
      h('option', { value: 'bestEffort', selected: bulkMode === 'bestEffort' }, 'each deal on its own'),
      h('option', { value: 'atomic', selected: bulkMode === 'atomic' }, 'all or nothing'),
    );
    const moveToStage = () => {
      const change: BulkChangeInput = lost && reason.value.trim() ? { type: 'moveToStage', stageId: bulkStage, lostReason: reason.value.trim() } : { type: 'moveToStage', stageId: bulkStage };
      void bulk(change, `move to ${stageName(bulkStage)}`);
    };
    toolbar.replaceChildren(
      h('strong', { id: 'selection-count' }, `${selected.size} selected`),
      h('label', { for: 'bulk-stage' }, 'Move to'),
      stageSelect,
      ...(lost ? [reason] : []),
      modeSelect,
      h('button', { type: 'button', id: 'bulk-move', onclick: moveToStage }, 'Move selected'),
      h('button', { type: 'button', class: 'secondary', id: 'bulk-pipeline', onclick: () => void bulkToPipeline() }, 'Move to pipeline…'),
      h('button', { type: 'button', class: 'secondary', onclick: () => (selected.clear(), render()) }, 'Clear selection'),
    );
  }

  const handlers: CardHandlers = {
    dragStart: highlight,
    dragEnd: clearHighlight,
    drop: (dealId, stage) => {
      clearHighlight();
      const deal = dealById(dealId);
      if (deal && deal.stageId !== stage.id) void move(dealId, { type: 'moveToStage', stageId: stage.id }, stage.name);
    },
    key: (e, deal, card) => void onCardKey(e, deal, card),
    toggle,
    menu: (dealId) => void openMenu(dealId),
    showMore: (stageId) => void showMore(stageId),
  };

  async function showMore(stageId: string): Promise<void> {
    more.set(stageId, (more.get(stageId) ?? 0) + perStage);
    focusId = null;
    await refresh();
  }

  function toggle(id: string): void {
    if (selected.has(id)) selected.delete(id);
    else selected.add(id);
    focusId = id;
    render();
  }

  /**
   * Marks the columns a deal may move to now, before it is dropped: the stages `stageOptions`
   * allows, and lost stages that only need a reason (the drop asks for it).
   */
  function highlight(deal: Deal): void {
    const allowed = new Set(
      stageOptions(ws, deal)
        .filter((o) => o.stageId !== deal.stageId)
        .filter((o) => o.allowed || (o.needs.lostReason && o.needs.fields.length === 0 && o.violations.every((v) => v.needs !== undefined)))
        .map((o) => o.stageId),
    );
    for (const col of columns.querySelectorAll<HTMLElement>('.column')) {
      const id = col.dataset['stageId'] ?? '';
      col.classList.toggle('drop-origin', id === deal.stageId);
      col.classList.toggle('drop-allowed', allowed.has(id));
      col.classList.toggle('drop-refused', id !== deal.stageId && !allowed.has(id));
    }
    say(`Moving “${deal.name}”: allowed to ${[...allowed].map(stageName).join(', ') || 'no stage'}.`);
  }

  function clearHighlight(): void {
    for (const col of columns.querySelectorAll('.column')) col.classList.remove('drop-origin', 'drop-allowed', 'drop-refused', 'drop-hover');
  }

  async function onCardKey(e: KeyboardEvent, deal: Deal, card: HTMLElement): Promise<void> {
    if (e.target !== card) return;
    const index = board.columns.findIndex((c) => c.stage.id === deal.stageId);
    if (e.key === ' ') {
      e.preventDefault();
      toggle(deal.id);
    } else if (e.key === 'Enter' || e.key === 'm') {
      e.preventDefault();
      await openMenu(deal.id);
    } else if (e.shiftKey && (e.key === 'ArrowRight' || e.key === 'ArrowLeft')) {
      e.preventDefault();
      const target = board.columns[index + (e.key === 'ArrowRight' ? 1 : -1)];
      if (target) await move(deal.id, { type: 'moveToStage', stageId: target.stage.id }, target.stage.name);
    } else if (e.key.startsWith('Arrow')) {
      e.preventDefault();
      focusNeighbour(card, e.key);
    }
  }

  function focusNeighbour(card: HTMLElement, key: string): void {
    const cols = [...columns.querySelectorAll<HTMLElement>('.column')].map((c) => [...c.querySelectorAll<HTMLElement>('.card')]);
    const col = cols.findIndex((c) => c.includes(card));
    const row = cols[col]?.indexOf(card) ?? 0;
    let next: HTMLElement | undefined;
    if (key === 'ArrowUp') next = cols[col]?.[row - 1];
    else if (key === 'ArrowDown') next = cols[col]?.[row + 1];
    else {
      const step = key === 'ArrowRight' ? 1 : -1;
      for (let c = col + step; c >= 0 && c < cols.length && !next; c += step) {
        const cards = cols[c]!;
        next = cards[Math.min(row, cards.length - 1)];
      }
    }
    next?.focus();
  }

  async function openMenu(dealId: string): Promise<void> {
    const deal = await service.getDeal(dealId);
    if (!deal) return;
    focusId = dealId;
    highlight(deal);
    const choice = await moveMenu(ws, deal);
    clearHighlight();
    if (choice?.kind === 'stage') await move(dealId, { type: 'moveToStage', stageId: choice.stageId }, stageName(choice.stageId));
    else if (choice?.kind === 'pipeline') await toPipeline(deal);
    else render();
  }

  async function toPipeline(deal: Deal): Promise<void> {
    const choice = await stageMapDialog(ws, pipelineId, new Map([[deal.stageId, 1]]), `“${deal.name}”`);
    if (!choice) return render();
    const name = findPipeline(ws, choice.pipelineId)?.pipeline.name ?? choice.pipelineId;
    await move(deal.id, { type: 'moveToPipeline', pipelineId: choice.pipelineId, stageMap: choice.stageMap }, name);
  }

  /**
   * Runs a move through the service. A refusal is explained rule by rule from the error's
   * violations; when data is all it needs, the person enters it and the move is tried again.
   */
  async function move(dealId: string, command: MoveCommand, targetName: string): Promise<void> {
    focusId = dealId;
    let attempt: MoveCommand = command;
    // The version on screen: if someone changed the deal since, the move is refused, not applied blindly.
    let seen = dealById(dealId)?.version;
    const as = () => (seen === undefined ? {} : { expectedVersion: seen });
    for (;;) {
      try {
        const moved = await service.dispatch(dealId, attempt, as());
        await refresh();
        say(moved.pipelineId === pipelineId ? `Moved “${moved.name}” to ${targetName}.` : `Moved “${moved.name}” to the ${targetName} pipeline.`);
        return;
      } catch (error) {
        const deal = await service.getDeal(dealId);
        const violations = violationsOf(error);
        if (deal && isPipelineError(error, 'conflict')) {
          await refresh();
          say(`“${deal.name}” changed since the board was loaded; the board is up to date again.`);
          await errorDialog(`“${deal.name}” changed since the board was loaded`, {
            message: `Someone else changed it (version ${deal.version}, you saw ${seen ?? '?'}). The board shows it as it is now: try the move again if it still makes sense.`,
            code: error.code,
          });
          return;
        }
        if (!deal || !isPipelineError(error) || !violations) {
          await errorDialog(`Cannot move ${deal?.name ?? dealId}`, error);
          return refresh();
        }
        say(`Refused: “${deal.name}” to ${targetName} (${violations.map((v) => v.code).join(', ')}).`);
        const fix = await refusalDialog(deal, targetName, violations, error.message);
        if (!fix) return refresh();
        if (attempt.type === 'moveToStage') {
          // "Save and move": one command, so the fields and the move are saved together or not at all.
          attempt = { ...attempt, ...(fix.patch ? { patch: fix.patch } : {}), ...(fix.lostReason === undefined ? {} : { lostReason: fix.lostReason }) };
          continue;
        }
        try {
          // A move to another pipeline takes no patch: the fields are saved first.
          if (fix.patch) seen = (await service.dispatch(dealId, { type: 'updateDeal', patch: fix.patch }, as())).version;
        } catch (e) {
          await errorDialog(`Cannot update ${deal.name}`, e);
          return refresh();
        }
        if (fix.lostReason !== undefined) attempt = { ...attempt, lostReason: fix.lostReason };
      }
    }
  }

  async function bulkToPipeline(): Promise<void> {
    const stages = new Map<string, number>();
    for (const id of selected) {
      const stageId = dealById(id)?.stageId;
      if (stageId) stages.set(stageId, (stages.get(stageId) ?? 0) + 1);
    }
    const choice = await stageMapDialog(ws, pipelineId, stages, `${selected.size} deals`);
    if (!choice) return render();
    const name = findPipeline(ws, choice.pipelineId)?.pipeline.name ?? choice.pipelineId;
    await bulk({ type: 'moveToPipeline', pipelineId: choice.pipelineId, stageMap: choice.stageMap }, `move to ${name}`);
  }

  /**
   * Applies one change to the selected deals with the client's `bulkUpdate`, `bulkChunk` deals per
   * request, with a progress bar and a Cancel button, and shows the report.
   */
  async function bulk(change: BulkChangeInput, what: string): Promise<void> {
    const names = new Map(board.columns.flatMap((c) => c.deals.map((d) => [d.id, d.name] as const)));
    try {
      const ids = [...selected];
      // The versions on screen: a deal changed since is reported as a conflict, not moved blindly.
      const expectedVersions = Object.fromEntries(ids.flatMap((id) => (dealById(id) ? [[id, dealById(id)!.version]] : [])));
      const progress = progressDialog(`Bulk ${what}`, ids.length);
      const report = await service
        .bulkUpdate({ dealIds: ids, change, mode: bulkMode, expectedVersions, chunkSize: bulkChunk, signal: progress.signal, onProgress: progress.update })
        .finally(progress.close);
      // Refused deals, and deals a cancel left where they were, stay selected: they can be moved again.
      const reached = new Set([...report.updated, ...report.unchanged]);
      selected.clear();
      for (const id of ids) if (!reached.has(id)) selected.add(id);
      focusId = null;
      await refresh();
      const outcome = report.aborted ? 'nothing saved, ' : report.cancelled ? 'cancelled, ' : '';
      say(`Bulk ${what}: ${outcome}${report.updated.length} updated, ${report.unchanged.length} unchanged, ${report.rejected.length} refused.`);
      await reportDialog(report, names, what, ids.length);
    } catch (error) {
      await errorDialog(`Bulk ${what} failed`, error);
      await refresh();
    }
  }

  await refresh();
}
