// npm run demo [-- --json]: the car dealer of examples/dealership.ts, six simulated weeks on the
// service with the embedded memory store, as a sales manager would see it.
import { buildReport } from './demo/report.js';
import { render } from './demo/render.js';
import { simulate } from './demo/simulate.js';

const story = await simulate();
const report = buildReport(story);
if (process.argv.includes('--json')) console.log(JSON.stringify(report, null, 2));
else console.log(render(report, process.stdout.isTTY === true && !process.env.NO_COLOR));
