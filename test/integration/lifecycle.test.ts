// Real containers as root: create / start / state / kill / delete and run, observed
// from outside (/proc/<pid>/ns, state) and inside (busybox probes). Every test removes
// what it made, even when it fails, and asserts nothing is left over.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { nsInode, runtsIo, spawnRunts, stateOf, waitFor, containerEnv, assertNoLeftovers, type ContainerEnv } from '../support/container';
import { requires } from '../support/requires';
import { tmpRoot } from '../support/runts';

const skip = requires('root', 'busybox');

type Env = ContainerEnv;

function setup(t: TestContext, args: string[]): Env {
  return containerEnv(t, 'lc', (s) => {
    s.process!.args = args;
  });
}

const assertClean = assertNoLeftovers;

test('create, start, kill, delete: status at every step and namespaces seen from outside', { skip }, async (t) => {
  const e = setup(t, ['sleep', '100']);
  const r = runtsIo(e.io, e.root, ['create', '--bundle', e.bundle.dir, '--pid-file', path.join(e.io.dir, 'pid'), e.id]);
  assert.equal(r.status, 0, r.stderr);
  const created = stateOf(e.root, e.id);
  assert.equal(created?.status, 'created');
  const pid = created!.pid;
  assert.ok(pid > 0);
  assert.equal(fs.readFileSync(path.join(e.io.dir, 'pid'), 'utf8'), String(pid));
  for (const ns of ['pid', 'uts', 'ipc', 'net', 'mnt']) {
    assert.notEqual(nsInode(pid, ns), nsInode('self', ns), `${ns} namespace should be new`);
  }
  // Namespaces not listed in the config are the host's.
  assert.equal(nsInode(pid, 'user'), nsInode('self', 'user'));
  assert.equal(nsInode(pid, 'cgroup'), nsInode('self', 'cgroup'));

  const again = runtsIo(e.io, e.root, ['create', '--bundle', e.bundle.dir, e.id]);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /container with given ID already exists/);
  assert.equal(stateOf(e.root, e.id)?.status, 'created', 'a refused second create must not touch the first');

  assert.equal(runtsIo(e.io, e.root, ['start', e.id]).status, 0);
  assert.equal(stateOf(e.root, e.id)?.status, 'running');
  const restart = runtsIo(e.io, e.root, ['start', e.id]);
  assert.equal(restart.status, 1);
  assert.match(restart.stderr, /cannot start an already running container/);

  const del = runtsIo(e.io, e.root, ['delete', e.id]);
  assert.equal(del.status, 1);
  assert.match(del.stderr, /cannot delete container .* that is not stopped: running/);

  assert.equal(runtsIo(e.io, e.root, ['kill', e.id, 'KILL']).status, 0);
  await waitFor('stopped', () => stateOf(e.root, e.id)?.status === 'stopped');
  const killStopped = runtsIo(e.io, e.root, ['kill', e.id, 'TERM']);
  assert.equal(killStopped.status, 1);
  assert.match(killStopped.stderr, /container not running/);

  assert.equal(runtsIo(e.io, e.root, ['delete', e.id]).status, 0);
  const gone = runtsIo(e.io, e.root, ['state', e.id]);
  assert.equal(gone.status, 1);
  assert.match(gone.stderr, /container does not exist/);
  assertClean(e);
});

test('run in the foreground: hostname, PID 1 and id from inside; exit status is the container\'s', { skip }, (t) => {
  const e = setup(t, ['sh', '-c', 'hostname; echo $$; id; exit 3']);
  const r = runtsIo(e.io, e.root, ['run', '--bundle', e.bundle.dir, e.id]);
  assert.equal(r.status, 3, r.stderr);
  assert.equal(r.stdout, 'runc\n1\nuid=0(root) gid=0(root)\n');
  assertClean(e);
});

