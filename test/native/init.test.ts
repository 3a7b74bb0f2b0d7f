// The native init (dist/native/runts-init) driven by spawnInit or by a scripted peer on
// the sync socket: happy path, protocol errors, stage errors, run-mode exit statuses.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ChildError } from '../../src/errors';
import { CLONE_NEW, RecordWriter } from '../../src/process/bootstrap';
import {
  ATTR_CLONE_FLAGS,
  ATTR_MODE,
  ATTR_EXEC_FIFO_FD,
  ATTR_NO_PIVOT,
  ATTR_PROCESS_ARG,
  ATTR_PROCESS_ENV,
  ATTR_PROCESS_HOME_ENV,
  ATTR_PROCESS_UID,
  RUNTS_MODE_CREATE,
  SYNC_BOOTSTRAP,
  SYNC_GO,
  SYNC_PID,
} from '../../src/process/proto';
import { spawnInit, type InitHandle } from '../../src/process/spawn-native';
import { setChildSubreaper } from '../../src/sys/reap';
import { makeBundle } from '../support/bundle';
import { requires } from '../support/requires';
import { baseRequest, destroy, HOST_PATH, makeScratch, nsOf, reap, startContainer, quiet, rawInit } from './peer';


// In create mode init outlives [0:PARENT]; as a subreaper we adopt and reap it.
if (process.getuid?.() === 0) setChildSubreaper(true);

