import { raw, defineCommand, type OptionSpec, type RawOptions, type GlobalOptions } from '../command';
import { commandFailed, UsageError } from '../../errors';
import type { CreateOptions } from '../../container/create';

export type CreateCliOptions = Omit<CreateOptions, 'mode'>;

export const createOptions: readonly OptionSpec[] = [
  { flags: '-b, --bundle <path>', description: 'path to the root of the bundle directory, defaults to the current directory' },
  { flags: '--console-socket <path>', description: 'path to an AF_UNIX socket which will receive a file descriptor referencing the master end of the console\'s pseudoterminal' },
  { flags: '--pid-file <path>', description: 'specify the file to write the process id to' },
  { flags: '--no-pivot', description: 'do not use pivot root to jail process inside rootfs' },
  { flags: '--no-new-keyring', description: 'do not create a new session keyring for the container' },
  { flags: '--preserve-fds <n>', description: 'pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in total)', defaultValue: '0' },
];

export function toCreateOptions(args: string[], o: RawOptions, g: GlobalOptions): CreateCliOptions {
  const fds = raw.str(o, 'preserveFds') ?? '0';
  if (!/^\d+$/.test(fds)) throw new UsageError(`invalid value "${fds}" for flag -preserve-fds: parse error`);
  const bundle = raw.str(o, 'bundle');
  return {
    root: g.root,
    id: args[0]!,
    bundle: bundle === '' ? undefined : bundle,
    consoleSocket: raw.str(o, 'consoleSocket'),
    pidFile: raw.str(o, 'pidFile'),
    noPivot: o['pivot'] === false,
    noNewKeyring: o['newKeyring'] === false,
    preserveFds: Number(fds),
    systemdCgroup: g.systemdCgroup,
    rootless: g.rootless,
  };
}

export const createCommand = defineCommand<CreateCliOptions>({
  name: 'create',
  summary: 'create a container',
  usage: '<container-id>',
  args: { exact: 1 },
  options: createOptions,
  toOptions: toCreateOptions,
  async run(opts) {
    const { createContainer } = require('../../container/create') as typeof import('../../container/create');
    await createContainer({ ...opts, mode: 'create' }).catch((err: unknown) => {
      throw commandFailed('create', err);
    });
  },
});