test('run: a container killed by a signal makes runts exit 128+signal; signals to runts are forwarded', { skip }, async (t) => {
  const e = setup(t, ['sh', '-c', 'trap "echo got-term; exit 7" TERM; while true; do sleep 0.1; done']);
  const run = spawnRunts(e.io, e.root, ['run', '--bundle', e.bundle.dir, e.id]);
  t.after(() => run.child.kill('SIGKILL'));
  await waitFor('running', () => stateOf(e.root, e.id)?.status === 'running');
  run.child.kill('SIGTERM');
  assert.equal(await run.exited, 7);
  assert.match(e.io.read().stdout, /got-term/);
  assertClean(e);

  const e2 = setup(t, ['sleep', '100']);
  const run2 = spawnRunts(e2.io, e2.root, ['run', '--bundle', e2.bundle.dir, e2.id]);
  t.after(() => run2.child.kill('SIGKILL'));
  await waitFor('running', () => stateOf(e2.root, e2.id)?.status === 'running');
  assert.equal(runtsIo(e2.io, e2.root, ['kill', e2.id, '9']).status, 0);
  assert.equal(await run2.exited, 137);
  assertClean(e2);
});

test('run -d leaves a running container; delete --force kills and removes it', { skip }, async (t) => {
  const e = setup(t, ['sleep', '100']);
  assert.equal(runtsIo(e.io, e.root, ['run', '-d', '--bundle', e.bundle.dir, e.id]).status, 0);
  const st = stateOf(e.root, e.id);
  assert.equal(st?.status, 'running');
  assert.equal(runtsIo(e.io, e.root, ['delete', '--force', e.id]).status, 0);
  assert.ok(!fs.existsSync(`/proc/${st!.pid}/stat`) || fs.readFileSync(`/proc/${st!.pid}/stat`, 'utf8').split(') ')[1]!.startsWith('Z'));
  assertClean(e);
  // Deleting what is already gone: an error without --force, success with it.
  assert.equal(runtsIo(e.io, e.root, ['delete', e.id]).status, 1);
  assert.equal(runtsIo(e.io, e.root, ['delete', '--force', e.id]).status, 0);
});

test('bad input fails with one clear error, exit 1, and leaves nothing', { skip }, (t) => {
  const cases: { name: string; mutate: (e: Env) => void; args?: (e: Env) => string[]; error: RegExp }[] = [
    { name: 'missing rootfs', mutate: (e) => e.bundle.update((s) => (s.root!.path = 'nope')), error: /\/root\/path/ },
    { name: 'malformed JSON', mutate: (e) => e.bundle.writeRaw('{"ociVersion": '), error: /config\.json:1:\d+/ },
    {
      name: 'unknown namespace',
      mutate: (e) => e.bundle.update((s) => s.linux!.namespaces!.push({ type: 'bogus' as 'pid' })),
      error: /\/linux\/namespaces\/5\/type/,
    },
    { name: 'id with a slash', mutate: () => undefined, args: (e) => ['create', '--bundle', e.bundle.dir, 'a/b'], error: /invalid container ID format/ },
    { name: 'id ..', mutate: () => undefined, args: (e) => ['create', '--bundle', e.bundle.dir, '..'], error: /invalid container ID format/ },
    {
      name: 'missing binary',
      mutate: (e) => e.bundle.update((s) => (s.process!.args = ['/nonexistent'])),
      // Go's exec.LookPath wording, as runc reports it (quotes escaped in the log line).
      error: /exec: \\?"\/nonexistent\\?": stat \/nonexistent: no such file or directory/,
    },
    {
      name: 'mount that fails inside the container',
      mutate: (e) => e.bundle.update((s) => s.mounts!.push({ destination: '/mnt', type: 'nosuchfs', source: 'x' })),
      error: /\/mnt/,
    },
  ];
  for (const c of cases) {
    const e = setup(t, ['true']);
    c.mutate(e);
    const r = runtsIo(e.io, e.root, c.args?.(e) ?? ['create', '--bundle', e.bundle.dir, e.id]);
    assert.equal(r.status, 1, `${c.name}: ${r.stderr}`);
    assert.match(r.stderr, c.error, c.name);
    assert.equal(r.stderr.trim().split('\n').length, 1, `${c.name}: exactly one error line, got ${r.stderr}`);
    assertClean(e);
  }
});

