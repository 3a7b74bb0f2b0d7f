// Owns: `kill` — send a signal to the container's init, or to every process in its
// cgroups with --all. Runs in: cli.
import { MSG, RuntimeError } from '../errors';
import { CgroupManager } from '../cgroups/manager';
import { readState } from './state-store';
import { assertCanKill, currentStatus } from './status';

const SIGKILL = 9;

function sendSignal(pid: number, signal: number): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw new RuntimeError(`kill ${pid}`, { cause: err });
  }
}

export async function killContainer(root: string, id: string, signal: number, all: boolean): Promise<void> {
  const state = readState(root, id);
  const status = currentStatus(root, state);
  assertCanKill(status);
  const cgroups = CgroupManager.fromPaths(state.cgroupPaths);
  if (all) {
    for (const pid of cgroups.pids()) sendSignal(pid, signal);
  } else if (!sendSignal(state.pid, signal)) {
    // Between the status check and the signal the init may exit: runc reports the
    // kernel's ESRCH as "no such process", which containerd treats as already gone.
    throw new RuntimeError(MSG.noSuchProcess);
  }
  // Other signals stay queued while the container is paused; SIGKILL is meant to end
  // it now, and a v1-frozen task cannot die until thawed (runc thaws for SIGKILL only).
  if (status === 'paused' && signal === SIGKILL) await cgroups.thaw();
}
