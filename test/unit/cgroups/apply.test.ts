// applyResources against fake cgroup trees (v1, v2, hybrid): which hierarchy each
// controller lands in, the order of the writes, controller enabling on v2, and the
// errors for controllers the host lacks. No root needed.
import { renderError } from '../../../src/errors';
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyResources, type AppliedWrite } from '../../../src/cgroups/apply';
import { planDeviceFilter } from '../../../src/cgroups/devices-bpf';
import { planDeviceRules } from '../../../src/cgroups/resources/devices';
import { makeCgroupTree, type FakeTree, type TreeKind, type TreeOptions } from '../../support/cgroupfs-tree';
import type { LinuxResources } from '../../../src/spec/types';

const M = 1024 * 1024;

function tree(t: TestContext, kind: TreeKind, opts: TreeOptions = {}): FakeTree {
  const tr = makeCgroupTree(kind, opts);
  t.after(() => tr.remove());
  return tr;
}

/** "name:file=value" with the tree root stripped, for readable comparisons. */
function log(tr: FakeTree, applied: AppliedWrite[]): string[] {
  return applied.map((w) => `${path.relative(tr.root, w.dir)}:${w.file}=${w.value}`);
}

const everything: LinuxResources = {
  devices: [{ allow: false, access: 'rwm' }],
  memory: { limit: 16 * M, swap: 32 * M, reservation: 8 * M, swappiness: 10 },
  cpu: { shares: 512, quota: 50000, period: 100000, cpus: '1', mems: '0' },
  pids: { limit: 5 },
  blockIO: { weight: 300 },
  hugepageLimits: [{ pageSize: '2MB', limit: 4 * M }],
};

test('v1: each controller in its own hierarchy, files hold the new values', (t) => {
  const tr = tree(t, 'v1');
  const applied = applyResources(tr.dirs, everything, { attachDeviceFilter: () => assert.fail('no bpf on a v1 host') });
  assert.equal(tr.read('memory', 'memory.limit_in_bytes'), String(16 * M));
  assert.equal(tr.read('memory', 'memory.memsw.limit_in_bytes'), String(32 * M));
  assert.equal(tr.read('memory', 'memory.soft_limit_in_bytes'), String(8 * M));
  assert.equal(tr.read('memory', 'memory.swappiness'), '10');
  assert.equal(tr.read('cpu,cpuacct', 'cpu.shares'), '512');
  assert.equal(tr.read('cpu,cpuacct', 'cpu.cfs_quota_us'), '50000');
  assert.equal(tr.read('cpu,cpuacct', 'cpu.cfs_period_us'), '100000');
  assert.equal(tr.read('cpuset', 'cpuset.cpus'), '1');
  assert.equal(tr.read('pids', 'pids.max'), '5');
  assert.equal(tr.read('blkio', 'blkio.weight'), '300');
  assert.equal(tr.read('hugetlb', 'hugetlb.2MB.limit_in_bytes'), String(4 * M));
  // Order follows runc's subsystem list: cpuset, devices, memory, cpu, pids, blkio, hugetlb.
  const files = applied.map((w) => w.file);
  assert.deepEqual(files.slice(0, 3), ['cpuset.cpus', 'cpuset.mems', 'devices.deny']);
  assert.ok(files.indexOf('memory.limit_in_bytes') < files.indexOf('cpu.shares'));
  assert.ok(files.indexOf('pids.max') < files.indexOf('blkio.weight'));
  assert.equal(files[files.length - 1], 'hugetlb.2MB.limit_in_bytes');
  // Devices: deny-all once (the spec's own deny-all is not doubled), then runc's defaults.
  const dev = applied.filter((w) => w.file.startsWith('devices.')).map((w) => `${w.file} ${w.value}`);
  assert.deepEqual(dev.slice(0, 4), ['devices.deny a', 'devices.allow c *:* m', 'devices.allow b *:* m', 'devices.allow c 1:3 rwm']);
  assert.equal(dev.length, 12);
  assert.equal(tr.read('devices', 'devices.allow'), 'c 10:200 rwm');
  // Nothing wrote outside the container's directories.
  assert.ok(applied.every((w) => tr.dirs.some((d) => d.dir === w.dir)));
});

