// linux.seccomp in real containers as root: errno actions felt by busybox, argument
// conditions, SCMP_ACT_KILL_PROCESS as SIGSYS, the filter in /proc/self/status, both
// load points (with and without no_new_privs, as a non-root user), exec into a
// filtered container, and one profile compared with Debian's runc on the same bundle.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import type { LinuxSeccomp, Spec } from '../../src/spec/types';
import { containerEnv, runtsIo, stateOf, type ContainerEnv } from '../support/container';
import { leftovers } from '../support/leftovers';
import { requires } from '../support/requires';
import { tmpRoot } from '../support/runts';

const skip = requires('root', 'busybox');
const skipRunc = requires('root', 'busybox', 'runc');

const STATUS = 'grep -E "^Seccomp(_filters)?:" /proc/self/status';

function errnoOn(names: string[], errnoRet?: number): LinuxSeccomp {
  return {
    defaultAction: 'SCMP_ACT_ALLOW',
    architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
    syscalls: [{ names, action: 'SCMP_ACT_ERRNO', ...(errnoRet !== undefined ? { errnoRet } : {}) }],
  };
}

function setup(t: TestContext, script: string, seccomp: LinuxSeccomp, mutate: (s: Spec) => void = () => undefined): ContainerEnv {
  return containerEnv(t, 'sc', (s) => {
    s.process!.args = ['sh', '-c', script];
    s.root!.readonly = false;
    s.linux!.seccomp = seccomp;
    mutate(s);
  });
}

function run(e: ContainerEnv): { status: number; stdout: string; stderr: string } {
  return runtsIo(e.io, e.root, ['run', '--bundle', e.bundle.dir, e.id]);
}

function assertClean(e: ContainerEnv): void {
  assert.deepEqual(leftovers(e.root, e.id, e.bundle.dir), []);
}

test('seccomp: SCMP_ACT_ERRNO with errnoRet 1 fails mkdir with EPERM, touch still works, the filter shows in status', { skip }, (t) => {
  const e = setup(t, `mkdir /tmp/x; echo mkdir=$?; touch /tmp/y && echo touched; ${STATUS}`, errnoOn(['mkdir', 'mkdirat'], 1));
  const r = run(e);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'mkdir=1\ntouched\nSeccomp:\t2\nSeccomp_filters:\t1\n');
  assert.match(r.stderr, /mkdir: can't create directory '\/tmp\/x': Operation not permitted/);
  assert.ok(!fs.existsSync(`${e.bundle.rootfs}/tmp/x`));
  assert.ok(fs.existsSync(`${e.bundle.rootfs}/tmp/y`));
  assertClean(e);
});

test('seccomp: errnoRet 38 is ENOSYS, and a default SCMP_ACT_ERRNO is EPERM', { skip }, (t) => {
  const e = setup(t, 'mkdir /tmp/x', errnoOn(['mkdir', 'mkdirat'], 38));
  const r = run(e);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /Function not implemented/);
  assertClean(e);

  const d = setup(t, 'mkdir /tmp/x', errnoOn(['mkdir', 'mkdirat']));
  const r2 = run(d);
  assert.equal(r2.status, 1);
  assert.match(r2.stderr, /Operation not permitted/);
  assertClean(d);
});

test('seccomp: an argument condition blocks kill(2) with SIGUSR1 only', { skip }, (t) => {
  const e = setup(t, 'sleep 100 & p=$!; kill -USR1 $p; echo usr1=$?; kill -TERM $p; echo term=$?; wait $p; echo waited=$?', {
    defaultAction: 'SCMP_ACT_ALLOW',
    syscalls: [{ names: ['kill'], action: 'SCMP_ACT_ERRNO', errnoRet: 1, args: [{ index: 1, value: 10, op: 'SCMP_CMP_EQ' }] }],
  });
  const r = run(e);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'usr1=1\nterm=0\nwaited=143\n');
  assert.match(r.stderr, /Operation not permitted/);
  assertClean(e);
});

