// Owns: `runts pause <container-id>`. Runs in: cli.
import { defineCommand } from '../command';

export const pauseCommand = defineCommand<{ root: string; id: string }>({
  name: 'pause',
  summary: 'pause suspends all processes inside the container',
  usage: '<container-id>',
  args: { exact: 1 },
  toOptions: (args, _o, g) => ({ root: g.root, id: args[0]! }),
  async run(opts) {
    const { pauseContainer } = require('../../container/pause') as typeof import('../../container/pause');
    await pauseContainer(opts.root, opts.id);
  },
});
