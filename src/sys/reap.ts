// Owns: becoming a child subreaper and reaping a pid without blocking — what a caller of
// `create` (a shim; our native tests) needs, since the container's init outlives the
// native parent and is re-parented to the nearest subreaper. Runs in: cli.
//
// Node's child_process only reaps the pids it spawned itself; an adopted orphan would
// stay a zombie without this.
import { cfunc, check } from './libc';

const PR_SET_CHILD_SUBREAPER = 36;
const WNOHANG = 1;
const ECHILD = 10;

export function setChildSubreaper(on: boolean): void {
  const prctl = cfunc('int prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)');
  check('prctl', () => prctl(PR_SET_CHILD_SUBREAPER, on ? 1 : 0, 0, 0, 0) as number);
}

export type ReapResult = { state: 'running' } | { state: 'gone' } | { state: 'exited'; status: number };

/** waitpid(pid, WNOHANG): "gone" when pid is not (or no longer) our child. */
export function reapNoHang(pid: number): ReapResult {
  const waitpid = cfunc('int waitpid(int pid, _Out_ int *status, int options)');
  const st = new Int32Array(1);
  try {
    const r = check('waitpid', () => waitpid(pid, st, WNOHANG) as number);
    return r === 0 ? { state: 'running' } : { state: 'exited', status: st[0] ?? 0 };
  } catch (err) {
    if ((err as { errno?: number }).errno === ECHILD) return { state: 'gone' };
    throw err;
  }
}
