// The pure resource planners: LinuxResources -> ordered cgroup file writes, v1 and v2,
// with runc 1.1's semantics (unset and 0 leave a value alone, -1 is unlimited) and
// its conversions' numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blkioWeightToIoWeight, cpuSharesToWeight, memorySwapToV2 } from '../../../src/cgroups/convert';
import * as blkio from '../../../src/cgroups/resources/blkio';
import * as cpu from '../../../src/cgroups/resources/cpu';
import * as cpuset from '../../../src/cgroups/resources/cpuset';
import * as hugetlb from '../../../src/cgroups/resources/hugetlb';
import * as memory from '../../../src/cgroups/resources/memory';
import { netClsV1, netPrioV1 } from '../../../src/cgroups/resources/network';
import * as pids from '../../../src/cgroups/resources/pids';
import * as rdma from '../../../src/cgroups/resources/rdma';
import * as unified from '../../../src/cgroups/resources/unified';
import { int } from '../../../src/cgroups/resources/write';
import { ConfigError } from '../../../src/errors';

const M = 1024 * 1024;
const pairs = (ws: { file: string; value: string }[]): string[] => ws.map((w) => `${w.file}=${w.value}`);

test('conversions use runc 1.1 formulas', () => {
  // ConvertCPUSharesToCgroupV2Value: 1 + ((x - 2) * 9999) / 262142
  assert.equal(cpuSharesToWeight(0), 0);
  assert.equal(cpuSharesToWeight(2), 1);
  assert.equal(cpuSharesToWeight(1024), 39);
  assert.equal(cpuSharesToWeight(512), 20);
  assert.equal(cpuSharesToWeight(262144), 10000);
  assert.equal(cpuSharesToWeight(1), 1, 'below the kernel minimum clamps instead of wrapping');
  // ConvertBlkIOToIOWeightValue: 1 + (x - 10) * 9999 / 990
  assert.equal(blkioWeightToIoWeight(0), 0);
  assert.equal(blkioWeightToIoWeight(10), 1);
  assert.equal(blkioWeightToIoWeight(500), 4950);
  assert.equal(blkioWeightToIoWeight(1000), 10000);
  // ConvertMemorySwapToCgroupV2Value
  assert.equal(memorySwapToV2(0, 0), 0);
  assert.equal(memorySwapToV2(0, -1), -1, 'unlimited memory, swap unset: unlimited swap');
  assert.equal(memorySwapToV2(-1, 16 * M), -1);
  assert.equal(memorySwapToV2(32 * M, 16 * M), 16 * M);
  assert.equal(memorySwapToV2(16 * M, 16 * M), 0);
  assert.throws(() => memorySwapToV2(32 * M, 0), /unable to set swap limit without memory limit/);
  assert.throws(() => memorySwapToV2(8 * M, 16 * M), /memory\+swap limit should be >= memory limit/);
  assert.throws(() => memorySwapToV2(8 * M, -5), /invalid memory value: -5/);
});

test('int formats integers exactly, also beyond 2^53', () => {
  assert.equal(int(5), '5');
  assert.equal(int(-1), '-1');
  assert.equal(int(9223372036854775807), '9223372036854775808');
  assert.equal(int(1e21), '1000000000000000000000');
});

test('memory v1: memory before memsw in a new cgroup, memsw first when raising', () => {
  const res = { memory: { limit: 16 * M, swap: 32 * M } };
  assert.deepEqual(pairs(memory.toV1(res)), [`memory.limit_in_bytes=${16 * M}`, `memory.memsw.limit_in_bytes=${32 * M}`]);
  // Current limit 8M < new memsw 32M: raising, so memsw goes first (runc setMemoryAndSwap).
  assert.deepEqual(pairs(memory.toV1(res, { currentLimit: BigInt(8 * M) })), [`memory.memsw.limit_in_bytes=${32 * M}`, `memory.limit_in_bytes=${16 * M}`]);
  // Current limit 64M >= new memsw: lowering, memory first.
  assert.deepEqual(pairs(memory.toV1(res, { currentLimit: BigInt(64 * M) })), [`memory.limit_in_bytes=${16 * M}`, `memory.memsw.limit_in_bytes=${32 * M}`]);
});

test('memory v1: -1 lifts memsw too (where it exists), swap -1 goes first', () => {
  const ws = memory.toV1({ memory: { limit: -1 } });
  assert.deepEqual(ws, [
    { file: 'memory.memsw.limit_in_bytes', value: '-1', optional: true },
    { file: 'memory.limit_in_bytes', value: '-1' },
  ]);
  assert.deepEqual(pairs(memory.toV1({ memory: { limit: 16 * M, swap: -1 } })), ['memory.memsw.limit_in_bytes=-1', `memory.limit_in_bytes=${16 * M}`]);
});

