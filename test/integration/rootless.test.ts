// Rootless runts: bin/runts run by uid 1000 (setpriv from a root test) with a config from
// `runts spec --rootless` and a busybox rootfs owned by that user — run, the lifecycle
// verbs, the default --root under $XDG_RUNTIME_DIR, and runc's rootless cgroup rules
// (no cgroup and no error without limits; limits only where the cgroup is delegated).
// bin/runts and dist/ are used from the checkout when the user can read it, else from a
// copy of the built tree in a temp dir (a CI checkout may sit under root's 0700 home).
// Runs in: test.
import { after, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Spec } from '../../src/spec/types';
import { makeBundle, type Bundle } from '../support/bundle';
import { makeIo, waitFor, type Io } from '../support/container';
import { leftovers } from '../support/leftovers';
import { requires } from '../support/requires';
import { RUNTS_BIN, runts } from '../support/runts';

const UID = 1000;
const skip = requires('root', 'busybox', 'userns');

interface UserRun {
  status: number;
  stdout: string;
  stderr: string;
}

interface RootlessEnv {
  xdg: string;
  /** the default --root the user's runts picks: $XDG_RUNTIME_DIR/runts */
  root: string;
  bundle: Bundle;
  io: Io;
  id: string;
  /** runts (or another program) as the user, with stdio on io's files */
  as(argv: readonly string[], cwd?: string): UserRun;
  runts(args: readonly string[]): UserRun;
}

let counter = 0;

