import type { DesiredConfiguration } from '../configuration/desired.js';
import type { PipelineService } from '../service/types.js';

/**
 * Sets up the layouts of an import whose only pipeline is the standard one (a HubSpot account
 * with one pipeline, say), which `applyConfiguration` cannot create: a layout's first pipeline
 * brings the standard pipeline with it. Each such layout not stored with pipelines yet gets its
 * picklist, then a scaffold pipeline that brings the standard one, which is made the default
 * before the scaffold is deleted. `applyConfiguration` then makes the rest as the vendor has it.
 * A crash part-way leaves the scaffold, which the next run's `applyConfiguration` removes.
 */
export async function prepareStandardOnlyLayouts(service: PipelineService, desired: DesiredConfiguration, by: string | null): Promise<void> {
  const stored = await service.getWorkspace();
  for (const layout of desired.layouts) {
    const standard = layout.pipelines[0];
    if (layout.pipelines.length !== 1 || standard?.standard !== true) continue;
    const have = stored.layouts.find((l) => l.id === layout.id);
    if (have && have.pipelines.length > 0) continue;
    if (!have) await service.configure({ type: 'addLayout', layoutId: layout.id, name: layout.name, stages: layout.stages }, { by });
    const scaffold = `${standard.id}:import`;
    await service.configure({ type: 'createPipeline', layoutId: layout.id, pipelineId: scaffold, name: standard.name, stages: standard.stages, standardPipelineId: standard.id }, { by });
    await service.configure({ type: 'setDefaultPipeline', layoutId: layout.id, pipelineId: standard.id }, { by });
    await service.configure({ type: 'deletePipeline', pipelineId: scaffold }, { by });
  }
}
