// Owns: `runts spec`: write a template config.json into a bundle. Runs in: cli.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RuntimeError } from '../../errors';
import { defineCommand, raw } from '../command';

export interface SpecOptions {
  bundle: string;
  rootless: boolean;
}

export const specCommand = defineCommand<SpecOptions>({
  name: 'spec',
  summary: 'create a new specification file',
  usage: '',
  args: { exact: 0 },
  options: [
    { flags: '-b, --bundle <path>', description: 'path to the root of the bundle directory' },
    { flags: '--rootless', description: 'generate a configuration for a rootless container' },
  ],
  toOptions: (_args, o) => ({ bundle: raw.str(o, 'bundle') ?? '', rootless: raw.bool(o, 'rootless') }),
  async run(opts) {
    const { defaultSpec, rootlessSpec } = require('../../spec/defaults') as typeof import('../../spec/defaults');
    const dir = opts.bundle === '' ? '.' : opts.bundle;
    if (opts.bundle !== '') {
      // runc chdirs into the bundle first; its error names the path the same way.
      let st: fs.Stats;
      try {
        st = fs.statSync(dir);
      } catch (err) {
        // Node's "ENOENT: no such file or directory, stat 'x'" -> the strerror part, as Go prints it.
        const m = /^[A-Z0-9]+: ([^,]+),/.exec(err instanceof Error ? err.message : '');
        throw new RuntimeError(`chdir ${dir}: ${m?.[1] ?? String(err)}`);
      }
      if (!st.isDirectory()) throw new RuntimeError(`chdir ${dir}: not a directory`);
    }
    const spec = opts.rootless ? rootlessSpec() : defaultSpec();
    const file = path.join(dir, 'config.json');
    try {
      // 'wx': never overwrite, even if config.json appears between a check and the write.
      fs.writeFileSync(file, JSON.stringify(spec, null, '\t'), { flag: 'wx', mode: 0o666 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new RuntimeError('File config.json exists. Remove it first');
      }
      throw new RuntimeError(`write ${file}`, { cause: err });
    }
  },
});
