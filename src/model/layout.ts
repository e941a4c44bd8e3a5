import * as z from 'zod';
import { Id, Name } from './primitives.js';
import { StageDef } from './stage.js';
import { Pipeline } from './pipeline.js';

/**
 * A layout: a Stage picklist and the pipelines built from it.
 *
 * @example
 * ```ts
 * const layout: Layout = ws.layouts.find((l) => l.id === 'sales')!;
 * layout.defaultPipelineId; // 'new-cars'
 * ```
 * @category Model
 */
export const Layout = z.strictObject({
  id: Id,
  name: Name,
  stages: z.array(StageDef).min(1).max(10000),
  pipelines: z.array(Pipeline).max(10000),
  defaultPipelineId: Id.nullable(),
});
/**
 * @see {@link Layout}
 * @category Model
 */
export type Layout = z.output<typeof Layout>;

/**
 * The configuration aggregate of one tenant.
 *
 * @example
 * ```ts
 * const ws: Workspace = emptyWorkspace();
 * ```
 * @category Model
 */
export const Workspace = z.strictObject({
  version: z.number().int().min(0),
  layouts: z.array(Layout).max(100000),
});
/**
 * @see {@link Workspace}
 * @category Model
 */
export type Workspace = z.output<typeof Workspace>;
