// SCMP_ACT_NOTIFY with linux.seccomp.listenerPath in real containers as root: a seccomp
// agent (this file, run again as a child process with RUNTS_TEST_SECCOMP_AGENT set)
// receives runc's ContainerProcessState and the listener in one message, and answers
// the container's mkdir(2) calls — which block until it does. Bad profiles fail with
// one error and leave nothing behind.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import type { LinuxSeccomp, Spec } from '../../src/spec/types';
import { SPEC_VERSION } from '../../src/spec/types';
import { notifRecv, notifSend, SECCOMP_USER_NOTIF_FLAG_CONTINUE } from '../../src/sys/seccomp-notify';
import { acceptUnix, closeFd, listenUnix, recvFds } from '../../src/sys/socket';
import { containerEnv, runtsIo, spawnRunts, waitFor, type ContainerEnv } from '../support/container';
import { leftovers } from '../support/leftovers';
import { requires } from '../support/requires';
import { runts } from '../support/runts';

/** What the agent does with the n-th notification; past the list: let the syscall run. */
interface Answer {
  val?: number;
  error?: number;
  /** wait for a line on stdin before answering */
  hold?: boolean;
}

interface AgentLine {
  kind: 'state' | 'notif' | 'answered' | 'error';
  state?: {
    ociVersion: string;
    fds: string[];
    pid: number;
    metadata?: string;
    state: { ociVersion: string; id: string; status: string; pid?: number; bundle: string; annotations?: Record<string, string> };
  };
  fds?: number;
  fdLink?: string;
  nr?: number;
  pid?: number;
  message?: string;
}

const AGENT_ENV = 'RUNTS_TEST_SECCOMP_AGENT';

/**
 * The agent: accept one connection on fd 3 (a listening socket the test made), read the
 * message and its fd, report them on stdout, then answer notifications as told.
 */
function agentMain(answers: Answer[]): void {
  const out = (l: AgentLine): void => void fs.writeSync(1, JSON.stringify(l) + '\n');
  try {
    const conn = acceptUnix(3);
    closeFd(3);
    const first = recvFds(conn, 1 << 16, 4);
    let data = first.data;
    for (;;) {
      const more = recvFds(conn, 1 << 16, 4);
      if (more.data.length === 0) break;
      data = Buffer.concat([data, more.data]);
    }
    closeFd(conn);
    const listener = first.fds[0] ?? -1;
    out({ kind: 'state', state: JSON.parse(data.toString('utf8')) as NonNullable<AgentLine['state']>, fds: first.fds.length, fdLink: fs.readlinkSync(`/proc/self/fd/${listener}`) });
    const stdin = Buffer.alloc(1);
    for (let n = 0; ; n++) {
      const req = notifRecv(listener);
      out({ kind: 'notif', nr: req.nr, pid: req.pid });
      const a = answers[n];
      if (a?.hold === true) fs.readSync(0, stdin, 0, 1, null);
      if (a === undefined) notifSend(listener, { id: req.id, flags: SECCOMP_USER_NOTIF_FLAG_CONTINUE });
      else notifSend(listener, { id: req.id, val: BigInt(a.val ?? 0), error: a.error ?? 0 });
      out({ kind: 'answered', nr: req.nr });
    }
  } catch (err) {
    out({ kind: 'error', message: (err as Error).message });
    process.exit(1);
  }
}

const agentAnswers = process.env[AGENT_ENV];
if (agentAnswers !== undefined) {
  agentMain(JSON.parse(agentAnswers) as Answer[]);
} else {
  defineTests();
}

interface Agent {
  child: ChildProcess;
  /** the next line of `kind` (earlier lines of other kinds are kept) */
  next(kind: AgentLine['kind']): Promise<AgentLine>;
  lines: AgentLine[];
}

/** Listen at `sock` and start an agent process on it; killed when the test ends. */
function startAgent(t: TestContext, sock: string, answers: Answer[]): Agent {
  const lfd = listenUnix(sock);
  const child = spawn(process.execPath, [__filename], {
    stdio: ['pipe', 'pipe', 'inherit', lfd],
    env: { ...process.env, [AGENT_ENV]: JSON.stringify(answers) },
  });
  closeFd(lfd);
  t.after(() => {
    child.kill('SIGKILL');
  });
  const lines: AgentLine[] = [];
  let wake: (() => void) | undefined;
  readline.createInterface({ input: child.stdout! }).on('line', (l) => {
    lines.push(JSON.parse(l) as AgentLine);
    wake?.();
  });
  let taken = 0;
  const next = async (kind: AgentLine['kind']): Promise<AgentLine> => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      for (; taken < lines.length; taken++) {
        const l = lines[taken]!;
        if (l.kind === 'error') throw new Error(`agent: ${l.message}`);
        if (l.kind === kind) {
          taken++;
          return l;
        }
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for the agent's ${kind} line`);
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 100);
      });
    }
  };
  return { child, next, lines };
}

