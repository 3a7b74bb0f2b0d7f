// Owns: linux.resources.network -> net_cls.classid and net_prio.ifpriomap (v1 only:
// cgroup v2 has no network controllers). Pure. Runs in: cli.
import type { LinuxResources } from '../../spec/types';
import { int, isSet, type CgroupWrite } from './write';

export function netClsV1(res: LinuxResources): CgroupWrite[] {
  const id = res.network?.classID;
  return isSet(id) ? [{ file: 'net_cls.classid', value: int(id) }] : [];
}

/** One write per interface: the kernel takes ifpriomap entries one "name prio" at a time. */
export function netPrioV1(res: LinuxResources): CgroupWrite[] {
  return (res.network?.priorities ?? []).map((p) => ({ file: 'net_prio.ifpriomap', value: `${p.name} ${int(p.priority)}` }));
}
