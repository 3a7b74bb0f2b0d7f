// `runts exec` into real containers as root: output and exit statuses, the namespaces
// and cgroups the process lands in (seen from outside), the process flags seen from
// inside, --detach with a pid file, signal forwarding, and refusals (paused, stopped,
// missing) that leave nothing behind.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readState } from '../../src/container/state-store';
import { type Bundle } from '../support/bundle';
import { nsInode, runtsIo, spawnRunts, stateOf, waitFor, containerEnv, type ContainerEnv } from '../support/container';
import { leftovers } from '../support/leftovers';
import { requires } from '../support/requires';

const skip = requires('root', 'busybox');

interface Env extends ContainerEnv {
  pid: number;
}

/** A running container (`run -d` of `sleep 1000`), deleted when the test ends. */
function running(t: TestContext, mutate?: Parameters<Bundle['update']>[0], prepare?: (b: Bundle) => void): Env {
  const e = containerEnv(t, 'ex', (s) => {
    s.process!.args = ['sleep', '1000'];
    s.process!.env = ['PATH=/bin', 'TERM=xterm', 'FROMCONFIG=1'];
    mutate?.(s);
  });
  prepare?.(e.bundle);
  const r = runtsIo(e.io, e.root, ['run', '-d', '--bundle', e.bundle.dir, e.id]);
  assert.equal(r.status, 0, r.stderr);
  const st = stateOf(e.root, e.id);
  assert.equal(st?.status, 'running');
  return { ...e, pid: st!.pid };
}

function exec(e: Env, args: string[]): { status: number; stdout: string; stderr: string } {
  return runtsIo(e.io, e.root, ['exec', ...args]);
}

/** Every pid in the container's cgroups (the pids hierarchy). */
function cgroupPids(e: Env): number[] {
  const dir = readState(e.root, e.id).cgroupPaths['pids']!;
  return fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number).sort((a, b) => a - b);
}

function assertClean(e: Env): void {
  assert.deepEqual(leftovers(e.root, e.id, e.bundle.dir), []);
}

test('exec: output, exit status, a signal as 128+n, and runc\'s error for a missing binary', { skip }, (t) => {
  const e = running(t);
  const r = exec(e, [e.id, 'sh', '-c', 'echo out; echo err >&2; exit 3']);
  assert.equal(r.status, 3);
  assert.equal(r.stdout, 'out\n');
  assert.equal(r.stderr, 'err\n');

  assert.equal(exec(e, [e.id, 'sh', '-c', 'kill -TERM $$']).status, 128 + 15);

  const missing = exec(e, [e.id, 'nosuch']);
  assert.equal(missing.status, 255);
  assert.match(missing.stderr, /level=error msg="exec failed: unable to start container process: exec: \\"nosuch\\": executable file not found in \$PATH"/);
  const abs = exec(e, [e.id, '/nosuch']);
  assert.equal(abs.status, 255);
  assert.match(abs.stderr, /exec: \\"\/nosuch\\": stat \/nosuch: no such file or directory/);
  assert.deepEqual(cgroupPids(e), [e.pid], 'failed execs leave no process behind');
});

test('exec: the process is in every namespace and cgroup of PID 1', { skip }, async (t) => {
  const e = running(t, (s) => {
    s.linux!.namespaces!.push({ type: 'cgroup' });
  });
  const pidFile = path.join(e.io.dir, 'exec.pid');
  const r = exec(e, ['--detach', '--pid-file', pidFile, e.id, 'sleep', '1000']);
  assert.equal(r.status, 0, r.stderr);
  const pid = Number(fs.readFileSync(pidFile, 'utf8'));
  t.after(() => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone with the container
    }
  });
  assert.ok(pid > 0 && pid !== e.pid);
  for (const ns of ['pid', 'mnt', 'uts', 'ipc', 'net', 'cgroup', 'user']) {
    assert.equal(nsInode(pid, ns), nsInode(e.pid, ns), `${ns} namespace`);
  }
  assert.equal(fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8'), fs.readFileSync(`/proc/${e.pid}/cgroup`, 'utf8'));
  assert.deepEqual(cgroupPids(e), [e.pid, pid].sort((a, b) => a - b));
  // From inside: the same root and the same view of the pid namespace.
  const nspid = /^NSpid:\t(\d+)\t(\d+)$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  assert.equal(nspid?.[1], String(pid));
  const inner = nspid![2]!;
  const inside = exec(e, [e.id, 'sh', '-c', `cat /proc/${inner}/cmdline | tr "\\0" " "; echo; cat /proc/1/cmdline | tr "\\0" " "; echo; cat /proc/self/cgroup | grep pids`]);
  assert.equal(inside.status, 0, inside.stderr);
  const [detached, init, cg] = inside.stdout.trim().split('\n');
  assert.equal(detached?.trim(), 'sleep 1000', `pid ${inner} inside is the detached process`);
  assert.equal(init?.trim(), 'sleep 1000');
  assert.match(cg!, /:pids:\/$/, 'the cgroup namespace roots at the container\'s cgroup');
  // The detached process outlives the exec command and dies with the container.
  assert.ok(fs.existsSync(`/proc/${pid}`));
  assert.equal(runtsIo(e.io, e.root, ['delete', '--force', e.id]).status, 0);
  await waitFor('the exec\'d process to go', () => {
    try {
      return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2] === 'Z';
    } catch {
      return true;
    }
  });
  assertClean(e);
});

