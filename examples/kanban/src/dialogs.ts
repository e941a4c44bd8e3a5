// Modal dialogs: the move menu, the stage map for moves to another pipeline, the explanation of a
// refused move (with the form that fixes it when data is all it needs), and the bulk report.
import { checkTransition, suggestStageMap, type BulkProgress, type BulkReport, type Deal, type DealPatch, type Violation, type Workspace } from 'sales-pipelines';
import { columnStages, findPipeline } from './board.js';
import { h } from './dom.js';
import { explain, fieldInput, fieldLabel, fixable } from './explain.js';

let dialogs = 0;

/** Shows a modal dialog and resolves with the value `finish` was called with (null on Escape). */
function modal<T>(title: string, build: (finish: (value: T | null) => void) => (Node | string | null)[], className = ''): Promise<T | null> {
  return new Promise((resolve) => {
    const titleId = `dialog-title-${++dialogs}`;
    const dialog = h('dialog', { class: `dialog ${className}`, 'aria-labelledby': titleId });
    let result: T | null = null;
    const finish = (value: T | null) => {
      result = value;
      dialog.close();
    };
    dialog.append(h('h2', { id: titleId }, title), ...build(finish).filter((n): n is Node | string => n !== null));
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(result);
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

const cancel = (finish: (v: null) => void, label = 'Cancel') => h('button', { type: 'button', class: 'secondary', onclick: () => finish(null) }, label);

/** What the move menu chose. */
export type MenuChoice = { readonly kind: 'stage'; readonly stageId: string } | { readonly kind: 'pipeline' };

/**
 * The keyboard-friendly move menu: every stage of the deal's pipeline, the allowed ones first in
 * the tab order, each refused one with the rules it breaks (choosing it explains them again).
 */
export function moveMenu(ws: Workspace, deal: Deal): Promise<MenuChoice | null> {
  const found = deal.pipelineId === null ? null : findPipeline(ws, deal.pipelineId);
  const stages = found ? columnStages(found.layout, found.pipeline) : [];
  return modal<MenuChoice>(`Move “${deal.name}”`, (finish) => [
    h('p', {}, 'Choose the stage to move the deal to.'),
    h(
      'ul',
      { class: 'menu', role: 'list' },
      stages.map((stage) => {
        const current = stage.id === deal.stageId;
        const check = current ? null : checkTransition(ws, deal, { stageId: stage.id });
        const needsData = check !== null && !check.allowed && fixable(check.violations);
        const status = current ? 'current stage' : check?.allowed ? 'allowed' : needsData ? 'needs details' : 'not allowed';
        return h(
          'li',
          {},
          h(
            'button',
            { type: 'button', class: `menu-item ${status.replace(' ', '-')}`, disabled: current, 'data-stage-id': stage.id, onclick: () => finish({ kind: 'stage', stageId: stage.id }) },
            h('span', { class: 'menu-stage' }, stage.name),
            h('span', { class: 'menu-status' }, status),
          ),
          check && !check.allowed ? h('ul', { class: 'menu-why' }, check.violations.map((v) => h('li', {}, explain(v)))) : null,
        );
      }),
    ),
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'secondary', onclick: () => finish({ kind: 'pipeline' }) }, 'Move to another pipeline…'), cancel(finish)),
  ], 'move-menu');
}

/** A move to another pipeline: the target and the stage map. */
export interface PipelineMove {
  readonly pipelineId: string;
  readonly stageMap: Record<string, string>;
}

/**
 * Asks for a target pipeline and shows the suggested stage map (`suggestStageMap`), one select
 * per stage of the source pipeline that holds moving deals, for the person to adjust.
 */
