import { guarded } from '../_internal/guard.js';
import { PipelineError } from '../errors.js';
import type { Workspace } from '../model/layout.js';
import { checkedWorkspace } from '../workspace/validate.js';
import type { DesiredConfiguration } from './desired.js';

/**
 * The configuration of a workspace as a {@link DesiredConfiguration}: every layout (or the ones
 * named) with its picklist and all of its pipelines, the default and the standard marked. What a
 * host stores in version control, edits and applies again; `planConfiguration(ws,
 * configurationOf(ws))` is always `[]`.
 *
 * @param ws - the workspace
 * @param layoutIds - only these layouts (default: all), in the workspace's order
 * @returns a configuration with copies of the workspace's data
 * @example
 * ```ts
 * const desired = configurationOf(ws, ['sales']);
 * desired.layouts[0].pipelines.find((p) => p.standard)?.id; // 'sales:standard'
 * ```
 * @category Configuration
 * @function
 */
export const configurationOf = /* @__PURE__ */ guarded(function configurationOf(ws: Workspace, layoutIds?: readonly string[]): DesiredConfiguration {
  ws = checkedWorkspace(ws);
  if (layoutIds !== undefined && (!Array.isArray(layoutIds) || !layoutIds.every((id) => typeof id === 'string'))) {
    throw new PipelineError('invalid_input', 'layoutIds: expected an array of layout ids', { path: 'layoutIds' });
  }
  const wanted = layoutIds === undefined ? null : new Set(layoutIds);
  const layouts = ws.layouts
    .filter((l) => wanted === null || wanted.has(l.id))
    .map((l) => ({
      id: l.id,
      name: l.name,
      stages: structuredClone(l.stages),
      pipelines: l.pipelines.map((p) => ({
        id: p.id,
        name: p.name,
        stages: structuredClone(p.stages),
        rules: structuredClone(p.rules),
        ...(l.defaultPipelineId === p.id ? { default: true } : {}),
        ...(p.standard ? { standard: true } : {}),
      })),
    }));
  return { layouts };
}, ['workspace', 'layoutIds']);
