// Owns: linux.resources.pids -> pids.max (same file on v1 and v2). Pure. Runs in: cli.
import type { LinuxResources } from '../../spec/types';
import { int, type CgroupWrite } from './write';

/** 0 leaves the limit alone; any negative value is unlimited ("max"), as runc writes it. */
export function toV1(res: LinuxResources): CgroupWrite[] {
  const limit = res.pids?.limit;
  if (limit === undefined || limit === 0) return [];
  return [{ file: 'pids.max', value: limit > 0 ? int(limit) : 'max' }];
}

export const toV2 = toV1;
