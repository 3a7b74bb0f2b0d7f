// Owns: `pause` — freeze every process of a running (or created) container and record
// it as paused. Runs in: cli.
import { CgroupManager } from '../cgroups/manager';
import { withLock } from './lock';
import { readState, writeState } from './state-store';
import { assertCanPause, currentStatus } from './status';

export async function pauseContainer(root: string, id: string): Promise<void> {
  await withLock(root, id, async () => {
    const state = readState(root, id);
    assertCanPause(currentStatus(root, state));
    const cgroups = CgroupManager.fromPaths(state.cgroupPaths);
    await cgroups.freeze();
    try {
      writeState(root, { ...state, paused: true });
    } catch (err) {
      // A frozen container that state.json calls running could never be resumed.
      await cgroups.thaw().catch(() => undefined);
      throw err;
    }
  });
}
