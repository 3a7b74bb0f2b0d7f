// `runts exec`: the command registration (parsed through the real program with Go-style
// flags normalised, nothing run), the process built from the container's own process
// and runc's flags or from --process, the namespaces to join, and runc's terminal rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildExecRequest, planExecJoins, toExecProcess, type ExecOptions } from '../../../src/container/exec';
import { UsageError } from '../../../src/errors';
import { encodeBootstrap, parseRecords } from '../../../src/process/bootstrap';
import { ATTR_CLONE_FLAGS, ATTR_CONSOLE_SIZE, ATTR_CONSOLE_SOCKET_FD, ATTR_EXEC_FIFO_FD, ATTR_MODE, ATTR_PROCESS_GIDS, ATTR_SETUP_PATH, RUNTS_MODE_EXEC_DETACH } from '../../../src/process/proto';
import { checkTerminal } from '../../../src/process/terminal';
import type { ContainerConfig } from '../../../src/spec/normalize';
import type { Process } from '../../../src/spec/types';
import { parseOptions } from '../../support/cli';

const parse = (argv: string[]): Promise<ExecOptions> => parseOptions<ExecOptions>(argv);

const none: ExecOptions = {
  root: '/r',
  id: 'c1',
  args: [],
  processFile: undefined,
  consoleSocket: undefined,
  cwd: undefined,
  env: [],
  tty: false,
  user: undefined,
  additionalGids: [],
  detach: false,
  pidFile: undefined,
  processLabel: undefined,
  apparmor: undefined,
  noNewPrivs: false,
  caps: [],
  preserveFds: 0,
  cgroup: undefined,
  ignorePaused: false,
};

test('registration: the command line after the id belongs to the process, flags before it to exec', async () => {
  const o = await parse(['--root', '/r', 'exec', '-t', '-e', 'A=1', '--env', 'B=2', '-u', '5:6', '-g', '7', '-g', '8', '--cap', 'CAP_KILL',
    '--cwd', '/tmp', '-d', '--pid-file', '/p', '--no-new-privs', '--ignore-paused', '--preserve-fds', '2', 'c1', 'sh', '-c', 'ls -t', '-e', 'x']);
  assert.deepEqual(o, {
    ...none,
    args: ['sh', '-c', 'ls -t', '-e', 'x'],
    tty: true,
    env: ['A=1', 'B=2'],
    user: '5:6',
    additionalGids: [7, 8],
    caps: ['CAP_KILL'],
    cwd: '/tmp',
    detach: true,
    pidFile: '/p',
    noNewPrivs: true,
    ignorePaused: true,
    preserveFds: 2,
  });
});

test('registration: Go-style single-dash long flags, --process, --console-socket', async () => {
  const o = await parse(['exec', '-console-socket', '/s', '-process', '/p.json', '-detach', 'c1']);
  assert.deepEqual(o, { ...none, root: '/run/runts', consoleSocket: '/s', processFile: '/p.json', detach: true });
});

test('registration: bad numbers fail at parse time with urfave/cli\'s words; no id is a usage error', async () => {
  await assert.rejects(parse(['exec', '-g', 'x', 'c1', 'true']), {
    message: 'invalid value "x" for flag -additional-gids: strconv.ParseInt: parsing "x": invalid syntax',
  });
  await assert.rejects(parse(['exec', '--preserve-fds', 'x', 'c1', 'true']), { message: 'invalid value "x" for flag -preserve-fds: parse error' });
  await assert.rejects(parse(['exec']), { message: 'runts: "exec" requires a minimum of 1 argument(s)' });
});

const base: Process = {
  terminal: true,
  consoleSize: { height: 10, width: 20 },
  user: { uid: 1, gid: 2, additionalGids: [3], umask: 0o077 },
  args: ['sleep', '100'],
  env: ['PATH=/bin', 'A=1'],
  cwd: '/home',
  capabilities: { bounding: ['CAP_CHOWN'], effective: ['CAP_CHOWN'], permitted: ['CAP_CHOWN'] },
  noNewPrivileges: false,
};