/** Can the test user run `runts --version` from this bin/runts? */
function userCanRun(bin: string): { ok: boolean; stdout: string; stderr: string } {
  const r = spawnSync('setpriv', asUserArgv('/nonexistent', [process.execPath, bin, '--version']), { encoding: 'utf8' });
  return { ok: r.status === 0, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

let userBin: string | undefined;
let treeCopy: string | undefined;
after(() => {
  if (treeCopy !== undefined) fs.rmSync(treeCopy, { recursive: true, force: true });
});

/**
 * bin/runts as the test user reaches it: the checkout itself, or a world-readable copy of
 * what runs (bin, dist, the runtime node_modules, package.json) when the user cannot read it.
 */
function userRunts(): string {
  if (userBin !== undefined) return userBin;
  if (userCanRun(RUNTS_BIN).ok) return (userBin = RUNTS_BIN);
  const checkout = path.dirname(path.dirname(fs.realpathSync(RUNTS_BIN)));
  treeCopy = fs.mkdtempSync(path.join(os.tmpdir(), 'runts-rootless-tree-'));
  for (const part of ['bin', 'dist', 'node_modules', 'package.json']) {
    fs.cpSync(path.join(checkout, part), path.join(treeCopy, part), {
      recursive: true,
      // the compiler is not needed at run time (most of node_modules' size)
      filter: (src) => !/\/node_modules\/(typescript|@types)(\/|$)/.test(src),
    });
  }
  execFileSync('chmod', ['-R', 'a+rX', treeCopy]);
  return (userBin = path.join(treeCopy, 'bin', 'runts'));
}

function asUserArgv(xdg: string, argv: readonly string[]): string[] {
  return [
    `--reuid=${UID}`,
    `--regid=${UID}`,
    '--clear-groups',
    'env',
    '-i',
    `PATH=${process.env['PATH'] ?? '/usr/bin:/bin'}`,
    'HOME=/',
    `XDG_RUNTIME_DIR=${xdg}`,
    ...argv,
  ];
}

/**
 * A user's world: its $XDG_RUNTIME_DIR, a bundle it owns with the config
 * `runts spec --rootless` wrote as that user, files for stdio. Everything is removed
 * at the end, containers first (deleted as root, which can always do it).
 */
function rootlessEnv(t: TestContext, mutate: (s: Spec) => void): RootlessEnv {
  const xdg = fs.mkdtempSync(path.join(os.tmpdir(), 'runts-xdg-'));
  fs.chownSync(xdg, UID, UID);
  const bundle = makeBundle();
  const io = makeIo();
  const id = `rl-${process.pid}-${++counter}`;
  const root = path.join(xdg, 'runts');
  t.after(() => {
    if (fs.existsSync(path.join(root, id))) runts(['delete', '--force', id], { root });
    if (fs.existsSync(path.join(xdg, 'runc', id))) spawnSync('runc', ['--root', path.join(xdg, 'runc'), 'delete', '--force', id], { stdio: 'ignore' });
    fs.rmSync(xdg, { recursive: true, force: true });
    bundle.remove();
    io.remove();
  });
  const as = (argv: readonly string[], cwd?: string): UserRun => {
    const before = io.read();
    const fds = [fs.openSync('/dev/null', 'r'), fs.openSync(io.outFile, 'a'), fs.openSync(io.errFile, 'a')];
    try {
      const r = spawnSync('setpriv', asUserArgv(xdg, argv), { stdio: fds, timeout: 30_000, ...(cwd !== undefined ? { cwd } : {}) });
      if (r.error !== undefined) throw r.error;
      const after = io.read();
      return { status: r.status ?? 128, stdout: after.stdout.slice(before.stdout.length), stderr: after.stderr.slice(before.stderr.length) };
    } finally {
      for (const fd of fds) fs.closeSync(fd);
    }
  };
  execFileSync('chown', ['-R', `${UID}:${UID}`, bundle.dir]);
  fs.rmSync(bundle.configPath);
  const spec = as([process.execPath, userRunts(), 'spec', '--rootless'], bundle.dir);
  assert.equal(spec.status, 0, spec.stderr);
  bundle.update((s) => {
    s.process!.terminal = false;
    mutate(s);
  });
  return { xdg, root, bundle, io, id, as, runts: (args) => as([process.execPath, userRunts(), ...args]) };
}

function assertNoLeftovers(e: RootlessEnv): void {
  assert.deepEqual(leftovers(e.root, e.id, e.bundle.dir), []);
  assert.deepEqual(fs.readdirSync(e.root), []);
}

test('rootless: runts (from the checkout, or a copy the user can read) is usable by the test user', { skip }, () => {
  const bin = userRunts();
  const r = userCanRun(bin);
  assert.ok(r.ok, `uid ${UID} cannot run ${bin}: ${r.stderr}`);
  assert.match(r.stdout, /^runts version /m);
});

test('rootless: run as uid 1000 with `spec --rootless` — root inside, one mapping, setgroups deny, hostname; the same as runc', { skip }, (t) => {
  const script = 'id; cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups; hostname; echo x > /dev/null && echo null-ok';
  const e = rootlessEnv(t, (s) => {
    s.process!.args = ['sh', '-c', script];
    s.hostname = 'rootless-box';
  });
  const spec = JSON.parse(fs.readFileSync(e.bundle.configPath, 'utf8')) as Spec;
  assert.deepEqual(spec.linux?.uidMappings, [{ containerID: 0, hostID: UID, size: 1 }]);
  assert.deepEqual(spec.linux?.gidMappings, [{ containerID: 0, hostID: UID, size: 1 }]);
  assert.equal(spec.linux?.resources, undefined);

  const r = e.runts(['run', '--bundle', e.bundle.dir, e.id]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  const lines = r.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/).join(' '));
  assert.deepEqual(lines, ['uid=0(root) gid=0(root)', `0 ${UID} 1`, `0 ${UID} 1`, 'deny', 'rootless-box', 'null-ok']);

  // The default --root: made by the user, private and sticky (runc's XDG rule).
  const st = fs.statSync(e.root);
  assert.equal(st.uid, UID);
  assert.equal(st.mode & 0o7777, 0o1700);
  assertNoLeftovers(e);

  if (requires('runc') === false) {
    const c = e.as(['runc', '--root', path.join(e.xdg, 'runc'), 'run', '--bundle', e.bundle.dir, e.id]);
    assert.equal(c.status, 0, c.stderr);
    assert.equal(c.stdout, r.stdout);
  }
});

test('rootless: create, state, start, kill, delete as uid 1000 leave nothing behind', { skip }, async (t) => {
  const e = rootlessEnv(t, (s) => {
    s.process!.args = ['sleep', '100'];
  });
  const c = e.runts(['create', '--bundle', e.bundle.dir, e.id]);
  assert.equal(c.status, 0, c.stderr);
  const state = (): { status: string; pid: number } => {
    const r = e.runts(['state', e.id]);
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as { status: string; pid: number };
  };
  const created = state();
  assert.equal(created.status, 'created');
  // Seen from the host, the container's root is the user.
  const uids = /^Uid:\s+(.*)$/m.exec(fs.readFileSync(`/proc/${created.pid}/status`, 'utf8'))?.[1]?.split(/\s+/);
  assert.deepEqual(uids, [String(UID), String(UID), String(UID), String(UID)]);
  assert.notEqual(fs.readlinkSync(`/proc/${created.pid}/ns/user`), fs.readlinkSync('/proc/self/ns/user'));
  // No cgroup of its own: the user may not create one here, and nothing was asked.
  assert.equal(fs.readFileSync(`/proc/${created.pid}/cgroup`, 'utf8').includes(e.id), false);

  const s = e.runts(['start', e.id]);
  assert.equal(s.status, 0, s.stderr);
  assert.equal(state().status, 'running');
  const l = e.runts(['list', '-q']);
  assert.equal(l.stdout.trim(), e.id);

  const k = e.runts(['kill', e.id, 'KILL']);
  assert.equal(k.status, 0, k.stderr);
  await waitFor('the container to stop', () => state().status === 'stopped');
  const d = e.runts(['delete', e.id]);
  assert.equal(d.status, 0, d.stderr);
  // Gone, or a zombie waiting for whoever the container's init was reparented to.
  let procState = 'gone';
  try {
    procState = fs.readFileSync(`/proc/${created.pid}/stat`, 'utf8').replace(/^.*\) /s, '').slice(0, 1);
  } catch {
    // reaped
  }
  assert.ok(procState === 'gone' || procState === 'Z', `init ${created.pid} is ${procState}`);
  assertNoLeftovers(e);
});

