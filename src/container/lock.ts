// Owns: the per-container lock, so that two commands on one id (a shim's `kill` racing
// a person's `delete`, two `start`s) run one after the other. Runs in: cli.
//
// The lock is flock(2) on the container's state dir itself: no extra file to create
// or clean up, and it disappears with the process if the command dies. `delete`
// removes the dir while holding the lock; a waiter that then gets the lock finds the
// dir gone (or replaced by a new container of the same id) and is told so instead of
// acting on a container that no longer exists.
import * as fs from 'node:fs';
import { MSG, NotFoundError } from '../errors';
import { flock } from '../sys/flock';
import { stateDir } from './state-store';

export interface LockOptions {
  /** a shared lock: readers that must not see a command half-way (default: exclusive) */
  shared?: boolean;
  /** fail with EAGAIN instead of waiting when another command holds the lock */
  nonblocking?: boolean;
}

export interface ContainerLock {
  release(): void;
}

/** Take the lock on <root>/<id>; NotFoundError when the container does not exist. */
export function lockContainer(root: string, id: string, opts: LockOptions = {}): ContainerLock {
  const dir = stateDir(root, id);
  for (;;) {
    let fd: number;
    try {
      fd = fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
    } catch (err) {
      if (isCode(err, 'ENOENT') || isCode(err, 'ENOTDIR')) throw new NotFoundError(MSG.notExist);
      throw err;
    }
    try {
      flock(fd, opts.shared === true ? 'sh' : 'ex', opts.nonblocking === true, dir);
      // The dir we locked must still be the one at the path (see the header).
      const held = fs.fstatSync(fd);
      let now: fs.Stats | undefined;
      try {
        now = fs.statSync(dir);
      } catch (err) {
        if (!isCode(err, 'ENOENT')) throw err;
      }
      if (now === undefined) throw new NotFoundError(MSG.notExist);
      if (now.ino === held.ino && now.dev === held.dev) {
        let released = false;
        return {
          release(): void {
            if (released) return;
            released = true;
            // Closing drops the lock; an explicit LOCK_UN first is not needed.
            fs.closeSync(fd);
          },
        };
      }
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
    fs.closeSync(fd);
  }
}

/** Run `fn` holding the container's lock; the lock is released however `fn` ends. */
export async function withLock<T>(
  root: string,
  id: string,
  fn: () => T | Promise<T>,
  opts: LockOptions = {},
): Promise<T> {
  const lock = lockContainer(root, id, opts);
  try {
    return await fn();
  } finally {
    lock.release();
  }
}

function isCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}
