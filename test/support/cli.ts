// Owns: driving the CLI's command registration without running anything (nest-cli's
// pattern): parse argv as main.ts does and return the command's typed options.
import { normalizeArgv } from '../../src/cli/args';
import type { CommandSpec } from '../../src/cli/command';
import { buildProgram, optionTable } from '../../src/cli/program';

export interface Parsed<T> {
  command: string;
  options: T;
}

/** The options `argv` maps to, or undefined when no command ran (commander errors throw). */
export async function parseCommand<T>(argv: string[]): Promise<Parsed<T> | undefined> {
  let got: Parsed<T> | undefined;
  const program = buildProgram({
    execute: (spec: CommandSpec, opts: unknown) => {
      got = { command: spec.name, options: opts as T };
      return Promise.resolve(0);
    },
  });
  await program.parseAsync(normalizeArgv(argv, optionTable(program)), { from: 'user' });
  return got;
}

/** parseCommand's options, failing the test when no command ran. */
export async function parseOptions<T>(argv: string[]): Promise<T> {
  const r = await parseCommand<T>(argv);
  if (r === undefined) throw new Error(`no command ran for ${argv.join(' ')}`);
  return r.options;
}