test('hooks run in the order the spec gives, each with the state on stdin', { skip }, (t) => {
  const e = setup(t, ['true']);
  const log = path.join(e.io.dir, 'hooks.log');
  const hook = (name: string) => ({
    path: '/bin/sh',
    args: ['sh', '-c', `read -r state; echo "${name} $state" >> ${log}`],
  });
  e.bundle.update((s) => {
    s.root!.readonly = false;
    s.hooks = {
      prestart: [hook('prestart')],
      createRuntime: [hook('createRuntime')],
      createContainer: [hook('createContainer')],
      startContainer: [{ path: '/bin/sh', args: ['sh', '-c', `echo startContainer >> /tmp/hooks.log`] }],
      poststart: [hook('poststart')],
      poststop: [hook('poststop')],
    };
  });
  const r = runtsIo(e.io, e.root, ['run', '--bundle', e.bundle.dir, e.id]);
  assert.equal(r.status, 0, r.stderr);
  const lines = fs.readFileSync(log, 'utf8').trim().split('\n');
  assert.deepEqual(
    lines.map((l) => l.split(' ')[0]),
    ['prestart', 'createRuntime', 'createContainer', 'poststart', 'poststop'],
  );
  const state = JSON.parse(lines[0]!.slice('prestart '.length)) as { id: string; status: string; bundle: string };
  assert.equal(state.id, e.id);
  assert.equal(state.bundle, e.bundle.dir);
  // startContainer runs inside the container: it wrote into the container's /tmp.
  assert.equal(fs.readFileSync(path.join(e.bundle.rootfs, 'tmp', 'hooks.log'), 'utf8'), 'startContainer\n');
  assertClean(e);
});

