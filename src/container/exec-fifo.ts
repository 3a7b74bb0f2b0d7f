// Owns: <root>/<id>/exec.fifo, the FIFO a created container's init blocks on until
// `start` opens it. Its presence is also what marks a live container as "created"
// rather than "running" (runc's runType). Runs in: cli.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stateDir } from './state-store';

export const EXEC_FIFO = 'exec.fifo';
/** runc's mode: only the owner reads (start), anyone may open it for writing (the init after setuid). */
export const EXEC_FIFO_MODE = 0o622;

export function execFifoPath(root: string, id: string): string {
  return path.join(stateDir(root, id), EXEC_FIFO);
}

export interface FifoOwner {
  uid: number;
  gid: number;
}

/**
 * Create the FIFO, owned by the container's root user when it runs in a user
 * namespace (runc chowns it to rootuid/rootgid for the same reason).
 */
export function createExecFifo(root: string, id: string, owner?: FifoOwner): string {
  const p = execFifoPath(root, id);
  // Loaded here, not at the top: `state` and `list` import this module for
  // hasExecFifo and should not pay for loading koffi.
  const { mkfifo } = require('../sys/fifo') as typeof import('../sys/fifo');
  mkfifo(p, EXEC_FIFO_MODE);
  try {
    // mkfifo's mode is filtered by the umask; changing the umask would race with
    // anything else in this process that creates files.
    fs.chmodSync(p, EXEC_FIFO_MODE);
    if (owner !== undefined) fs.chownSync(p, owner.uid, owner.gid);
  } catch (err) {
    fs.rmSync(p, { force: true });
    throw err;
  }
  return p;
}

export function hasExecFifo(root: string, id: string): boolean {
  try {
    return fs.lstatSync(execFifoPath(root, id)).isFIFO();
  } catch {
    return false;
  }
}

export function removeExecFifo(root: string, id: string): void {
  fs.rmSync(execFifoPath(root, id), { force: true });
}
