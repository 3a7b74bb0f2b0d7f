// Attacks on the leaked-fd and cwd defences (CVE-2024-21626, issue 6) and on the init
// binary (CVE-2019-5736), as root with busybox: what a process inside the container can
// see through /proc/self/fd, /proc/self/cwd, /proc/1/fd and /proc/1/exe, what the init's
// cwd is from outside before start, and the refusal of a cwd under /proc at create and
// at exec. Every test removes what it made and asserts nothing is left over.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { validateProcess } from '../../src/container/exec';
import type { Spec } from '../../src/spec/types';
import { cwdUnderProc } from '../../src/spec/validate';
import { assertNoLeftovers, containerEnv, runtsIo, stateOf, waitFor, type ContainerEnv } from '../support/container';
import { leftovers } from '../support/leftovers';
import { requires } from '../support/requires';
import { runts } from '../support/runts';

const skip = requires('root', 'busybox');

const INIT_BIN = path.resolve(__dirname, '..', '..', 'native', 'runts-init');

/** Prints the fd table of the probe itself, of pid 1, and the probe's cwd, in marked sections. */
const PROBE = 'echo "== self"; ls -l /proc/self/fd; echo "== one"; ls -l /proc/1/fd; echo "== cwd $(readlink /proc/self/cwd)"';

interface FdLine {
  fd: number;
  target: string;
}

/** `ls -l /proc/<x>/fd` lines as fd -> target. */
function fdLines(text: string): FdLine[] {
  const out: FdLine[] = [];
  for (const line of text.split('\n')) {
    const m = / (\d+) -> (.*)$/.exec(line);
    if (m !== null) out.push({ fd: Number(m[1]), target: m[2]! });
  }
  return out;
}

interface Probe {
  self: FdLine[];
  one: FdLine[];
  cwd: string;
}

function parseProbe(out: string): Probe {
  const self = /== self\n([\s\S]*?)== one\n/.exec(out);
  const one = /== one\n([\s\S]*?)== cwd /.exec(out);
  const cwd = /== cwd (.*)\n/.exec(out);
  assert.ok(self !== null && one !== null && cwd !== null, `probe output not understood:\n${out}`);
  return { self: fdLines(self[1]!), one: fdLines(one[1]!), cwd: cwd[1]! };
}

/**
 * Only stdio, plus the directory `ls` itself opened to list (fd 3 -> /proc/<its pid>/fd).
 * Whatever stdio is (the test's files) is allowed; anything else is a leak of a host
 * resource: the state dir, the bundle, runts-init, node or koffi files, sockets.
 */
function assertOnlyStdio(lines: FdLine[], who: string, lsOwnDir: boolean): void {
  const extra = lines.filter((l) => l.fd > 2 && !(lsOwnDir && /^\/proc\/\d+\/fd$/.test(l.target)));
  assert.deepEqual(extra, [], `${who} holds fds other than stdio: ${JSON.stringify(lines)}`);
  assert.ok(lines.some((l) => l.fd === 1), `${who}: no fd 1 in ${JSON.stringify(lines)}`);
}

function env(t: TestContext, mutate?: (s: Spec) => void): ContainerEnv {
  return containerEnv(t, 'esc', (s) => {
    s.process!.args = ['sleep', '1000'];
    s.process!.cwd = '/tmp';
    mutate?.(s);
  });
}

async function stop(e: ContainerEnv): Promise<void> {
  runtsIo(e.io, e.root, ['kill', e.id, 'KILL']);
  await waitFor('stopped', () => stateOf(e.root, e.id)?.status !== 'running');
  assert.equal(runtsIo(e.io, e.root, ['delete', e.id]).status, 0);
}

function stateOfPid(e: ContainerEnv): number {
  const r = runtsIo(e.io, e.root, ['state', e.id]);
  return (JSON.parse(r.stdout) as { pid: number }).pid;
}

/**
 * The init binary's hash now; if an attack in this test changes the file anyway, the
 * original is put back when the test ends, so no other test runs a corrupted init.
 */