test('v1: blkio with BFQ uses blkio.bfq.weight', (t) => {
  const tr = tree(t, 'v1', { bfq: true });
  applyResources(tr.dirs, { blockIO: { weight: 300 } });
  assert.equal(tr.read('blkio', 'blkio.bfq.weight'), '300');
  assert.equal(fs.existsSync(path.join(tr.dir('blkio'), 'blkio.weight')), false);
});

test('v2: v2 files and conversions, controllers enabled from the root down, device filter attached', (t) => {
  const tr = tree(t, 'v2');
  let attached: { dir: string; program: Buffer } | undefined;
  const applied = applyResources(tr.dirs, everything, { attachDeviceFilter: (dir, program) => (attached = { dir, program }) });
  assert.equal(tr.read('unified', 'memory.max'), String(16 * M));
  assert.equal(tr.read('unified', 'memory.swap.max'), String(16 * M), 'v2 swap is memsw minus memory');
  assert.equal(tr.read('unified', 'memory.low'), String(8 * M));
  assert.equal(tr.read('unified', 'cpu.weight'), '20');
  assert.equal(tr.read('unified', 'cpu.max'), '50000 100000');
  assert.equal(tr.read('unified', 'cpuset.cpus'), '1');
  assert.equal(tr.read('unified', 'pids.max'), '5');
  assert.equal(tr.read('unified', 'io.weight'), String(1 + Math.floor((290 * 9999) / 990)));
  assert.equal(tr.read('unified', 'hugetlb.2MB.max'), String(4 * M));
  // Every used controller is enabled at the root and at /runts-test, never in the container's own dir.
  const enables = log(tr, applied).filter((l) => l.includes('cgroup.subtree_control'));
  assert.deepEqual(enables.slice(0, 2), ['cgroup2:cgroup.subtree_control=+cpuset', 'cgroup2/runts-test:cgroup.subtree_control=+cpuset']);
  for (const c of ['memory', 'cpu', 'pids', 'io', 'hugetlb']) {
    assert.ok(enables.includes(`cgroup2:cgroup.subtree_control=+${c}`), c);
    assert.ok(enables.includes(`cgroup2/runts-test:cgroup.subtree_control=+${c}`), c);
  }
  assert.ok(!enables.some((l) => l.startsWith('cgroup2/runts-test/ctr:')));
  assert.equal(attached?.dir, tr.dir('unified'));
  const rules = planDeviceRules([{ allow: false, access: 'rwm' }]);
  assert.equal(attached?.program.length, planDeviceFilter(rules).length * 8);
  // v1-only files never appear on a v2 host.
  assert.ok(!applied.some((w) => /limit_in_bytes|devices\.|cpu\.shares/.test(w.file)));
});

test('hybrid (this host): v1 controllers in v1, hugetlb in the unified hierarchy, devices in v1', (t) => {
  const tr = tree(t, 'hybrid');
  const applied = applyResources(tr.dirs, everything, { attachDeviceFilter: () => assert.fail('devices are v1 here') });
  assert.equal(tr.read('memory', 'memory.limit_in_bytes'), String(16 * M));
  assert.equal(tr.read('cpu', 'cpu.shares'), '512');
  assert.equal(tr.read('unified', 'hugetlb.2MB.max'), String(4 * M));
  assert.deepEqual(
    log(tr, applied).filter((l) => l.startsWith('unified')),
    ['unified:cgroup.subtree_control=+hugetlb', 'unified/runts-test:cgroup.subtree_control=+hugetlb', `unified/runts-test/ctr:hugetlb.2MB.max=${4 * M}`],
  );
  assert.ok(applied.some((w) => w.file === 'devices.deny' && w.value === 'a'));
});

test('a controller already enabled is not enabled again', (t) => {
  const tr = tree(t, 'hybrid');
  fs.writeFileSync(path.join(tr.dir('unified'), 'cgroup.controllers'), 'hugetlb\n');
  const applied = applyResources(tr.dirs, { hugepageLimits: [{ pageSize: '2MB', limit: 0 }] }, { update: true });
  assert.deepEqual(log(tr, applied), ['unified/runts-test/ctr:hugetlb.2MB.max=0']);
});

