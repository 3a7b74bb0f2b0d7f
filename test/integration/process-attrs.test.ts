// Process attributes of real containers as root: linux.personality, process.ioPriority,
// process.scheduler (applied by init just before execve, in create/run and in exec), and
// the AppArmor/SELinux fields, which this host cannot honour and so refuses up front.
// Observed from outside (/proc/<pid>/{personality,sched,stat}, ionice -p of a created
// container's init, which already carries the final attributes) and from inside
// (busybox). Debian's runc 1.1.5 ignores personality, ioPriority and scheduler (they
// came with runc 1.2), so there is no differential run for them here.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Process, Spec } from '../../src/spec/types';
import { containerEnv, runtsIo, stateOf, waitFor, type ContainerEnv } from '../support/container';
import { leftovers } from '../support/leftovers';
import { requires } from '../support/requires';

const skip = requires('root', 'busybox');

function setup(t: TestContext, args: string[], mutate: (s: Spec) => void = () => undefined): ContainerEnv {
  return containerEnv(t, 'pa', (s) => {
    s.process!.args = args;
    mutate(s);
  });
}

function assertClean(e: ContainerEnv): void {
  assert.deepEqual(leftovers(e.root, e.id, e.bundle.dir), []);
}

/** The "policy" line of /proc/<pid>/sched. */
function schedPolicy(pid: number | 'self'): number {
  const line = fs.readFileSync(`/proc/${pid}/sched`, 'utf8').split('\n').find((l) => /^policy\s/.test(l));
  assert.ok(line !== undefined, 'no policy in sched');
  return Number(line.split(':')[1]!.trim());
}

/** Field 19 of /proc/<pid>/stat (nice), counted after the parenthesised comm. */
function niceOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(rest[19 - 3]);
}

/** util-linux ionice from the host: "best-effort: prio 3". */
function ionice(pid: number): string {
  return execFileSync('ionice', ['-p', String(pid)], { encoding: 'utf8' }).trim();
}

/** cgroup v1 with RT group scheduling: an RT task needs a runtime budget in its cpu cgroup. */
function needsRtBudget(): boolean {
  return fs.existsSync('/sys/fs/cgroup/cpu/cpu.rt_runtime_us') || fs.existsSync('/sys/fs/cgroup/cpu,cpuacct/cpu.rt_runtime_us');
}

test('personality, ioPriority and scheduler: outside on the created init, inside on the process', { skip }, async (t) => {
  const e = setup(t, ['sh', '-c', 'cat /proc/self/personality; ionice -p $$; grep ^policy /proc/self/sched | tr -s " "'], (s) => {
    s.linux!.personality = { domain: 'LINUX32' };
    s.process!.ioPriority = { class: 'IOPRIO_CLASS_BE', priority: 3 };
    s.process!.scheduler = { policy: 'SCHED_BATCH', nice: 5 };
  });
  const c = runtsIo(e.io, e.root, ['create', '--bundle', e.bundle.dir, e.id]);
  assert.equal(c.status, 0, c.stderr);
  const pid = stateOf(e.root, e.id)!.pid;
  assert.equal(fs.readFileSync(`/proc/${pid}/personality`, 'utf8').trim(), '00000008');
  assert.equal(ionice(pid), 'best-effort: prio 3');
  assert.equal(schedPolicy(pid), 3);
  assert.equal(niceOf(pid), 5);
  // The CLI itself is left as it was.
  assert.equal(schedPolicy('self'), 0);
  const start = runtsIo(e.io, e.root, ['start', e.id]);
  assert.equal(start.status, 0, start.stderr);
  await waitFor('stopped', () => stateOf(e.root, e.id)?.status === 'stopped');
  assert.equal(e.io.read().stdout, '00000008\nbest-effort: prio 3\npolicy : 3\n');
  assert.equal(runtsIo(e.io, e.root, ['delete', e.id]).status, 0);
  assertClean(e);
});

test('run: SCHED_IDLE, SCHED_OTHER with a negative nice, IOPRIO_CLASS_IDLE and RT, personality LINUX', { skip }, (t) => {
  const cases: { sched: NonNullable<Process['scheduler']>; io: NonNullable<Process['ioPriority']>; want: string }[] = [
    { sched: { policy: 'SCHED_IDLE' }, io: { class: 'IOPRIO_CLASS_IDLE', priority: 0 }, want: '00000000\nidle\n5 0\n' },
    { sched: { policy: 'SCHED_OTHER', nice: -10 }, io: { class: 'IOPRIO_CLASS_RT', priority: 2 }, want: '00000000\nrealtime: prio 2\n0 -10\n' },
  ];
  for (const c of cases) {
    const e = setup(t, ['sh', '-c', 'cat /proc/self/personality; ionice -p $$; echo $(sed -n "s/^policy *: *//p" /proc/$$/sched) $(cut -d" " -f19 /proc/$$/stat)'], (s) => {
      s.linux!.personality = { domain: 'LINUX' };
      s.process!.scheduler = c.sched;
      s.process!.ioPriority = c.io;
    });
    const r = runtsIo(e.io, e.root, ['run', '--bundle', e.bundle.dir, e.id]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, c.want, c.sched.policy);
    assertClean(e);
  }
});

