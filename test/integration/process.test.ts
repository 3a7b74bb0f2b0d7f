// The process and namespace features of real containers as root: user and groups,
// umask, rlimits, oom_score_adj, capabilities, no_new_privs, the session keyring,
// --preserve-fds, env and cwd, namespaces joined by path, user, time and cgroup
// namespaces, and --no-pivot. Each is observed from outside (/proc/<pid>/... of a
// created container, whose init already holds the final credentials) and from inside
// (busybox), and compared with Debian's runc where runc is the reference.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CAPABILITY_NAMES } from '../../src/security/capabilities';
import type { LinuxCapabilities, Spec } from '../../src/spec/types';
import { createdPid, nsInode, runtsIo, stateOf, waitFor, containerEnv, type ContainerEnv } from '../support/container';
import { leftovers } from '../support/leftovers';
import { requires } from '../support/requires';
import { RUNTS_BIN, tmpRoot } from '../support/runts';

const skip = requires('root', 'busybox');

type Env = ContainerEnv;

function setup(t: TestContext, args: string[], mutate: (s: Spec) => void = () => undefined): Env {
  return containerEnv(t, 'pr', (s) => {
    s.process!.args = args;
    mutate(s);
  });
}

function assertClean(e: Env, id = e.id, root = e.root): void {
  assert.deepEqual(leftovers(root, id, e.bundle.dir), []);
}

function run(e: Env, flags: string[] = []): { status: number; stdout: string; stderr: string } {
  return runtsIo(e.io, e.root, ['run', ...flags, '--bundle', e.bundle.dir, e.id]);
}

/** create; tmpRoot's cleanup (registered by containerEnv) force-deletes it if the test fails. */
const create = createdPid;

function remove(e: Env): void {
  assert.equal(runtsIo(e.io, e.root, ['delete', '--force', e.id]).status, 0);
}

/** `runc run` of the same bundle in its own root, with files as stdio like runtsIo. */
function runcRun(t: TestContext, e: Env, flags: string[] = []): { status: number; stdout: string; stderr: string; id: string; root: string } {
  const root = tmpRoot(t).path;
  const id = `${e.id}-runc`;
  // tmpRoot's cleanup deletes runc containers too (a later hook here would make runc recreate the root).
  const before = e.io.read();
  const fds = [fs.openSync('/dev/null', 'r'), fs.openSync(e.io.outFile, 'a'), fs.openSync(e.io.errFile, 'a')];
  try {
    const r = spawnSync('runc', ['--root', root, 'run', ...flags, '--bundle', e.bundle.dir, id], { stdio: fds, timeout: 30_000 });
    const after = e.io.read();
    return {
      status: r.status ?? 128,
      stdout: after.stdout.slice(before.stdout.length),
      stderr: after.stderr.slice(before.stderr.length),
      id,
      root,
    };
  } finally {
    for (const fd of fds) fs.closeSync(fd);
  }
}

/** One "Name:\tvalue" line of /proc/<pid>/status. */
function statusField(text: string, name: string): string {
  const line = text.split('\n').find((l) => l.startsWith(`${name}:`));
  assert.ok(line !== undefined, `no ${name} in status`);
  return line.slice(name.length + 1).trim().replace(/\s+/g, ' ');
}

/** One "Max ..." line of /proc/<pid>/limits, columns normalised to single spaces. */
function limitLine(text: string, name: string): string {
  const line = text.split('\n').find((l) => l.startsWith(name));
  assert.ok(line !== undefined, `no ${name} in limits`);
  return line.trim().replace(/\s+/g, ' ');
}