test('a controller the host lacks: skipped when unused, an error naming it when a value is set', (t) => {
  const tr = tree(t, 'hybrid');
  // net_cls/net_prio/rdma are mounted nowhere on this layout, and nothing asks for them.
  assert.doesNotThrow(() => applyResources(tr.dirs, { network: { classID: 0 }, rdma: {} }));
  assert.throws(() => applyResources(tr.dirs, { network: { classID: 7 } }), /cannot set net_cls limits: the net_cls controller is not available on this host/);
  assert.throws(() => applyResources(tr.dirs, { network: { priorities: [{ name: 'lo', priority: 1 }] } }), /net_prio controller is not available/);
  assert.throws(() => applyResources(tr.dirs, { rdma: { mlx4_0: { hcaHandles: 1 } } }), /the rdma controller is not available/);
  const noHuge = tree(t, 'v1', { v1: ['memory', 'devices'] });
  assert.throws(() => applyResources(noHuge.dirs, { hugepageLimits: [{ pageSize: '2MB', limit: M }] }), /the hugetlb controller is not available/);
  assert.throws(() => applyResources(noHuge.dirs, { pids: { limit: 3 } }), /the pids controller is not available/);
  const noDevices = tree(t, 'v1', { v1: ['memory'] });
  assert.throws(() => applyResources(noDevices.dirs, {}), /the devices controller is not available/, 'no devices controller is fatal, as in runc');
});

test('unified map: written last, verbatim; refused on v1, unknown controllers named', (t) => {
  const v2 = tree(t, 'v2');
  const applied = applyResources(v2.dirs, { pids: { limit: 5 }, unified: { 'pids.max': '7', 'memory.high': '1000000' } }, { attachDeviceFilter: () => undefined });
  assert.equal(v2.read('unified', 'pids.max'), '7', 'unified overrides pids.limit');
  assert.equal(v2.read('unified', 'memory.high'), '1000000');
  assert.deepEqual(applied.slice(-1).map((w) => w.file), ['memory.high']);
  const v1 = tree(t, 'v1');
  assert.throws(() => applyResources(v1.dirs, { unified: { 'pids.max': '7' } }), /invalid configuration: cannot use unified on cgroup v1/);
  const hybrid = tree(t, 'hybrid');
  assert.throws(() => applyResources(hybrid.dirs, { unified: { 'memory.max': '1' } }), /unified resource "memory.max" can't be set: controller "memory" not available/);
  assert.throws(() => applyResources(hybrid.dirs, { unified: { '../x': '1' } }), /must be a file name/);
});

test('update: zeros change nothing and device rules are left alone', (t) => {
  const tr = tree(t, 'v1');
  const applied = applyResources(
    tr.dirs,
    { memory: { limit: 0, swap: 0, reservation: 0 }, cpu: { shares: 0, quota: 0, period: 0, cpus: '', mems: '' }, pids: { limit: 0 }, blockIO: { weight: 0 }, devices: [{ allow: false, access: 'rwm' }] },
    { update: true },
  );
  assert.deepEqual(applied, []);
  assert.equal(tr.read('memory', 'memory.limit_in_bytes'), '9223372036854771712');
});

test('a refused write fails with the file and the value named', (t) => {
  const tr = tree(t, 'v1');
  // A directory where the file should be: the write fails like a kernel refusal would.
  const file = path.join(tr.dir('pids'), 'pids.max');
  fs.rmSync(file);
  fs.mkdirSync(file);
  assert.throws(
    () => applyResources(tr.dirs, { pids: { limit: 100 } }),
    (e: unknown) => e instanceof Error && renderError(e) === `write "100" to ${file}: EISDIR: illegal operation on a directory, open '${file}'`,
  );
});

test('an optional knob the kernel lacks is skipped; kernel memory is ignored', (t) => {
  const tr = tree(t, 'v1');
  fs.rmSync(path.join(tr.dir('memory'), 'memory.memsw.limit_in_bytes'));
  fs.rmSync(path.join(tr.dir('cpu,cpuacct'), 'cpu.cfs_burst_us'));
  const applied = applyResources(tr.dirs, { memory: { limit: -1, kernel: M }, cpu: { burst: 1000 } }, { update: true });
  assert.deepEqual(applied.map((w) => `${w.file}=${w.value}`), ['memory.limit_in_bytes=-1']);
  assert.equal(fs.existsSync(path.join(tr.dir('memory'), 'memory.memsw.limit_in_bytes')), false);
  assert.equal(tr.read('memory', 'memory.kmem.limit_in_bytes'), '9223372036854771712');
});
