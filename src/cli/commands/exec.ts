import { defineCommand, raw, type RawOptions } from '../command';
import { UsageError } from '../../errors';
import type { ExecOptions } from '../../container/exec';

export type ExecCliOptions = ExecOptions;

/** urfave/cli's wording for a value its flag parser refuses (exit 1, before the command runs). */
function parseInts(o: RawOptions, key: string, flag: string): number[] {
  return raw.list(o, key).map((v) => {
    if (!/^[+-]?\d+$/.test(v)) throw new UsageError(`invalid value "${v}" for flag -${flag}: strconv.ParseInt: parsing "${v}": invalid syntax`);
    return Number(v);
  });
}

export const execCommand = defineCommand<ExecCliOptions>({
  name: 'exec',
  summary: 'execute new process inside the container',
  usage: '<container-id> <command> [command options]  || -p process.json <container-id>',
  args: { min: 1 },
  stopAtFirstArg: true,
  options: [
    { flags: '--console-socket <path>', description: 'path to an AF_UNIX socket which will receive a file descriptor referencing the master end of the console\'s pseudoterminal' },
    { flags: '--cwd <path>', description: 'current working directory in the container' },
    { flags: '-e, --env <value>', description: 'set environment variables', repeatable: true },
    { flags: '-t, --tty', description: 'allocate a pseudo-TTY' },
    { flags: '-u, --user <value>', description: 'UID (format: <uid>[:<gid>])' },
    { flags: '-g, --additional-gids <value>', description: 'additional gids', repeatable: true },
    { flags: '-p, --process <path>', description: 'path to the process.json' },
    { flags: '-d, --detach', description: 'detach from the container\'s process' },
    { flags: '--pid-file <path>', description: 'specify the file to write the process id to' },
    { flags: '--process-label <value>', description: 'set the asm process label for the process commonly used with selinux' },
    { flags: '--apparmor <value>', description: 'set the apparmor profile for the process' },
    { flags: '--no-new-privs', description: 'set the no new privileges value for the process' },
    { flags: '-c, --cap <value>', description: 'add a capability to the bounding set for the process', repeatable: true },
    { flags: '--preserve-fds <n>', description: 'pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in total)', defaultValue: '0' },
    { flags: '--cgroup <value>', description: 'run the process in an (existing) sub-cgroup(s). Format is [<controller>:]<cgroup>.' },
    { flags: '--ignore-paused', description: 'allow exec in a paused container' },
  ],
  toOptions: (args, o, g) => {
    const fds = raw.str(o, 'preserveFds') ?? '0';
    if (!/^\d+$/.test(fds)) throw new UsageError(`invalid value "${fds}" for flag -preserve-fds: parse error`);
    const additionalGids = parseInts(o, 'additionalGids', 'additional-gids');
    return {
      root: g.root,
      id: args[0]!,
      args: args.slice(1),
      processFile: raw.str(o, 'process'),
      consoleSocket: raw.str(o, 'consoleSocket'),
      cwd: raw.str(o, 'cwd'),
      env: raw.list(o, 'env'),
      tty: raw.bool(o, 'tty'),
      user: raw.str(o, 'user'),
      additionalGids,
      detach: raw.bool(o, 'detach'),
      pidFile: raw.str(o, 'pidFile'),
      processLabel: raw.str(o, 'processLabel'),
      apparmor: raw.str(o, 'apparmor'),
      noNewPrivs: o['newPrivs'] === false,
      caps: raw.list(o, 'cap'),
      preserveFds: Number(fds),
      cgroup: raw.str(o, 'cgroup'),
      ignorePaused: raw.bool(o, 'ignorePaused'),
    };
  },
  async run(opts) {
    const { execInContainer } = require('../../container/exec') as typeof import('../../container/exec');
    return execInContainer(opts);
  },
});
