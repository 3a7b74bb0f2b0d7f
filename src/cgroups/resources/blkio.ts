// Owns: linux.resources.blockIO -> blkio (v1) and io (v2) writes. Pure. Runs in: cli.
//
// With the BFQ scheduler the weight files are blkio.bfq.weight (v1) / io.bfq.weight
// (v2) and take the blkio value as is; without BFQ v1 has blkio.weight and v2 has
// io.weight on the 1..10000 scale (runc's conversion). The caller says which exist.
import type { LinuxResources, LinuxThrottleDevice } from '../../spec/types';
import { blkioWeightToIoWeight } from '../convert';
import { int, isSet, type CgroupWrite } from './write';

export interface BlkioContext {
  /** v1: no blkio.weight but blkio.bfq.weight; v2: io.bfq.weight exists */
  bfq?: boolean;
}

const dev = (d: { major: number; minor: number }): string => `${int(d.major)}:${int(d.minor)}`;

export function toV1(res: LinuxResources, ctx: BlkioContext = {}): CgroupWrite[] {
  const b = res.blockIO;
  if (b === undefined) return [];
  const weightFile = ctx.bfq === true ? 'blkio.bfq.weight' : 'blkio.weight';
  const weightDeviceFile = ctx.bfq === true ? 'blkio.bfq.weight_device' : 'blkio.weight_device';
  const out: CgroupWrite[] = [];
  if (isSet(b.weight)) out.push({ file: weightFile, value: int(b.weight) });
  if (isSet(b.leafWeight)) out.push({ file: 'blkio.leaf_weight', value: int(b.leafWeight) });
  for (const wd of b.weightDevice ?? []) {
    if (isSet(wd.weight)) out.push({ file: weightDeviceFile, value: `${dev(wd)} ${int(wd.weight)}` });
    if (isSet(wd.leafWeight)) out.push({ file: 'blkio.leaf_weight_device', value: `${dev(wd)} ${int(wd.leafWeight)}` });
  }
  const throttle = (file: string, list: LinuxThrottleDevice[] | undefined): void => {
    for (const td of list ?? []) out.push({ file, value: `${dev(td)} ${int(td.rate)}` });
  };
  throttle('blkio.throttle.read_bps_device', b.throttleReadBpsDevice);
  throttle('blkio.throttle.write_bps_device', b.throttleWriteBpsDevice);
  throttle('blkio.throttle.read_iops_device', b.throttleReadIOPSDevice);
  throttle('blkio.throttle.write_iops_device', b.throttleWriteIOPSDevice);
  return out;
}

/** v2: weight, then one io.max line per throttle ("8:0 rbps=1048576"). Per-device weights have no v2 file here. */
export function toV2(res: LinuxResources, ctx: BlkioContext = {}): CgroupWrite[] {
  const b = res.blockIO;
  if (b === undefined) return [];
  const out: CgroupWrite[] = [];
  if (isSet(b.weight)) {
    out.push(ctx.bfq === true ? { file: 'io.bfq.weight', value: int(b.weight) } : { file: 'io.weight', value: String(blkioWeightToIoWeight(b.weight)) });
  }
  const throttle = (key: string, list: LinuxThrottleDevice[] | undefined): void => {
    for (const td of list ?? []) out.push({ file: 'io.max', value: `${dev(td)} ${key}=${int(td.rate)}` });
  };
  throttle('rbps', b.throttleReadBpsDevice);
  throttle('wbps', b.throttleWriteBpsDevice);
  throttle('riops', b.throttleReadIOPSDevice);
  throttle('wiops', b.throttleWriteIOPSDevice);
  return out;
}
