// A board column and its cards. What happens on a drop, a key or a click is the page's to say.
import { timeInStages, type Deal } from 'sales-pipelines';
import type { BoardView, Column } from './board.js';
import { days, h, money } from './dom.js';

/** What the page does when a card or column is used. */
export interface CardHandlers {
  dragStart(deal: Deal): void;
  dragEnd(): void;
  drop(dealId: string, stage: Column['stage']): void;
  key(event: KeyboardEvent, deal: Deal, card: HTMLElement): void;
  toggle(dealId: string): void;
  menu(dealId: string): void;
  showMore(stageId: string): void;
}

/** What the columns show. */
export interface ColumnsView {
  readonly board: BoardView;
  readonly selected: ReadonlySet<string>;
  readonly perStage: number;
  readonly now: number;
}

/** A column: the stage, its count, totals per currency, median dwell, and its cards. */
export function renderColumn(column: Column, view: ColumnsView, on: CardHandlers): HTMLElement {
  const { stage } = column;
  const headingId = `col-${stage.id}`;
  // Deals without an amount add nothing; a '' entry of zero would only say "no currency: 0".
  const totals = Object.entries(column.totals).filter(([cur, t]) => cur !== '' || t.amount !== 0);
  const hidden = column.count - column.deals.length;
  const section = h(
    'section',
    { class: `column outcome-${stage.outcome}`, 'data-stage-id': stage.id, 'aria-labelledby': headingId },
    h(
      'header',
      { class: 'column-head' },
      h('h2', { id: headingId }, stage.name, h('span', { class: 'probability' }, ` ${stage.probability}%`)),
      h('p', { class: 'count' }, `${column.count} ${column.count === 1 ? 'deal' : 'deals'}`, column.rotting > 0 ? h('span', { class: 'rotting' }, ` · ${column.rotting} rotting`) : null),
      h(
        'ul',
        { class: 'totals', 'aria-label': 'Totals per currency' },
        totals.length === 0 ? h('li', { class: 'muted' }, 'no amounts') : totals.map(([cur, t]) => h('li', {}, money(t.amount, cur || null), h('span', { class: 'muted' }, ` · weighted ${money(t.weighted, cur || null)}`))),
      ),
      h('p', { class: 'dwell' }, column.medianDwellMs === null ? 'median dwell: –' : `median dwell: ${days(column.medianDwellMs)}`),
      stage.requiredFields.length > 0 ? h('p', { class: 'requires muted' }, `requires ${stage.requiredFields.join(', ')}`) : null,
    ),
    h('ol', { class: 'cards' }, column.deals.map((deal) => renderCard(deal, column, view, on))),
    hidden > 0 && column.next !== null
      ? h('button', { type: 'button', class: 'secondary more', onclick: () => on.showMore(stage.id) }, `Show ${Math.min(hidden, view.perStage)} more of ${hidden}`)
      : null,
  );
  section.addEventListener('dragover', (e) => {
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'move';
    section.classList.add('drop-hover');
  });
  section.addEventListener('dragleave', (e) => {
    if (!section.contains(e.relatedTarget as Node | null)) section.classList.remove('drop-hover');
  });
  section.addEventListener('drop', (e) => {
    e.preventDefault();
    const id = e.dataTransfer?.getData('text/plain');
    if (id) on.drop(id, stage);
  });
  return section;
}

/** A card: focusable, draggable, selectable, with its own move button. */
function renderCard(deal: Deal, column: Column, view: ColumnsView, on: CardHandlers): HTMLElement {
  // The deal's dwell in its current stage so far.
  const dwellMs = timeInStages(deal, { now: view.now }).find((t) => t.current)?.latestMs ?? 0;
  const rotting = view.board.rotting.has(deal.id);
  const amount = deal.amount === null ? 'no amount' : money(deal.amount, deal.currency);
  const card = h(
    'article',
    {
      class: `card${view.selected.has(deal.id) ? ' selected' : ''}${rotting ? ' is-rotting' : ''}`,
      tabindex: 0,
      draggable: 'true',
      'data-deal-id': deal.id,
      'aria-label': `${deal.name}, ${amount}, ${column.stage.name}, dwell ${days(dwellMs)}${rotting ? ', rotting' : ''}${view.selected.has(deal.id) ? ', selected' : ''}`,
      'aria-describedby': 'card-help',
    },
    h(
      'div',
      { class: 'card-top' },
      h('input', { type: 'checkbox', class: 'select', tabindex: -1, 'aria-label': `Select ${deal.name}`, checked: view.selected.has(deal.id), onchange: () => on.toggle(deal.id) }),
      h('span', { class: 'card-id' }, deal.id),
      rotting ? h('span', { class: 'badge rotting' }, 'rotting') : null,
      h('button', { type: 'button', class: 'card-move', tabindex: -1, 'aria-label': `Move ${deal.name}`, onclick: () => on.menu(deal.id) }, 'Move…'),
    ),
    h('h3', { class: 'card-name' }, deal.name),
    h('p', { class: 'card-amount' }, amount),
    h('p', { class: 'card-meta' }, `${deal.ownerId ?? 'no owner'} · dwell ${days(dwellMs)}`, deal.closingDate ? ` · closes ${deal.closingDate}` : ''),
    deal.lostReason ? h('p', { class: 'card-lost' }, `Lost: ${deal.lostReason}`) : null,
  );
  card.addEventListener('dragstart', (e) => {
    e.dataTransfer?.setData('text/plain', deal.id);
    if (e.dataTransfer) e.dataTransfer.effectAllowed = 'move';
    on.dragStart(deal);
  });
  card.addEventListener('dragend', () => on.dragEnd());
  card.addEventListener('keydown', (e) => on.key(e, deal, card));
  return h('li', {}, card);
}