test('process from flags: the container\'s process with runc\'s overrides', () => {
  const p = toExecProcess(
    { ...none, args: ['id'], env: ['A=2'], user: '5:6', additionalGids: [9], caps: ['CAP_KILL'], cwd: '/tmp', noNewPrivs: true },
    base,
  );
  assert.deepEqual(p.args, ['id']);
  assert.deepEqual(p.env, ['PATH=/bin', 'A=1', 'A=2']);
  assert.deepEqual(p.user, { uid: 5, gid: 6, additionalGids: [3, 9], umask: 0o077 });
  assert.equal(p.cwd, '/tmp');
  assert.equal(p.noNewPrivileges, true);
  // runc: terminal only from -t, whatever the container's process says
  assert.equal(p.terminal, false);
  assert.deepEqual(p.capabilities, {
    bounding: ['CAP_CHOWN', 'CAP_KILL'],
    effective: ['CAP_CHOWN', 'CAP_KILL'],
    permitted: ['CAP_CHOWN', 'CAP_KILL'],
    ambient: ['CAP_KILL'],
  });
  // the stored config is not changed
  assert.deepEqual(base.args, ['sleep', '100']);
  assert.equal(toExecProcess({ ...none, args: ['id'], user: '7' }, base).user.gid, 2, 'a uid alone keeps the gid');
});

test('process from flags: runc\'s errors', () => {
  assert.throws(() => toExecProcess({ ...none, args: ['id'], user: 'abc' }, base), {
    message: 'parsing abc as int for uid failed: strconv.Atoi: parsing "abc": invalid syntax',
  });
  assert.throws(() => toExecProcess({ ...none, args: ['id'], user: '1:x' }, base), {
    message: 'parsing x as int for gid failed: strconv.Atoi: parsing "x": invalid syntax',
  });
  assert.throws(() => toExecProcess({ ...none, args: ['id'], additionalGids: [-1] }, base), { message: 'additional-gids must be a positive number -1' });
  assert.throws(() => toExecProcess({ ...none, args: ['id'], cwd: 'rel' }, base), { message: 'Cwd must be an absolute path' });
  assert.throws(() => toExecProcess({ ...none, args: ['id'], processLabel: 'x' }, base), {
    name: 'UsageError',
    message: 'selinux label is specified in config, but selinux is disabled or not supported',
  });
});

test('process from --process: taken as it is, validated like runc', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runts-exec-unit-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, v: unknown): string => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, typeof v === 'string' ? v : JSON.stringify(v));
    return p;
  };
  const p = toExecProcess({ ...none, args: ['ignored'], env: ['IGNORED=1'], processFile: file('ok.json', { args: ['true'], cwd: '/', terminal: true }) }, base);
  assert.deepEqual(p, { args: ['true'], cwd: '/', terminal: true, user: { uid: 0, gid: 0 } });
  assert.throws(() => toExecProcess({ ...none, processFile: file('nocwd.json', { args: ['true'] }) }, base), { message: 'Cwd property must not be empty' });
  assert.throws(() => toExecProcess({ ...none, processFile: file('noargs.json', { cwd: '/' }) }, base), { message: 'args must not be empty' });
  assert.throws(() => toExecProcess({ ...none, processFile: file('bad.json', 'garbage') }, base), UsageError);
  assert.throws(() => toExecProcess({ ...none, processFile: path.join(dir, 'missing.json') }, base), {
    message: `open ${path.join(dir, 'missing.json')}: no such file or directory`,
  });
});

