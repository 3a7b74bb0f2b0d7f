// process.terminal as root: the pty master reaching a --console-socket receiver in
// runc's format (from create and from exec), and a foreground `run` / `exec -t` driven
// through a pty of the test's own: output, input, window size, terminal restored.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tty from 'node:tty';
import { acceptUnix, closeFd, listenUnix, recvFds } from '../../src/sys/socket';
import type { Spec } from '../../src/spec/types';
import { openPty, setWindowSize, type Pty } from '../../src/sys/tty';
import { runtsIo, stateOf, waitFor, containerEnv, type ContainerEnv } from '../support/container';
import { leftovers } from '../support/leftovers';
import { requires } from '../support/requires';
import { RUNTS_BIN } from '../support/runts';

const skip = requires('root', 'busybox');

type Env = ContainerEnv;

function setup(t: TestContext, mutate: (s: Spec) => void): Env {
  return containerEnv(t, 'tty', mutate);
}

/** What containerd's shim or runc's recvtty do: listen, accept, take the one fd. */
interface Receiver {
  path: string;
  /** the connection and message are already queued when runts returned */
  take(): { name: string; master: number };
}

function receiver(t: TestContext, dir: string): Receiver {
  const sockPath = path.join(dir, 'console.sock');
  const listener = listenUnix(sockPath);
  t.after(() => closeFd(listener));
  return {
    path: sockPath,
    take() {
      const conn = acceptUnix(listener, { nonblocking: true });
      try {
        const got = recvFds(conn, 4096, 4, { nonblocking: true });
        assert.equal(got.fds.length, 1, 'exactly one fd');
        // runc's format: nothing but the name, and no reply expected.
        return { name: got.data.toString(), master: got.fds[0]! };
      } finally {
        closeFd(conn);
      }
    },
  };
}

/** Collects everything read from a pty master. */
function reader(t: TestContext, master: number): { text(): string; stream: tty.ReadStream; ended: Promise<void> } {
  const stream = new tty.ReadStream(master);
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  const ended = new Promise<void>((resolve) => {
    stream.on('error', () => resolve());
    stream.on('close', () => resolve());
  });
  t.after(() => stream.destroy());
  return { text: () => text, stream, ended };
}

test('create --console-socket: the master arrives in runc\'s format and carries the container\'s terminal', { skip }, async (t) => {
  const e = setup(t, (s) => {
    s.process!.terminal = true;
    s.process!.consoleSize = { height: 33, width: 77 };
    s.process!.args = ['sh', '-c', 'echo hello-from-tty; tty; stty size; ls -l /dev/console; read line; echo "got:$line"; sleep 0.2'];
  });
  const rx = receiver(t, e.io.dir);
  const r = runtsIo(e.io, e.root, ['create', '--bundle', e.bundle.dir, '--console-socket', rx.path, e.id]);
  assert.equal(r.status, 0, r.stderr);
  const { name, master } = rx.take();
  assert.equal(name, '/dev/pts/0', 'the first pty of the container\'s own devpts');
  const out = reader(t, master);
  assert.equal(runtsIo(e.io, e.root, ['start', e.id]).status, 0);
  await waitFor('the container\'s output', () => out.text().includes('crw'));
  out.stream.write('typed-input\n');
  await waitFor('the echo of the input', () => out.text().includes('got:typed-input'));
  const text = out.text();
  assert.match(text, /hello-from-tty\r\n\/dev\/pts\/0\r\n33 77\r\n/);
  assert.match(text, /crw--w----\s+1 root\s+5\s+136,\s+0 .* \/dev\/console/, 'PID 1\'s /dev/console is its pty');
  await waitFor('stopped', () => stateOf(e.root, e.id)?.status === 'stopped');
  assert.equal(runtsIo(e.io, e.root, ['delete', e.id]).status, 0);
  assert.deepEqual(leftovers(e.root, e.id, e.bundle.dir), []);
});

test('exec -d -t --console-socket: the exec\'d process gets a pty of the container\'s devpts', { skip }, async (t) => {
  const e = setup(t, (s) => {
    s.process!.args = ['sleep', '1000'];
  });
  assert.equal(runtsIo(e.io, e.root, ['run', '-d', '--bundle', e.bundle.dir, e.id]).status, 0);
  const rx = receiver(t, e.io.dir);
  const pidFile = path.join(e.io.dir, 'pid');
  const r = runtsIo(e.io, e.root, ['exec', '-d', '-t', '--console-socket', rx.path, '--pid-file', pidFile, e.id, 'sh', '-c', 'tty; echo exec-tty; read x; echo "in:$x"']);
  assert.equal(r.status, 0, r.stderr);
  const { name, master } = rx.take();
  assert.match(name, /^\/dev\/pts\/\d+$/);
  const out = reader(t, master);
  await waitFor('the process output', () => out.text().includes('exec-tty'));
  out.stream.write('abc\n');
  await waitFor('the reply', () => out.text().includes('in:abc'));
  assert.match(out.text(), new RegExp(`${name}\\r\\nexec-tty\\r\\n`));
  // The process exits: the master reads EIO, as containerd's console copier expects.
  await out.ended;
  const pid = Number(fs.readFileSync(pidFile, 'utf8'));
  assert.ok(pid > 0);
});