function guardInitBinary(t: TestContext): string {
  const before = sha256(INIT_BIN);
  const backup = fs.readFileSync(INIT_BIN);
  t.after(() => {
    if (sha256(INIT_BIN) !== before) {
      fs.rmSync(INIT_BIN);
      fs.writeFileSync(INIT_BIN, backup, { mode: 0o755 });
    }
  });
  return before;
}

function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

test('run in the foreground: the process holds only stdio and its cwd is the config\'s', { skip }, (t) => {
  const e = env(t, (s) => {
    s.process!.args = ['sh', '-c', PROBE];
  });
  const r = runtsIo(e.io, e.root, ['run', '--bundle', e.bundle.dir, e.id]);
  assert.equal(r.status, 0, r.stderr);
  const p = parseProbe(r.stdout);
  assertOnlyStdio(p.self, 'ls in the container', true);
  // The shell is pid 1 here.
  assertOnlyStdio(p.one, 'the container init', false);
  assert.equal(p.cwd, '/tmp');
  assertNoLeftovers(e);
});

test('create + start, then exec (foreground and -d): no fd reaches the host and cwd is inside', { skip }, async (t) => {
  const e = env(t);
  assert.equal(runtsIo(e.io, e.root, ['create', '--bundle', e.bundle.dir, e.id]).status, 0);
  assert.equal(runtsIo(e.io, e.root, ['start', e.id]).status, 0);

  const fg = runtsIo(e.io, e.root, ['exec', e.id, 'sh', '-c', PROBE]);
  assert.equal(fg.status, 0, fg.stderr);
  const p = parseProbe(fg.stdout);
  assertOnlyStdio(p.self, 'ls in exec', true);
  assertOnlyStdio(p.one, 'the container init (sleep)', false);
  assert.equal(p.cwd, '/tmp');

  const viaCwd = runtsIo(e.io, e.root, ['exec', '--cwd', '/bin', e.id, 'sh', '-c', PROBE]);
  assert.equal(viaCwd.status, 0, viaCwd.stderr);
  assert.equal(parseProbe(viaCwd.stdout).cwd, '/bin');

  const before = e.io.read().stdout.length;
  const bg = runtsIo(e.io, e.root, ['exec', '-d', e.id, 'sh', '-c', `${PROBE}; echo "== end"`]);
  assert.equal(bg.status, 0, bg.stderr);
  await waitFor('the detached exec\'s output', () => e.io.read().stdout.slice(before).includes('== end'));
  const d = parseProbe(e.io.read().stdout.slice(before));
  assertOnlyStdio(d.self, 'ls in exec -d', true);
  assertOnlyStdio(d.one, 'the container init (sleep)', false);
  assert.equal(d.cwd, '/tmp');

  await stop(e);
  assertNoLeftovers(e);
});

test('run -d: the init and an exec hold only stdio', { skip }, async (t) => {
  const e = env(t);
  assert.equal(runtsIo(e.io, e.root, ['run', '-d', '--bundle', e.bundle.dir, e.id]).status, 0);
  const st = stateOf(e.root, e.id)!;
  // From outside too: the init's own fd table and cwd.
  const fds = fs.readdirSync(`/proc/${st.pid}/fd`).map(Number).sort((a, b) => a - b);
  assert.deepEqual(fds, [0, 1, 2], `init fds: ${fds.map((f) => `${f}->${fs.readlinkSync(`/proc/${st.pid}/fd/${f}`)}`).join(' ')}`);
  const r = runtsIo(e.io, e.root, ['exec', e.id, 'sh', '-c', PROBE]);
  assert.equal(r.status, 0, r.stderr);
  const p = parseProbe(r.stdout);
  assertOnlyStdio(p.self, 'ls in exec', true);
  assertOnlyStdio(p.one, 'the container init', false);
  await stop(e);
  assertNoLeftovers(e);
});