test('joins: every namespace of PID 1 that differs from ours, user first and mount last', () => {
  const links: Record<string, Record<string, string>> = {
    self: { user: 'user:[1]', ipc: 'ipc:[2]', uts: 'uts:[3]', net: 'net:[4]', pid: 'pid:[5]', cgroup: 'cgroup:[6]', time: 'time:[7]', mnt: 'mnt:[8]' },
    '42': { user: 'user:[11]', ipc: 'ipc:[12]', uts: 'uts:[3]', net: 'net:[14]', pid: 'pid:[15]', cgroup: 'cgroup:[6]', time: 'time:[7]', mnt: 'mnt:[18]' },
  };
  const read = (pid: number | 'self', name: string): string | undefined => links[String(pid)]?.[name];
  assert.deepEqual(planExecJoins(42, read), [
    { type: 'user', path: '/proc/42/ns/user' },
    { type: 'ipc', path: '/proc/42/ns/ipc' },
    { type: 'network', path: '/proc/42/ns/net' },
    { type: 'pid', path: '/proc/42/ns/pid' },
    { type: 'mount', path: '/proc/42/ns/mnt' },
  ]);
  // A kernel without time namespaces has the file for nobody; a dead PID 1 for nobody else.
  delete links['self']!['time'];
  delete links['42']!['time'];
  assert.equal(planExecJoins(42, read).length, 5);
  assert.throws(() => planExecJoins(43, read), { message: 'cannot exec in a stopped container' });
});

test('request: join mode carries no clone flags, setup or fifo; a console and its size when asked', () => {
  const config = { id: 'c1', spec: { ociVersion: '1.0.2', process: base } } as unknown as ContainerConfig;
  const req = buildExecRequest(config, { ...base, env: ['PATH=/bin'] }, { mode: 'exec-detach', join: [{ type: 'pid', path: '/proc/42/ns/pid' }], preserveFds: 0, groupsDenied: true });
  assert.equal(req.process.keyringName, '_ses.c1');
  assert.equal(req.process.umask, 0o077);
  assert.deepEqual(req.process.env, ['PATH=/bin', 'HOME=']);
  req.console = { socketFd: 9, size: { height: 10, width: 20 } };
  const recs = parseRecords(encodeBootstrap(req, { console: 9 }));
  const ids = recs.map((r) => r.id);
  assert.equal(recs.find((r) => r.id === ATTR_MODE)?.payload.readUInt32LE(0), RUNTS_MODE_EXEC_DETACH);
  assert.equal(recs.find((r) => r.id === ATTR_CLONE_FLAGS)?.payload.readUInt32LE(0), 0);
  assert.equal(recs.find((r) => r.id === ATTR_CONSOLE_SOCKET_FD)?.payload.readUInt32LE(0), 9);
  assert.deepEqual([...(recs.find((r) => r.id === ATTR_CONSOLE_SIZE)?.payload ?? [])], [10, 0, 0, 0, 20, 0, 0, 0]);
  for (const id of [ATTR_EXEC_FIFO_FD, ATTR_SETUP_PATH]) assert.ok(!ids.includes(id), `record ${id} must not be sent`);
  assert.ok(!ids.includes(ATTR_PROCESS_GIDS), 'setgroups "deny": no group list');
  assert.throws(() => encodeBootstrap({ ...req, cloneFlags: 0x20000000 }, { console: 9 }), { message: /joins a container: no clone flags/ });
});

test('terminal rules: runc\'s checkTerminal, word for word', () => {
  assert.throws(() => checkTerminal({ detach: true, terminal: true, consoleSocket: undefined }), {
    message: 'cannot allocate tty if runc will detach without setting console socket',
  });
  for (const c of [{ detach: false, terminal: true }, { detach: true, terminal: false }, { detach: false, terminal: false }]) {
    assert.throws(() => checkTerminal({ ...c, consoleSocket: '/s' }), { message: 'cannot use console socket if runc will not detach or allocate tty' });
  }
  checkTerminal({ detach: true, terminal: true, consoleSocket: '/s' });
  checkTerminal({ detach: false, terminal: true, consoleSocket: undefined });
  checkTerminal({ detach: true, terminal: false, consoleSocket: undefined });
});
