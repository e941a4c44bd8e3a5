// npm run demo [-- --json]: the car dealer of examples/dealership.ts, six simulated weeks on the
// service with the embedded memory store, as a sales manager would see it.
import { buildReport } from './demo/report.js';
import { render } from './demo/render.js';
import { simulate } from './demo/simulate.js';

import { progressBar } from './demo/legacyImport.js';

// A terminal sees the import's progress bar redrawn in place on stderr; a pipe sees it in the log.
const tty = process.stderr.isTTY === true && !process.argv.includes('--json');
const story = await simulate(7, {
  onImportProgress: (p) => {
    if (!tty) return;
    process.stderr.write(`\r  Importing from HubSpot ${progressBar(p)}`);
    if (p.done === p.total) process.stderr.write('\n');
  },
});
const report = buildReport(story);
if (process.argv.includes('--json')) console.log(JSON.stringify(report, null, 2));
else console.log(render(report, process.stdout.isTTY === true && !process.env.NO_COLOR));
