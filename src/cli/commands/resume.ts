// Owns: `runts resume <container-id>`. Runs in: cli.
import { defineCommand } from '../command';

export const resumeCommand = defineCommand<{ root: string; id: string }>({
  name: 'resume',
  summary: 'resumes all processes that have been previously paused',
  usage: '<container-id>',
  args: { exact: 1 },
  toOptions: (args, _o, g) => ({ root: g.root, id: args[0]! }),
  async run(opts) {
    const { resumeContainer } = require('../../container/resume') as typeof import('../../container/resume');
    await resumeContainer(opts.root, opts.id);
  },
});
