// Owns: a container's status as computed from the facts (never read back from a file)
// and the lifecycle guards each command checks first, with runc's error text.
// Runs in: cli.
import { MSG, StateError } from '../errors';
import type { Status } from '../spec/types';
import { hasExecFifo } from './exec-fifo';
import { isAlive } from './liveness';
import type { ContainerState } from './state-store';

export type { Status };

/**
 * runc's refreshState/runType: an init that is gone, a zombie or a reused pid means
 * stopped; the paused flag wins over created (runc lets `pause` freeze a created
 * container); a live init with exec.fifo still present has not been started.
 */
export function currentStatus(root: string, state: ContainerState): Status {
  if (state.pid <= 0 || !isAlive(state.pid, state.initStartTime)) return 'stopped';
  if (state.paused) return 'paused';
  if (hasExecFifo(root, state.id)) return 'created';
  return 'running';
}

export function canStart(status: Status): boolean {
  return status === 'created';
}

export function canKill(status: Status): boolean {
  return status === 'created' || status === 'running' || status === 'paused';
}

/**
 * Without --force only a stopped or a created container may be deleted (runc's
 * delete kills a created one first); with --force anything may.
 */
export function canDelete(status: Status, force = false): boolean {
  return force || status === 'stopped' || status === 'created';
}

export function canPause(status: Status): boolean {
  return status === 'running' || status === 'created';
}

export function canResume(status: Status): boolean {
  return status === 'paused';
}

/** runc/start.go */
export function assertCanStart(status: Status): void {
  if (canStart(status)) return;
  if (status === 'stopped') throw new StateError('cannot start a container that has stopped');
  if (status === 'running') throw new StateError('cannot start an already running container');
  throw new StateError(`cannot start a container in the ${status} state`);
}

/** libcontainer Signal: ErrNotRunning */
export function assertCanKill(status: Status): void {
  if (!canKill(status)) throw new StateError(MSG.notRunning);
}

/** runc/delete.go */
export function assertCanDelete(id: string, status: Status, force = false): void {
  if (!canDelete(status, force)) {
    throw new StateError(`cannot delete container ${id} that is not stopped: ${status}`);
  }
}

/** libcontainer Pause: ErrNotRunning */
export function assertCanPause(status: Status): void {
  if (!canPause(status)) throw new StateError(MSG.notRunning);
}

/** libcontainer Resume: ErrNotPaused */
export function assertCanResume(status: Status): void {
  if (!canResume(status)) throw new StateError(MSG.notPaused);
}