test('process.user: uid, gid, additionalGids and umask, from outside and inside; umask defaults to 0022', { skip }, async (t) => {
  const e = setup(t, ['sh', '-c', 'id; umask; echo reopened >> /dev/stdout'], (s) => {
    s.process!.user = { uid: 1000, gid: 1001, additionalGids: [5, 7], umask: 0o027 };
  });
  const pid = create(e);
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  assert.equal(statusField(status, 'Uid'), '1000 1000 1000 1000');
  assert.equal(statusField(status, 'Gid'), '1001 1001 1001 1001');
  assert.equal(statusField(status, 'Groups'), '5 7');
  assert.equal(statusField(status, 'Umask'), '0027');
  const start = runtsIo(e.io, e.root, ['start', e.id]);
  assert.equal(start.status, 0, start.stderr);
  await waitFor('stopped', () => stateOf(e.root, e.id)?.status === 'stopped');
  // create hands stdio to the process user as runc does, so that a non-root process
  // can reopen its stdout.
  assert.equal(e.io.read().stdout, 'uid=1000 gid=1001 groups=5,7\n0027\nreopened\n');
  assert.equal(fs.statSync(e.io.outFile).uid, 1000);
  remove(e);
  assertClean(e);

  // No umask in the config: 0022, whatever the caller's is (runc finalizeRootfs).
  const e2 = setup(t, ['sh', '-c', 'umask']);
  const old = process.umask(0o077);
  let r: ReturnType<typeof run>;
  try {
    r = run(e2);
  } finally {
    process.umask(old);
  }
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '0022\n');
  // A foreground run leaves the caller's stdio alone (runc gives it pipes instead).
  assert.equal(fs.statSync(e2.io.outFile).uid, 0);
  assertClean(e2);
});

test('rlimits: soft and hard as configured, outside and inside; others keep the caller\'s', { skip }, (t) => {
  const e = setup(t, ['sh', '-c', 'ulimit -n; ulimit -Hn; cat /proc/self/limits'], (s) => {
    s.process!.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 256, hard: 512 }];
  });
  const mine = fs.readFileSync('/proc/self/limits', 'utf8');
  const pid = create(e);
  const outside = fs.readFileSync(`/proc/${pid}/limits`, 'utf8');
  assert.equal(limitLine(outside, 'Max open files'), 'Max open files 256 512 files');
  assert.equal(limitLine(outside, 'Max processes'), limitLine(mine, 'Max processes'));
  remove(e);
  assertClean(e);

  const r = run(e);
  assert.equal(r.status, 0, r.stderr);
  const [soft, hard] = r.stdout.split('\n');
  assert.equal(soft, '256');
  assert.equal(hard, '512');
  assert.equal(limitLine(r.stdout, 'Max processes'), limitLine(mine, 'Max processes'));
  assert.equal(limitLine(r.stdout, 'Max core file size'), limitLine(mine, 'Max core file size'));
  assertClean(e);
});

test('oomScoreAdj: /proc/<pid>/oom_score_adj outside and /proc/self/oom_score_adj inside', { skip }, (t) => {
  const e = setup(t, ['cat', '/proc/self/oom_score_adj'], (s) => {
    s.process!.oomScoreAdj = 123;
  });
  const pid = create(e);
  assert.equal(fs.readFileSync(`/proc/${pid}/oom_score_adj`, 'utf8').trim(), '123');
  remove(e);
  assertClean(e);
  const r = run(e);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '123\n');
  assertClean(e);
});

function capMask(names: readonly string[] | undefined): string {
  let m = 0n;
  for (const n of names ?? []) {
    const i = (CAPABILITY_NAMES as readonly string[]).indexOf(n);
    assert.ok(i >= 0, n);
    m |= 1n << BigInt(i);
  }
  return m.toString(16).padStart(16, '0');
}

const CAP_FIELDS = ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb', 'NoNewPrivs'] as const;
const CAP_PROBE = ['sh', '-c', 'grep -E "^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs):" /proc/self/status'];

function capFields(status: string): Record<(typeof CAP_FIELDS)[number], string> {
  const out = {} as Record<(typeof CAP_FIELDS)[number], string>;
  for (const f of CAP_FIELDS) out[f] = statusField(status, f);
  return out;
}