test('run: SCHED_FIFO for the container process, its cgroup given an RT budget before the init joins it', { skip }, (t) => {
  const e = setup(t, ['sh', '-c', 'echo $(sed -n "s/^policy *: *//p" /proc/$$/sched) $(cut -d" " -f18 /proc/$$/stat)'], (s) => {
    s.process!.scheduler = { policy: 'SCHED_FIFO', priority: 5 };
    if (needsRtBudget()) s.linux!.resources = { ...s.linux!.resources, cpu: { realtimePeriod: 1_000_000, realtimeRuntime: 100_000 } };
  });
  const r = runtsIo(e.io, e.root, ['run', '--bundle', e.bundle.dir, e.id]);
  assert.equal(r.status, 0, r.stderr);
  // policy 1 = SCHED_FIFO; field 18 (priority) of an RT task is -1 - rt_priority
  assert.equal(r.stdout, '1 -6\n');
  assertClean(e);
});

test('exec: the exec\'d process gets its own scheduler and ioPriority and the container\'s personality', { skip }, async (t) => {
  const e = setup(t, ['sleep', '1000'], (s) => {
    s.linux!.personality = { domain: 'LINUX32' };
    // SCHED_FIFO needs an RT runtime budget in the container's cpu cgroup (cgroup v1 with
    // RT group scheduling); written before this exec runs.
    if (needsRtBudget()) s.linux!.resources = { ...s.linux!.resources, cpu: { realtimePeriod: 1_000_000, realtimeRuntime: 100_000 } };
  });
  const r = runtsIo(e.io, e.root, ['run', '-d', '--bundle', e.bundle.dir, e.id]);
  assert.equal(r.status, 0, r.stderr);
  const pid = stateOf(e.root, e.id)!.pid;
  // The container's own process: the personality, no scheduler or ioPriority change.
  assert.equal(fs.readFileSync(`/proc/${pid}/personality`, 'utf8').trim(), '00000008');
  assert.equal(schedPolicy(pid), 0);

  const procFile = path.join(e.io.dir, 'process.json');
  const p: Process = {
    user: { uid: 0, gid: 0 },
    cwd: '/',
    env: ['PATH=/bin'],
    args: ['sh', '-c', 'cat /proc/self/personality; ionice -p $$; echo $(sed -n "s/^policy *: *//p;s/^prio *: *//p" /proc/$$/sched)'],
    scheduler: { policy: 'SCHED_FIFO', priority: 10, flags: ['SCHED_FLAG_RESET_ON_FORK'] },
    ioPriority: { class: 'IOPRIO_CLASS_RT', priority: 4 },
  };
  fs.writeFileSync(procFile, JSON.stringify(p));
  const x = runtsIo(e.io, e.root, ['exec', '--process', procFile, e.id]);
  assert.equal(x.status, 0, x.stderr);
  // Read from /proc/$$: with SCHED_FLAG_RESET_ON_FORK the sed of $(...) runs as
  // SCHED_OTHER. prio 89 = 99 - 10, the kernel's internal priority of SCHED_FIFO 10.
  assert.equal(x.stdout, '00000008\nrealtime: prio 4\n1 89\n');

  // A bad value in --process: runc's error, and nothing of the process left.
  fs.writeFileSync(procFile, JSON.stringify({ ...p, ioPriority: { class: 'IOPRIO_CLASS_BE', priority: 9 } }));
  const bad = runtsIo(e.io, e.root, ['exec', '--process', procFile, e.id]);
  assert.equal(bad.status, 255);
  assert.match(bad.stderr, /invalid ioPriority\.Priority: 9/);
  assert.equal(stateOf(e.root, e.id)?.status, 'running');
  assert.equal(runtsIo(e.io, e.root, ['delete', '--force', e.id]).status, 0);
  await waitFor('deleted', () => stateOf(e.root, e.id) === undefined);
  assertClean(e);
});

