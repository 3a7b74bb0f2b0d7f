// Owns: the CLI entry: normalise argv, parse, run one command, exit. Runs in: cli.
import { CommanderError } from 'commander';
import { configureLog } from '../log';
import { failAndExit, installExitHandlers } from './exit';
import { normalizeArgv } from './args';
import { buildProgram, optionTable, toUsageError } from './program';

export async function main(argv: string[]): Promise<void> {
  installExitHandlers();
  let status = 0;
  const program = buildProgram({
    onGlobals: (g) => configureLog({ file: g.log, format: g.logFormat, debug: g.debug }),
    onExit: (s) => {
      status = s;
    },
  });
  try {
    await program.parseAsync(normalizeArgv(argv, optionTable(program)), { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) process.exit(0); // --help, --version
      failAndExit(toUsageError(err));
    }
    failAndExit(err);
  }
  process.exit(status);
}
