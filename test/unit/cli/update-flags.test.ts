// `runts update`: runc's flags and --resources JSON to a LinuxResources change, with
// runc's error texts; the merge into the stored resources; and the command
// registration (parsed through the real program, nothing run).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertNoRdt,
  parseGoIntFlag,
  parseResourcesJson,
  ramInBytes,
  toUpdateResources,
  type UpdateOptions,
} from '../../../src/cli/commands/update';
import { mergeResources } from '../../../src/container/update';
import { UsageError } from '../../../src/errors';
import { parseOptions } from '../../support/cli';

test('memory sizes: go-units RAMInBytes (binary units, optional i/b, one space)', () => {
  assert.equal(ramInBytes('100m'), 100 * 1024 * 1024);
  assert.equal(ramInBytes('1.5g'), 1.5 * 1024 ** 3);
  assert.equal(ramInBytes('512 KiB'), 512 * 1024);
  assert.equal(ramInBytes('4096'), 4096);
  assert.equal(ramInBytes('2MB'), 2 * 1024 * 1024);
  assert.throws(() => ramInBytes('1x'), { message: "invalid size: '1x'" });
  assert.throws(() => ramInBytes('-5m'), { message: "invalid size: '-5m'" });
});

test('flags: every value flag lands in its LinuxResources field', () => {
  const r = toUpdateResources({
    memory: '100m',
    memorySwap: '200M',
    memoryReservation: '50m',
    cpuShare: '512',
    cpuQuota: '-1',
    cpuPeriod: '100000',
    cpuRtPeriod: '1000000',
    cpuRtRuntime: '950000',
    cpusetCpus: '0-1',
    cpusetMems: '0',
    pidsLimit: '50',
    blkioWeight: '300',
  });
  assert.deepEqual(r, {
    blockIO: { weight: 300 },
    cpu: { cpus: '0-1', mems: '0', period: 100000, realtimePeriod: 1000000, shares: 512, quota: -1, realtimeRuntime: 950000 },
    memory: { limit: 104857600, swap: 209715200, reservation: 52428800 },
    pids: { limit: 50 },
  });
});

test('flags: -1 means unlimited for memory sizes; empty strings and zero ints are "not given"', () => {
  assert.deepEqual(toUpdateResources({ memory: '-1', memorySwap: '-1' }), { memory: { limit: -1, swap: -1 } });
  assert.deepEqual(toUpdateResources({ memory: '', cpuShare: '', pidsLimit: '0', blkioWeight: '0' }), {});
  assert.deepEqual(toUpdateResources({ pidsLimit: '-1' }), { pids: { limit: -1 } });
});

test('flags: Go int flags take 0x/0o/leading-0 octal, blkio-weight wraps like a uint16', () => {
  assert.equal(parseGoIntFlag('pids-limit', '0x10'), 16);
  assert.equal(parseGoIntFlag('pids-limit', '010'), 8);
  assert.equal(parseGoIntFlag('pids-limit', '1_000'), 1000);
  assert.deepEqual(toUpdateResources({ blkioWeight: '65546' }), { blockIO: { weight: 10 } });
});

test('flags: runc error texts', () => {
  assert.throws(() => toUpdateResources({ memory: '1x' }), { message: "invalid value for memory: invalid size: '1x'" });
  assert.throws(() => toUpdateResources({ memorySwap: '1.2.3' }), { message: 'invalid value for memory-swap: strconv.ParseFloat: parsing "1.2.3": invalid syntax' });
  assert.throws(() => toUpdateResources({ cpuShare: 'abc' }), { message: 'invalid value for cpu-share: strconv.ParseUint: parsing "abc": invalid syntax' });
  assert.throws(() => toUpdateResources({ cpuShare: '-1' }), { message: 'invalid value for cpu-share: strconv.ParseUint: parsing "-1": invalid syntax' });
  assert.throws(() => toUpdateResources({ cpuQuota: '1.5' }), { message: 'invalid value for cpu-quota: strconv.ParseInt: parsing "1.5": invalid syntax' });
  assert.throws(() => toUpdateResources({ cpuPeriod: '99999999999999999999' }), { message: 'invalid value for cpu-period: strconv.ParseUint: parsing "99999999999999999999": value out of range' });
  assert.throws(() => toUpdateResources({ pidsLimit: 'abc' }), (e: unknown) => e instanceof UsageError && e.message === 'invalid value "abc" for flag -pids-limit: parse error');
  assert.throws(() => toUpdateResources({ blkioWeight: '1e3' }), { message: 'invalid value "1e3" for flag -blkio-weight: parse error' });
});

test('kernel memory flags are parsed (bad sizes still fail) and carried for the warning', () => {
  assert.deepEqual(toUpdateResources({ kernelMemory: '10m', kernelMemoryTcp: '1m' }), { memory: { kernel: 10485760, kernelTCP: 1048576 } });
  assert.throws(() => toUpdateResources({ kernelMemory: 'x' }), { message: "invalid value for kernel-memory: invalid size: 'x'" });
});

