import type { Deal } from '../model/deal.js';
import type { Warnings } from './draft.js';
import type { ZohoFigure } from './zohoHistory.js';

const DAY_MS = 86_400_000;

/**
 * Compares Zoho's Duration_Days with the stays the import built, as HubSpot's time-in-stage
 * figures are compared. A figure belongs to the stay that began at its row's Modified_Time in
 * its stage; rows that repeat the stage the deal is in (written for an amount or a date) start
 * no stay and the stay still open has no figure, so neither is compared. Zoho counts whole
 * days, elapsed (22.7 days is 22) or calendar days in the org's zone (23:00 to 01:00 is 1), so a
 * stay matches a figure `n` when it lasted more than `n − 1` and less than `n + 1` days;
 * otherwise the warning is `figure_mismatch`.
 */
export function compareZohoFigures(deal: Deal, figures: readonly ZohoFigure[] | undefined, w: Warnings): void {
  if (!figures || figures.length === 0) return;
  for (const f of figures) {
    const stay = deal.history.find((v) => v.enteredAt === f.at && v.stageId === f.stageId);
    if (!stay || stay.exitedAt === null) continue;
    const days = (stay.exitedAt - stay.enteredAt) / DAY_MS;
    if (days > f.days - 1 && days < f.days + 1) continue;
    w.add('figure_mismatch', `${f.path}.${f.key}`, `deal ${deal.id}: Zoho reports ${f.days} days in stage ${f.stageId}, the imported history gives ${Math.round(days * 1000) / 1000}`);
  }
}
