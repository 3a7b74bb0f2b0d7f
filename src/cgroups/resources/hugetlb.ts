// Owns: linux.resources.hugepageLimits -> hugetlb.<size>.limit_in_bytes (v1) /
// hugetlb.<size>.max (v2). Pure. Runs in: cli.
import { ConfigError } from '../../errors';
import type { LinuxResources } from '../../spec/types';
import { int, type CgroupWrite } from './write';

// The page size becomes part of a file name: only the kernel's own spelling ("2MB",
// "1GB", "64KB") is accepted, so it can never name another file.
const PAGE_SIZE = /^[0-9]+[KMGTP]?B$/;

function checked(res: LinuxResources): { pageSize: string; limit: number }[] {
  return (res.hugepageLimits ?? []).map((l, i) => {
    if (!PAGE_SIZE.test(l.pageSize)) {
      throw new ConfigError(`invalid hugepage size ${JSON.stringify(l.pageSize)} (expected e.g. "2MB")`, `/linux/resources/hugepageLimits/${i}/pageSize`);
    }
    return l;
  });
}

/** Every entry is written, 0 included: a hugepage limit of 0 forbids huge pages. */
export function toV1(res: LinuxResources): CgroupWrite[] {
  return checked(res).map((l) => ({ file: `hugetlb.${l.pageSize}.limit_in_bytes`, value: int(l.limit) }));
}

export function toV2(res: LinuxResources): CgroupWrite[] {
  return checked(res).map((l) => ({ file: `hugetlb.${l.pageSize}.max`, value: int(l.limit) }));
}