test('Intel RDT flags are refused with runc\'s words', () => {
  assert.throws(() => assertNoRdt({ l3CacheSchema: 'L3:0=f' }), { message: 'Intel RDT/CAT: l3 cache schema is not enabled' });
  assert.throws(() => assertNoRdt({ memBwSchema: 'MB:0=50' }), { message: 'Intel RDT/MBA: memory bandwidth schema is not enabled' });
  assert.doesNotThrow(() => assertNoRdt({ l3CacheSchema: '' }));
});

test('--resources JSON: decoded like Go (type errors in Go\'s words, unknown fields ignored)', () => {
  const docker = '{"memory":{"limit":134217728,"reservation":0,"swap":268435456,"kernel":0},"cpu":{"shares":0,"quota":0,"period":0},"blockIO":{"weight":0},"foo":1}';
  assert.equal(parseResourcesJson(docker).memory?.limit, 134217728);
  assert.throws(() => parseResourcesJson('{"memory":{"limit":"1g"}}'), { message: 'json: cannot unmarshal string into Go struct field LinuxMemory.memory.limit of type int64' });
  assert.throws(() => parseResourcesJson('{"cpu":{"shares":-2}}'), { message: 'json: cannot unmarshal number -2 into Go struct field LinuxCPU.cpu.shares of type uint64' });
  assert.throws(() => parseResourcesJson('{"blockIO":{"weight":70000}}'), { message: 'json: cannot unmarshal number 70000 into Go struct field LinuxBlockIO.blockIO.weight of type uint16' });
  assert.throws(() => parseResourcesJson('{"memory":[]}'), { message: 'json: cannot unmarshal array into Go struct field LinuxResources.memory of type specs.LinuxMemory' });
  assert.throws(() => parseResourcesJson(''), { message: 'EOF' });
  assert.throws(() => parseResourcesJson('{'), /invalid resources JSON/);
  assert.deepEqual(parseResourcesJson('null'), {});
});

test('merge: dockerd\'s zero-filled update changes only what is non-zero', () => {
  const current = {
    devices: [{ allow: false, access: 'rwm' }],
    memory: { limit: 67108864 },
    cpu: { shares: 512, quota: 50000, period: 100000 },
    pids: { limit: 50 },
    blockIO: { weight: 300 },
  };
  const delta = parseResourcesJson('{"memory":{"limit":134217728,"reservation":0,"swap":268435456,"kernel":0},"cpu":{"shares":0,"quota":0,"period":0},"blockIO":{"weight":0}}');
  assert.deepEqual(mergeResources(current, delta), {
    devices: [{ allow: false, access: 'rwm' }],
    memory: { limit: 134217728, swap: 268435456 },
    cpu: { shares: 512, quota: 50000, period: 100000 },
    pids: { limit: 50 },
    blockIO: { weight: 300 },
  });
  assert.deepEqual(current.memory, { limit: 67108864 }, 'the stored resources are not mutated');
});

test('merge: unlimited memory without a swap value makes swap unlimited too; cpus/mems and unified merge', () => {
  assert.deepEqual(mergeResources({ memory: { limit: 1, swap: 2 } }, { memory: { limit: -1 } }), { memory: { limit: -1, swap: -1 } });
  assert.deepEqual(mergeResources(undefined, { cpu: { cpus: '1', mems: '' } }), { cpu: { cpus: '1' } });
  assert.deepEqual(mergeResources({ unified: { 'a.b': '1' } }, { unified: { 'c.d': '2' } }), { unified: { 'a.b': '1', 'c.d': '2' } });
  assert.deepEqual(mergeResources({}, { memory: { limit: 0 }, cpu: {} }), {}, 'nothing given -> nothing stored');
  assert.deepEqual(mergeResources({}, { devices: [{ allow: true }], hugepageLimits: [{ pageSize: '2MB', limit: 1 }] }), {}, 'fields update does not merge are ignored');
});

const parse = (argv: string[]): Promise<UpdateOptions> => parseOptions<UpdateOptions>(argv);

test('registration: runc\'s flag names (and --cpu-shares as an alias) reach UpdateOptions', async () => {
  const o = await parse(['--root', '/r', 'update', '--memory', '100m', '--cpu-share', '7', '--pids-limit', '-1', 'c1']);
  assert.deepEqual(o, { root: '/r', id: 'c1', flags: { memory: '100m', cpuShare: '7', pidsLimit: '-1' } });
  const alias = await parse(['update', '--cpu-shares', '9', 'c1']);
  assert.equal(alias.flags.cpuShare, '9');
  const r = await parse(['update', '-r', '-', 'c1']);
  assert.equal(r.resources, '-');
});
