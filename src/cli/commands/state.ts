// Owns: `runts state <container-id>`. Runs in: cli.
import { defineCommand } from '../command';

export interface StateOptions {
  root: string;
  id: string;
}

export const stateCommand = defineCommand<StateOptions>({
  name: 'state',
  summary: 'output the state of a container',
  usage: '<container-id>',
  args: { exact: 1 },
  toOptions: (args, _o, g) => ({ root: g.root, id: args[0] ?? '' }),
  async run(opts) {
    const { readState } = require('../../container/state-store') as typeof import('../../container/state-store');
    const { currentStatus } = require('../../container/status') as typeof import('../../container/status');
    const { renderState, toStateOutput } = require('../output') as typeof import('../output');
    const state = readState(opts.root, opts.id);
    // runc's `state` leaves owner empty; only `list` fills it in.
    process.stdout.write(renderState(toStateOutput(state, currentStatus(opts.root, state), '')));
  },
});
