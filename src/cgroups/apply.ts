// Owns: writing linux.resources into a container's cgroup directories — choosing, per
// controller, the hierarchy that has it (a v1 mount, else the unified v2 hierarchy,
// enabling the controller there), then running the planners' ordered writes.
// Runs in: cli.
//
// Controllers are visited in runc's v1 order (cpuset, devices, memory, cpu, pids,
// blkio, hugetlb, net_cls, net_prio, rdma), then the `unified` map, which overrides.
// A controller the host has nowhere is skipped when nothing is asked of it and is an
// error naming it when something is: a limit must never be silently dropped.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RuntimeError } from '../errors';
import { debugFor, warn } from '../log';
import type { LinuxDevice, LinuxResources } from '../spec/types';
import { readCgroupFile, writeCgroupFile } from './cgroupfs';
import { deviceFilterBytes, DEVICE_FILTER_LICENSE } from './devices-bpf';
import { toV1 as devicesToV1 } from './devices-v1';
import type { CgroupDir } from './paths';
import * as blkio from './resources/blkio';
import * as cpu from './resources/cpu';
import * as cpuset from './resources/cpuset';
import { planDeviceRules } from './resources/devices';
import * as hugetlb from './resources/hugetlb';
import * as memory from './resources/memory';
import { netClsV1, netPrioV1 } from './resources/network';
import * as pids from './resources/pids';
import * as rdma from './resources/rdma';
import { controllerOf, toV2 as unifiedToV2 } from './resources/unified';
import type { CgroupWrite } from './resources/write';

const debug = debugFor('cgroups');

export interface ApplyOptions {
  /** `update` of an existing container: device rules are left as they are (runc update never touches them) */
  update?: boolean;
  /** linux.devices: a default device rule whose /dev path the spec redefines is dropped (runc createDevices) */
  linuxDevices?: readonly LinuxDevice[];
  /** stands in for loading and attaching the v2 device filter (tests without root) */
  attachDeviceFilter?: (dir: string, program: Buffer) => void;
}

/** One write that was made, in order: what tests and debug output read. */
export interface AppliedWrite {
  dir: string;
  file: string;
  value: string;
}

interface Controller {
  /** the v1 subsystem name, as in a hierarchy's name ('cpu' in 'cpu,cpuacct') */
  name: string;
  /** its name in cgroup v2's cgroup.controllers; undefined: v2 has no such controller */
  v2: string | undefined;
  /** `dir` is there to read context from (current values, which files exist); absent when planning without a hierarchy */
  planV1(res: LinuxResources, dir?: string): CgroupWrite[];
  planV2?(res: LinuxResources, dir?: string): CgroupWrite[];
}

function exists(dir: string | undefined, file: string): boolean {
  return dir !== undefined && fs.existsSync(path.join(dir, file));
}

function currentMemoryLimit(dir: string | undefined): bigint | undefined {
  if (dir === undefined) return undefined;
  try {
    return BigInt(readCgroupFile(dir, 'memory.limit_in_bytes').trim());
  } catch {
    return undefined;
  }
}

const CONTROLLERS: readonly Controller[] = [
  { name: 'cpuset', v2: 'cpuset', planV1: cpuset.toV1, planV2: cpuset.toV2 },
  {
    name: 'memory',
    v2: 'memory',
    planV1: (res, dir) => {
      const m = res.memory;
      // The current limit only decides the memsw order, which matters only when both change.
      const needCurrent = m !== undefined && (m.limit ?? 0) !== 0 && (m.swap ?? 0) !== 0;
      const currentLimit = needCurrent ? currentMemoryLimit(dir) : undefined;
      return memory.toV1(res, currentLimit === undefined ? {} : { currentLimit });
    },
    planV2: memory.toV2,
  },
  { name: 'cpu', v2: 'cpu', planV1: cpu.toV1, planV2: cpu.toV2 },
  { name: 'pids', v2: 'pids', planV1: pids.toV1, planV2: pids.toV2 },
  {
    name: 'blkio',
    v2: 'io',
    // runc detectWeightFilenames: blkio.weight if the kernel has it, else BFQ's files.
    planV1: (res, dir) => blkio.toV1(res, { bfq: dir !== undefined && !exists(dir, 'blkio.weight') && exists(dir, 'blkio.bfq.weight') }),
    planV2: (res, dir) => blkio.toV2(res, { bfq: exists(dir, 'io.bfq.weight') }),
  },
  { name: 'hugetlb', v2: 'hugetlb', planV1: hugetlb.toV1, planV2: hugetlb.toV2 },
  { name: 'net_cls', v2: undefined, planV1: netClsV1 },
  { name: 'net_prio', v2: undefined, planV1: netPrioV1 },
  { name: 'rdma', v2: 'rdma', planV1: rdma.toV1, planV2: rdma.toV2 },
];