test('rootless: a memory limit without a delegated cgroup fails with a clear error and leaves nothing', { skip }, (t) => {
  const e = rootlessEnv(t, (s) => {
    s.process!.args = ['true'];
    s.linux!.resources = { memory: { limit: 64 * 1024 * 1024 } };
  });
  const r = e.runts(['run', '--bundle', e.bundle.dir, e.id]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /cannot set memory limit: container could not join or create cgroup/);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assertNoLeftovers(e);
});

test('rootless: a memory limit in a cgroup delegated to the user applies', { skip: skip || requires('cgroup-v1') }, (t) => {
  const e = rootlessEnv(t, (s) => {
    s.process!.args = ['cat', '/sys/fs/cgroup/memory/memory.limit_in_bytes'];
    s.linux!.resources = { memory: { limit: 64 * 1024 * 1024 } };
  });
  // The cgroup runts picks without cgroupsPath: <own cgroup>/<id>, made by root and
  // handed to the user (v1 delegation: the directory and its files).
  const own = /^\d+:memory:(.*)$/m.exec(fs.readFileSync('/proc/self/cgroup', 'utf8'))?.[1] ?? '/';
  const dir = path.join('/sys/fs/cgroup/memory', own, e.id);
  fs.mkdirSync(dir);
  t.after(() => {
    try {
      fs.rmdirSync(dir);
    } catch {
      // already gone
    }
  });
  execFileSync('chown', ['-R', `${UID}:${UID}`, dir]);

  const r = e.runts(['run', '--bundle', e.bundle.dir, e.id]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), String(64 * 1024 * 1024));
  // The user cannot remove a directory root made for it: runc warns and goes on.
  assert.match(r.stderr, /failed to remove cgroup .*: EACCES/);
  fs.rmdirSync(dir);
  assertNoLeftovers(e);
});