test('terminal without a console socket where runts detaches, and a socket without a terminal: refused, nothing left', { skip }, (t) => {
  const e = setup(t, (s) => {
    s.process!.terminal = true;
  });
  const create = runtsIo(e.io, e.root, ['create', '--bundle', e.bundle.dir, e.id]);
  assert.equal(create.status, 1);
  assert.match(create.stderr, /msg="runts create failed: cannot allocate tty if runc will detach without setting console socket"/);
  const runD = runtsIo(e.io, e.root, ['run', '-d', '--bundle', e.bundle.dir, e.id]);
  assert.match(runD.stderr, /cannot allocate tty if runc will detach without setting console socket/);
  const fgSock = runtsIo(e.io, e.root, ['run', '--console-socket', '/x.sock', '--bundle', e.bundle.dir, e.id]);
  assert.match(fgSock.stderr, /msg="runts run failed: cannot use console socket if runc will not detach or allocate tty"/);
  e.bundle.update((s) => {
    s.process!.terminal = false;
  });
  const noTty = runtsIo(e.io, e.root, ['create', '--console-socket', '/x.sock', '--bundle', e.bundle.dir, e.id]);
  assert.match(noTty.stderr, /msg="runts create failed: cannot use console socket if runc will not detach or allocate tty"/);
  e.bundle.update((s) => {
    s.process!.terminal = true;
  });
  const dial = runtsIo(e.io, e.root, ['create', '--console-socket', path.join(e.io.dir, 'none.sock'), '--bundle', e.bundle.dir, e.id]);
  assert.equal(dial.status, 1);
  assert.match(dial.stderr, /dial unix .*none.sock: connect: no such file or directory/);
  assert.deepEqual(leftovers(e.root, e.id, e.bundle.dir), []);
});

/** runts with the test's pty as its stdio and controlling nothing: like a terminal emulator's child. */
function onPty(t: TestContext, pty: Pty, args: string[]): { exited: Promise<number>; pid: number } {
  const child = spawn(process.execPath, [RUNTS_BIN, ...args], { stdio: [pty.slave, pty.slave, pty.slave] });
  t.after(() => child.kill('SIGKILL'));
  const exited = new Promise<number>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? 128 + (signal !== null ? os.constants.signals[signal] : 0)));
  });
  return { exited, pid: child.pid! };
}

function sttyState(pty: Pty): string {
  return execFileSync('stty', ['-g', '-F', pty.name], { encoding: 'utf8' }).trim();
}

test('run with terminal:true in the foreground: output, input, window size, terminal restored', { skip }, async (t) => {
  const e = setup(t, (s) => {
    s.process!.terminal = true;
    s.process!.args = ['sh'];
  });
  const pty = openPty();
  t.after(() => {
    fs.closeSync(pty.slave);
  });
  setWindowSize(pty.master, { rows: 30, cols: 100 });
  const before = sttyState(pty);
  const out = reader(t, pty.master);
  const run = onPty(t, pty, ['--root', e.root, 'run', '--bundle', e.bundle.dir, e.id]);
  await waitFor('the shell prompt', () => out.text().includes('/ # '), 15_000);
  // Raw mode on our side: our own terminal no longer echoes or edits lines.
  assert.notEqual(sttyState(pty), before);
  out.stream.write('echo "sum=$((6*7))"; stty size\n');
  await waitFor('the answer', () => /sum=42\r\n30 100\r\n/.test(out.text()));
  setWindowSize(pty.master, { rows: 40, cols: 120 });
  process.kill(run.pid, 'SIGWINCH');
  // Resizing the container's pty sends SIGWINCH to its foreground group: the shell traps it.
  await new Promise((r) => setTimeout(r, 200));
  out.stream.write('stty size\n');
  await waitFor('the new size', () => out.text().includes('40 120\r\n'));
  out.stream.write('exit 7\n');
  assert.equal(await run.exited, 7);
  assert.equal(sttyState(pty), before, 'our terminal is as we found it');
  assert.deepEqual(leftovers(e.root, e.id, e.bundle.dir), []);
});

test('exec -t in the foreground through a pty', { skip }, async (t) => {
  const e = setup(t, (s) => {
    s.process!.args = ['sleep', '1000'];
  });
  assert.equal(runtsIo(e.io, e.root, ['run', '-d', '--bundle', e.bundle.dir, e.id]).status, 0);
  const pty = openPty();
  t.after(() => fs.closeSync(pty.slave));
  setWindowSize(pty.master, { rows: 24, cols: 91 });
  const out = reader(t, pty.master);
  const ex = onPty(t, pty, ['--root', e.root, 'exec', '-t', e.id, 'sh', '-c', 'stty size; tty; read x; echo "read:$x"; exit 3']);
  await waitFor('the size', () => out.text().includes('24 91'), 10_000).catch((err: Error) => {
    throw new Error(`${err.message}; got ${JSON.stringify(out.text())}`);
  });
  out.stream.write('hello\n');
  assert.equal(await ex.exited, 3);
  assert.match(out.text(), /24 91\r\n\/dev\/pts\/\d+\r\n/);
  assert.match(out.text(), /read:hello/);
  // Without a terminal of its own, runts still relays (runc would refuse: no /dev/tty).
  const plain = spawnSync(process.execPath, [RUNTS_BIN, '--root', e.root, 'exec', '-t', e.id, 'echo', 'no-host-tty'], { encoding: 'utf8', input: '' });
  assert.equal(plain.status, 0, plain.stderr);
  assert.equal(plain.stdout, 'no-host-tty\r\n');
});