function notifyOn(names: string[], listenerPath: string, extra: Partial<LinuxSeccomp> = {}): LinuxSeccomp {
  return {
    defaultAction: 'SCMP_ACT_ALLOW',
    architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
    listenerPath,
    syscalls: [{ names, action: 'SCMP_ACT_NOTIFY' }],
    ...extra,
  };
}

function setup(t: TestContext, args: string[], seccomp: (dir: string) => LinuxSeccomp, mutate: (s: Spec) => void = () => undefined): ContainerEnv & { sock: string } {
  const e = containerEnv(t, 'scn', (s) => {
    s.process!.args = args;
    s.root!.readonly = false;
    mutate(s);
  });
  const sock = path.join(e.io.dir, 'agent.sock');
  e.bundle.update((s) => {
    s.linux!.seccomp = seccomp(e.io.dir);
  });
  return { ...e, sock };
}

function assertClean(e: ContainerEnv): void {
  assert.deepEqual(leftovers(e.root, e.id, e.bundle.dir), []);
}

function defineTests(): void {
  const skip = requires('root', 'busybox');

  test('seccomp notify: the agent gets the state and the listener, a notified mkdir waits for its answer and returns it', { skip }, async (t) => {
    const e = setup(t, ['sh', '-c', 'mkdir /tmp/a; echo a=$?; mkdir /tmp/b; echo b=$?; ls /tmp; echo done'], (dir) =>
      notifyOn(['mkdir', 'mkdirat'], path.join(dir, 'agent.sock'), { listenerMetadata: 'meta-1' }),
    (s) => {
      s.annotations = { 'org.example.k': 'v' };
      // The filter is then loaded last, after the PATH lookup (see the test below for the other point).
      s.process!.noNewPrivileges = true;
    });
    // 1st mkdir: held until the test says so, then "success" without a directory;
    // 2nd: EOPNOTSUPP.
    const agent = startAgent(t, e.sock, [{ val: 0, hold: true }, { error: 95 }]);
    const run = spawnRunts(e.io, e.root, ['run', '--bundle', e.bundle.dir, e.id]);
    t.after(() => {
      run.child.kill('SIGKILL');
    });

    const got = await agent.next('state');
    assert.equal(got.fds, 1);
    assert.equal(got.fdLink, 'anon_inode:seccomp notify');
    const st = got.state!;
    assert.equal(st.ociVersion, SPEC_VERSION);
    assert.deepEqual(st.fds, ['seccompFd']);
    assert.equal(st.metadata, 'meta-1');
    assert.ok(Number.isInteger(st.pid) && st.pid > 1);
    assert.equal(st.state.id, e.id);
    assert.equal(st.state.status, 'creating');
    assert.equal(st.state.pid, st.pid);
    assert.equal(st.state.bundle, e.bundle.dir);
    assert.deepEqual(st.state.annotations, { 'org.example.k': 'v' });

    const n = await agent.next('notif');
    // A process of the container (the shell's child running mkdir) made the call.
    assert.equal(fs.readlinkSync(`/proc/${n.pid}/ns/pid`), fs.readlinkSync(`/proc/${st.pid}/ns/pid`));
    // The shell is blocked in mkdir: nothing after it runs while the agent holds it.
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(e.io.read().stdout, '');
    agent.child.stdin!.write('x');
    const status = await run.exited;
    const { stdout, stderr } = e.io.read();
    assert.equal(status, 0, stderr);
    assert.equal(stdout, 'a=0\nb=1\ndone\n', 'a "succeeded" without a directory; b failed with the errno the agent chose');
    assert.match(stderr, /can't create directory '\/tmp\/b': Operation not supported/);
    assert.ok(!fs.existsSync(path.join(e.bundle.rootfs, 'tmp', 'a')));
    assert.equal(agent.lines.filter((l) => l.kind === 'answered').length, 2);
    assertClean(e);
  });

  test('seccomp notify: exec hands the new process its own listener with the state "running"', { skip }, async (t) => {
    const e = setup(t, ['sleep', '100'], (dir) => notifyOn(['mkdir', 'mkdirat'], path.join(dir, 'agent.sock')));
    const first = startAgent(t, e.sock, []);
    const r = runtsIo(e.io, e.root, ['run', '-d', '--bundle', e.bundle.dir, e.id]);
    assert.equal(r.status, 0, r.stderr);
    t.after(() => {
      runts(['delete', '-f', e.id], { root: e.root });
    });
    const initPid = (await first.next('state')).state!.pid;
    first.child.kill('SIGKILL');
    fs.rmSync(e.sock);

    const second = startAgent(t, e.sock, [{ error: 18 /* EXDEV */ }]);
    const x = runtsIo(e.io, e.root, ['exec', e.id, 'sh', '-c', 'mkdir /tmp/e; echo e=$?']);
    assert.equal(x.status, 0, x.stderr);
    assert.equal(x.stdout, 'e=1\n');
    assert.match(x.stderr, /Invalid cross-device link/);
    const st = (await second.next('state')).state!;
    assert.equal(st.state.status, 'running');
    assert.equal(st.state.pid, initPid);
    assert.notEqual(st.pid, initPid, 'the listener is the exec process\' own');
    assert.equal(st.metadata, undefined, 'no listenerMetadata: no metadata field');

    const d = runtsIo(e.io, e.root, ['delete', '-f', e.id]);
    assert.equal(d.status, 0, d.stderr);
    assertClean(e);
  });

  test('seccomp notify: without noNewPrivileges (filter loaded before the uid change) a non-root process is notified too', { skip }, async (t) => {
    const e = setup(t, ['sh', '-c', 'mkdir /tmp/n; echo n=$?; id -u'], (dir) => notifyOn(['mkdir', 'mkdirat'], path.join(dir, 'agent.sock')), (s) => {
      s.process!.noNewPrivileges = false;
      s.process!.user = { uid: 1000, gid: 1000 };
    });
    const agent = startAgent(t, e.sock, [{ error: 28 /* ENOSPC */ }]);
    const r = runtsIo(e.io, e.root, ['run', '--bundle', e.bundle.dir, e.id]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'n=1\n1000\n');
    assert.match(r.stderr, /No space left on device/);
    assert.equal((await agent.next('notif')).kind, 'notif');
    assertClean(e);
  });

  const bad: [string, (dir: string) => LinuxSeccomp, RegExp][] = [
    ['NOTIFY as the default action', (dir) => ({ defaultAction: 'SCMP_ACT_NOTIFY', listenerPath: path.join(dir, 'agent.sock') }), /SCMP_ACT_NOTIFY cannot be used as default action/],
    ['NOTIFY on write', (dir) => notifyOn(['mkdir', 'write'], path.join(dir, 'agent.sock')), /SCMP_ACT_NOTIFY cannot be used for the write syscall/],
    ['no listenerPath', () => ({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_NOTIFY' }] }), /no listener path/],
    [
      'a listenerPath nobody listens on',
      (dir) => notifyOn(['mkdir'], path.join(dir, 'nothing.sock')),
      /failed to connect with seccomp agent specified in the seccomp profile: dial unix \S+nothing\.sock: connect: no such file or directory/,
    ],
    [
      'a listenerPath that is not a socket',
      (dir) => notifyOn(['mkdir'], path.join(dir, 'out')),
      /failed to connect with seccomp agent specified in the seccomp profile: dial unix \S+\/out: connect: connection refused/,
    ],
  ];
  for (const [what, sc, msg] of bad) {
    test(`seccomp notify: ${what} fails run with one error and leaves nothing`, { skip }, (t) => {
      const e = setup(t, ['mkdir', '/tmp/x'], sc);
      const r = runtsIo(e.io, e.root, ['run', '--bundle', e.bundle.dir, e.id]);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, msg);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.doesNotMatch(r.stderr, /directory: connect|refused: connect/, 'the cause is said once');
      assert.ok(!fs.existsSync(path.join(e.bundle.rootfs, 'tmp', 'x')));
      assertClean(e);
    });
  }

  test('seccomp notify: check accepts a listenerPath without a warning', { skip: requires('busybox') }, (t) => {
    const e = setup(t, ['true'], (dir) => notifyOn(['mkdir'], path.join(dir, 'agent.sock')));
    const r = runtsIo(e.io, e.root, ['check', '--bundle', e.bundle.dir]);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, /listenerPath|not supported/);
  });

  test('seccomp notify: waiting for the agent, run is not stuck forever on a dead agent', { skip }, async (t) => {
    // The agent accepts and dies before answering: the container's mkdir then fails
    // (ENOSYS) instead of hanging, since no one holds the listener any more.
    const e = setup(t, ['sh', '-c', 'mkdir /tmp/z; echo z=$?'], (dir) => notifyOn(['mkdir', 'mkdirat'], path.join(dir, 'agent.sock')));
    const agent = startAgent(t, e.sock, [{ hold: true }]);
    const run = spawnRunts(e.io, e.root, ['run', '--bundle', e.bundle.dir, e.id]);
    t.after(() => {
      run.child.kill('SIGKILL');
    });
    await agent.next('notif');
    agent.child.kill('SIGKILL');
    const status = await run.exited;
    const { stdout, stderr } = e.io.read();
    assert.equal(status, 0, stderr);
    assert.equal(stdout, 'z=1\n');
    assert.match(stderr, /Function not implemented/);
    await waitFor('cleanup', () => leftovers(e.root, e.id, e.bundle.dir).length === 0);
    assertClean(e);
  });
}