test('bad values: exit 1, one error naming the field, nothing left behind', { skip }, (t) => {
  const cases: { name: string; mutate: (s: Spec) => void; msg: string }[] = [
    { name: 'ioPriority 8', mutate: (s) => (s.process!.ioPriority = { class: 'IOPRIO_CLASS_BE', priority: 8 }), msg: '/process/ioPriority/priority: invalid ioPriority.Priority: 8' },
    {
      name: 'priority with SCHED_BATCH',
      mutate: (s) => (s.process!.scheduler = { policy: 'SCHED_BATCH', priority: 3 }),
      msg: '/process/scheduler/priority: scheduler.priority can only be specified for SchedFIFO or SchedRR policy',
    },
    {
      name: 'runtime with SCHED_OTHER',
      mutate: (s) => (s.process!.scheduler = { policy: 'SCHED_OTHER', runtime: 1000 }),
      msg: '/process/scheduler/runtime: scheduler runtime/deadline/period can only be specified for SchedDeadline policy',
    },
    { name: 'nice 20', mutate: (s) => (s.process!.scheduler = { policy: 'SCHED_OTHER', nice: 20 }), msg: '/process/scheduler/nice: invalid scheduler.nice: 20 when scheduler.policy is SCHED_OTHER' },
    { name: 'personality domain', mutate: (s) => (s.linux!.personality = { domain: 'LINUX64' }), msg: '/linux/personality/domain' },
    { name: 'apparmorProfile', mutate: (s) => (s.process!.apparmorProfile = 'docker-default'), msg: '/process/apparmorProfile: apparmor: config provided but apparmor not supported' },
    {
      name: 'selinuxLabel',
      mutate: (s) => (s.process!.selinuxLabel = 'system_u:system_r:container_t:s0'),
      msg: '/process/selinuxLabel: selinux label is specified in config, but selinux is disabled or not supported',
    },
    {
      name: 'mountLabel',
      mutate: (s) => (s.linux!.mountLabel = 'system_u:object_r:container_file_t:s0'),
      msg: '/linux/mountLabel: selinux mount label is specified in config, but selinux is disabled or not supported',
    },
  ];
  const lsmFree = !fs.existsSync('/sys/kernel/security/apparmor') && !fs.existsSync('/sys/fs/selinux/enforce');
  for (const c of cases) {
    if (!lsmFree && /Label|apparmor/.test(c.name)) continue;
    const e = setup(t, ['true'], c.mutate);
    const r = runtsIo(e.io, e.root, ['create', '--bundle', e.bundle.dir, e.id]);
    assert.equal(r.status, 1, c.name);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.ok(r.stderr.includes(c.msg), `${c.name}: ${r.stderr}`);
    assertClean(e);
  }
});

test('exec --apparmor and --process-label on a host without the LSM: the same errors as create', { skip: skip || (fs.existsSync('/sys/kernel/security/apparmor') ? 'host has apparmor' : false) }, (t) => {
  const e = setup(t, ['sleep', '1000']);
  const r = runtsIo(e.io, e.root, ['run', '-d', '--bundle', e.bundle.dir, e.id]);
  assert.equal(r.status, 0, r.stderr);
  const aa = runtsIo(e.io, e.root, ['exec', '--apparmor', 'unconfined', e.id, 'true']);
  assert.equal(aa.status, 255);
  assert.match(aa.stderr, /msg="exec failed: apparmor: config provided but apparmor not supported"/);
  const se = runtsIo(e.io, e.root, ['exec', '--process-label', 'system_u:system_r:container_t:s0', e.id, 'true']);
  assert.equal(se.status, 255);
  assert.match(se.stderr, /msg="exec failed: selinux label is specified in config, but selinux is disabled or not supported"/);
  assert.equal(stateOf(e.root, e.id)?.status, 'running');
  assert.equal(runtsIo(e.io, e.root, ['delete', '--force', e.id]).status, 0);
  assertClean(e);
});

test('features: apparmor and selinux are advertised only where the host has them', { skip }, (t) => {
  const e = setup(t, ['true']);
  const r = runtsIo(e.io, e.root, ['features']);
  assert.equal(r.status, 0, r.stderr);
  const f = JSON.parse(r.stdout) as { linux: { apparmor: { enabled: boolean }; selinux: { enabled: boolean } } };
  const apparmor = fs.existsSync('/sys/kernel/security/apparmor') && fs.readFileSync('/sys/module/apparmor/parameters/enabled', 'utf8').startsWith('Y');
  assert.equal(f.linux.apparmor.enabled, apparmor);
  if (!fs.existsSync('/sys/fs/selinux')) assert.equal(f.linux.selinux.enabled, false);
});
