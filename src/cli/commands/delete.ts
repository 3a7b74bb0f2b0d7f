import { defineCommand, raw } from '../command';

export const deleteCommand = defineCommand<{ root: string; id: string; force: boolean }>({
  name: 'delete',
  summary: 'delete any resources held by the container often used with detached container',
  usage: '<container-id>',
  args: { exact: 1 },
  options: [{ flags: '-f, --force', description: 'Forcibly deletes the container if it is still running (uses SIGKILL)' }],
  toOptions: (args, o, g) => ({ root: g.root, id: args[0]!, force: raw.bool(o, 'force') }),
  async run(opts) {
    const { deleteContainer } = require('../../container/delete') as typeof import('../../container/delete');
    await deleteContainer(opts.root, opts.id, opts.force);
  },
});
