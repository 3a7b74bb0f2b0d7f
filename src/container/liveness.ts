// Owns: telling whether a recorded container init is still that process. Runs in: cli.
//
// A pid alone proves nothing: once the init exits its pid can be reused by any
// process, and `kill` must never signal a stranger. The pid is therefore paired with
// its start time (field 22 of /proc/<pid>/stat, clock ticks since boot) as runc and
// crun do; a zombie counts as gone because it will never run the container again.
import * as fs from 'node:fs';

export interface ProcStat {
  /** field 3: R, S, D, Z, X, T, t, ... */
  state: string;
  /** field 22: start time in clock ticks after boot */
  startTime: number;
}

/**
 * Parse /proc/<pid>/stat text. Field 2 (comm) is in parentheses and may itself
 * contain spaces and ')', so the fields are counted from the last ')'.
 */
export function parseProcStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const rest = text.slice(close + 2).trim().split(' ');
  // rest[0] is field 3, so field N is rest[N - 3].
  const state = rest[0];
  const start = rest[22 - 3];
  if (state === undefined || start === undefined || !/^\d+$/.test(start)) return undefined;
  return { state, startTime: Number(start) };
}

export function procStat(pid: number): ProcStat | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  return parseProcStat(text);
}

export function procStartTime(pid: number): number | undefined {
  return procStat(pid)?.startTime;
}

export function isAlive(pid: number, startTime: number): boolean {
  const st = procStat(pid);
  if (st === undefined) return false;
  if (st.state === 'Z' || st.state === 'X') return false;
  return st.startTime === startTime;
}