test('a malformed bootstrap record is rejected with an error naming it', async (t) => {
  const { sync, exited } = rawInit(t);
  const w = new RecordWriter()
    .u32(ATTR_MODE, 'mode', RUNTS_MODE_CREATE)
    .u32(ATTR_CLONE_FLAGS, 'flags', 0)
    .str(ATTR_PROCESS_ARG, 'arg', '/bin/true')
    .raw(ATTR_PROCESS_UID, Buffer.from([1, 0]));
  await sync.send(SYNC_BOOTSTRAP, w.toBuffer());
  const err = await sync.expect(SYNC_PID).then(
    () => assert.fail('expected SYNC_ERROR'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ChildError);
  assert.equal(err.stage, 'parent');
  assert.equal(err.errno, 22);
  assert.equal(err.message, 'bootstrap record 3 (ATTR_PROCESS_UID, id 12): length 2, want 4: invalid argument');
  assert.equal(await exited, 1);
});

test('an unknown record id is rejected, as is a string without its NUL', async (t) => {
  const { sync, exited } = rawInit(t);
  await sync.send(SYNC_BOOTSTRAP, new RecordWriter().u32(ATTR_MODE, 'mode', 1).raw(ATTR_PROCESS_ARG, Buffer.from('x')).toBuffer());
  await assert.rejects(sync.expect(SYNC_PID), {
    name: 'ChildError',
    message: 'bootstrap record 1 (ATTR_PROCESS_ARG, id 9): string is not NUL-terminated: invalid argument',
  });
  assert.equal(await exited, 1);

  const second = rawInit(t);
  await second.sync.send(SYNC_BOOTSTRAP, new RecordWriter().u32(999, 'x', 1).toBuffer());
  await assert.rejects(second.sync.expect(SYNC_PID), { message: /^bootstrap record 0 \(unknown, id 999\): not supported/ });
});

test('the HOME slot must name a "HOME=" entry, and ATTR_NO_PIVOT is 0 or 1', async (t) => {
  const base = (): RecordWriter =>
    new RecordWriter()
      .u32(ATTR_MODE, 'mode', RUNTS_MODE_CREATE)
      .u32(ATTR_CLONE_FLAGS, 'flags', 0)
      .str(ATTR_PROCESS_ARG, 'arg', '/bin/true')
      .u32(ATTR_EXEC_FIFO_FD, 'fifo', 9);
  const a = rawInit(t);
  await a.sync.send(SYNC_BOOTSTRAP, base().str(ATTR_PROCESS_ENV, 'env', 'HOME=/x').u32(ATTR_PROCESS_HOME_ENV, 'home', 0).toBuffer());
  await assert.rejects(a.sync.expect(SYNC_PID), {
    name: 'ChildError',
    message: 'bootstrap: ATTR_PROCESS_HOME_ENV 0 is not the index of a "HOME=" entry: invalid argument',
  });
  assert.equal(await a.exited, 1);

  const b = rawInit(t);
  await b.sync.send(SYNC_BOOTSTRAP, base().u32(ATTR_NO_PIVOT, 'nopivot', 2).toBuffer());
  await assert.rejects(b.sync.expect(SYNC_PID), { message: /^bootstrap record 4 \(ATTR_NO_PIVOT, id 26\): value 2, want 0 or 1/ });
});

test('an unexpected message type is an error naming both types', async (t) => {
  const { sync, exited } = rawInit(t);
  await sync.send(SYNC_GO);
  await assert.rejects(sync.expect(SYNC_PID), {
    name: 'ChildError',
    message: 'unexpected message on the sync socket: expected SYNC_BOOTSTRAP (64), got SYNC_GO (68)',
  });
  assert.equal(await exited, 1);
});

test('a failing setns reaches the CLI as {stage, errno, message}', async (t) => {
  const s = makeScratch();
  t.after(() => s.cleanup());
  let h: InitHandle | undefined;
  t.after(() => destroy(h));

  const missing = path.join(s.dir, 'no-such-ns');
  const err = await spawnInit(baseRequest(s, ['/bin/true'], { join: [{ type: 'network', path: missing }] }), quiet).then(
    (handle) => {
      h = handle;
      return assert.fail('spawnInit should fail');
    },
    (e: unknown) => e,
  );
  assert.ok(err instanceof ChildError);
  assert.equal(err.stage, 'child');
  assert.equal(err.errno, 2);
  assert.equal(err.message, `open namespace path ${missing}: no such file or directory`);

  // A file that is not a namespace: open works, setns refuses it.
  const notNs = path.join(s.dir, 'exec.fifo');
  await assert.rejects(spawnInit(baseRequest(s, ['/bin/true'], { join: [{ type: 'uts', path: '/proc/self/status' }] }), quiet), {
    name: 'ChildError',
    stage: 'child',
    errno: 22,
    message: 'setns(0x4000000) into /proc/self/status: invalid argument',
  });
  assert.ok(fs.existsSync(notNs));
});

test('create: namespaces, setup, ready, the fifo releases init and it runs the process', { skip: requires('root', 'busybox') }, async (t) => {
  const s = makeScratch();
  t.after(() => s.cleanup());
  const b = makeBundle();
  t.after(() => b.remove());
  let h: InitHandle | undefined;
  t.after(() => destroy(h));

  // A stand-in for src/setup: pivot into the busybox rootfs with a fresh /proc.
  const setupScript = [
    'set -e',
    'mount --make-rprivate /',
    `mount --bind "$1" "$1"`,
    `mount -t proc proc "$1/proc"`,
    `cd "$1"`,
    'mkdir -p .oldroot',
    'pivot_root . .oldroot',
    'cd /',
    'umount -l /.oldroot',
    'rmdir /.oldroot',
    'hostname runts-test',
  ].join('\n');
  const CAP_KILL = 1n << 5n;
  const CAP_NET_BIND_SERVICE = 1n << 10n;
  const caps = CAP_KILL | CAP_NET_BIND_SERVICE;
  const flags = CLONE_NEW.pid | CLONE_NEW.uts | CLONE_NEW.mount | CLONE_NEW.ipc;

  const req = baseRequest(s, ['sh', '-c', 'echo "$$ $(hostname) $(pwd)" > /out; grep ^Cap /proc/self/status > /caps; ulimit -n > /nofile'], {
    cloneFlags: flags,
    setup: { nodePath: '/bin/sh', script: '-c', args: [setupScript, 'setup', b.rootfs], env: [HOST_PATH], socketFd: s.setupTheirs },
    startContainerHooks: [{ path: '/bin/sh', args: ['sh', '-c', 'cat > /hookstate'], env: [], timeout: 5 }],
    stateJson: '{"id":"native-test"}',
  });
  req.process.env = ['PATH=/bin'];
  req.process.cwd = '/tmp';
  req.process.uid = 0;
  req.process.gid = 0;
  req.process.rlimits = [{ resource: 7 /* RLIMIT_NOFILE */, soft: 321n, hard: 321n }];
  req.process.caps = { bounding: caps, effective: caps, permitted: caps, inheritable: caps, ambient: caps };
  req.process.keyringName = 'runts-native-test';
  req.process.keyringPerm = 0x080000;

  h = await spawnInit(req, quiet);
  assert.ok(h.initPid > 0);
  for (const ns of ['pid', 'uts', 'mnt', 'ipc']) {
    assert.notEqual(nsOf(h.initPid, ns), nsOf('self', ns), `${ns} namespace of init`);
  }
  assert.equal(nsOf(h.initPid, 'net'), nsOf('self', 'net'));
  await h.go();
  await h.ready();
  // Create mode: [0:PARENT] leaves once init is ready.
  assert.equal(await h.exited, 0);
  assert.equal(fs.existsSync(path.join(b.rootfs, 'out')), false, 'the process must wait for start');
  assert.match(fs.readFileSync(`/proc/${h.initPid}/cmdline`, 'utf8'), /^runts:\[2:INIT\]/);

  assert.equal(await startContainer(s.fifo), '0');
  assert.equal(await reap(h.initPid), 0);
  assert.equal(fs.readFileSync(path.join(b.rootfs, 'out'), 'utf8'), '1 runts-test /tmp\n');
  assert.equal(fs.readFileSync(path.join(b.rootfs, 'hookstate'), 'utf8'), '{"id":"native-test"}');
  assert.equal(fs.readFileSync(path.join(b.rootfs, 'nofile'), 'utf8'), '321\n');
  const capLines = fs.readFileSync(path.join(b.rootfs, 'caps'), 'utf8');
  const hex = caps.toString(16).padStart(16, '0');
  for (const set of ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb']) {
    assert.match(capLines, new RegExp(`^${set}:\\t${hex}$`, 'm'), set);
  }
});

test('create: a missing binary fails with runc\'s text before ready', { skip: requires('root') }, async (t) => {
  const s = makeScratch();
  t.after(() => s.cleanup());
  let h: InitHandle | undefined;
  t.after(() => destroy(h));

  h = await spawnInit(baseRequest(s, ['no-such-binary-runts'], { cloneFlags: CLONE_NEW.pid }), quiet);
  await h.go();
  await assert.rejects(h.ready(), {
    name: 'ChildError',
    stage: 'init',
    errno: 0,
    message: 'exec: "no-such-binary-runts": executable file not found in $PATH',
  });
  assert.equal(await h.exited, 1);
});

test('create: a failing setup is reported by init', { skip: requires('root') }, async (t) => {
  const s = makeScratch();
  t.after(() => s.cleanup());
  let h: InitHandle | undefined;
  t.after(() => destroy(h));

  const req = baseRequest(s, ['/bin/true']);
  req.setup!.args = ['exit 7', 'setup'];
  h = await spawnInit(req, quiet);
  await h.go();
  await assert.rejects(h.ready(), { name: 'ChildError', stage: 'init', message: 'setup exited with status 7' });
});

test('run: the exit status of the process is the parent\'s', { skip: requires('root') }, async (t) => {
  const s = makeScratch();
  t.after(() => s.cleanup());
  let h: InitHandle | undefined;
  t.after(() => destroy(h));

  h = await spawnInit(baseRequest(s, ['/bin/sh', '-c', 'exit 3'], { mode: 'run', cloneFlags: CLONE_NEW.pid | CLONE_NEW.mount }), quiet);
  await h.go();
  await h.ready();
  assert.equal(await startContainer(s.fifo), '0');
  assert.equal(await h.exited, 3);
});

test('run: a process killed by SIGKILL gives 128+9', { skip: requires('root') }, async (t) => {
  const s = makeScratch();
  t.after(() => s.cleanup());
  let h: InitHandle | undefined;
  t.after(() => destroy(h));

  h = await spawnInit(baseRequest(s, ['/bin/sleep', '100'], { mode: 'run', cloneFlags: CLONE_NEW.pid }), quiet);
  await h.go();
  await h.ready();
  assert.equal(await startContainer(s.fifo), '0');
  const initPid = h.initPid;
  // Wait for the exec so the kill hits sleep, not init.
  for (let i = 0; i < 200 && !fs.readFileSync(`/proc/${initPid}/cmdline`, 'utf8').startsWith('/bin/sleep'); i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  process.kill(initPid, 'SIGKILL');
  assert.equal(await h.exited, 137);
});

test('preserved fds reach the process at 3.. and nothing else does', { skip: requires('root') }, async (t) => {
  const s = makeScratch();
  t.after(() => s.cleanup());
  let h: InitHandle | undefined;
  t.after(() => destroy(h));

  const out = path.join(s.dir, 'fds');
  const req = baseRequest(s, ['/bin/sh', '-c', `{ readlink /proc/$$/fd/3; ls /proc/$$/fd; } > ${out}`], { mode: 'run' });
  req.process.preserveFds = 1;
  h = await spawnInit(req, quiet);
  await h.go();
  await h.ready();
  await startContainer(s.fifo);
  assert.equal(await h.exited, 0);
  const [link, ...fds] = fs.readFileSync(out, 'utf8').trim().split('\n');
  assert.equal(link, fs.readlinkSync('/proc/self/fd/3'));
  assert.deepEqual(fds.filter((f) => Number(f) !== 10), ['0', '1', '2', '3']);
});

test('user and time namespaces: the CLI maps ids on request, init gets the offsets', { skip: requires('root', 'userns', 'timens') }, async (t) => {
  const s = makeScratch();
  t.after(() => s.cleanup());
  let h: InitHandle | undefined;
  t.after(() => destroy(h));

  const out = path.join(s.dir, 'out');
  fs.chmodSync(s.dir, 0o755);
  fs.writeFileSync(out, '', { mode: 0o666 });
  fs.chmodSync(out, 0o666);
  const lines: string[] = [];
  const req = baseRequest(s, ['/bin/sh', '-c', `{ id -u; id -g; cat /proc/self/setgroups; } > ${out}`], {
    mode: 'run',
    cloneFlags: CLONE_NEW.user | CLONE_NEW.pid | CLONE_NEW.mount | CLONE_NEW.time | CLONE_NEW.cgroup,
    idMaps: { uidMap: '0 100000 65536\n', gidMap: '0 200000 65536\n', setgroups: 'deny' },
    timeOffsets: 'monotonic 86400 0\nboottime 3600 0\n',
  });
  req.process.uid = 1000;
  req.process.gid = 1000;
  h = await spawnInit(req, { ...quiet, logSink: (level, msg) => lines.push(`${level} ${msg}`) });
  assert.equal(fs.readFileSync(`/proc/${h.initPid}/uid_map`, 'utf8').trim().split(/\s+/).join(' '), '0 100000 65536');
  assert.equal(fs.readFileSync(`/proc/${h.initPid}/gid_map`, 'utf8').trim().split(/\s+/).join(' '), '0 200000 65536');
  const offsets = fs.readFileSync(`/proc/${h.initPid}/timens_offsets`, 'utf8').trim().split('\n').map((l) => l.trim().split(/\s+/).join(' '));
  assert.deepEqual(offsets, ['monotonic 86400 0', 'boottime 3600 0']);
  for (const ns of ['user', 'time']) assert.notEqual(nsOf(h.initPid, ns), nsOf('self', ns), ns);
  // The cgroup namespace only comes after SYNC_GO, once init sits in its cgroup.
  assert.equal(nsOf(h.initPid, 'cgroup'), nsOf('self', 'cgroup'));
  await h.go();
  await h.ready();
  assert.notEqual(nsOf(h.initPid, 'cgroup'), nsOf('self', 'cgroup'));
  await startContainer(s.fifo);
  assert.equal(await h.exited, 0);
  assert.equal(fs.readFileSync(out, 'utf8'), '1000\n1000\ndeny\n');
  await h.logsDone;
  assert.ok(lines.includes('debug runts-init: child: send SYNC_USERMAP_PLS'), lines.join('\n'));
  assert.ok(lines.includes('debug runts-init: init: send SYNC_READY'));
});

test('killing [0:PARENT] before ready takes init with it (parent death signal)', { skip: requires('root') }, async (t) => {
  const s = makeScratch();
  t.after(() => s.cleanup());
  let h: InitHandle | undefined;
  t.after(() => destroy(h));

  h = await spawnInit(baseRequest(s, ['/bin/true'], { cloneFlags: CLONE_NEW.pid }), quiet);
  process.kill(h.parentPid, 'SIGKILL');
  assert.equal(await h.exited, 137);
  // Adopted by us (subreaper). Either the death signal killed it (WTERMSIG 9), or the
  // parent was already gone when init armed it and init saw the hang-up on its ready
  // socket and exited 1 (wait status 0x100).
  const status = await reap(h.initPid);
  assert.ok(status === 9 || status === 0x100, `wait status ${status}`);
  await assert.rejects(h.go(), { name: 'ChildError', message: 'runts-init exited with status 137 before SYNC_GO (68)' });
});
