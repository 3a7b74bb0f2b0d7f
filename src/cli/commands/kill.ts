import { defineCommand, raw } from '../command';

export const killCommand = defineCommand<{ root: string; id: string; signal: string; all: boolean }>({
  name: 'kill',
  summary: "kill sends the specified signal (default: SIGTERM) to the container's init process",
  usage: '<container-id> [signal]',
  args: { min: 1 },
  options: [{ flags: '-a, --all', description: 'send the specified signal to all processes inside the container' }],
  toOptions: (args, o, g) => ({ root: g.root, id: args[0]!, signal: args[1] ?? 'SIGTERM', all: raw.bool(o, 'all') }),
  async run(opts) {
    const { killContainer } = require('../../container/kill') as typeof import('../../container/kill');
    const { parseSignal } = require('../../process/signals') as typeof import('../../process/signals');
    await killContainer(opts.root, opts.id, parseSignal(opts.signal), opts.all);
  },
});
