// npm run demo: the car dealer of DESIGN.md section 1.
import { dealerWorkspace } from './dealership.js';

const ws = dealerWorkspace();
for (const layout of ws.layouts) {
  console.log(`Layout ${layout.name} (${layout.stages.length} stages)`);
  for (const p of layout.pipelines) {
    const names = p.stages.map((s) => layout.stages.find((d) => d.id === s.stageId)?.name ?? s.stageId);
    const flags = [p.standard ? 'standard' : '', layout.defaultPipelineId === p.id ? 'default' : ''].filter(Boolean).join(', ');
    console.log(`  ${p.name}${flags ? ` [${flags}]` : ''}: ${names.join(' → ')}`);
  }
}
