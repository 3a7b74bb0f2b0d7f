// Owns: argument-count checks with runc's wording, and the argv normalisation that
// lets runts accept what runc's flag parser accepts. Runs in: cli.
import { UsageError } from '../errors';

export type ArgCheck = { exact: number } | { min: number } | { max: number };

/** runc/utils.go checkArgs: `runc: "start" requires exactly 1 argument(s)`. */
export function checkArgs(command: string, args: readonly string[], check: ArgCheck): void {
  if ('exact' in check && args.length !== check.exact) {
    throw new UsageError(`runts: "${command}" requires exactly ${check.exact} argument(s)`);
  }
  if ('min' in check && args.length < check.min) {
    throw new UsageError(`runts: "${command}" requires a minimum of ${check.min} argument(s)`);
  }
  if ('max' in check && args.length > check.max) {
    throw new UsageError(`runts: "${command}" requires a maximum of ${check.max} argument(s)`);
  }
}

/** What the normaliser needs to know about one command's long options. */
export interface OptionTable {
  /** option name (long, or the letter of a short one) -> takes a value */
  global: ReadonlyMap<string, boolean>;
  commands: ReadonlyMap<string, { options: ReadonlyMap<string, boolean>; stopAtFirstArg: boolean }>;
}

/**
 * Go's flag package (which runc's CLI uses) accepts `-flag`, `--flag`, `-flag=v` and
 * `-flag v` alike, and callers use all of them (conmon passes `-no-subreaper`-style
 * flags). commander only knows `--flag`, so single-dash long flags that name a known
 * option are rewritten to double-dash. For commands whose trailing arguments are a
 * process command line (exec), rewriting stops at the first positional argument, where
 * Go's parser stops too.
 */
export function normalizeArgv(argv: readonly string[], table: OptionTable): string[] {
  const out: string[] = [];
  let current: { options: ReadonlyMap<string, boolean>; stopAtFirstArg: boolean } | undefined;
  let i = 0;
  const known = (name: string): boolean | undefined =>
    current?.options.get(name) ?? table.global.get(name);
  while (i < argv.length) {
    const tok = argv[i]!;
    i++;
    if (tok === '--') {
      out.push(...argv.slice(i - 1));
      return out;
    }
    const m = /^(--?)([A-Za-z][A-Za-z0-9-]*)(=.*)?$/.exec(tok);
    if (m !== null) {
      const name = m[2]!;
      const takesValue = known(name);
      if (takesValue === undefined) {
        out.push(tok);
        continue;
      }
      // Single letters stay short options (-d, -b x); longer names become --name.
      out.push(name.length === 1 ? tok : `--${name}${m[3] ?? ''}`);
      if (takesValue && m[3] === undefined && i < argv.length) {
        out.push(argv[i]!);
        i++;
      }
      continue;
    }
    if (tok.startsWith('-') && tok.length > 1) {
      out.push(tok);
      continue;
    }
    if (current === undefined) {
      const cmd = table.commands.get(tok);
      if (cmd !== undefined) current = cmd;
      out.push(tok);
      continue;
    }
    out.push(tok);
    if (current.stopAtFirstArg) {
      out.push(...argv.slice(i));
      return out;
    }
  }
  return out;
}
