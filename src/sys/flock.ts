// Owns: flock(2), the advisory lock that serialises commands on one container.
// Runs in: cli.
//
// Node has no flock. The lock belongs to the open file description, so it is released
// when the fd is closed (or the process dies) and is not inherited across exec because
// Node opens every fd with O_CLOEXEC.
import { cfunc, check } from './libc';

const LOCK_SH = 1;
const LOCK_EX = 2;
const LOCK_NB = 4;
const LOCK_UN = 8;

export type FlockOp = 'ex' | 'sh' | 'un';

const OPS: Record<FlockOp, number> = { ex: LOCK_EX, sh: LOCK_SH, un: LOCK_UN };

/**
 * Take, share or drop the lock on `fd`. A blocking wait interrupted by a signal is
 * retried (EINTR); with `nonblocking` a held lock fails with EWOULDBLOCK (code EAGAIN).
 */
export function flock(fd: number, op: FlockOp, nonblocking = false, path?: string): void {
  const fn = cfunc('int flock(int fd, int operation)');
  const flags = OPS[op] | (nonblocking ? LOCK_NB : 0);
  check('flock', () => fn(fd, flags) as number, path);
}