test('capabilities: init applies the five sets and no_new_privs of the config; the process sees what runc\'s sees', { skip }, async (t) => {
  const withRaw: LinuxCapabilities = {
    bounding: ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE', 'CAP_NET_RAW', 'CAP_SYS_ADMIN'],
    effective: ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_RAW'],
    permitted: ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE', 'CAP_NET_RAW'],
    inheritable: ['CAP_NET_RAW'],
    ambient: ['CAP_NET_RAW'],
  };
  const cases: { name: string; caps: LinuxCapabilities | undefined; nnp: boolean }[] = [
    { name: 'inheritable+ambient CAP_NET_RAW, no_new_privs', caps: withRaw, nnp: true },
    // No capabilities field: every set empty (runc), not the caller's full set.
    { name: 'no capabilities at all, no_new_privs off', caps: undefined, nnp: false },
  ];
  for (const c of cases) {
    const e = setup(t, CAP_PROBE, (s) => {
      if (c.caps === undefined) delete s.process!.capabilities;
      else s.process!.capabilities = c.caps;
      s.process!.noNewPrivileges = c.nnp;
    });
    // Outside, before execve: exactly what init applied.
    const pid = create(e);
    assert.deepEqual(
      capFields(fs.readFileSync(`/proc/${pid}/status`, 'utf8')),
      {
        CapInh: capMask(c.caps?.inheritable),
        CapPrm: capMask(c.caps?.permitted),
        CapEff: capMask(c.caps?.effective),
        CapBnd: capMask(c.caps?.bounding),
        CapAmb: capMask(c.caps?.ambient),
        NoNewPrivs: c.nnp ? '1' : '0',
      },
      c.name,
    );
    remove(e);
    assertClean(e);

    // Inside, after execve: the kernel's exec rules for uid 0 raise the effective set to
    // the permitted one; bounding, inheritable, ambient and no_new_privs carry over.
    const r = run(e);
    assert.equal(r.status, 0, r.stderr);
    const inside = capFields(r.stdout);
    assert.equal(inside.CapBnd, capMask(c.caps?.bounding), c.name);
    assert.equal(inside.CapInh, capMask(c.caps?.inheritable), c.name);
    assert.equal(inside.CapAmb, capMask(c.caps?.ambient), c.name);
    assert.equal(inside.CapEff, inside.CapPrm, c.name);
    assert.equal(inside.NoNewPrivs, c.nnp ? '1' : '0', c.name);
    assertClean(e);
    await t.test(`${c.name}: same lines as runc`, { skip: requires('runc') }, (t2) => {
      const rc = runcRun(t2, e);
      assert.equal(rc.status, 0, rc.stderr);
      assert.equal(r.stdout, rc.stdout);
      assertClean(e, rc.id, rc.root);
    });
  }
});

test('session keyring: a new one named _ses.<id> with runc\'s permissions; none with --no-new-keyring', { skip }, async (t) => {
  const e = setup(t, ['cat', '/proc/keys'], (s) => {
    s.linux!.maskedPaths = s.linux!.maskedPaths!.filter((p) => p !== '/proc/keys');
  });
  const line = (out: string, id: string): string | undefined => out.split('\n').find((l) => l.endsWith(` keyring   _ses.${id}: empty`));
  const r = run(e);
  assert.equal(r.status, 0, r.stderr);
  const ours = line(r.stdout, e.id);
  assert.ok(ours !== undefined, `no _ses.${e.id} keyring in:\n${r.stdout}`);
  // join_session_keyring's default 0x3f130000 with KEY_USR_SEARCH added, as runc does.
  assert.match(ours, / perm 3f1b0000 /);
  assertClean(e);

  const again = run(e, ['--no-new-keyring']);
  assert.equal(again.status, 0, again.stderr);
  assert.equal(line(again.stdout, e.id), undefined);
  assert.doesNotMatch(again.stdout, new RegExp(`_ses\\.${e.id}:`));
  assertClean(e);

  await t.test('runc shows the same keyring line', { skip: requires('runc') }, (t2) => {
    const rc = runcRun(t2, e);
    assert.equal(rc.status, 0, rc.stderr);
    const theirs = line(rc.stdout, rc.id);
    assert.ok(theirs !== undefined, rc.stdout);
    // The serial and the usage count differ; flags, perm, uid, gid and type must not.
    const shape = (l: string): string => l.split(/\s+/).slice(1).filter((_, i) => i !== 1).join(' ').replace(/_ses\.\S+/, '_ses.ID');
    assert.equal(shape(ours), shape(theirs));
    assertClean(e, rc.id, rc.root);
  });
});

