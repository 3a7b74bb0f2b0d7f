// Owns: `delete` — stop what is left of a container and remove every trace of it:
// processes, cgroups, state dir; then run the poststop hooks. Runs in: cli.
import * as fs from 'node:fs';
import { MSG, NotFoundError, renderError, RuntimeError } from '../errors';
import { CgroupManager } from '../cgroups/manager';
import { warn } from '../log';
import type { ContainerConfig } from '../spec/normalize';
import { hookStateJson } from './hook-state';
import { runHooks } from '../hooks/run';
import { withLock } from './lock';
import { readState, removeStateDir, stateDir, type ContainerState } from './state-store';
import { assertCanDelete, currentStatus } from './status';
import { waitForExit } from './wait';

/** SIGKILL the init and everything else in the container's cgroups, then wait for them. */
export async function killAll(state: ContainerState): Promise<void> {
  const cgroups = CgroupManager.fromPaths(state.cgroupPaths);
  const victims = new Set([state.pid, ...cgroups.pids()].filter((p) => p > 0));
  for (const pid of victims) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  // A v1-frozen task does not act on SIGKILL until it is thawed (runc thaws too).
  if (state.paused || cgroups.isFrozen()) await cgroups.thaw().catch((err: unknown) => warn(renderError(err)));
  if (!(await waitForExit(state.pid, state.initStartTime))) {
    throw new RuntimeError(`container init ${state.pid} did not die after SIGKILL`);
  }
  for (let i = 0; i < 200 && cgroups.pids().length > 0; i++) await new Promise((r) => setTimeout(r, 10));
}

/** Remove cgroups and the state dir, then poststop hooks (whose failure is a warning). */
export async function destroyContainer(root: string, state: ContainerState): Promise<void> {
  await CgroupManager.fromPaths(state.cgroupPaths).destroy();
  removeStateDir(root, state.id);
  const config = state.config as ContainerConfig;
  try {
    await runHooks('poststop', config.spec.hooks?.poststop, hookStateJson(state, 'stopped'));
  } catch (err) {
    warn(renderError(err));
  }
}

export async function deleteContainer(root: string, id: string, force: boolean): Promise<void> {
  let exists = true;
  try {
    fs.statSync(stateDir(root, id));
  } catch {
    exists = false;
  }
  if (!exists) {
    if (force) return; // containerd and podman call `delete --force` on what is already gone
    throw new NotFoundError(MSG.notExist);
  }
  await withLock(root, id, async () => {
    let state: ContainerState;
    try {
      state = readState(root, id);
    } catch (err) {
      // A state dir without a state file is what a create that died half-way leaves.
      if (err instanceof NotFoundError && force) {
        removeStateDir(root, id);
        return;
      }
      throw err;
    }
    const status = currentStatus(root, state);
    assertCanDelete(id, status, force);
    if (status !== 'stopped') await killAll(state);
    await destroyContainer(root, state);
  });
}
