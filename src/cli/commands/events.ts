// Owns: `runts events <container-id> [--stats] [--interval D]`. Runs in: cli.
import { UsageError } from '../../errors';
import { defineCommand, raw } from '../command';

export interface EventsCommandOptions {
  root: string;
  id: string;
  stats: boolean;
  intervalMs: number;
}

const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Go's time.ParseDuration ("5s", "1m30s", "250ms", "1.5h", "0"), in milliseconds; undefined when invalid. */
export function parseGoDuration(s: string): number | undefined {
  let rest = s;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest[0] === '-') sign = -1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let ns = 0;
  const re = /^(\d*)(?:\.(\d*))?([^\d.]+)/;
  while (rest !== '') {
    const m = re.exec(rest);
    if (m === null) return undefined;
    const [whole, int, frac, unit] = m as unknown as [string, string, string | undefined, string];
    if (int === '' && (frac === undefined || frac === '')) return undefined;
    const scale = UNIT_NS[unit];
    if (scale === undefined) return undefined;
    ns += Number(`${int === '' ? '0' : int}.${frac ?? ''}0`) * scale;
    rest = rest.slice(whole.length);
  }
  return (sign * ns) / 1e6;
}

export const eventsCommand = defineCommand<EventsCommandOptions>({
  name: 'events',
  summary: 'display container events such as OOM notifications, cpu, memory, and IO usage statistics',
  usage: '<container-id>',
  args: { exact: 1 },
  options: [
    { flags: '--interval <value>', description: 'set the stats collection interval', defaultValue: '5s' },
    { flags: '--stats', description: "display the container's stats then exit" },
  ],
  toOptions: (args, o, g) => {
    const text = raw.str(o, 'interval') ?? '5s';
    const intervalMs = parseGoDuration(text);
    if (intervalMs === undefined) throw new UsageError(`invalid value ${JSON.stringify(text)} for flag -interval: parse error`);
    return { root: g.root, id: args[0]!, stats: raw.bool(o, 'stats'), intervalMs };
  },
  async run(opts) {
    const { renderEvent, streamEvents } = require('../../container/events') as typeof import('../../container/events');
    await streamEvents(opts.root, opts.id, { stats: opts.stats, intervalMs: opts.intervalMs }, (e) => {
      process.stdout.write(renderEvent(e));
    });
  },
});