/** runts with extra fds 3.. open for it (spawnSync dups each to its index). */
function runtsWithFds(e: Env, args: string[], extra: number[]): { status: number; stdout: string; stderr: string } {
  const before = e.io.read();
  const fds = [fs.openSync('/dev/null', 'r'), fs.openSync(e.io.outFile, 'a'), fs.openSync(e.io.errFile, 'a')];
  try {
    const r = spawnSync(process.execPath, [RUNTS_BIN, '--root', e.root, ...args], { stdio: [...fds, ...extra], timeout: 30_000 });
    const after = e.io.read();
    return { status: r.status ?? 128, stdout: after.stdout.slice(before.stdout.length), stderr: after.stderr.slice(before.stderr.length) };
  } finally {
    for (const fd of fds) fs.closeSync(fd);
  }
}

test('--preserve-fds N: the caller\'s fds 3..3+N-1 and nothing else reach the process', { skip }, (t) => {
  // sh is PID 1; ls runs as its child and lists PID 1's fds, so its own dir fd is not counted.
  // No pipeline: the shell would hold the pipe's fds while ls looks.
  const e = setup(t, ['sh', '-c', 'ls /proc/1/fd; cat <&3; cat <&4']);
  const f3 = path.join(e.io.dir, 'three');
  const f4 = path.join(e.io.dir, 'four');
  fs.writeFileSync(f3, 'fd three\n');
  fs.writeFileSync(f4, 'fd four\n');
  const a = fs.openSync(f3, 'r');
  const b = fs.openSync(f4, 'r');
  t.after(() => {
    fs.closeSync(a);
    fs.closeSync(b);
  });

  const r = runtsWithFds(e, ['run', '--preserve-fds', '2', '--bundle', e.bundle.dir, e.id], [a, b]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '0\n1\n2\n3\n4\nfd three\nfd four\n');
  assertClean(e);

  const none = runtsWithFds(e, ['run', '--bundle', e.bundle.dir, e.id], [a, b]);
  assert.equal(none.status, 1);
  assert.equal(none.stdout, '0\n1\n2\n');
  assertClean(e);
});

test('env is exactly process.env (Go Setenv semantics, HOME from /etc/passwd) and matches runc', { skip }, async (t) => {
  const e = setup(t, ['env'], (s) => {
    s.process!.env = ['PATH=/bin', 'FOO=1', 'BAR=2', 'FOO=3', 'EMPTY='];
  });
  const r = run(e);
  assert.equal(r.status, 0, r.stderr);
  // A repeated name keeps its first place and its last value; HOME is root's home.
  assert.equal(r.stdout, 'PATH=/bin\nFOO=3\nBAR=2\nEMPTY=\nHOME=/root\n');
  assertClean(e);
  await t.test('same env as runc', { skip: requires('runc') }, (t2) => {
    const rc = runcRun(t2, e);
    assert.equal(rc.status, 0, rc.stderr);
    assert.equal(r.stdout, rc.stdout);
    assertClean(e, rc.id, rc.root);
  });

  // A user without a passwd entry gets HOME=/; an explicit HOME is kept.
  const e2 = setup(t, ['/bin/env'], (s) => {
    s.process!.env = ['A=b=c'];
    s.process!.user.uid = 1000;
  });
  const r2 = run(e2);
  assert.equal(r2.status, 0, r2.stderr);
  assert.equal(r2.stdout, 'A=b=c\nHOME=/\n');
  assertClean(e2);
  e2.bundle.update((s) => (s.process!.env = ['HOME=/x']));
  assert.equal(run(e2).stdout, 'HOME=/x\n');
  assertClean(e2);

  // Entries runc refuses fail create with its text, one line, nothing left.
  for (const [bad, msg] of [
    ['NOEQ', /invalid environment variable: \\?"NOEQ\\?"/],
    ['=x', /environment variable name can't be empty: \\?"=x\\?"/],
  ] as const) {
    const e3 = setup(t, ['true'], (s) => s.process!.env!.push(bad));
    const r3 = runtsIo(e3.io, e3.root, ['create', '--bundle', e3.bundle.dir, e3.id]);
    assert.equal(r3.status, 1, bad);
    assert.match(r3.stderr, msg);
    assert.equal(r3.stderr.trim().split('\n').length, 1, r3.stderr);
    assertClean(e3);
  }
});

test('cwd: the process starts in process.cwd', { skip }, (t) => {
  const e = setup(t, ['pwd'], (s) => (s.process!.cwd = '/tmp'));
  const r = run(e);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '/tmp\n');
  assertClean(e);
});

