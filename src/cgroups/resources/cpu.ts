// Owns: linux.resources.cpu (shares, CFS quota/period/burst, idle, realtime) -> cpu
// controller writes, v1 and v2. cpus/mems are cpuset.ts's. Pure. Runs in: cli.
import type { LinuxResources } from '../../spec/types';
import { cpuSharesToWeight } from '../convert';
import { int, isSet, type CgroupWrite } from './write';

/**
 * v1, in runc's order. The kernel checks quota/period (and burst) against the parent
 * at every write, so a new period can be refused (EINVAL) until the new quota is in:
 * such writes are marked `retry` and repeated after the quota. Realtime goes last
 * (runc SetRtSched): rt_period before rt_runtime.
 */
export function toV1(res: LinuxResources): CgroupWrite[] {
  const c = res.cpu;
  if (c === undefined) return [];
  const out: CgroupWrite[] = [];
  const quotaSet = isSet(c.quota);
  if (isSet(c.shares)) out.push({ file: 'cpu.shares', value: int(c.shares) });
  const period: CgroupWrite | undefined = isSet(c.period) ? { file: 'cpu.cfs_period_us', value: int(c.period) } : undefined;
  // Burst 0 is meaningful (no burst), so "set" means present; older kernels lack the file.
  const burst: CgroupWrite | undefined = c.burst !== undefined ? { file: 'cpu.cfs_burst_us', value: int(c.burst), optional: true } : undefined;
  if (period !== undefined) out.push(quotaSet ? { ...period, retry: true } : period);
  if (burst !== undefined) out.push(quotaSet ? { ...burst, retry: true } : burst);
  if (quotaSet) {
    out.push({ file: 'cpu.cfs_quota_us', value: int(c.quota ?? 0) });
    if (period !== undefined) out.push(period);
    if (burst !== undefined) out.push(burst);
  }
  if (c.idle !== undefined) out.push({ file: 'cpu.idle', value: int(c.idle) });
  if (isSet(c.realtimePeriod)) out.push({ file: 'cpu.rt_period_us', value: int(c.realtimePeriod) });
  if (isSet(c.realtimeRuntime)) out.push({ file: 'cpu.rt_runtime_us', value: int(c.realtimeRuntime) });
  return out;
}

/**
 * v2: cpu.weight from shares (runc's conversion), cpu.max "quota period" with "max"
 * for no quota and the kernel's default period 100000 when none is given.
 */
export function toV2(res: LinuxResources): CgroupWrite[] {
  const c = res.cpu;
  if (c === undefined) return [];
  const out: CgroupWrite[] = [];
  if (c.idle !== undefined) out.push({ file: 'cpu.idle', value: int(c.idle) });
  if (isSet(c.shares)) out.push({ file: 'cpu.weight', value: String(cpuSharesToWeight(c.shares)) });
  const maxSet = isSet(c.quota) || isSet(c.period);
  const burst: CgroupWrite | undefined = c.burst !== undefined ? { file: 'cpu.max.burst', value: int(c.burst), optional: true } : undefined;
  if (burst !== undefined) out.push(maxSet ? { ...burst, retry: true } : burst);
  if (maxSet) {
    const quota = c.quota !== undefined && c.quota > 0 ? int(c.quota) : 'max';
    const period = isSet(c.period) ? int(c.period) : '100000';
    out.push({ file: 'cpu.max', value: `${quota} ${period}` });
    if (burst !== undefined) out.push(burst);
  }
  return out;
}
