// The car dealer the examples and tests share: new cars and used cars share a "Sales" layout,
// repair service has a "Service" layout of its own.
import { applyWorkspace, emptyWorkspace, type StageDef, type Workspace, type WorkspaceCommandInput } from '../src/index.js';

type Stage = StageDef;

const stage = (id: string, name: string, probability: number, outcome: Stage['outcome'], forecastCategory: Stage['forecastCategory'], rotAfterDays?: number): Stage =>
  rotAfterDays === undefined ? { id, name, probability, outcome, forecastCategory } : { id, name, probability, outcome, forecastCategory, rotAfterDays };

/** The Stage picklist of the Sales layout. */
export const salesStages: Stage[] = [
  stage('requirements', 'Collect requirements', 10, 'open', 'pipeline', 7),
  stage('show-models', 'Show available models', 15, 'open', 'pipeline', 7),
  stage('test-drive', 'Test drive & choose', 30, 'open', 'pipeline', 10),
  stage('quote', 'Quote', 60, 'open', 'best_case', 10),
  stage('negotiation', 'Negotiation', 80, 'open', 'commit', 14),
  stage('won', 'Closed won', 100, 'won', 'closed'),
  stage('lost', 'Closed lost', 0, 'lost', 'omitted'),
];

/** The Stage picklist of the Service layout. */
export const serviceStages: Stage[] = [
  stage('analysis', 'Service request analysis', 20, 'open', 'pipeline', 2),
  stage('repair', 'Repair in progress', 50, 'open', 'best_case', 5),
  stage('quality-check', 'Quality check & test drive', 80, 'open', 'commit', 2),
  stage('billing', 'Billing', 95, 'open', 'commit', 7),
  stage('closed', 'Request closed', 100, 'won', 'closed'),
  stage('cancelled', 'Request cancelled', 0, 'lost', 'omitted'),
];

/** The commands that configure the dealer: two layouts, three pipelines (plus the standard ones). */
export const dealerCommands: WorkspaceCommandInput[] = [
  { type: 'addLayout', layoutId: 'sales', name: 'Sales', stages: salesStages },
  { type: 'addLayout', layoutId: 'service', name: 'Service', stages: serviceStages },
  {
    type: 'createPipeline',
    layoutId: 'sales',
    pipelineId: 'new-cars',
    name: 'New cars',
    stages: [
      'requirements',
      'test-drive',
      { stageId: 'quote', requiredFields: ['amount'] },
      { stageId: 'negotiation', requiredFields: ['amount', 'closingDate'] },
      'won',
      'lost',
    ],
    rules: { allowSkip: false, requireLostReason: true },
    makeDefault: true,
  },
  {
    type: 'createPipeline',
    layoutId: 'sales',
    pipelineId: 'used-cars',
    name: 'Used cars',
    stages: ['show-models', 'test-drive', { stageId: 'quote', probability: 50 }, 'negotiation', 'won', 'lost'],
    rules: { allowBackward: false },
  },
  {
    type: 'createPipeline',
    layoutId: 'service',
    pipelineId: 'repair',
    name: 'Repair service',
    stages: ['analysis', 'repair', 'quality-check', 'billing', 'closed', 'cancelled'],
    rules: { allowReopen: false },
    makeDefault: true,
  },
];

/** Builds the dealer's workspace at `at`. */
export function dealerWorkspace(at: number | string | Date = '2026-01-05T08:00:00Z'): Workspace {
  return dealerCommands.reduce((ws, command) => applyWorkspace(ws, command, { at, by: 'admin' }).workspace, emptyWorkspace());
}
