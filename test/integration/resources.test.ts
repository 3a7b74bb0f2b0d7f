// Resource limits on real containers, as root: the values read back from the
// container's cgroup files (found through /proc/<pid>/cgroup), and felt from inside —
// a fork bomb stopped by pids.max, an allocation OOM-killed under memory.limit, a
// device node refused by the device rules. A value the kernel refuses fails create,
// names the file and value, and leaves nothing behind.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseProcCgroup } from '../../src/cgroups/detect';
import type { LinuxResources, Spec } from '../../src/spec/types';
import { runtsIo, stateOf, waitFor, containerEnv, assertNoLeftovers, type ContainerEnv } from '../support/container';
import { requires } from '../support/requires';

const skip = requires('root', 'busybox', 'cgroup-v1');
const M = 1024 * 1024;
const CGROUP = '/sys/fs/cgroup';

type Env = ContainerEnv;

function setup(t: TestContext, args: string[], resources: LinuxResources, mutate?: (s: Spec) => void): Env {
  return containerEnv(t, 'rs', (s) => {
    s.process!.args = args;
    s.linux!.resources = { ...s.linux!.resources, ...resources };
    mutate?.(s);
  });
}

const assertClean = assertNoLeftovers;

/** The container's directory in the hierarchy holding `controller` ('' for cgroup2). */
function cgroupDir(pid: number, controller: string): string {
  const own = parseProcCgroup(fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8'));
  for (const [key, p] of own) {
    if (controller === '' ? key === '' : key.split(',').includes(controller)) {
      if (key === '') return path.join(fs.existsSync(path.join(CGROUP, 'unified')) ? path.join(CGROUP, 'unified') : CGROUP, p);
      // The mount is named after the hierarchy ("cpu,cpuacct"), or symlinked by controller.
      const mount = fs.existsSync(path.join(CGROUP, key)) ? key : controller;
      return path.join(CGROUP, mount, p);
    }
  }
  throw new Error(`pid ${pid} is in no ${controller || 'cgroup2'} hierarchy`);
}

function read(dir: string, file: string): string {
  return fs.readFileSync(path.join(dir, file), 'utf8').trim();
}

async function stop(e: Env): Promise<void> {
  assert.equal(runtsIo(e.io, e.root, ['kill', e.id, 'KILL']).status, 0);
  await waitFor('stopped', () => stateOf(e.root, e.id)?.status === 'stopped');
  assert.equal(runtsIo(e.io, e.root, ['delete', e.id]).status, 0);
}

test('limits are in the container cgroup files before it starts', { skip }, async (t) => {
  const hugetlbV2 = fs.existsSync(path.join(CGROUP, 'unified', 'cgroup.controllers')) && read(path.join(CGROUP, 'unified'), 'cgroup.controllers').split(' ').includes('hugetlb');
  const cpus = read(path.join(CGROUP, 'cpuset'), 'cpuset.effective_cpus');
  const lastCpu = cpus.split(/[-,]/).pop() ?? '0';
  const e = setup(t, ['sleep', '100'], {
    memory: { limit: 32 * M, swap: 64 * M, reservation: 16 * M },
    cpu: { shares: 512, quota: 50000, period: 100000, cpus: lastCpu },
    pids: { limit: 20 },
    blockIO: { weight: 300 },
    ...(hugetlbV2 ? { hugepageLimits: [{ pageSize: '2MB', limit: 4 * M }] } : {}),
  });
  const r = runtsIo(e.io, e.root, ['create', '--bundle', e.bundle.dir, e.id]);
  assert.equal(r.status, 0, r.stderr);
  const pid = stateOf(e.root, e.id)!.pid;

  const mem = cgroupDir(pid, 'memory');
  assert.ok(mem.endsWith(`/${e.id}`), mem);
  assert.equal(read(mem, 'memory.limit_in_bytes'), String(32 * M));
  assert.equal(read(mem, 'memory.soft_limit_in_bytes'), String(16 * M));
  if (fs.existsSync(path.join(mem, 'memory.memsw.limit_in_bytes'))) assert.equal(read(mem, 'memory.memsw.limit_in_bytes'), String(64 * M));
  const cpu = cgroupDir(pid, 'cpu');
  assert.equal(read(cpu, 'cpu.shares'), '512');
  assert.equal(read(cpu, 'cpu.cfs_quota_us'), '50000');
  assert.equal(read(cpu, 'cpu.cfs_period_us'), '100000');
  assert.equal(read(cgroupDir(pid, 'cpuset'), 'cpuset.cpus'), lastCpu);
  assert.equal(read(cgroupDir(pid, 'pids'), 'pids.max'), '20');
  const blk = cgroupDir(pid, 'blkio');
  const weightFile = ['blkio.weight', 'blkio.bfq.weight'].find((f) => fs.existsSync(path.join(blk, f)));
  if (weightFile !== undefined) assert.match(read(blk, weightFile), /(^|\s)300$/);
  if (hugetlbV2) assert.equal(read(cgroupDir(pid, ''), 'hugetlb.2MB.max'), String(4 * M));
  // runc's devices.list for the default config: deny all, then its default allowed devices.
  // The same entries runc 1.1.5 leaves in devices.list for this config (the kernel lists
  // them in the order written; runc's emulator writes them sorted).
  assert.deepEqual(read(cgroupDir(pid, 'devices'), 'devices.list').split('\n').sort(), [
    'b *:* m',
    'c *:* m',
    'c 1:3 rwm',
    'c 1:5 rwm',
    'c 1:7 rwm',
    'c 1:8 rwm',
    'c 1:9 rwm',
    'c 5:0 rwm',
    'c 5:2 rwm',
    'c 10:200 rwm',
    'c 136:* rwm',
  ].sort());
  await stop(e);
  assertClean(e);
});

test('pids.max 5: forking past the limit fails inside the container', { skip }, (t) => {
  const e = setup(t, ['sh', '-c', 'i=0; while [ $i -lt 10 ]; do sleep 2 & i=$((i+1)); done; wait; echo done'], { pids: { limit: 5 } });
  const r = runtsIo(e.io, e.root, ['run', '--bundle', e.bundle.dir, e.id]);
  assert.match(r.stderr, /can't fork|Resource temporarily unavailable/, `status ${r.status}: ${r.stderr}`);
  runtsIo(e.io, e.root, ['delete', '--force', e.id]);
  assertClean(e);
});

test('memory limit 16M: a process allocating more is OOM-killed (exit 137)', { skip }, (t) => {
  const e = setup(t, ['sh', '-c', 'x=$(head -c 67108864 /dev/zero | tr "\\0" a); echo survived ${#x}'], { memory: { limit: 16 * M, swap: 16 * M } });
  const r = runtsIo(e.io, e.root, ['run', '--bundle', e.bundle.dir, e.id], 60_000);
  assert.equal(r.status, 137, `stdout ${r.stdout} stderr ${r.stderr}`);
  assert.doesNotMatch(r.stdout, /survived/);
  runtsIo(e.io, e.root, ['delete', '--force', e.id]);
  assertClean(e);
});

test('default device rules: /dev/null works, a node for another device is made but cannot be opened', { skip }, (t) => {
  const probe = [
    'echo x > /dev/null && echo null-ok',
    // c 1:3 is /dev/null again: allowed by rule, so any refusal below is the cgroup's.
    'mknod /dev/null2 c 1 3 && echo x > /dev/null2 && echo null2-ok',
    'mknod /dev/mem2 c 1 1 && echo mknod-ok',
    'head -c1 /dev/mem2 > /dev/null || echo mem-denied',
  ].join('; ');
  const e = setup(t, ['sh', '-c', probe], {}, (s) => {
    const caps = s.process!.capabilities!;
    for (const set of ['bounding', 'effective', 'permitted'] as const) caps[set] = [...(caps[set] ?? []), 'CAP_MKNOD'];
  });
  const r = runtsIo(e.io, e.root, ['run', '--bundle', e.bundle.dir, e.id]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), ['null-ok', 'null2-ok', 'mknod-ok', 'mem-denied']);
  assert.match(r.stderr, /Operation not permitted/);
  runtsIo(e.io, e.root, ['delete', '--force', e.id]);
  assertClean(e);
});

test('a value the kernel refuses fails create with the file and value, and leaves nothing', { skip }, (t) => {
  const e = setup(t, ['sleep', '100'], { cpu: { cpus: '99' } });
  const r = runtsIo(e.io, e.root, ['create', '--bundle', e.bundle.dir, e.id]);
  assert.equal(r.status, 1);
  // The kernel says EINVAL or ERANGE depending on its version; stderr is a logfmt line (quotes escaped).
  assert.match(r.stderr, new RegExp(`write \\\\?"99\\\\?" to /sys/fs/cgroup/cpuset/\\S*${e.id}/cpuset.cpus: E(INVAL|RANGE)`));
  assert.equal(stateOf(e.root, e.id), undefined);
  assertClean(e);
});

test('cpu.shares above the kernel maximum is reported, as runc does', { skip }, (t) => {
  const e = setup(t, ['sleep', '100'], { cpu: { shares: 1_000_000 } });
  const r = runtsIo(e.io, e.root, ['create', '--bundle', e.bundle.dir, e.id]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /the maximum allowed cpu-shares is 262144/);
  assertClean(e);
});

test('a limit for a controller the host lacks is an error naming it', { skip }, (t) => {
  const missing = ['net_cls', 'rdma'].find((c) => !fs.readFileSync('/proc/self/cgroup', 'utf8').split('\n').some((l) => (l.split(':')[1] ?? '').split(',').includes(c)));
  if (missing === undefined) return t.skip('this host has net_cls and rdma');
  const res: LinuxResources = missing === 'net_cls' ? { network: { classID: 7 } } : { rdma: { mlx4_0: { hcaHandles: 1 } } };
  const e = setup(t, ['sleep', '100'], res);
  const r = runtsIo(e.io, e.root, ['create', '--bundle', e.bundle.dir, e.id]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, new RegExp(`the ${missing} controller is not available on this host`));
  assertClean(e);
});