export function stageMapDialog(ws: Workspace, fromPipelineId: string, movingStages: ReadonlyMap<string, number>, what: string): Promise<PipelineMove | null> {
  const from = findPipeline(ws, fromPipelineId);
  if (!from) return Promise.resolve(null);
  const targets = ws.layouts.flatMap((layout) => layout.pipelines.filter((p) => p.id !== fromPipelineId).map((pipeline) => ({ layout, pipeline })));
  const fromStages = columnStages(from.layout, from.pipeline).filter((s) => movingStages.has(s.id));
  return modal<PipelineMove>(`Move ${what} to another pipeline`, (finish) => {
    const table = h('tbody');
    const select = h(
      'select',
      { id: 'target-pipeline', onchange: () => fill() },
      ws.layouts.map((layout) =>
        h('optgroup', { label: layout.name }, targets.filter((t) => t.layout.id === layout.id).map((t) => h('option', { value: t.pipeline.id }, t.pipeline.name))),
      ),
    );
    const fill = () => {
      const target = findPipeline(ws, select.value);
      if (!target) return;
      const suggested = suggestStageMap(ws, fromPipelineId, select.value);
      const stages = columnStages(target.layout, target.pipeline);
      table.replaceChildren(
        ...fromStages.map((s) => {
          const count = movingStages.get(s.id) ?? 0;
          return h(
            'tr',
            {},
            h('th', { scope: 'row' }, s.name, h('span', { class: 'muted' }, ` (${count} ${count === 1 ? 'deal' : 'deals'})`)),
            h('td', {}, h('select', { 'data-from': s.id, 'aria-label': `Stage for deals in ${s.name}` }, stages.map((t) => h('option', { value: t.id, selected: suggested[s.id] === t.id }, t.name)))),
          );
        }),
      );
    };
    fill();
    const submit = (event: Event) => {
      event.preventDefault();
      const stageMap: Record<string, string> = {};
      for (const s of table.querySelectorAll<HTMLSelectElement>('select[data-from]')) stageMap[s.dataset['from']!] = s.value;
      finish({ pipelineId: select.value, stageMap });
    };
    return [
      h(
        'form',
        { onsubmit: submit },
        h('p', {}, h('label', { for: 'target-pipeline' }, 'Target pipeline '), select),
        h('p', { class: 'muted' }, 'Suggested stages: the same stage, else one with the same name, else the same outcome and the nearest probability. Adjust as needed.'),
        h('table', { class: 'stage-map' }, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'From stage'), h('th', { scope: 'col' }, 'To stage'))), table),
        h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Move'), cancel(finish)),
      ),
    ];
  });
}

/** What the person entered to satisfy the rules: a patch of the deal and a lost reason. */
export interface Fix {
  readonly patch: DealPatch | null;
  readonly lostReason: string | undefined;
}

/**
 * Explains every rule a refused move broke. When entering data satisfies them all, it asks for
 * the missing fields and the lost reason and resolves with them (the caller retries the move).
 */
export function refusalDialog(deal: Deal, targetName: string, violations: readonly Violation[], message: string): Promise<Fix | null> {
  const canFix = fixable(violations);
  const missing = [...new Set(violations.flatMap((v) => (v.code === 'required_fields_missing' ? (v.fields ?? []) : [])))];
  const needsReason = violations.some((v) => v.code === 'lost_reason_required');
  return modal<Fix>(`Cannot move “${deal.name}” to ${targetName}`, (finish) => {
    const list = h(
      'ul',
      { class: 'violations' },
      violations.map((v) => h('li', { 'data-code': v.code }, h('strong', {}, explain(v)), ' ', h('span', { class: 'muted' }, `${v.message} (${v.code})`))),
    );
    if (!canFix) {
      return [
        h('div', { role: 'alert' }, h('p', {}, `The move was refused: ${violations.length} ${violations.length === 1 ? 'rule' : 'rules'} not met.`), list),
        h('p', { class: 'muted' }, message),
        h('div', { class: 'actions' }, h('button', { type: 'button', autofocus: true, onclick: () => finish(null) }, 'Close')),
      ];
    }
    const inputs = missing.map((field) => {
      const input = h('input', { id: `fix-${field}`, name: field, required: true, ...fieldInput(field) });
      return { field, input, row: h('p', {}, h('label', { for: `fix-${field}` }, fieldLabel(field)), input) };
    });
    const reason = needsReason ? h('input', { id: 'fix-lost-reason', name: 'lostReason', required: true, maxlength: 1000, placeholder: 'Price, bought elsewhere, …' }) : null;
    const submit = (event: Event) => {
      event.preventDefault();
      const patch: Record<string, unknown> = {};
      for (const { field, input } of inputs) {
        const value = input.value.trim();
        if (field === 'amount') patch['amount'] = Number(value);
        else if (['currency', 'closingDate', 'ownerId', 'name'].includes(field)) patch[field] = field === 'currency' ? value.toUpperCase() : value;
        else patch['fields'] = { ...(patch['fields'] as object | undefined), [field]: value };
      }
      finish({ patch: inputs.length > 0 ? (patch as DealPatch) : null, lostReason: reason ? reason.value.trim() : undefined });
    };
    return [
      h('div', { role: 'alert' }, h('p', {}, 'The move needs more details:'), list),
      h(
        'form',
        { onsubmit: submit, class: 'fix' },
        inputs.map((i) => i.row),
        reason ? h('p', {}, h('label', { for: 'fix-lost-reason' }, 'Lost reason'), reason) : null,
        h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Save and move'), cancel(finish)),
      ),
    ];
  });
}