function errnoOf(err: unknown): string | undefined {
  for (let cur: unknown = err; cur instanceof Error; cur = cur.cause) {
    const code = (cur as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code.startsWith('E') && code !== 'ERUNTIME') return code;
  }
  return undefined;
}

function tokens(dir: string, file: string): string[] {
  try {
    // A fake tree keeps what was written ("+hugetlb"); the kernel shows "hugetlb".
    return readCgroupFile(dir, file)
      .split(/\s+/)
      .filter((t) => t !== '')
      .map((t) => t.replace(/^\+/, ''));
  } catch {
    return [];
  }
}

/** runc's fs cpu.go: the kernel clamps cpu.shares silently; read it back and say so. */
function verifyShares(dir: string, written: string): void {
  const read = readCgroupFile(dir, 'cpu.shares').trim();
  const want = BigInt(written);
  const got = BigInt(read);
  if (want > got) throw new RuntimeError(`the maximum allowed cpu-shares is ${read}`);
  if (want < got) throw new RuntimeError(`the minimum allowed cpu-shares is ${read}`);
}

function runPlan(dir: string, plan: readonly CgroupWrite[], applied: AppliedWrite[]): void {
  for (const w of plan) {
    if (w.optional === true && !exists(dir, w.file)) {
      debug('%s: no %s here, skipped', dir, w.file);
      continue;
    }
    try {
      writeCgroupFile(dir, w.file, w.value);
    } catch (err) {
      if (w.retry === true && errnoOf(err) === 'EINVAL') {
        debug('%s/%s: %s refused for now, written again later', dir, w.file, w.value);
        continue;
      }
      throw err;
    }
    applied.push({ dir, file: w.file, value: w.value });
    if (w.file === 'cpu.shares') verifyShares(dir, w.value);
  }
}

/**
 * Where the unified hierarchy offers `controller`: already enabled for the container's
 * directory, or available at the hierarchy's root (then it can be enabled).
 */
function v2Offers(d: CgroupDir, controller: string): boolean {
  if (tokens(d.dir, 'cgroup.controllers').includes(controller)) return true;
  return d.mountpoint !== '' && tokens(d.mountpoint, 'cgroup.controllers').includes(controller);
}

/**
 * A v2 controller's files appear in a directory only when every ancestor enables it in
 * cgroup.subtree_control (runc fs2 CreateCgroupPath does this for all of them; here
 * only for controllers that are used). Root first, the container's parent last.
 */
function enableV2(d: CgroupDir, controller: string, applied: AppliedWrite[]): void {
  if (tokens(d.dir, 'cgroup.controllers').includes(controller)) return;
  const rel = path.relative(d.mountpoint, path.dirname(d.dir));
  if (d.mountpoint === '' || rel.startsWith('..')) {
    throw new RuntimeError(`cannot enable the ${controller} controller for ${d.dir}: the cgroup2 mount point is unknown`);
  }
  let cur = d.mountpoint;
  for (const part of ['', ...rel.split('/').filter((p) => p !== '')]) {
    cur = part === '' ? cur : path.join(cur, part);
    if (tokens(cur, 'cgroup.subtree_control').includes(controller)) continue;
    writeCgroupFile(cur, 'cgroup.subtree_control', `+${controller}`);
    applied.push({ dir: cur, file: 'cgroup.subtree_control', value: `+${controller}` });
  }
}

function notAvailable(controller: string): RuntimeError {
  return new RuntimeError(`cannot set ${controller} limits: the ${controller} controller is not available on this host`);
}