test('memory v1: reservation, oom killer, swappiness (0 is a value), kernel ignored, zeros skipped', () => {
  assert.deepEqual(pairs(memory.toV1({ memory: { reservation: 8 * M, disableOOMKiller: true, swappiness: 0 } })), [
    `memory.soft_limit_in_bytes=${8 * M}`,
    'memory.oom_control=1',
    'memory.swappiness=0',
  ]);
  assert.deepEqual(memory.toV1({ memory: { limit: 0, swap: 0, reservation: 0, kernel: 4 * M, kernelTCP: M, disableOOMKiller: false, useHierarchy: false } }), []);
  assert.deepEqual(memory.toV1({ memory: { swappiness: -1 } }), [], 'swappiness -1 means unset (runc)');
  assert.deepEqual(memory.toV1({}), []);
  assert.throws(
    () => memory.toV1({ memory: { swappiness: 101 } }),
    (e: unknown) => e instanceof ConfigError && e.pointer === '/linux/resources/memory/swappiness' && /0-100/.test(e.message),
  );
});

test('memory v2: swap.max is swap alone, then max, then low; -1 is max', () => {
  assert.deepEqual(pairs(memory.toV2({ memory: { limit: 16 * M, swap: 32 * M, reservation: 8 * M } })), [
    `memory.swap.max=${16 * M}`,
    `memory.max=${16 * M}`,
    `memory.low=${8 * M}`,
  ]);
  assert.deepEqual(memory.toV2({ memory: { limit: 16 * M, swap: 16 * M } })[0], { file: 'memory.swap.max', value: '0', optional: true }, 'memory == swap: no swap');
  assert.deepEqual(pairs(memory.toV2({ memory: { limit: -1 } })), ['memory.swap.max=max', 'memory.max=max']);
  assert.deepEqual(pairs(memory.toV2({ memory: { limit: 16 * M } })), [`memory.max=${16 * M}`]);
  assert.deepEqual(memory.toV2({ memory: { limit: 0, swappiness: 10, disableOOMKiller: true } }), [], 'no v2 file for swappiness/oom_control');
  assert.throws(() => memory.toV2({ memory: { swap: 32 * M } }), /unable to set swap limit without memory limit/);
});

test('cpu v1: shares, period around quota, burst, idle, realtime last', () => {
  assert.deepEqual(cpu.toV1({ cpu: { shares: 512, quota: 50000, period: 100000 } }), [
    { file: 'cpu.shares', value: '512' },
    { file: 'cpu.cfs_period_us', value: '100000', retry: true },
    { file: 'cpu.cfs_quota_us', value: '50000' },
    { file: 'cpu.cfs_period_us', value: '100000' },
  ]);
  assert.deepEqual(cpu.toV1({ cpu: { period: 200000 } }), [{ file: 'cpu.cfs_period_us', value: '200000' }], 'no quota: nothing to retry after');
  assert.deepEqual(pairs(cpu.toV1({ cpu: { quota: -1 } })), ['cpu.cfs_quota_us=-1']);
  assert.deepEqual(cpu.toV1({ cpu: { quota: 50000, burst: 10000, idle: 1, realtimePeriod: 1000000, realtimeRuntime: 950000 } }), [
    { file: 'cpu.cfs_burst_us', value: '10000', optional: true, retry: true },
    { file: 'cpu.cfs_quota_us', value: '50000' },
    { file: 'cpu.cfs_burst_us', value: '10000', optional: true },
    { file: 'cpu.idle', value: '1' },
    { file: 'cpu.rt_period_us', value: '1000000' },
    { file: 'cpu.rt_runtime_us', value: '950000' },
  ]);
  assert.deepEqual(cpu.toV1({ cpu: { shares: 0, quota: 0, period: 0, realtimePeriod: 0, realtimeRuntime: 0, cpus: '0' } }), [], 'zeros (dockerd update) leave everything alone');
});

test('cpu v2: weight from shares, cpu.max "quota period" with max and the default period', () => {
  assert.deepEqual(pairs(cpu.toV2({ cpu: { shares: 1024, quota: 50000, period: 100000 } })), ['cpu.weight=39', 'cpu.max=50000 100000']);
  assert.deepEqual(pairs(cpu.toV2({ cpu: { quota: 20000 } })), ['cpu.max=20000 100000']);
  assert.deepEqual(pairs(cpu.toV2({ cpu: { quota: -1 } })), ['cpu.max=max 100000']);
  assert.deepEqual(pairs(cpu.toV2({ cpu: { period: 250000 } })), ['cpu.max=max 250000']);
  assert.deepEqual(pairs(cpu.toV2({ cpu: { idle: 1 } })), ['cpu.idle=1']);
  assert.deepEqual(cpu.toV2({ cpu: { shares: 0, quota: 0, period: 0 } }), []);
});

test('cpuset: cpus then mems, empty strings skipped', () => {
  assert.deepEqual(pairs(cpuset.toV1({ cpu: { cpus: '0-1', mems: '0' } })), ['cpuset.cpus=0-1', 'cpuset.mems=0']);
  assert.deepEqual(cpuset.toV1({ cpu: { cpus: '', mems: '', shares: 2 } }), []);
  assert.deepEqual(pairs(cpuset.toV2({ cpu: { mems: '0' } })), ['cpuset.mems=0']);
});