test('a created (not started) init: its cwd already resolves inside the rootfs, seen from outside', { skip }, async (t) => {
  const e = env(t);
  assert.equal(runtsIo(e.io, e.root, ['create', '--bundle', e.bundle.dir, e.id]).status, 0);
  const pid = stateOf(e.root, e.id)!.pid;
  const cwd = fs.statSync(`/proc/${pid}/cwd`);
  const inRoot = fs.statSync(`/proc/${pid}/root/tmp`);
  assert.deepEqual([cwd.dev, cwd.ino], [inRoot.dev, inRoot.ino], 'the init\'s cwd is not the container\'s /tmp');
  const hostRootfsTmp = fs.statSync(path.join(e.bundle.rootfs, 'tmp'));
  // The same directory as the bundle's rootfs/tmp (a bind of it), reached through the
  // container's root and not through a host path.
  assert.equal(cwd.ino, hostRootfsTmp.ino);
  const root = fs.statSync(`/proc/${pid}/root`);
  assert.notDeepEqual([root.dev, root.ino], [fs.statSync('/').dev, fs.statSync('/').ino], 'the init\'s root is the host\'s');

  // Every fd the waiting init holds besides stdio is the exec FIFO (O_PATH, host state
  // dir), closed before the user process runs.
  const extra = fs.readdirSync(`/proc/${pid}/fd`).map(Number).filter((f) => f > 2)
    .map((f) => fs.readlinkSync(`/proc/${pid}/fd/${f}`));
  for (const target of extra) assert.match(target, /exec\.fifo$/, `the created init holds ${target}`);

  // An exec into the created container: its cwd is inside too.
  const r = runtsIo(e.io, e.root, ['exec', e.id, 'sh', '-c', PROBE]);
  assert.equal(r.status, 0, r.stderr);
  const p = parseProbe(r.stdout);
  assertOnlyStdio(p.self, 'ls in exec', true);
  assert.equal(p.cwd, '/tmp');

  assert.equal(runtsIo(e.io, e.root, ['delete', '--force', e.id]).status, 0);
  assertNoLeftovers(e);
});