test('cwd: a cwd missing from the rootfs is created 0755, as runc does', { skip }, (t) => {
  const e = setup(t, ['sh', '-c', 'pwd; stat -c %a .'], (s) => (s.process!.cwd = '/does/not/exist'));
  const r = run(e);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '/does/not/exist\n755\n');
  assertClean(e);
});

test('namespaces joined by path: the container is in the helper\'s netns; a non-namespace path fails cleanly', { skip }, async (t) => {
  const helper = spawn('unshare', ['--net', '--uts', 'sleep', '100'], { stdio: 'ignore' });
  t.after(() => helper.kill('SIGKILL'));
  const hpid = helper.pid!;
  // unshare execs sleep once the namespaces exist.
  await waitFor('helper in its netns', () => {
    try {
      return nsInode(hpid, 'net') !== nsInode('self', 'net') && fs.readFileSync(`/proc/${hpid}/comm`, 'utf8').trim() === 'sleep';
    } catch {
      return false;
    }
  });
  const e = setup(t, ['readlink', '/proc/self/ns/net'], (s) => {
    s.linux!.namespaces = s.linux!.namespaces!.map((n) => (n.type === 'network' ? { type: 'network', path: `/proc/${hpid}/ns/net` } : n));
  });
  const pid = create(e);
  assert.equal(nsInode(pid, 'net'), nsInode(hpid, 'net'));
  // The uts namespace was not joined: the config asks for a new one.
  assert.notEqual(nsInode(pid, 'uts'), nsInode(hpid, 'uts'));
  assert.notEqual(nsInode(pid, 'uts'), nsInode('self', 'uts'));
  remove(e);
  assertClean(e);
  const r = run(e);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `${nsInode(hpid, 'net')}\n`);
  assertClean(e);

  const notNs = path.join(e.io.dir, 'plain-file');
  fs.writeFileSync(notNs, '');
  e.bundle.update((s) => {
    s.linux!.namespaces = s.linux!.namespaces!.map((n) => (n.type === 'network' ? { type: 'network', path: notNs } : n));
  });
  const bad = runtsIo(e.io, e.root, ['create', '--bundle', e.bundle.dir, e.id]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /\/linux\/namespaces\/\d+\/path: .*not a namespace/);
  assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
  assertClean(e);
});

test('user namespace: the maps from outside, root inside, on a rootfs owned by the mapped root', { skip: skip || requires('userns') }, (t) => {
  const e = setup(t, ['sh', '-c', 'id; cat /proc/self/uid_map /proc/self/gid_map; echo hi > /dev/null && echo null-ok'], (s) => {
    s.linux!.namespaces!.push({ type: 'user' });
    s.linux!.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
    s.linux!.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
  });
  // The mapped root must be able to reach and read its rootfs.
  execFileSync('chown', ['-R', '100000:100000', e.bundle.rootfs]);
  fs.chmodSync(e.bundle.dir, 0o755);
  const map = '0 100000 65536';
  const pid = create(e);
  assert.notEqual(nsInode(pid, 'user'), nsInode('self', 'user'));
  assert.equal(fs.readFileSync(`/proc/${pid}/uid_map`, 'utf8').trim().replace(/\s+/g, ' '), map);
  assert.equal(fs.readFileSync(`/proc/${pid}/gid_map`, 'utf8').trim().replace(/\s+/g, ' '), map);
  // Host view of the container's root.
  assert.equal(statusField(fs.readFileSync(`/proc/${pid}/status`, 'utf8'), 'Uid'), '100000 100000 100000 100000');
  remove(e);
  assertClean(e);

  const r = run(e);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.equal(lines[0], 'uid=0(root) gid=0(root)');
  assert.equal(lines[1]?.trim().replace(/\s+/g, ' '), map);
  assert.equal(lines[2]?.trim().replace(/\s+/g, ' '), map);
  assert.equal(lines[3], 'null-ok');
  assertClean(e);
});

