// Owns: `resume` — thaw a paused container and record it as running again. Runs in: cli.
import { CgroupManager } from '../cgroups/manager';
import { withLock } from './lock';
import { readState, writeState } from './state-store';
import { assertCanResume, currentStatus } from './status';

export async function resumeContainer(root: string, id: string): Promise<void> {
  await withLock(root, id, async () => {
    const state = readState(root, id);
    assertCanResume(currentStatus(root, state));
    await CgroupManager.fromPaths(state.cgroupPaths).thaw();
    writeState(root, { ...state, paused: false });
  });
}
