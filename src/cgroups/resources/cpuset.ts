// Owns: linux.resources.cpu.cpus/mems -> cpuset writes (same files on v1 and v2).
// Pure. Runs in: cli.
import type { LinuxResources } from '../../spec/types';
import type { CgroupWrite } from './write';

export function toV1(res: LinuxResources): CgroupWrite[] {
  const c = res.cpu;
  const out: CgroupWrite[] = [];
  if (c?.cpus !== undefined && c.cpus !== '') out.push({ file: 'cpuset.cpus', value: c.cpus });
  if (c?.mems !== undefined && c.mems !== '') out.push({ file: 'cpuset.mems', value: c.mems });
  return out;
}

export const toV2 = toV1;
