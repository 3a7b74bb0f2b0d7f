// Owns: the shape of a CLI command declaration. Runs in: cli.
//
// A command is data (name, options, argument rule) plus two functions: toOptions, a
// pure mapping from what commander parsed to a typed options object (unit-tested
// without running anything), and run, which lazily loads the implementation so that
// `runts state` never loads what `runts create` needs.
import type { LogFormat } from '../log';
import type { ArgCheck } from './args';

export interface GlobalOptions {
  root: string;
  log?: string | undefined;
  logFormat: LogFormat;
  debug: boolean;
  systemdCgroup: boolean;
  rootless: 'true' | 'false' | 'auto';
}

export interface OptionSpec {
  /** commander flags, e.g. '-b, --bundle <path>' or '--force' */
  flags: string;
  description: string;
  defaultValue?: string | boolean | string[];
  /** repeatable value option (`--env A --env B`) */
  repeatable?: boolean;
  hidden?: boolean;
}

export type RawOptions = Record<string, unknown>;

export interface CommandSpec<O = unknown> {
  name: string;
  summary: string;
  /** usage after the command name, e.g. '<container-id>' */
  usage: string;
  args: ArgCheck;
  options?: readonly OptionSpec[];
  /** everything after the first positional belongs to the process (exec) */
  stopAtFirstArg?: boolean;
  toOptions(args: string[], raw: RawOptions, globals: GlobalOptions): O;
  /** returns the exit status (default 0) */
  run(opts: O): Promise<number | void>;
}

export function defineCommand<O>(spec: CommandSpec<O>): CommandSpec<O> {
  return spec;
}

/** Readers for commander's untyped option bag. */
export const raw = {
  str(o: RawOptions, k: string): string | undefined {
    const v = o[k];
    return typeof v === 'string' ? v : undefined;
  },
  bool(o: RawOptions, k: string): boolean {
    return o[k] === true;
  },
  list(o: RawOptions, k: string): string[] {
    const v = o[k];
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  },
};
