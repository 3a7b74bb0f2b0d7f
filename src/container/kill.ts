// Owns: `kill` — send a signal to the container's init, or to every process in its
// cgroups with --all. Runs in: cli.
import { MSG, RuntimeError } from '../errors';
import { CgroupManager } from '../cgroups/manager';
import { readState } from './state-store';
import { assertCanKill, currentStatus } from './status';

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
  assertCanKill(currentStatus(root, state));
  if (all) {
    const cgroups = CgroupManager.fromPaths(state.cgroupPaths);
    for (const pid of cgroups.pids()) sendSignal(pid, signal);
    return;
  }
  // Between the status check and the signal the init may exit: runc reports the
  // kernel's ESRCH as "no such process", which containerd treats as already gone.
  if (!sendSignal(state.pid, signal)) throw new RuntimeError(MSG.noSuchProcess);
}