test('exec: --user, --additional-gids, --cwd, --env and --cap are what the process sees', { skip }, (t) => {
  const e = running(t);
  const probe = 'id -u; id -g; id -G; pwd; echo "$FROMCONFIG $FOO $HOME"; grep -E "^Cap(Eff|Bnd)" /proc/self/status; cat /proc/self/status | grep NoNewPrivs';
  const r = exec(e, ['-u', '65534:65534', '-g', '10', '--cwd', '/tmp', '-e', 'FOO=bar', '--cap', 'CAP_SYS_ADMIN', '--no-new-privs', e.id, 'sh', '-c', probe]);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.deepEqual(lines.slice(0, 5), ['65534', '65534', '65534 10', '/tmp', '1 bar /']);
  // The bounding set is the default spec's (AUDIT_WRITE 29, KILL 5, NET_BIND_SERVICE 10)
  // plus SYS_ADMIN (21). A non-root user keeps across execve only ambient capabilities,
  // which need the inheritable set that neither the spec nor --cap gives (runc 1.1.5
  // shows the same zero).
  const hex = (n: bigint): string => n.toString(16).padStart(16, '0');
  assert.equal(lines[5], `CapEff:\t${hex(0n)}`);
  assert.equal(lines[6], `CapBnd:\t${hex((1n << 29n) | (1n << 5n) | (1n << 10n) | (1n << 21n))}`);
  assert.equal(lines[7], 'NoNewPrivs:\t1');

  const plain = exec(e, [e.id, 'sh', '-c', 'id -u; pwd; echo $HOME; grep CapEff /proc/self/status']);
  assert.equal(plain.stdout, `0\n/\n/root\nCapEff:\t${hex((1n << 29n) | (1n << 5n) | (1n << 10n))}\n`);
  const rootCap = exec(e, ['--cap', 'CAP_SYS_ADMIN', e.id, 'grep', 'CapEff', '/proc/self/status']);
  assert.equal(rootCap.stdout, `CapEff:\t${hex((1n << 29n) | (1n << 5n) | (1n << 10n) | (1n << 21n))}\n`);

  const bad = exec(e, ['--cwd', '/nonexistent', e.id, 'true']);
  assert.equal(bad.status, 255);
  assert.match(bad.stderr, /chdir to cwd \(\\"\/nonexistent\\"\) set in config.json failed: no such file or directory/);
  const env = exec(e, ['-e', 'NOEQUALS', e.id, 'true']);
  assert.equal(env.status, 255);
  assert.match(env.stderr, /exec failed: unable to start container process: invalid environment variable: \\"NOEQUALS\\"/);
});

test('exec --process: a runtime-spec process file, and runc\'s validation of it', { skip }, (t) => {
  const e = running(t);
  const file = path.join(e.io.dir, 'process.json');
  fs.writeFileSync(file, JSON.stringify({ args: ['sh', '-c', 'echo $A; id -u; pwd'], env: ['PATH=/bin', 'A=from-file'], cwd: '/tmp', user: { uid: 7, gid: 7 } }));
  const r = exec(e, ['--process', file, e.id]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'from-file\n7\n/tmp\n');
  fs.writeFileSync(file, JSON.stringify({ args: ['true'] }));
  const bad = exec(e, ['-p', file, e.id]);
  assert.equal(bad.status, 255);
  assert.match(bad.stderr, /msg="exec failed: Cwd property must not be empty"/);
});

test('exec in the foreground forwards signals and returns the process\' status', { skip }, async (t) => {
  const e = running(t);
  const fg = spawnRunts(e.io, e.root, ['exec', e.id, 'sh', '-c', 'trap "echo got-term; exit 9" TERM; echo ready; while true; do sleep 0.05; done']);
  t.after(() => fg.child.kill('SIGKILL'));
  await waitFor('the process to start', () => e.io.read().stdout.includes('ready'));
  fg.child.kill('SIGTERM');
  assert.equal(await fg.exited, 9);
  assert.match(e.io.read().stdout, /got-term/);
  await waitFor('the exec\'d shell to leave the cgroup', () => cgroupPids(e).length === 1);
});

