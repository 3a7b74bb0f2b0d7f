import { defineCommand } from '../command';

export const startCommand = defineCommand<{ root: string; id: string }>({
  name: 'start',
  summary: 'executes the user defined process in a created container',
  usage: '<container-id>',
  args: { exact: 1 },
  toOptions: (args, _o, g) => ({ root: g.root, id: args[0]! }),
  async run(opts) {
    const { startContainer } = require('../../container/start') as typeof import('../../container/start');
    await startContainer(opts.root, opts.id);
  },
});
