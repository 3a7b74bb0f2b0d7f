// Owns: `runts list`. Runs in: cli.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderError, UsageError } from '../../errors';
import { defineCommand, raw } from '../command';
import type { ContainerStateOutput } from '../output';

export interface ListOptions {
  root: string;
  format: 'table' | 'json';
  quiet: boolean;
}

export const listCommand = defineCommand<ListOptions>({
  name: 'list',
  summary: 'lists containers started by runts with the given root',
  usage: '',
  args: { exact: 0 },
  options: [
    { flags: '-f, --format <format>', description: 'select one of: table or json', defaultValue: 'table' },
    { flags: '-q, --quiet', description: 'display only container IDs' },
  ],
  toOptions(_args, o, g) {
    const format = raw.str(o, 'format') ?? 'table';
    const quiet = raw.bool(o, 'quiet');
    // runc prints ids for -q before it looks at the format.
    if (quiet) return { root: g.root, format: 'table', quiet };
    if (format !== 'table' && format !== 'json') throw new UsageError('invalid format option');
    return { root: g.root, format, quiet };
  },
  async run(opts) {
    const { listIds, readState } = require('../../container/state-store') as typeof import('../../container/state-store');
    const { currentStatus } = require('../../container/status') as typeof import('../../container/status');
    const out = require('../output') as typeof import('../output');
    const list: ContainerStateOutput[] = [];
    for (const id of listIds(opts.root)) {
      try {
        const st = fs.statSync(path.join(opts.root, id));
        const state = readState(opts.root, id);
        list.push(out.toStateOutput(state, currentStatus(opts.root, state), userName(st.uid)));
      } catch (err) {
        // One unreadable container (a create in progress, a corrupt file) must not hide
        // the others; runc reports it the same way and goes on.
        process.stderr.write(`load container ${id}: ${renderError(err)}\n`);
      }
    }
    if (opts.quiet) process.stdout.write(out.renderListQuiet(list));
    else if (opts.format === 'json') process.stdout.write(out.renderListJson(list));
    else process.stdout.write(out.renderListTable(list));
  },
});

/** Go's user.LookupUid as runc's list uses it: the passwd name, or "#<uid>". */
export function userName(uid: number, passwd = '/etc/passwd'): string {
  try {
    for (const line of fs.readFileSync(passwd, 'utf8').split('\n')) {
      const f = line.split(':');
      if (f.length >= 3 && f[2] === String(uid) && f[0] !== undefined && f[0] !== '') return f[0];
    }
  } catch {
    // no passwd file: fall through to the numeric form
  }
  return `#${uid}`;
}