test('pids: a limit, negative is max, 0 is unset', () => {
  assert.deepEqual(pairs(pids.toV1({ pids: { limit: 5 } })), ['pids.max=5']);
  assert.deepEqual(pairs(pids.toV2({ pids: { limit: -1 } })), ['pids.max=max']);
  assert.deepEqual(pids.toV1({ pids: { limit: 0 } }), []);
  assert.deepEqual(pids.toV1({ pids: {} }), []);
});

test('blkio v1: weight (cfq or bfq names), leaf weight, per-device, throttles in runc order', () => {
  const res = {
    blockIO: {
      weight: 500,
      leafWeight: 300,
      weightDevice: [{ major: 8, minor: 0, weight: 600, leafWeight: 200 }, { major: 8, minor: 16, weight: 0 }],
      throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1048576 }],
      throttleWriteBpsDevice: [{ major: 8, minor: 0, rate: 2097152 }],
      throttleReadIOPSDevice: [{ major: 8, minor: 0, rate: 100 }],
      throttleWriteIOPSDevice: [{ major: 8, minor: 0, rate: 200 }],
    },
  };
  assert.deepEqual(pairs(blkio.toV1(res)), [
    'blkio.weight=500',
    'blkio.leaf_weight=300',
    'blkio.weight_device=8:0 600',
    'blkio.leaf_weight_device=8:0 200',
    'blkio.throttle.read_bps_device=8:0 1048576',
    'blkio.throttle.write_bps_device=8:0 2097152',
    'blkio.throttle.read_iops_device=8:0 100',
    'blkio.throttle.write_iops_device=8:0 200',
  ]);
  assert.deepEqual(pairs(blkio.toV1({ blockIO: { weight: 500, weightDevice: [{ major: 8, minor: 0, weight: 600 }] } }, { bfq: true })), [
    'blkio.bfq.weight=500',
    'blkio.bfq.weight_device=8:0 600',
  ]);
  assert.deepEqual(blkio.toV1({ blockIO: { weight: 0, leafWeight: 0 } }), []);
});

test('blkio v2: io.weight converted (or io.bfq.weight as is), io.max lines', () => {
  const res = { blockIO: { weight: 500, throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1048576 }], throttleWriteIOPSDevice: [{ major: 8, minor: 0, rate: 200 }] } };
  assert.deepEqual(pairs(blkio.toV2(res)), ['io.weight=4950', 'io.max=8:0 rbps=1048576', 'io.max=8:0 wiops=200']);
  assert.deepEqual(pairs(blkio.toV2({ blockIO: { weight: 500 } }, { bfq: true })), ['io.bfq.weight=500']);
});

test('hugetlb: every entry written (0 forbids), v1 and v2 file names, page size checked', () => {
  const res = { hugepageLimits: [{ pageSize: '2MB', limit: 4 * M }, { pageSize: '1GB', limit: 0 }] };
  assert.deepEqual(pairs(hugetlb.toV1(res)), [`hugetlb.2MB.limit_in_bytes=${4 * M}`, 'hugetlb.1GB.limit_in_bytes=0']);
  assert.deepEqual(pairs(hugetlb.toV2(res)), [`hugetlb.2MB.max=${4 * M}`, 'hugetlb.1GB.max=0']);
  assert.throws(
    () => hugetlb.toV1({ hugepageLimits: [{ pageSize: '../../memory.max', limit: 1 }] }),
    (e: unknown) => e instanceof ConfigError && e.pointer === '/linux/resources/hugepageLimits/0/pageSize',
  );
});

test('network (v1 only): classid when set, one ifpriomap write per interface', () => {
  assert.deepEqual(pairs(netClsV1({ network: { classID: 0x100001 } })), ['net_cls.classid=1048577']);
  assert.deepEqual(netClsV1({ network: { classID: 0 } }), []);
  assert.deepEqual(pairs(netPrioV1({ network: { priorities: [{ name: 'eth0', priority: 5 }, { name: 'lo', priority: 1 }] } })), [
    'net_prio.ifpriomap=eth0 5',
    'net_prio.ifpriomap=lo 1',
  ]);
});

test('rdma: one rdma.max line per device with the limits given', () => {
  assert.deepEqual(pairs(rdma.toV1({ rdma: { mlx5_1: { hcaHandles: 3, hcaObjects: 10000 }, mlx4_0: { hcaObjects: 100 }, none: {} } })), [
    'rdma.max=mlx5_1 hca_handle=3 hca_object=10000',
    'rdma.max=mlx4_0 hca_object=100',
  ]);
  assert.deepEqual(rdma.toV2({}), []);
});

test('unified: keys verbatim in order; slashes and dot names refused', () => {
  assert.deepEqual(pairs(unified.toV2({ unified: { 'memory.high': '100M', 'pids.max': '10' } })), ['memory.high=100M', 'pids.max=10']);
  for (const key of ['../memory.max', 'a/b', '..', '.', '']) {
    assert.throws(() => unified.toV2({ unified: { [key]: '1' } }), /must be a file name/, key);
  }
  assert.equal(unified.controllerOf('memory.swap.max'), 'memory');
  assert.equal(unified.controllerOf('cgroup.max.depth'), 'cgroup');
});
