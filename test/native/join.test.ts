// The native init in join mode (exec), driven by spawnInit or a raw peer: bootstrap
// records refused in join mode, joining the namespaces of a running process, the
// foreground / detached exits, and the pty master sent over a console socket.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as tty from 'node:tty';
import { RecordWriter, type InitRequest } from '../../src/process/bootstrap';
import { ATTR_CLONE_FLAGS, ATTR_CONSOLE_SIZE, ATTR_EXEC_FIFO_FD, ATTR_MODE, ATTR_PROCESS_ARG, RUNTS_MODE_CREATE, RUNTS_MODE_EXEC, SYNC_BOOTSTRAP, SYNC_PID } from '../../src/process/proto';
import { spawnInit, type InitHandle } from '../../src/process/spawn-native';
import { setChildSubreaper } from '../../src/sys/reap';
import { closeFd, recvFds, socketPair } from '../../src/sys/socket';
import { requires } from '../support/requires';
import { destroy, HOST_PATH, makeScratch, nsOf, reap, quiet, rawInit } from './peer';


// A detached process outlives [0:PARENT]; as a subreaper we adopt and reap it.
if (process.getuid?.() === 0) setChildSubreaper(true);

test('join mode refuses what only a new container has, and a verb that does not match the mode', async (t) => {
  const base = (mode: number): RecordWriter =>
    new RecordWriter().u32(ATTR_MODE, 'mode', mode).u32(ATTR_CLONE_FLAGS, 'flags', 0).str(ATTR_PROCESS_ARG, 'arg', '/bin/true');
  const a = rawInit(t, 'join');
  await a.sync.send(SYNC_BOOTSTRAP, base(RUNTS_MODE_EXEC).u32(ATTR_EXEC_FIFO_FD, 'fifo', 9).toBuffer());
  await assert.rejects(a.sync.expect(SYNC_PID), { name: 'ChildError', message: 'bootstrap: ATTR_EXEC_FIFO_FD is not allowed in join mode: invalid argument' });
  assert.equal(await a.exited, 1);

  const b = rawInit(t, 'join');
  await b.sync.send(SYNC_BOOTSTRAP, new RecordWriter().u32(ATTR_MODE, 'mode', RUNTS_MODE_EXEC).u32(ATTR_CLONE_FLAGS, 'flags', 0x20000000).str(ATTR_PROCESS_ARG, 'arg', '/bin/true').toBuffer());
  await assert.rejects(b.sync.expect(SYNC_PID), { message: 'bootstrap: ATTR_CLONE_FLAGS 0x20000000 in join mode, want 0: invalid argument' });

  const c = rawInit(t, 'join');
  await c.sync.send(SYNC_BOOTSTRAP, base(RUNTS_MODE_CREATE).u32(ATTR_EXEC_FIFO_FD, 'fifo', 9).toBuffer());
  await assert.rejects(c.sync.expect(SYNC_PID), { message: 'bootstrap: mode 1 does not go with "join": invalid argument' });

  const d = rawInit(t, 'init');
  await d.sync.send(SYNC_BOOTSTRAP, base(RUNTS_MODE_EXEC).toBuffer());
  await assert.rejects(d.sync.expect(SYNC_PID), { message: 'bootstrap: mode 3 does not go with "init": invalid argument' });

  const e = rawInit(t, 'join');
  await e.sync.send(SYNC_BOOTSTRAP, base(RUNTS_MODE_EXEC).raw(ATTR_CONSOLE_SIZE, Buffer.alloc(8)).toBuffer());
  await assert.rejects(e.sync.expect(SYNC_PID), { message: 'bootstrap: ATTR_CONSOLE_SIZE without ATTR_CONSOLE_SOCKET_FD: invalid argument' });
});

