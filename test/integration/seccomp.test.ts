// linux.seccomp in real containers as root: errno actions felt by busybox, argument
// conditions, SCMP_ACT_KILL_PROCESS as SIGSYS, the filter in /proc/self/status, both
// load points (with and without no_new_privs, as a non-root user), exec into a
// filtered container, one profile compared with Debian's runc on the same bundle, and
// runc's -ENOSYS stub for syscalls newer than the profile (a static C probe, built here
// with gcc, because busybox cannot make arbitrary syscalls).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
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

/** Prints the errno (0: success) of a syscall newer than the profile, an old unlisted one and two listed ones. */
const ENOSYS_PROBE = `#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>
static int err(long nr, long a, long b, long c, long d)
{
	errno = 0;
	return syscall(nr, a, b, c, d) < 0 ? errno : 0;
}
int main(void)
{
	char buf[256];
	printf("fchmodat2=%d\\n", err(452, AT_FDCWD, (long)"/nonexistent", 0, 0));
	printf("sysinfo=%d\\n", err(SYS_sysinfo, (long)buf, 0, 0, 0));
	printf("getppid=%d\\n", err(SYS_getppid, 0, 0, 0, 0));
	printf("mkdirat=%d\\n", err(SYS_mkdirat, AT_FDCWD, (long)"/tmp/x", 0755, 0));
	return 0;
}
`;

/** gcc -static into a temp dir the test removes; gcc is part of scripts/setup.sh, so its absence fails the test. */
function buildProbe(t: TestContext, source: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runts-probe-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'probe.c'), source);
  execFileSync('gcc', ['-static', '-O2', '-o', path.join(dir, 'probe'), path.join(dir, 'probe.c')], { stdio: ['ignore', 'ignore', 'pipe'] });
  return path.join(dir, 'probe');
}

/**
 * Default ERRNO (EPERM) and an allow-list of old syscalls enough for both runtimes'
 * init and a static glibc program: the newest named is close_range (436 on x86_64),
 * so fchmodat2 (452) is newer; sysinfo is older and not named.
 */
function oldSyscallsProfile(architectures: string[] | undefined): LinuxSeccomp {
  const allowed = [
    'read', 'write', 'readv', 'writev', 'pread64', 'close', 'close_range', 'open', 'openat', 'fstat', 'newfstatat', 'statx', 'lseek',
    'stat', 'lstat', 'statfs', 'fstatfs', 'readlink', 'readlinkat', 'access', 'faccessat', 'fcntl', 'ioctl', 'dup', 'dup2', 'dup3', 'pipe2', 'getdents64',
    'mmap', 'mprotect', 'munmap', 'madvise', 'brk', 'mremap', 'arch_prctl', 'set_tid_address', 'set_robust_list', 'rseq', 'prlimit64',
    'getrandom', 'uname', 'prctl', 'futex', 'nanosleep', 'clock_nanosleep', 'clock_gettime', 'sched_yield', 'getpid', 'getppid',
    'gettid', 'tgkill', 'tkill', 'kill', 'rt_sigaction', 'rt_sigprocmask', 'rt_sigreturn', 'sigaltstack', 'clone', 'clone3',
    'execve', 'execveat', 'exit', 'exit_group', 'wait4', 'waitid', 'epoll_create1', 'epoll_ctl', 'epoll_pwait', 'epoll_wait',
    'poll', 'ppoll', 'pselect6', 'getuid', 'geteuid', 'getgid', 'getegid', 'capget', 'capset', 'setgroups', 'setresuid', 'setresgid',
    'setuid', 'setgid', 'chdir', 'fchdir', 'getcwd', 'umask', 'socket', 'connect', 'sendmsg', 'recvmsg', 'sendto', 'recvfrom',
  ];
  return {
    defaultAction: 'SCMP_ACT_ERRNO',
    ...(architectures !== undefined ? { architectures } : {}),
    syscalls: [
      { names: allowed, action: 'SCMP_ACT_ALLOW' },
      { names: ['mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 },
    ],
  };
}

for (const [what, architectures, want] of [
  ['listing x86_64, x86 and x32: a syscall newer than the profile gets ENOSYS', ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'], 38],
  ['listing no architectures: no -ENOSYS stub, the default EPERM', undefined, 1],
] as const) {
  test(`seccomp: -ENOSYS stub, ${what}, the same as runc`, { skip: skipRunc }, (t) => {
    const probe = buildProbe(t, ENOSYS_PROBE);
    const e = setup(t, '', oldSyscallsProfile(architectures === undefined ? undefined : [...architectures]), (s) => {
      s.process!.args = ['/probe'];
      s.process!.noNewPrivileges = true;
    });
    fs.copyFileSync(probe, `${e.bundle.rootfs}/probe`);
    fs.chmodSync(`${e.bundle.rootfs}/probe`, 0o755);
    t.after(() => fs.rmSync(`${e.bundle.rootfs}/probe`, { force: true }));

    const ours = run(e);
    assert.equal(ours.status, 0, ours.stderr);
    assert.equal(ours.stdout, `fchmodat2=${want}\nsysinfo=1\ngetppid=0\nmkdirat=13\n`);
    assertClean(e);

    const root = tmpRoot(t).path;
    const theirs = spawnSync('runc', ['--root', root, 'run', '--bundle', e.bundle.dir, `${e.id}-runc`], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 30_000 });
    assert.equal(theirs.status, 0, theirs.stderr);
    assert.equal(ours.stdout, theirs.stdout);
  });
}