test('exec into a paused, a stopped and a missing container fails as runc does, leaving nothing', { skip }, async (t) => {
  const e = running(t);
  const freezer = readState(e.root, e.id).cgroupPaths['freezer'];
  assert.ok(freezer !== undefined, 'a v1 freezer hierarchy');
  fs.writeFileSync(path.join(freezer, 'freezer.state'), 'FROZEN');
  t.after(() => {
    // A frozen cgroup would keep the cleanup's kill from taking effect.
    if (fs.existsSync(freezer)) fs.writeFileSync(path.join(freezer, 'freezer.state'), 'THAWED');
  });
  await waitFor('frozen', () => fs.readFileSync(path.join(freezer, 'freezer.state'), 'utf8').trim() === 'FROZEN');
  const paused = exec(e, [e.id, 'true']);
  assert.equal(paused.status, 255);
  assert.match(paused.stderr, /msg="exec failed: cannot exec in a paused container \(use --ignore-paused to override\)"/);
  assert.deepEqual(cgroupPids(e), [e.pid]);

  // --ignore-paused: the process joins the frozen cgroup and runs once it is thawed.
  const pidFile = path.join(e.io.dir, 'p');
  const ignoring = spawnRunts(e.io, e.root, ['exec', '--ignore-paused', '-d', '--pid-file', pidFile, e.id, 'true']);
  t.after(() => ignoring.child.kill('SIGKILL'));
  await waitFor('the process to join the frozen cgroup', () => cgroupPids(e).length === 2);
  assert.equal(fs.existsSync(pidFile), false, 'not ready while frozen');
  fs.writeFileSync(path.join(freezer, 'freezer.state'), 'THAWED');
  assert.equal(await ignoring.exited, 0);
  assert.ok(fs.existsSync(pidFile));

  const missing = exec(e, [`${e.id}-missing`, 'true']);
  assert.equal(missing.status, 255);
  assert.match(missing.stderr, /msg="exec failed: container does not exist"/);

  assert.equal(runtsIo(e.io, e.root, ['kill', e.id, 'KILL']).status, 0);
  await waitFor('stopped', () => stateOf(e.root, e.id)?.status === 'stopped');
  const stopped = exec(e, [e.id, 'true']);
  assert.equal(stopped.status, 255);
  assert.match(stopped.stderr, /msg="exec failed: cannot exec in a stopped container"/);
  assert.equal(runtsIo(e.io, e.root, ['delete', e.id]).status, 0);
  assertClean(e);
});

test('exec: usage errors and the terminal rules, before anything runs', { skip }, (t) => {
  const e = running(t);
  const noArgs = exec(e, [e.id]);
  assert.equal(noArgs.status, 255);
  assert.match(noArgs.stderr, /msg="exec failed: process args cannot be empty"/);
  const detachTty = exec(e, ['-d', '-t', e.id, 'true']);
  assert.equal(detachTty.status, 255);
  assert.match(detachTty.stderr, /msg="exec failed: cannot allocate tty if runc will detach without setting console socket"/);
  const sockNoTty = exec(e, ['--console-socket', '/nonexistent', e.id, 'true']);
  assert.match(sockNoTty.stderr, /msg="exec failed: cannot use console socket if runc will not detach or allocate tty"/);
  const badSock = exec(e, ['-d', '-t', '--console-socket', path.join(e.io.dir, 'nonexistent.sock'), e.id, 'true']);
  assert.equal(badSock.status, 255);
  assert.match(badSock.stderr, /msg="exec failed: dial unix .*nonexistent.sock: connect: no such file or directory"/);
  const apparmor = exec(e, ['--apparmor', 'unconfined', e.id, 'true']);
  assert.equal(apparmor.status, 255);
  assert.match(apparmor.stderr, /apparmor: config provided but apparmor not supported/);
  assert.deepEqual(cgroupPids(e), [e.pid]);
});

test('exec into a container with its own user namespace', { skip: skip || requires('userns') }, (t) => {
  const e = running(t, (s) => {
    s.linux!.namespaces!.push({ type: 'user' });
    s.linux!.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
    s.linux!.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
  }, (b) => {
    // The mapped root must be able to reach and read its rootfs.
    execFileSync('chown', ['-R', '100000:100000', b.rootfs]);
    fs.chmodSync(b.dir, 0o755);
  });
  const r = exec(e, ['-u', '1000:1000', e.id, 'sh', '-c', 'id -u; cat /proc/self/uid_map']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^1000\n\s+0\s+100000\s+65536\n$/);
  const st = fs.readFileSync(`/proc/${e.pid}/status`, 'utf8');
  assert.match(st, /Uid:\s+100000/);
});