/** A stand-in container: sleep as PID 1 of new pid, uts, ipc and mount namespaces. */
async function target(t: { after(fn: () => void | Promise<void>): void }): Promise<number> {
  // --kill-child: PID 1 of the new namespace dies with unshare (and every process
  // joined to it with PID 1).
  const child: ChildProcess = spawn('unshare', ['--pid', '--uts', '--ipc', '--mount', '--fork', '--kill-child', '--mount-proc', 'sh', '-c', 'hostname joined-host; exec sleep 100'], { stdio: 'ignore' });
  let inner: number | undefined;
  t.after(async () => {
    child.kill('SIGKILL');
    if (inner !== undefined) {
      try {
        process.kill(inner, 'SIGKILL');
      } catch {
        // gone with unshare
      }
      // adopted by us (a subreaper) once unshare is gone
      await reap(inner).catch(() => undefined);
    }
  });
  const deadline = Date.now() + 5000;
  for (;;) {
    const kids = fs.readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim();
    if (kids !== '') {
      const pid = Number(kids.split(' ')[0]);
      inner = pid;
      if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('sleep')) return pid;
    }
    if (Date.now() > deadline) throw new Error('the stand-in container did not start');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function joinRequest(pid: number, args: string[], mode: 'exec' | 'exec-detach'): InitRequest {
  return {
    mode,
    cloneFlags: 0,
    join: [
      { type: 'ipc', path: `/proc/${pid}/ns/ipc` },
      { type: 'uts', path: `/proc/${pid}/ns/uts` },
      { type: 'pid', path: `/proc/${pid}/ns/pid` },
      { type: 'mount', path: `/proc/${pid}/ns/mnt` },
    ],
    process: { args, env: [HOST_PATH], cwd: '/tmp', uid: 0, gid: 0, additionalGids: [], rlimits: [], noNewPrivileges: false, preserveFds: 0 },
  };
}

test('exec: joins the namespaces of a running process, runs there and exits with its status', { skip: requires('root') }, async (t) => {
  const s = makeScratch();
  t.after(() => s.cleanup());
  let h: InitHandle | undefined;
  t.after(() => destroy(h));
  const pid = await target(t);
  const out = `${s.dir}/out`;

  h = await spawnInit(joinRequest(pid, ['/bin/sh', '-c', `{ hostname; echo $$; pwd; ls /proc | grep -c '^[0-9]*$'; } > ${out}; exit 5`], 'exec'), quiet);
  for (const ns of ['pid', 'uts', 'ipc', 'mnt']) assert.equal(nsOf(h.initPid, ns), nsOf(pid, ns), ns);
  assert.equal(nsOf(h.initPid, 'net'), nsOf('self', 'net'), 'namespaces not asked for stay ours');
  await h.go();
  await h.ready();
  assert.equal(await h.exited, 5);
  const [host, inner, cwd] = fs.readFileSync(out, 'utf8').trim().split('\n');
  assert.equal(host, 'joined-host');
  assert.ok(Number(inner) > 1 && Number(inner) < 10, `a pid of the joined namespace, got ${inner}`);
  assert.equal(cwd, '/tmp');
});

test('exec-detach: [0:PARENT] leaves once the process is ready; the process goes on', { skip: requires('root') }, async (t) => {
  const s = makeScratch();
  t.after(() => s.cleanup());
  let h: InitHandle | undefined;
  t.after(() => destroy(h));
  const pid = await target(t);

  h = await spawnInit(joinRequest(pid, ['/bin/sleep', '100'], 'exec-detach'), quiet);
  await h.go();
  await h.ready();
  assert.equal(await h.exited, 0);
  // Ready comes just before execve: give the process a moment to become sleep.
  const stat = (): string => fs.readFileSync(`/proc/${h!.initPid}/stat`, 'utf8');
  for (let i = 0; i < 200 && !/^\d+ \(sleep\) /.test(stat()); i++) await new Promise((r) => setTimeout(r, 10));
  assert.match(stat(), /^\d+ \(sleep\) [RS] /);
  process.kill(h.initPid, 'SIGKILL');
  assert.equal(await reap(h.initPid), 9);
});

test('exec with a console socket: the master comes in runc\'s format, the process has the pty as ctty', { skip: requires('root') }, async (t) => {
  const s = makeScratch();
  t.after(() => s.cleanup());
  let h: InitHandle | undefined;
  t.after(() => destroy(h));
  const pid = await target(t);
  const [ours, theirs] = socketPair();
  t.after(() => closeFd(ours));

  const req = joinRequest(pid, ['/bin/sh', '-c', 'tty; stty size; ps -o tty= -p $$'], 'exec');
  req.console = { socketFd: theirs, size: { height: 12, width: 34 } };
  h = await spawnInit(req, quiet);
  closeFd(theirs);
  await h.go();
  await h.ready();
  const got = recvFds(ours, 4096, 2, { nonblocking: true });
  assert.equal(got.fds.length, 1);
  assert.match(got.data.toString(), /^\/dev\/pts\/\d+$/);
  const master = new tty.ReadStream(got.fds[0]!);
  let text = '';
  master.on('data', (d: Buffer) => (text += d.toString()));
  await new Promise<void>((resolve) => {
    master.on('error', () => resolve());
    master.on('close', () => resolve());
  });
  assert.equal(await h.exited, 0);
  const name = got.data.toString();
  assert.equal(text, `${name}\r\n12 34\r\n${name.slice('/dev/'.length)}\r\n`);
});
