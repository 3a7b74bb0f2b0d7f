// Owns: `runts ps <container-id> [ps options]`. Runs in: cli.
import { RuntimeError } from '../../errors';
import { defineCommand, raw } from '../command';

export interface PsOptions {
  root: string;
  id: string;
  /** table or json; anything else fails after the container is found, as in runc */
  format: string;
  /** passed to the host's ps; empty means -ef */
  psArgs: string[];
}

export const psCommand = defineCommand<PsOptions>({
  name: 'ps',
  summary: 'ps displays the processes running inside a container',
  usage: '<container-id> [ps options]',
  args: { min: 1 },
  // Everything after the id belongs to ps (`runts ps id -o pid,comm`), as in runc.
  stopAtFirstArg: true,
  options: [{ flags: '-f, --format <value>', description: 'select one of: table or json', defaultValue: 'table' }],
  toOptions: (args, o, g) => {
    const format = raw.str(o, 'format') ?? 'table';
    // A `--` separator is dropped: runc would hand it to ps, which refuses it.
    const rest = args.slice(1);
    return { root: g.root, id: args[0]!, format, psArgs: rest[0] === '--' ? rest.slice(1) : rest };
  },
  async run(opts) {
    const ps = require('../../container/ps') as typeof import('../../container/ps');
    const pids = ps.containerPids(opts.root, opts.id);
    if (opts.format === 'json') process.stdout.write(ps.renderPidsJson(pids));
    else if (opts.format === 'table') process.stdout.write(ps.psTable(pids, opts.psArgs));
    else throw new RuntimeError('invalid format option');
  },
});
