import { defineCommand, raw } from '../command';
import { commandFailed } from '../../errors';
import { createOptions, toCreateOptions, type CreateCliOptions } from './create';

export interface RunCliOptions extends CreateCliOptions {
  detach: boolean;
  keep: boolean;
}

export const runCommand = defineCommand<RunCliOptions>({
  name: 'run',
  summary: 'create and run a container',
  usage: '<container-id>',
  args: { exact: 1 },
  options: [
    ...createOptions,
    { flags: '-d, --detach', description: 'detach from the container\'s process' },
    { flags: '--keep', description: 'do not delete the container after it exits' },
  ],
  toOptions: (args, o, g) => ({ ...toCreateOptions(args, o, g), detach: raw.bool(o, 'detach'), keep: raw.bool(o, 'keep') }),
  async run(opts) {
    const { runContainer } = require('../../container/run') as typeof import('../../container/run');
    return runContainer(opts).catch((err: unknown) => {
      throw commandFailed('run', err);
    });
  },
});
