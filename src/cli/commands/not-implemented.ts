// Owns: the placeholder for commands runc has and runts does not do yet, so a caller
// gets a clear error instead of "unknown command". Runs in: cli.
import { RuntimeError } from '../../errors';
import { defineCommand, type CommandSpec } from '../command';

export function notImplemented(name: string, summary: string): CommandSpec<null> {
  return defineCommand({
    name,
    summary: `${summary} (not implemented yet)`,
    usage: '[args...]',
    args: { min: 0 },
    toOptions: () => null,
    run: () => Promise.reject(new RuntimeError(`runts: "${name}" is not implemented yet`)),
  });
}