test('time namespace: its own ns/time, offsets applied (boottime shows in /proc/uptime)', { skip: skip || requires('timens') }, (t) => {
  const day = 86400;
  const e = setup(t, ['sh', '-c', 'cat /proc/uptime /proc/self/timens_offsets'], (s) => {
    s.linux!.namespaces!.push({ type: 'time' });
    s.linux!.timeOffsets = { monotonic: { secs: day }, boottime: { secs: day } };
  });
  const pid = create(e);
  assert.notEqual(nsInode(pid, 'time'), nsInode('self', 'time'));
  remove(e);
  assertClean(e);

  const hostBefore = os.uptime();
  const r = run(e);
  assert.equal(r.status, 0, r.stderr);
  const [uptime, ...offsets] = r.stdout.trim().split('\n');
  const inside = Number(uptime!.split(' ')[0]);
  // /proc/uptime counts CLOCK_BOOTTIME; the run itself takes well under a minute.
  assert.ok(inside - hostBefore >= day - 1 && inside - hostBefore < day + 60, `uptime ${inside} vs host ${hostBefore}`);
  assert.deepEqual(
    offsets.map((l) => l.trim().split(/\s+/)),
    [
      ['monotonic', String(day), '0'],
      ['boottime', String(day), '0'],
    ],
  );
  assertClean(e);
});

test('cgroup namespace: "/" paths inside with it, the host paths without it', { skip }, (t) => {
  const e = setup(t, ['cat', '/proc/self/cgroup'], (s) => s.linux!.namespaces!.push({ type: 'cgroup' }));
  const pid = create(e);
  assert.notEqual(nsInode(pid, 'cgroup'), nsInode('self', 'cgroup'));
  remove(e);
  assertClean(e);
  const r = run(e);
  assert.equal(r.status, 0, r.stderr);
  const paths = (out: string): string[] => out.trim().split('\n').map((l) => l.split(':').slice(2).join(':'));
  assert.ok(paths(r.stdout).length > 0);
  assert.deepEqual(new Set(paths(r.stdout)), new Set(['/']));
  assertClean(e);

  e.bundle.update((s) => (s.linux!.namespaces = s.linux!.namespaces!.filter((n) => n.type !== 'cgroup')));
  const host = run(e);
  assert.equal(host.status, 0, host.stderr);
  for (const p of paths(host.stdout)) assert.ok(p.endsWith(`/${e.id}`), `host path ${p} should end in the container id`);
  assertClean(e);
});

/**
 * mountinfo for comparison: without mount ids and device numbers (both allocated per
 * boot and per run), peer group numbers, and with the container id replaced.
 */
function mountShape(text: string, id: string): string[] {
  return text
    .trim()
    .split('\n')
    .filter((l) => /^\d+ \d+ /.test(l))
    .map((l) =>
      l
        .split(' ')
        .slice(3)
        .join(' ')
        .replace(/\b(shared|master|propagate_from):\d+/g, '$1:N')
        .split(id)
        .join('ID'),
    );
}

test('--no-pivot: the process runs in the rootfs with the same mounts as runc --no-pivot', { skip }, async (t) => {
  const e = setup(t, ['sh', '-c', 'pwd; ls /; cat /proc/self/mountinfo']);
  fs.writeFileSync(path.join(e.bundle.rootfs, 'MARKER'), '');
  const r = run(e, ['--no-pivot']);
  assert.equal(r.status, 0, r.stderr);
  const [cwd, ...rest] = r.stdout.split('\n');
  assert.equal(cwd, '/');
  assert.ok(rest.includes('MARKER'), 'the root is the rootfs');
  const shape = mountShape(r.stdout, e.id);
  // The first mount is the rootfs at "/", the only mount there: no host root and no
  // pivot leftovers remain.
  const [rootMount] = shape;
  assert.ok(rootMount !== undefined);
  assert.match(rootMount, new RegExp(`^\\S*/${path.basename(e.bundle.dir)}/rootfs / `));
  assert.equal(shape.filter((l) => l.split(' ')[1] === '/').length, 1, 'exactly one mount at /');
  assertClean(e);

  await t.test('runc --no-pivot shows the same mounts', { skip: requires('runc') }, (t2) => {
    const rc = runcRun(t2, e, ['--no-pivot']);
    assert.equal(rc.status, 0, rc.stderr);
    assert.deepEqual(shape, mountShape(rc.stdout, rc.id));
    assertClean(e, rc.id, rc.root);
  });
});
