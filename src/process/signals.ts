// Owns: signal names <-> numbers for `kill` and for reporting how a process died.
// Runs in: cli.
//
// runc accepts a number, or a name in any case with or without "SIG" ("KILL", "sigkill",
// "SIGKILL"), and fails otherwise with `unknown signal "<raw>"`. Real-time signals are
// named the way kill(1) and glibc do: RTMIN, RTMIN+n, RTMAX-n, RTMAX (glibc keeps 32 and
// 33 for itself, so RTMIN is 34).
import { constants } from 'node:os';
import { UsageError } from '../errors';

export const SIGRTMIN = 34;
export const SIGRTMAX = 64;

const BY_NAME = new Map<string, number>();
const BY_NUMBER = new Map<number, string>();

for (const [name, num] of Object.entries(constants.signals)) {
  BY_NAME.set(name.slice(3), num);
  if (!BY_NUMBER.has(num)) BY_NUMBER.set(num, name);
}
// Aliases Node's table may lack, as in golang.org/x/sys/unix (runc's map).
for (const [alias, of] of [
  ['CLD', 'CHLD'],
  ['POLL', 'IO'],
  ['IOT', 'ABRT'],
] as const) {
  const n = BY_NAME.get(of);
  if (n !== undefined && !BY_NAME.has(alias)) BY_NAME.set(alias, n);
}
// The canonical name of an aliased number is the common one, not the alias.
for (const [num, name] of [
  [constants.signals.SIGABRT, 'SIGABRT'],
  [constants.signals.SIGCHLD, 'SIGCHLD'],
  [constants.signals.SIGIO, 'SIGIO'],
] as const) {
  BY_NUMBER.set(num, name);
}
for (let n = SIGRTMIN; n <= SIGRTMAX; n++) {
  const lo = n - SIGRTMIN;
  const hi = SIGRTMAX - n;
  const name = lo === 0 ? 'RTMIN' : hi === 0 ? 'RTMAX' : lo <= hi ? `RTMIN+${lo}` : `RTMAX-${hi}`;
  BY_NUMBER.set(n, `SIG${name}`);
  BY_NAME.set(name, n);
  // Both spellings resolve, whichever kill -l prints.
  if (lo > 0) BY_NAME.set(`RTMIN+${lo}`, n);
  if (hi > 0) BY_NAME.set(`RTMAX-${hi}`, n);
}

/** "KILL", "sigkill", "SIGKILL", "9" -> 9; throws UsageError(`unknown signal "x"`). */
export function parseSignal(raw: string): number {
  if (/^[+-]?\d+$/.test(raw)) return Number.parseInt(raw, 10);
  const upper = raw.toUpperCase();
  const n = BY_NAME.get(upper.startsWith('SIG') ? upper.slice(3) : upper);
  if (n === undefined) throw new UsageError(`unknown signal ${JSON.stringify(raw)}`);
  return n;
}

/** 9 -> "SIGKILL"; undefined for numbers that are not signals. */
export function signalName(num: number): string | undefined {
  return BY_NUMBER.get(num);
}

/** Every signal number with its canonical name, ascending (for tests and `kill -l`-like output). */
export function signalTable(): [number, string][] {
  return [...BY_NUMBER.entries()].sort((a, b) => a[0] - b[0]);
}