/** Shows an error that is not about the rules of a move (a conflict, bad input). */
export function errorDialog(title: string, error: unknown): Promise<null> {
  const e = error as { code?: string; message?: string };
  return modal<null>(title, (finish) => [
    h('p', { role: 'alert' }, e.message ?? String(error), e.code ? h('span', { class: 'muted' }, ` (${e.code})`) : null),
    h('div', { class: 'actions' }, h('button', { type: 'button', autofocus: true, onclick: () => finish(null) }, 'Close')),
  ]);
}

/** A running bulk update: a progress bar and a Cancel button that aborts `signal`. */
export interface Progress {
  readonly signal: AbortSignal;
  update(progress: BulkProgress): void;
  close(): void;
}

/**
 * Shows the progress of a bulk update of `total` deals. Cancel stops it between requests: the
 * deals already saved stay saved (the report says which).
 */
export function progressDialog(title: string, total: number): Progress {
  const controller = new AbortController();
  const bar = h('progress', { id: 'bulk-progress', max: total, value: 0, 'aria-label': 'Deals done' });
  const label = h('p', { class: 'progress-label', role: 'status' }, `0 of ${total} deals`);
  const cancelButton = h('button', { type: 'button', class: 'secondary', id: 'bulk-cancel' }, 'Cancel');
  cancelButton.addEventListener('click', () => {
    controller.abort();
    cancelButton.disabled = true;
    label.textContent = `Cancelling after the deals being saved now…`;
  });
  const dialog = h('dialog', { class: 'dialog progress-dialog', 'aria-label': title }, h('h2', {}, title), bar, label, h('div', { class: 'actions' }, cancelButton));
  // Escape would close the dialog without stopping the update: it cancels instead.
  dialog.addEventListener('cancel', (e) => (e.preventDefault(), cancelButton.click()));
  document.body.append(dialog);
  dialog.showModal();
  return {
    signal: controller.signal,
    update: ({ done }) => {
      bar.value = done;
      if (!controller.signal.aborted) label.textContent = `${done} of ${total} deals`;
    },
    close: () => {
      dialog.close();
      dialog.remove();
    },
  };
}

/** The report of a bulk update: every deal reached in exactly one list, rejections with their reason. */
export function reportDialog(report: BulkReport, names: ReadonlyMap<string, string>, what: string, total: number): Promise<null> {
  const name = (id: string) => `${names.get(id) ?? id} (${id})`;
  const section = (title: string, cls: string, items: Node[]) =>
    h('section', { class: `report-${cls}` }, h('h3', {}, `${title}: ${items.length}`), items.length > 0 ? h('ul', {}, items) : null);
  return modal<null>(`Bulk update: ${what}`, (finish) => [
    report.aborted ? h('p', { class: 'aborted', role: 'alert' }, 'Nothing was saved: in all-or-nothing mode one refusal stops the whole update.') : null,
    report.cancelled
      ? h('p', { class: 'cancelled', role: 'alert' }, `Cancelled: ${total - report.updated.length - report.unchanged.length - report.rejected.length} of ${total} deals were not moved; the ones below were saved before the cancel.`)
      : null,
    h(
      'div',
      { class: 'report', role: 'status' },
      section('Updated', 'updated', report.updated.map((id) => h('li', {}, name(id)))),
      section(report.aborted ? 'Not moved' : 'Already there', 'unchanged', report.unchanged.map((id) => h('li', {}, name(id)))),
      section('Refused', 'rejected', report.rejected.map((r) => h('li', {}, h('strong', {}, name(r.dealId)), ` — ${r.message} `, h('span', { class: 'muted' }, `(${r.code})`)))),
    ),
    h('div', { class: 'actions' }, h('button', { type: 'button', autofocus: true, onclick: () => finish(null) }, 'Close')),
  ]);
}