test('seccomp: SCMP_ACT_KILL_PROCESS kills the process with SIGSYS (run exits 159)', { skip }, (t) => {
  const e = setup(t, '', { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_KILL_PROCESS' }] }, (s) => {
    s.process!.args = ['mkdir', '/tmp/x'];
  });
  const r = run(e);
  assert.equal(r.status, 128 + 31, r.stderr);
  assertClean(e);
});

for (const nnp of [false, true]) {
  test(`seccomp: a non-root user with noNewPrivileges ${nnp} gets the filter`, { skip }, (t) => {
    const e = setup(t, `mkdir /tmp/x; echo mkdir=$?; ${STATUS}; grep NoNewPrivs /proc/self/status`, errnoOn(['mkdir', 'mkdirat'], 1), (s) => {
      s.process!.noNewPrivileges = nnp;
      s.process!.user = { uid: 1000, gid: 1000 };
    });
    const r = run(e);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `mkdir=1\nSeccomp:\t2\nSeccomp_filters:\t1\nNoNewPrivs:\t${nnp ? 1 : 0}\n`);
    assert.match(r.stderr, /Operation not permitted/);
    assertClean(e);
  });
}

test('seccomp: exec into a filtered container is filtered too', { skip }, (t) => {
  const e = setup(t, 'sleep 1000', errnoOn(['mkdir', 'mkdirat'], 1));
  const r = runtsIo(e.io, e.root, ['run', '-d', '--bundle', e.bundle.dir, e.id]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(stateOf(e.root, e.id)?.status, 'running');
  try {
    const x = runtsIo(e.io, e.root, ['exec', e.id, 'sh', '-c', `mkdir /tmp/x; echo mkdir=$?; ${STATUS}`]);
    assert.equal(x.status, 0, x.stderr);
    assert.equal(x.stdout, 'mkdir=1\nSeccomp:\t2\nSeccomp_filters:\t1\n');
    assert.match(x.stderr, /Operation not permitted/);
    // As another user without no_new_privs: loaded before the uid change.
    const u = runtsIo(e.io, e.root, ['exec', '--user', '1000:1000', e.id, 'sh', '-c', 'mkdir /tmp/x; echo mkdir=$?']);
    assert.equal(u.stdout, 'mkdir=1\n', u.stderr);
  } finally {
    assert.equal(runtsIo(e.io, e.root, ['delete', '--force', e.id]).status, 0);
  }
  assertClean(e);
});

test('seccomp: the same bundle behaves the same under runc', { skip: skipRunc }, (t) => {
  const seccomp: LinuxSeccomp = {
    defaultAction: 'SCMP_ACT_ALLOW',
    architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'],
    syscalls: [
      { names: ['mkdir', 'mkdirat', 'no_such_syscall_xyz'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 },
      { names: ['chmod', 'fchmodat'], action: 'SCMP_ACT_ERRNO', args: [{ index: 1, value: 0o7000, valueTwo: 0o4000, op: 'SCMP_CMP_MASKED_EQ' }] },
      { names: ['fchmodat'], action: 'SCMP_ACT_ERRNO', args: [{ index: 2, value: 0o7000, valueTwo: 0o4000, op: 'SCMP_CMP_MASKED_EQ' }] },
    ],
  };
  const script = `mkdir /tmp/x 2>&1; echo mkdir=$?; touch /tmp/f; chmod 4755 /tmp/f 2>&1; echo suid=$?; chmod 755 /tmp/f; echo plain=$?; ${STATUS}`;
  const e = setup(t, script, seccomp);
  const ours = run(e);
  assert.equal(ours.status, 0, ours.stderr);
  assertClean(e);
  fs.rmSync(`${e.bundle.rootfs}/tmp/f`, { force: true });

  const root = tmpRoot(t).path;
  const id = `${e.id}-runc`;
  // tmpRoot's cleanup deletes runc containers too (a later hook here would make runc recreate the root).
  const theirs = spawnSync('runc', ['--root', root, 'run', '--bundle', e.bundle.dir, id], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 30_000 });
  assert.equal(theirs.status, 0, theirs.stderr);
  assert.equal(ours.stdout, theirs.stdout);
  assert.match(ours.stdout, /mkdir=1\n/);
  assert.match(ours.stdout, /Function not implemented/);
  assert.match(ours.stdout, /suid=1\nplain=0\n/);
});