test('a failing prestart, createRuntime or createContainer hook fails create and leaves nothing', { skip }, (t) => {
  for (const kind of ['prestart', 'createRuntime', 'createContainer'] as const) {
    const e = setup(t, ['true']);
    e.bundle.update((s) => {
      s.hooks = { [kind]: [{ path: '/bin/sh', args: ['sh', '-c', 'echo hook-said-no >&2; exit 4'] }] };
    });
    const r = runtsIo(e.io, e.root, ['create', '--bundle', e.bundle.dir, e.id]);
    assert.equal(r.status, 1, `${kind}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`${kind} hook #0.*exit status 4`), kind);
    assertClean(e);
  }
});

test('a failing poststart hook is a warning: the container runs and poststop still runs', { skip }, (t) => {
  const e = setup(t, ['true']);
  const log = path.join(e.io.dir, 'poststop');
  e.bundle.update((s) => {
    s.hooks = {
      poststart: [{ path: '/bin/sh', args: ['sh', '-c', 'exit 5'] }],
      poststop: [{ path: '/bin/sh', args: ['sh', '-c', `echo ran > ${log}`] }],
    };
  });
  const r = runtsIo(e.io, e.root, ['run', '--bundle', e.bundle.dir, e.id]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /level=warning.*poststart hook #0/);
  assert.equal(fs.readFileSync(log, 'utf8'), 'ran\n');
  assertClean(e);
});

test('delete of a created container kills its init; start of a stopped one is refused', { skip }, async (t) => {
  const e = setup(t, ['true']);
  assert.equal(runtsIo(e.io, e.root, ['create', '--bundle', e.bundle.dir, e.id]).status, 0);
  const pid = stateOf(e.root, e.id)!.pid;
  assert.equal(runtsIo(e.io, e.root, ['delete', e.id]).status, 0);
  await waitFor('init gone', () => !fs.existsSync(`/proc/${pid}/stat`) || / Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')));
  assertClean(e);

  const e2 = setup(t, ['true']);
  assert.equal(runtsIo(e2.io, e2.root, ['create', '--bundle', e2.bundle.dir, e2.id]).status, 0);
  assert.equal(runtsIo(e2.io, e2.root, ['start', e2.id]).status, 0);
  await waitFor('stopped', () => stateOf(e2.root, e2.id)?.status === 'stopped');
  const again = runtsIo(e2.io, e2.root, ['start', e2.id]);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /cannot start a container that has stopped/);
  assert.equal(runtsIo(e2.io, e2.root, ['delete', e2.id]).status, 0);
  assertClean(e2);
});

test('kill --all signals every process in the container\'s cgroups', { skip }, async (t) => {
  const e = setup(t, ['sh', '-c', 'sleep 100 & sleep 100 & wait']);
  assert.equal(runtsIo(e.io, e.root, ['run', '-d', '--bundle', e.bundle.dir, e.id]).status, 0);
  const st = stateOf(e.root, e.id)!;
  const pidsCgroup = fs.readFileSync(`/proc/${st.pid}/cgroup`, 'utf8').match(/^\d+:pids:(.*)$/m)![1]!;
  const procs = path.join('/sys/fs/cgroup/pids', pidsCgroup, 'cgroup.procs');
  await waitFor('three processes', () => fs.readFileSync(procs, 'utf8').trim().split('\n').length === 3);
  const r = runtsIo(e.io, e.root, ['kill', '--all', e.id, 'KILL']);
  assert.equal(r.status, 0, r.stderr);
  await waitFor('stopped', () => stateOf(e.root, e.id)?.status === 'stopped');
  await waitFor('cgroup empty', () => fs.readFileSync(procs, 'utf8').trim() === '');
  assert.ok(st.pid > 0);
  assert.equal(runtsIo(e.io, e.root, ['delete', e.id]).status, 0);
  assertClean(e);
});

test('state prints runc\'s fields in runc\'s order, and the same keys as runc for the same bundle', { skip: skip || requires('runc') }, (t) => {
  const e = setup(t, ['sleep', '100']);
  assert.equal(runtsIo(e.io, e.root, ['create', '--bundle', e.bundle.dir, e.id]).status, 0);
  const ours = JSON.parse(runtsIo(e.io, e.root, ['state', e.id]).stdout) as Record<string, unknown>;
  const runcRoot = tmpRoot(t).path;
  const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
  // tmpRoot's cleanup deletes runc containers too (a later hook here would make runc recreate the root).
  const fds = [fs.openSync('/dev/null', 'r'), fs.openSync(e.io.outFile, 'a'), fs.openSync(e.io.errFile, 'a')];
  const rc = spawnSync('runc', ['--root', runcRoot, 'create', '--bundle', e.bundle.dir, e.id], { stdio: fds });
  for (const fd of fds) fs.closeSync(fd);
  assert.equal(rc.status, 0);
  const theirs = JSON.parse(spawnSync('runc', ['--root', runcRoot, 'state', e.id], { encoding: 'utf8' }).stdout) as Record<string, unknown>;
  assert.deepEqual(Object.keys(ours), Object.keys(theirs));
  assert.equal(ours['status'], theirs['status']);
  assert.equal(ours['bundle'], theirs['bundle']);
  assert.equal(ours['rootfs'], theirs['rootfs']);
  assert.equal(runtsIo(e.io, e.root, ['delete', '--force', e.id]).status, 0);
  assert.equal(spawnSync('runc', ['--root', runcRoot, 'delete', '-f', e.id]).status, 0);
  assertClean(e);
});

test('run --keep leaves the stopped container for state and delete', { skip }, (t) => {
  const e = setup(t, ['true']);
  assert.equal(runtsIo(e.io, e.root, ['run', '--keep', '--bundle', e.bundle.dir, e.id]).status, 0);
  assert.equal(stateOf(e.root, e.id)?.status, 'stopped');
  assert.equal(runtsIo(e.io, e.root, ['delete', e.id]).status, 0);
  assertClean(e);
});