function applyDevices(dirs: readonly CgroupDir[], res: LinuxResources, opts: ApplyOptions, applied: AppliedWrite[]): void {
  if (opts.update === true) return;
  const rules = planDeviceRules(res.devices, opts.linuxDevices);
  const v1 = dirs.find((d) => d.kind === 'v1' && d.name.split(',').includes('devices'));
  if (v1 !== undefined) {
    runPlan(v1.dir, devicesToV1(rules), applied);
    return;
  }
  // cgroup v2 has no devices files: access is decided by an eBPF program attached to
  // the directory (the device hook runs on every host with cgroup2, hybrid included,
  // but a v1 devices hierarchy already does the job there).
  const v2 = dirs.find((d) => d.kind === 'v2');
  if (v2 === undefined) {
    // runc treats a missing devices controller as fatal: the container would see every device.
    throw notAvailable('devices');
  }
  const program = deviceFilterBytes(rules);
  if (opts.attachDeviceFilter !== undefined) opts.attachDeviceFilter(v2.dir, program);
  else {
    // Loaded lazily: only pure-v2 hosts pay for the bpf(2) module.
    const { replaceCgroupDeviceFilter } = require('../sys/bpf') as typeof import('../sys/bpf');
    replaceCgroupDeviceFilter(v2.dir, program, DEVICE_FILTER_LICENSE);
  }
  applied.push({ dir: v2.dir, file: '<bpf device filter>', value: `${program.length / 8} insns` });
}

function applyUnified(dirs: readonly CgroupDir[], res: LinuxResources, applied: AppliedWrite[]): void {
  const writes = unifiedToV2(res);
  if (writes.length === 0) return;
  const v2 = dirs.find((d) => d.kind === 'v2');
  // runc's ErrV1NoUnified text.
  if (v2 === undefined) throw new RuntimeError('invalid configuration: cannot use unified on cgroup v1');
  for (const w of writes) {
    const controller = controllerOf(w.file);
    if (controller !== 'cgroup') {
      if (!v2Offers(v2, controller)) {
        throw new RuntimeError(`unified resource ${JSON.stringify(w.file)} can't be set: controller ${JSON.stringify(controller)} not available`);
      }
      enableV2(v2, controller, applied);
    }
    try {
      runPlan(v2.dir, [w], applied);
    } catch (err) {
      throw new RuntimeError(`unable to set unified resource ${JSON.stringify(w.file)}`, { cause: err });
    }
  }
}

/**
 * Write `res` into the container's cgroups. Returns the writes made, in order. The
 * first write the kernel refuses stops everything with an error naming the file and
 * the value (cgroupfs.ts), so that create fails and unwinds.
 */
export function applyResources(dirs: readonly CgroupDir[], res: LinuxResources, opts: ApplyOptions = {}): AppliedWrite[] {
  const applied: AppliedWrite[] = [];
  const v2 = dirs.find((d) => d.kind === 'v2');
  const onlyV2 = !dirs.some((d) => d.kind === 'v1');
  if (res.memory?.kernel !== undefined || res.memory?.kernelTCP !== undefined) {
    // runc 1.1's words; the kernel deprecated both limits (and ignores kmem since 5.16).
    warn('kernel memory settings are ignored and will be removed');
  }
  for (const c of CONTROLLERS) {
    const v1 = dirs.find((d) => d.kind === 'v1' && d.name.split(',').includes(c.name));
    if (v1 !== undefined) {
      runPlan(v1.dir, c.planV1(res, v1.dir), applied);
    } else if (v2 !== undefined && c.v2 !== undefined && c.planV2 !== undefined && v2Offers(v2, c.v2)) {
      const plan = c.planV2(res, v2.dir);
      if (plan.length > 0) {
        enableV2(v2, c.v2, applied);
        runPlan(v2.dir, plan, applied);
      }
    } else {
      const plan = onlyV2 && c.planV2 !== undefined ? c.planV2(res) : c.planV1(res);
      if (plan.some((w) => w.optional !== true)) throw notAvailable(c.name);
      debug('%s: no hierarchy has this controller, nothing asked of it', c.name);
    }
    // runc's order puts devices right after cpuset.
    if (c.name === 'cpuset') applyDevices(dirs, res, opts, applied);
  }
  applyUnified(dirs, res, applied);
  if (applied.length > 0) debug('applied %o', applied);
  return applied;
}
