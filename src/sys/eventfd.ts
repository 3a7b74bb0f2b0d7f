// Owns: eventfd(2), which Node does not offer; cgroup v1 memory notifications
// (memory.oom_control through cgroup.event_control) are delivered on one. Runs in: cli.
import { cfunc, check } from './libc';

/** Not inherited by anything the CLI spawns (ps, hooks). */
export const EFD_CLOEXEC = 0o2000000;
export const EFD_NONBLOCK = 0o4000;

export function eventfd(initval: number, flags: number): number {
  const fn = cfunc('int eventfd(unsigned int initval, int flags)');
  return check('eventfd', () => fn(initval, flags) as number);
}
