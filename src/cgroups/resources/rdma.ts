// Owns: linux.resources.rdma -> rdma.max lines (same file on v1 and v2). Pure. Runs in: cli.
import type { LinuxResources } from '../../spec/types';
import { int, type CgroupWrite } from './write';

/** "mlx4_0 hca_handle=2 hca_object=2000", one write per device; a device with no limit is skipped. */
export function toV1(res: LinuxResources): CgroupWrite[] {
  const out: CgroupWrite[] = [];
  for (const [device, l] of Object.entries(res.rdma ?? {})) {
    let line = device;
    if (l.hcaHandles !== undefined) line += ` hca_handle=${int(l.hcaHandles)}`;
    if (l.hcaObjects !== undefined) line += ` hca_object=${int(l.hcaObjects)}`;
    if (line !== device) out.push({ file: 'rdma.max', value: line });
  }
  return out;
}

export const toV2 = toV1;
