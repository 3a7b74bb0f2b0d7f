import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layoutOf, parseMountinfo, parseProcCgroup } from '../../../src/cgroups/detect';
import { planCgroupDirs } from '../../../src/cgroups/paths';
import { ConfigError } from '../../../src/errors';

const HYBRID = `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`;
const V2 = `30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate
`;

test('hybrid layout: v1 controllers plus the unified cgroup2 mount', () => {
  const layout = layoutOf(parseMountinfo(HYBRID));
  assert.equal(layout.mode, 'hybrid');
  assert.deepEqual(
    layout.hierarchies.map((h) => [h.kind, h.mountpoint, h.controllers.join(',')]),
    [
      ['v1', '/sys/fs/cgroup/cpu,cpuacct', 'cpu,cpuacct'],
      ['v1', '/sys/fs/cgroup/memory', 'memory'],
      ['v1', '/sys/fs/cgroup/systemd', 'name=systemd'],
      ['v2', '/sys/fs/cgroup/unified', ''],
    ],
  );
});

test('pure v2 and pure v1 layouts are told apart', () => {
  assert.equal(layoutOf(parseMountinfo(V2)).mode, 'v2');
  assert.equal(layoutOf(parseMountinfo(HYBRID.split('\n').slice(0, 4).join('\n'))).mode, 'v1');
  assert.equal(layoutOf(parseMountinfo('')).mode, 'none');
});

test('/proc/self/cgroup is keyed by controller list, "" for v2', () => {
  const m = parseProcCgroup('4:memory:/process_api/x\n1:cpu,cpuacct:/\n0::/user.slice\n');
  assert.equal(m.get('memory'), '/process_api/x');
  assert.equal(m.get('cpu,cpuacct'), '/');
  assert.equal(m.get(''), '/user.slice');
});

test('cgroupsPath: empty means <id> under our own cgroup (as runc), absolute is from the root, relative is under our own cgroup', () => {
  const hs = parseMountinfo(HYBRID);
  const own = parseProcCgroup('4:memory:/process_api/x\n0::/\n');
  const dflt = planCgroupDirs(hs, own, undefined, 'c1');
  assert.equal(dflt.find((d) => d.name === 'memory')?.dir, '/sys/fs/cgroup/memory/process_api/x/c1');
  assert.equal(dflt.find((d) => d.name === 'unified')?.dir, '/sys/fs/cgroup/unified/c1');
  const abs = planCgroupDirs(hs, own, '/a/b', 'c1');
  assert.equal(abs.find((d) => d.name === 'cpu,cpuacct')?.dir, '/sys/fs/cgroup/cpu,cpuacct/a/b');
  const rel = planCgroupDirs(hs, own, 'a/b', 'c1');
  assert.equal(rel.find((d) => d.name === 'memory')?.dir, '/sys/fs/cgroup/memory/process_api/x/a/b');
});

test('cgroupsPath: systemd form and escapes are refused naming the field', () => {
  const hs = parseMountinfo(HYBRID);
  for (const bad of ['system.slice:runts:abc', '../../etc', 'a/../../b']) {
    assert.throws(
      () => planCgroupDirs(hs, new Map(), bad, 'c1'),
      (e: unknown) => e instanceof ConfigError && e.pointer === '/linux/cgroupsPath',
    );
  }
});
