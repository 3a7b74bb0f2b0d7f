// Owns: `start` — release a created container's init from the exec fifo. Runs in: cli.
import * as fs from 'node:fs';
import { RuntimeError, StateError } from '../errors';
import { warn } from '../log';
import { renderError } from '../errors';
import { execFifoPath, removeExecFifo } from './exec-fifo';
import { hookStateJson } from './hook-state';
import { runHooks } from '../hooks/run';
import { isAlive } from './liveness';
import { withLock } from './lock';
import { readState, type ContainerState } from './state-store';
import { assertCanStart, currentStatus } from './status';
import type { ContainerConfig } from '../spec/normalize';

/** One non-blocking read: 1 when the init's byte is there, 0 otherwise. */
function readByte(fd: number, buf: Buffer): number {
  try {
    return fs.readSync(fd, buf, 0, 1, null);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
    return 0;
  }
}

/**
 * Open the fifo's read side without blocking (the init may have died, and a blocking
 * open would then wait forever), then read the one byte the init writes once its
 * blocking open for writing returns. runc's start does the same dance (awaitFifoOpen).
 */
async function releaseInit(root: string, state: ContainerState): Promise<void> {
  const fd = fs.openSync(execFifoPath(root, state.id), fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  try {
    const buf = Buffer.alloc(1);
    for (let delay = 1; ; delay = Math.min(delay * 2, 10)) {
      const n = readByte(fd, buf);
      if (n === 1) return;
      if (!isAlive(state.pid, state.initStartTime)) {
        // A fast process can take the byte's whole life — write, execve, exit —
        // between the read above and this check: the byte is then still in the fifo.
        if (readByte(fd, buf) === 1) return;
        throw new StateError('cannot start a container that has stopped');
      }
      await new Promise((r) => setTimeout(r, delay));
    }
  } finally {
    fs.closeSync(fd);
  }
}

export async function startContainer(root: string, id: string): Promise<void> {
  await withLock(root, id, async () => {
    const state = readState(root, id);
    assertCanStart(currentStatus(root, state));
    try {
      await releaseInit(root, state);
    } catch (err) {
      throw new RuntimeError('start container', { cause: err });
    }
    removeExecFifo(root, id);
    const config = state.config as ContainerConfig;
    // poststart failures are warnings: the container is already running (runtime-spec).
    try {
      await runHooks('poststart', config.spec.hooks?.poststart, hookStateJson(state, 'running'));
    } catch (err) {
      warn(renderError(err));
    }
  });
}
