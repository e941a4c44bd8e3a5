import { planConfiguration } from '../configuration/planConfiguration.js';
import type { DesiredConfiguration } from '../configuration/desired.js';
import type { WorkspaceCommand } from '../model/commands.js';
import { parseWith } from '../model/parse.js';
import { configure } from './configure.js';
import type { Runtime } from './runtime.js';
import * as z from 'zod';

const Options = z.strictObject({ by: z.string().nullable().optional(), dryRun: z.boolean().optional() });

/**
 * Plans the commands that make the stored configuration the desired one and runs each through
 * `configure` (so multi-step changes move deals first, and a crash part-way is finished by
 * running the same call again, which plans only what is left). A removal that needs a decision
 * about deals (a pipeline or stage that holds deals, with no transfer or replacement in
 * `desired`) is refused by that step with `pipeline_in_use` / `stage_in_use`; the steps before it
 * stay applied, and a corrected `desired` goes on from there.
 */
export async function applyConfiguration(
  rt: Runtime,
  desired: DesiredConfiguration,
  input: { by?: string | null; dryRun?: boolean } | undefined,
  by: string | null,
): Promise<{ commands: WorkspaceCommand[] }> {
  const opts = parseWith(Options, input ?? {}, 'opts');
  const commands = planConfiguration(await rt.workspaces.load(), desired);
  if (opts.dryRun !== true) for (const command of commands) await configure(rt, command, by);
  return { commands };
}
