// Owns: building the commander program from the command declarations. Runs in: cli.
// The only file (with commands/*) that knows commander exists.
import { Command, CommanderError, Option } from 'commander';
import { defaultRoot, ensureXdgRoot } from '../container/state-store';
import { UsageError } from '../errors';
import { checkArgs, type OptionTable } from './args';
import type { CommandSpec, GlobalOptions, RawOptions } from './command';
import { commands } from './commands/index';
import { versionText } from './version';

export const DEFAULT_ROOT = '/run/runts';

export interface ProgramDeps {
  /** Replaces running a command; tests use it to capture the typed options. */
  execute?: (spec: CommandSpec, opts: unknown) => Promise<number | void>;
  /** Receives the parsed global options before the command runs (log set-up). */
  onGlobals?: (globals: GlobalOptions) => void;
  /** Receives a command's exit status. */
  onExit?: (status: number) => void;
}

function globalsOf(program: Command): GlobalOptions {
  const o = program.opts<RawOptions>();
  const logFormat = o['logFormat'];
  if (logFormat !== 'text' && logFormat !== 'json') {
    throw new UsageError(`invalid log-format: ${String(logFormat)}`);
  }
  const rootless = o['rootless'];
  if (rootless !== 'true' && rootless !== 'false' && rootless !== 'auto') {
    throw new UsageError(`invalid --rootless value: ${String(rootless)} (expected true, false or auto)`);
  }
  const dflt = defaultRoot();
  const explicitRoot = program.getOptionValueSource('root') !== 'default' && typeof o['root'] === 'string';
  // runc makes $XDG_RUNTIME_DIR/runc before every command when it is the default.
  if (!explicitRoot && dflt.xdg) ensureXdgRoot(dflt.root);
  return {
    root: explicitRoot ? (o['root'] as string) : dflt.root,
    log: typeof o['log'] === 'string' && o['log'] !== '' ? o['log'] : undefined,
    logFormat,
    debug: o['debug'] === true,
    systemdCgroup: o['systemdCgroup'] === true,
    rootless,
  };
}

const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];

export function buildProgram(deps: ProgramDeps = {}): Command {
  const program = new Command('runts');
  program
    .description('Open Container Initiative runtime, in TypeScript')
    .usage('[global options] command [command options] [arguments...]')
    .exitOverride()
    .enablePositionalOptions()
    .configureOutput({ outputError: () => undefined })
    .version(versionText(), '-v, --version', 'print the version')
    .option('--root <path>', 'root directory for storage of container state (this should be located in tmpfs)', defaultRoot().root)
    .option('--log <path>', 'set the log file to write runts logs to (default is \'/dev/stderr\')')
    .option('--log-format <format>', 'set the log format (\'text\' (default), or \'json\')', 'text')
    .option('--debug', 'enable debug logging', false)
    .option('--systemd-cgroup', 'enable systemd cgroup support', false)
    .option('--rootless <value>', 'ignore cgroup permission errors (\'true\', \'false\', or \'auto\')', 'auto')
    .addOption(new Option('--criu <path>', 'path to the criu binary (accepted and ignored)').hideHelp());

  for (const spec of commands) {
    const cmd = program
      .command(spec.name)
      .summary(spec.summary)
      .description(spec.summary)
      .usage(`[command options] ${spec.usage}`)
      .argument('[args...]')
      .exitOverride()
      .configureOutput({ outputError: () => undefined });
    if (spec.stopAtFirstArg === true) cmd.passThroughOptions();
    for (const o of spec.options ?? []) {
      const opt = new Option(o.flags, o.description);
      if (o.defaultValue !== undefined) opt.default(o.defaultValue);
      if (o.repeatable === true) opt.argParser(collect);
      if (o.hidden === true) opt.hideHelp();
      cmd.addOption(opt);
    }
    cmd.action(async (args: string[], rawOpts: RawOptions) => {
      const globals = globalsOf(program);
      deps.onGlobals?.(globals);
      checkArgs(spec.name, args, spec.args);
      const opts = spec.toOptions(args, rawOpts, globals);
      const status = deps.execute !== undefined ? await deps.execute(spec, opts) : await spec.run(opts);
      deps.onExit?.(status ?? 0);
    });
  }
  return program;
}

/** The normaliser's view of the program: which names are options and which take values. */
export function optionTable(program: Command): OptionTable {
  const table = (cmd: Command): Map<string, boolean> => {
    const m = new Map<string, boolean>();
    for (const o of cmd.options) {
      const takes = o.required || o.optional;
      if (o.long !== undefined) m.set(o.long.replace(/^--/, ''), takes);
      if (o.short !== undefined) m.set(o.short.replace(/^-/, ''), takes);
    }
    return m;
  };
  const stop = new Set(commands.filter((c) => c.stopAtFirstArg === true).map((c) => c.name));
  return {
    global: table(program),
    commands: new Map(
      program.commands.map((c) => [c.name(), { options: table(c), stopAtFirstArg: stop.has(c.name()) }]),
    ),
  };
}

/** commander's own errors (unknown option, missing value) as runts UsageErrors. */
export function toUsageError(err: CommanderError): UsageError {
  return new UsageError(err.message.replace(/^error: /, ''), { cause: undefined });
}
