// Owns: `update` — merge new resource limits into a live container's stored config,
// write them to its cgroups, and keep them in state.json. Runs in: cli.
//
// runc's rule, which dockerd relies on (it sends every field, zero-filled): a field
// that is absent or zero means "leave as it is". Only the fields runc's update merges
// are taken (memory limit/reservation/swap/checkBeforeUpdate, cpu shares/quota/period/
// burst/realtime/cpus/mems/idle, blockIO weight, pids limit, unified); anything else in
// the JSON (devices, hugepageLimits, throttling) is ignored, as runc ignores it.
import { RuntimeError, StateError, MSG, renderError } from '../errors';
import { CgroupManager } from '../cgroups/manager';
import { warn } from '../log';
import type { ContainerConfig } from '../spec/normalize';
import type { LinuxResources } from '../spec/types';
import { withLock } from './lock';
import { readState, writeState } from './state-store';
import { currentStatus } from './status';

export const KERNEL_MEMORY_WARNING = 'Kernel memory settings are ignored and will be removed';

const nonZero = (v: number | undefined): v is number => v !== undefined && v !== 0;

/**
 * The stored resources with the update's non-zero fields laid over them (pure).
 * A memory limit of -1 without a swap value also makes swap unlimited: v1 refuses a
 * memory limit above memsw, so "unlimited memory" alone could never be applied.
 */
export function mergeResources(current: LinuxResources | undefined, delta: LinuxResources): LinuxResources {
  const out = structuredClone(current ?? {}) as LinuxResources;
  const m = delta.memory;
  if (m !== undefined) {
    const mem = (out.memory ??= {});
    if (nonZero(m.limit)) {
      mem.limit = m.limit;
      if (m.limit === -1 && !nonZero(m.swap)) mem.swap = -1;
    }
    if (nonZero(m.reservation)) mem.reservation = m.reservation;
    if (nonZero(m.swap)) mem.swap = m.swap;
    if (m.checkBeforeUpdate !== undefined) mem.checkBeforeUpdate = m.checkBeforeUpdate;
    if (Object.keys(mem).length === 0) delete out.memory;
  }
  const c = delta.cpu;
  if (c !== undefined) {
    const cpu = (out.cpu ??= {});
    for (const k of ['shares', 'quota', 'burst', 'period', 'realtimeRuntime', 'realtimePeriod'] as const) {
      const v = c[k];
      if (nonZero(v)) cpu[k] = v;
    }
    if (c.idle !== undefined) cpu.idle = c.idle;
    if (c.cpus !== undefined && c.cpus !== '') cpu.cpus = c.cpus;
    if (c.mems !== undefined && c.mems !== '') cpu.mems = c.mems;
    if (Object.keys(cpu).length === 0) delete out.cpu;
  }
  if (nonZero(delta.blockIO?.weight)) (out.blockIO ??= {}).weight = delta.blockIO!.weight!;
  if (nonZero(delta.pids?.limit)) out.pids = { ...out.pids, limit: delta.pids!.limit! };
  if (delta.unified !== undefined && Object.keys(delta.unified).length > 0) out.unified = { ...out.unified, ...delta.unified };
  return out;
}

/** What is written to the cgroups: everything but devices, which update never touches (runc SkipDevices). */
function withoutDevices(r: LinuxResources): LinuxResources {
  const { devices: _devices, ...rest } = r;
  return rest;
}

function hasKernelMemory(r: LinuxResources): boolean {
  return nonZero(r.memory?.kernel) || nonZero(r.memory?.kernelTCP);
}

/**
 * Update a container's limits. `resolve` produces the requested change; it runs after
 * the container is found (so a missing container is reported first, as runc does) and
 * before the status check (so a malformed value is reported before "not running").
 * Returns the merged resources now stored in state.json.
 */
export async function updateContainer(
  root: string,
  id: string,
  resolve: () => LinuxResources | Promise<LinuxResources>,
): Promise<LinuxResources> {
  return withLock(root, id, async () => {
    const state = readState(root, id);
    const delta = await resolve();
    if (currentStatus(root, state) === 'stopped') throw new StateError(MSG.notRunning);
    if (hasKernelMemory(delta)) warn(KERNEL_MEMORY_WARNING);

    const config = state.config as ContainerConfig;
    const linux = (config.spec.linux ??= {});
    const before = linux.resources ?? {};
    const merged = mergeResources(before, delta);
    const cgroups = CgroupManager.fromPaths(state.cgroupPaths);
    try {
      cgroups.set(withoutDevices(merged), { update: true });
    } catch (err) {
      // Half an update (memory written, cpu refused) must not stay: put the old values back.
      try {
        cgroups.set(withoutDevices(before), { update: true });
      } catch (restoreErr) {
        warn(`update ${id}: restoring the previous limits failed: ${renderError(restoreErr)}`);
      }
      throw err instanceof RuntimeError ? err : new RuntimeError(`update ${id}`, { cause: err });
    }
    linux.resources = merged;
    writeState(root, state);
    return merged;
  });
}