test('/proc/1/exe (runts-init) is not writable from an exec into a created container', { skip }, async (t) => {
  const e = env(t);
  const before = guardInitBinary(t);
  assert.equal(runtsIo(e.io, e.root, ['create', '--bundle', e.bundle.dir, e.id]).status, 0);
  const r = runtsIo(e.io, e.root, ['exec', e.id, 'sh', '-c', 'echo x >> /proc/1/exe']);
  assert.notEqual(r.status, 0, 'writing /proc/1/exe succeeded');
  assert.match(r.stderr, /Text file busy|Permission denied|can't create/i);
  assert.equal(sha256(INIT_BIN), before, 'dist/native/runts-init changed');
  assert.equal(runtsIo(e.io, e.root, ['delete', '--force', e.id]).status, 0);
  assertNoLeftovers(e);
});

test('CVE-2019-5736: an fd on /proc/1/exe kept across start cannot overwrite the host runts-init', { skip }, async (t) => {
  const e = env(t);
  const before = guardInitBinary(t);
  assert.equal(runtsIo(e.io, e.root, ['create', '--bundle', e.bundle.dir, e.id]).status, 0);
  const pid = stateOfPid(e);
  // The init runs from a sealed memfd copy, never from the host file.
  assert.match(fs.readlinkSync(`/proc/${pid}/exe`), /^\/memfd:runts-init/);
  // The attack: hold /proc/1/exe open while the init is runts-init, and keep writing
  // through the fd once start has exec'd the container's process (the file is then no
  // longer busy).
  const attack = 'exec 3</proc/1/exe; i=0; while [ $i -lt 40 ]; do echo PWNED >> /proc/self/fd/3 && echo WROTE; i=$((i+1)); sleep 0.05; done';
  assert.equal(runtsIo(e.io, e.root, ['exec', '-d', e.id, 'sh', '-c', attack]).status, 0);
  assert.equal(runtsIo(e.io, e.root, ['start', e.id]).status, 0);
  await new Promise((r) => setTimeout(r, 2500));
  assert.equal(sha256(INIT_BIN), before, 'dist/native/runts-init changed');
  assert.doesNotMatch(e.io.read().stdout, /WROTE/);
  assert.equal(runtsIo(e.io, e.root, ['delete', '--force', e.id]).status, 0);
  assertNoLeftovers(e);
});

test('cwdUnderProc: /proc and below after lexical cleaning, nothing else (no root needed)', () => {
  for (const c of ['/proc', '/proc/', '/proc/self/fd/7', '/proc/self/cwd/..', '//proc/1/root', '/tmp/../proc/self', '/./proc/x']) {
    assert.equal(cwdUnderProc(c), true, c);
  }
  for (const c of ['/', '/tmp', '/procfs', '/tmp/proc', '/proc/../tmp', '/proc-x/self']) {
    assert.equal(cwdUnderProc(c), false, c);
  }
  assert.throws(() => validateProcess({ args: ['pwd'], cwd: '/proc/self/fd/5', user: { uid: 0, gid: 0 } }), /cwd must not be under \/proc/);
  assert.doesNotThrow(() => validateProcess({ args: ['pwd'], cwd: '/proc-x', user: { uid: 0, gid: 0 } }));
});

for (const cwd of ['/proc/self/fd/7', '/proc/self/cwd/..', '/proc', '/proc/1/root', '//proc/self', '/tmp/../proc/self/fd/3']) {
  test(`create refuses process.cwd ${cwd} naming /process/cwd`, { skip }, (t) => {
    const e = env(t, (s) => {
      s.process!.cwd = cwd;
    });
    const r = runtsIo(e.io, e.root, ['create', '--bundle', e.bundle.dir, e.id]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /\/process\/cwd/);
    assert.match(r.stderr, /\/proc/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.equal(stateOf(e.root, e.id), undefined);
    assertNoLeftovers(e);
  });
}

test('exec refuses --cwd under /proc, and the same cwd from --process', { skip }, async (t) => {
  const e = env(t);
  assert.equal(runtsIo(e.io, e.root, ['run', '-d', '--bundle', e.bundle.dir, e.id]).status, 0);
  for (const cwd of ['/proc/self/fd/5', '/proc/self/cwd/..', '/proc/1/cwd']) {
    const r = runtsIo(e.io, e.root, ['exec', '--cwd', cwd, e.id, 'pwd']);
    assert.notEqual(r.status, 0, `exec --cwd ${cwd} ran: ${r.stdout}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /cwd/i);
    assert.match(r.stderr, /\/proc/);
  }
  const procFile = path.join(e.io.dir, 'process.json');
  fs.writeFileSync(procFile, JSON.stringify({ args: ['pwd'], cwd: '/proc/self/fd/5', user: { uid: 0, gid: 0 } }));
  const r = runtsIo(e.io, e.root, ['exec', '--process', procFile, e.id]);
  assert.notEqual(r.status, 0);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /\/proc/);
  await stop(e);
  assertNoLeftovers(e);
});

test('the state dir and its files are not readable by other users', { skip }, (t) => {
  const e = env(t);
  // A --root that does not exist yet: runts makes it, private, whatever the umask.
  const root = path.join(e.root, 'fresh-root');
  t.after(() => runts(['delete', '--force', e.id], { root }));
  const old = process.umask(0o022);
  try {
    assert.equal(runtsIo(e.io, root, ['create', '--bundle', e.bundle.dir, e.id]).status, 0);
  } finally {
    process.umask(old);
  }
  const dir = path.join(root, e.id);
  assert.equal(fs.statSync(root).mode & 0o777, 0o700);
  assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
  assert.equal(fs.statSync(path.join(dir, 'state.json')).mode & 0o077, 0, 'state.json is private');
  assert.equal(runtsIo(e.io, root, ['delete', '--force', e.id]).status, 0);
  assert.deepEqual(leftovers(root, e.id, e.bundle.dir), []);
});
