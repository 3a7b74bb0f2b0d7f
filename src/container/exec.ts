// Owns: `exec` — run a new process inside an existing container: the process from
// --process or from the container's own process plus runc's flags, the native init in
// join mode, the cgroup join before it runs anything, and then either detach (pid file)
// or stay in the foreground relaying signals, the terminal and the exit status.
// Runs in: cli.
import * as fs from 'node:fs';
import { CgroupManager } from '../cgroups/manager';
import { RuntimeError, StateError, UsageError } from '../errors';
import { debugFor, warn } from '../log';
import type { InitRequest } from '../process/bootstrap';
import { spawnInit, type InitHandle } from '../process/spawn-native';
import { checkTerminal, hostWindowSize, openConsoleChannel, relayTerminal, type ConsoleChannel, type TerminalRelay } from '../process/terminal';
import { toCapMasks } from '../security/capabilities';
import { hostLsm } from '../security/lsm';
import { MSG_APPARMOR_NOT_ENABLED, MSG_SELINUX_NOT_ENABLED, toProcessAttrs } from '../security/process-attrs';
import { rlimitNumber } from '../security/rlimits';
import { handOverListener, toAgentHandover } from '../security/seccomp-agent';
import type { ContainerConfig } from '../spec/normalize';
import type { LinuxCapabilities, LinuxNamespaceType, Process } from '../spec/types';
import { MSG_CWD_UNDER_PROC, cwdUnderProc } from '../spec/validate';
import { DEFAULT_UMASK, sessionKeyringName, toProcessEnv, toSeccompProgram } from './init-request';
import { hookStateJson } from './hook-state';
import { isAlive } from './liveness';
import { PROC_NS_NAME } from './namespaces';
import { forwardSignals, type SignalForwarder } from '../process/forward-signals';
import { writePidFile } from './pid-file';
import { readState, type ContainerState } from './state-store';
import { currentStatus } from './status';

const debug = debugFor('container');

export interface ExecOptions {
  root: string;
  id: string;
  /** the command line after the id; ignored with --process, as runc does */
  args: string[];
  /** --process: a runtime-spec Process JSON file */
  processFile: string | undefined;
  consoleSocket: string | undefined;
  cwd: string | undefined;
  /** --env, appended to the container's env */
  env: string[];
  tty: boolean;
  /** --user uid[:gid], parsed when the process is built (runc's order of errors) */
  user: string | undefined;
  additionalGids: number[];
  detach: boolean;
  pidFile: string | undefined;
  processLabel: string | undefined;
  apparmor: string | undefined;
  noNewPrivs: boolean;
  /** --cap, added to every set but the inheritable one */
  caps: string[];
  preserveFds: number;
  /** --cgroup: a sub-cgroup to run in (not supported) */
  cgroup: string | undefined;
  ignorePaused: boolean;
}

/** runc's message for a paused container, and its hint. */
export const MSG_EXEC_PAUSED = 'cannot exec in a paused container (use --ignore-paused to override)';
export const MSG_EXEC_STOPPED = 'cannot exec in a stopped container';

/** runc validateProcessSpec, with its wording. */
export function validateProcess(p: Process): void {
  if (typeof p.cwd !== 'string' || p.cwd === '') throw new UsageError('Cwd property must not be empty');
  if (!p.cwd.startsWith('/')) throw new UsageError('Cwd must be an absolute path');
  // Not runc 1.1.5's check: CVE-2024-21626 is exploited through a cwd such as
  // /proc/self/fd/N, refused here like at create (src/spec/validate.ts).
  if (cwdUnderProc(p.cwd)) throw new UsageError(`${MSG_CWD_UNDER_PROC} (found ${JSON.stringify(p.cwd)})`);
  if (!Array.isArray(p.args) || p.args.length === 0) throw new UsageError('args must not be empty');
  // The LSM labels are applied by native just before execve, as at create, when the
  // host has the LSM; asking for one where it has not is refused here, like create does.
  if (p.selinuxLabel !== undefined && p.selinuxLabel !== '' && !hostLsm().selinux) throw new UsageError(MSG_SELINUX_NOT_ENABLED);
  if (p.apparmorProfile !== undefined && p.apparmorProfile !== '' && !hostLsm().apparmor) throw new UsageError(MSG_APPARMOR_NOT_ENABLED);
}

function readProcessFile(file: string): Process {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new RuntimeError(`open ${file}: ${code === 'ENOENT' ? 'no such file or directory' : String(code)}`);
  }
  let p: unknown;
  try {
    p = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file}: ${(err as Error).message}`);
  }
  if (typeof p !== 'object' || p === null || Array.isArray(p)) throw new UsageError('process property must not be empty');
  const proc = p as Process;
  proc.user ??= { uid: 0, gid: 0 };
  return proc;
}

function parseId(s: string, what: 'uid' | 'gid'): number {
  if (!/^[+-]?\d+$/.test(s)) {
    throw new UsageError(`parsing ${s} as int for ${what} failed: strconv.Atoi: parsing "${s}": invalid syntax`);
  }
  const n = Number(s);
  // runc converts with uint32(); a negative or huge id is a mistake, not a wrap-around.
  if (n < 0 || n > 0xffffffff) throw new UsageError(`${what} ${s} is out of range`);
  return n;
}

/**
 * runc exec.go getProcess: the process of --process as it is, or the container's own
 * process with the command line and the flags applied to it.
 */
export function toExecProcess(o: ExecOptions, base: Process | undefined): Process {
  if (o.processFile !== undefined) {
    const p = readProcessFile(o.processFile);
    validateProcess(p);
    return p;
  }
  const p: Process = structuredClone(base ?? { user: { uid: 0, gid: 0 }, cwd: '/' });
  p.args = [...o.args];
  if (o.cwd !== undefined && o.cwd !== '') p.cwd = o.cwd;
  if (o.apparmor !== undefined && o.apparmor !== '') p.apparmorProfile = o.apparmor;
  if (o.processLabel !== undefined && o.processLabel !== '') p.selinuxLabel = o.processLabel;
  if (o.caps.length > 0) {
    const c: LinuxCapabilities = p.capabilities ?? {};
    // Not inheritable: runc stopped that in 1.1.2 (CVE-2022-29162), since inheritable
    // capabilities let a later execve of a file with inheritable file caps gain them.
    for (const set of ['bounding', 'effective', 'permitted', 'ambient'] as const) {
      c[set] = [...(c[set] ?? []), ...o.caps];
    }
    p.capabilities = c;
  }
  p.env = [...(p.env ?? []), ...o.env];
  p.terminal = o.tty;
  if (o.noNewPrivs) p.noNewPrivileges = true;
  if (o.user !== undefined && o.user !== '') {
    const [uid, gid] = splitUser(o.user);
    const user = { ...p.user };
    if (gid !== undefined) user.gid = parseId(gid, 'gid');
    user.uid = parseId(uid, 'uid');
    p.user = user;
  }
  for (const gid of o.additionalGids) {
    if (gid < 0) throw new UsageError(`additional-gids must be a positive number ${gid}`);
    p.user = { ...p.user, additionalGids: [...(p.user.additionalGids ?? []), gid] };
  }
  validateProcess(p);
  return p;
}

function splitUser(u: string): [string, string | undefined] {
  const i = u.indexOf(':');
  return i < 0 ? [u, undefined] : [u.slice(0, i), u.slice(i + 1)];
}

/** /proc/<pid>/ns/<name> -> "type:[inode]", or undefined when there is no such file. */
function nsLink(pid: number | 'self', name: string): string | undefined {
  try {
    return fs.readlinkSync(`/proc/${pid}/ns/${name}`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Every namespace of PID 1 that is not ours, in the order native must join them (user
 * first: it grants the capabilities the other joins are checked against; mount last:
 * after it, paths resolve in the container). Ones equal to ours are skipped: setns into
 * the namespace one is already in is pointless, and for the user namespace an EINVAL.
 */
export function planExecJoins(pid: number, read: (pid: number | 'self', name: string) => string | undefined = nsLink): InitRequest['join'] {
  const order: readonly LinuxNamespaceType[] = ['user', 'ipc', 'uts', 'network', 'pid', 'cgroup', 'time', 'mount'];
  const join: InitRequest['join'] = [];
  for (const type of order) {
    const name = PROC_NS_NAME[type];
    const theirs = read(pid, name);
    if (theirs === undefined) {
      // The kernel has no such namespace type (time before 5.6): nobody is in one.
      if (read('self', name) === undefined) continue;
      throw new StateError(MSG_EXEC_STOPPED);
    }
    if (theirs !== read('self', name)) join.push({ type, path: `/proc/${pid}/ns/${name}` });
  }
  return join;
}

/** Process -> what native applies, the way init-request.ts does it for PID 1. */
export function buildExecRequest(
  config: ContainerConfig,
  proc: Process,
  o: { mode: 'exec' | 'exec-detach'; join: InitRequest['join']; preserveFds: number; groupsDenied: boolean },
): InitRequest {
  const rlimits = (proc.rlimits ?? []).map((r) => {
    const resource = rlimitNumber(r.type);
    if (resource === undefined) throw new UsageError(`wrong rlimit value: ${r.type}`);
    return { resource, soft: BigInt(r.soft), hard: BigInt(r.hard) };
  });
  const { skipped, ...caps } = toCapMasks(proc.capabilities ?? {});
  if (skipped.length > 0) warn(`ignoring unknown or unavailable capabilities: [${skipped.join(' ')}]`);
  let env: ReturnType<typeof toProcessEnv>;
  try {
    env = toProcessEnv(proc.env ?? []);
  } catch (err) {
    throw new RuntimeError('unable to start container process', { cause: err });
  }
  const seccomp = toSeccompProgram(config);
  // The exec'd process' own scheduler, I/O priority and labels, and the container's
  // personality (runc setns_init_linux.go applies all of them).
  const attrs = toProcessAttrs(config.spec.linux, proc, hostLsm());
  return {
    ...(seccomp !== undefined ? { seccomp } : {}),
    ...(Object.keys(attrs).length > 0 ? { attrs } : {}),
    mode: o.mode,
    cloneFlags: 0,
    join: o.join,
    process: {
      args: proc.args ?? [],
      env: env.env,
      ...(env.homeEnvIndex !== undefined ? { homeEnvIndex: env.homeEnvIndex } : {}),
      cwd: proc.cwd,
      uid: proc.user.uid,
      gid: proc.user.gid,
      additionalGids: proc.user.additionalGids ?? [],
      ...(o.groupsDenied ? { groupsDenied: true } : {}),
      umask: proc.user.umask ?? DEFAULT_UMASK,
      rlimits,
      caps,
      noNewPrivileges: proc.noNewPrivileges === true,
      // runc's setns init joins the container's session keyring by name, without
      // changing its permissions (PID 1 set those).
      keyringName: sessionKeyringName(config.id),
      preserveFds: o.preserveFds,
    },
  };
}

/** Paused as runc sees it: the flag `pause` records, or a frozen freezer (someone froze it). */
function isPaused(state: ContainerState): boolean {
  if (state.paused) return true;
  try {
    return CgroupManager.fromPaths(state.cgroupPaths).isFrozen();
  } catch (err) {
    debug('read the freezer state: %s', (err as Error).message);
    return false;
  }
}

/**
 * runc: every preserved fd must exist ("unable to stat preserved-fd"). Where the caller
 * left a gap, Node's own fds (epoll, eventfd) may sit and would pass this check.
 */
function checkPreservedFds(n: number): void {
  for (let i = 0; i < n; i++) {
    try {
      fs.fstatSync(3 + i);
    } catch (err) {
      throw new RuntimeError(`unable to stat preserved-fd ${i} (of ${n})`, { cause: err });
    }
  }
}

/** The user namespace's setgroups is "deny": setgroups(2) would fail with EPERM. */
function groupsDenied(pid: number, join: InitRequest['join']): boolean {
  if (!join.some((j) => j.type === 'user')) return false;
  try {
    return fs.readFileSync(`/proc/${pid}/setgroups`, 'utf8').trim() === 'deny';
  } catch {
    return false;
  }
}

/** `exec`: every failure is "exec failed: ..." with exit status 255, as runc's. */
export async function execInContainer(o: ExecOptions): Promise<number> {
  try {
    return await execProcess(o);
  } catch (err) {
    const e = new RuntimeError('exec failed', { cause: err });
    e.exitCode = 255;
    throw e;
  }
}

async function execProcess(o: ExecOptions): Promise<number> {
  const state = readState(o.root, o.id);
  const status = currentStatus(o.root, state);
  if (status === 'stopped') throw new StateError(MSG_EXEC_STOPPED);
  if (!o.ignorePaused && (status === 'paused' || isPaused(state))) throw new StateError(MSG_EXEC_PAUSED);
  if (o.processFile === undefined && o.args.length === 0) throw new UsageError('process args cannot be empty');

  const config = state.config as ContainerConfig;
  const proc = toExecProcess(o, config.spec.process);
  if (o.cgroup !== undefined && o.cgroup !== '') throw new UsageError('--cgroup: sub-cgroups are not supported by runts');
  const terminal = proc.terminal === true;
  checkTerminal({ detach: o.detach, terminal, consoleSocket: o.consoleSocket });
  checkPreservedFds(o.preserveFds);

  const join = planExecJoins(state.pid);
  const req = buildExecRequest(config, proc, {
    mode: o.detach ? 'exec-detach' : 'exec',
    join,
    preserveFds: o.preserveFds,
    groupsDenied: groupsDenied(state.pid, join),
  });

  let consoleChannel: ConsoleChannel | undefined;
  let handle: InitHandle | undefined;
  let master: number | undefined;
  // Installed before the process exists: see forward-signals.ts.
  const signals = o.detach ? undefined : forwardSignals();
  try {
    if (terminal) {
      consoleChannel = openConsoleChannel(o.consoleSocket);
      // Relaying ourselves, our window size is the pty's from the start: set after the
      // process runs (as runc does) it would race its first look at the size.
      const host = o.consoleSocket === undefined ? hostWindowSize() : undefined;
      const size = host !== undefined ? { height: host.rows, width: host.cols } : proc.consoleSize;
      req.console = { socketFd: consoleChannel.nativeFd, ...(size !== undefined ? { size } : {}) };
    }
    try {
      handle = await spawnInit(req).finally(() => consoleChannel?.closeNative());
    } catch (err) {
      // PID 1 died while we joined its namespaces: its /proc/<pid>/ns files went away.
      if (!isAlive(state.pid, state.initStartTime)) throw new StateError(MSG_EXEC_STOPPED, { cause: err });
      throw new RuntimeError('unable to start container process', { cause: err });
    }
    const pid = handle.initPid;
    debug('exec process is pid %d', pid);
    // The namespaces we joined were PID 1's only if it is still the process the state
    // names: checked after the joins, since a pid can be reused but not given back.
    if (!isAlive(state.pid, state.initStartTime)) throw new StateError(MSG_EXEC_STOPPED);
    try {
      CgroupManager.fromPaths(state.cgroupPaths).apply(pid);
    } catch (err) {
      throw new RuntimeError(`unable to start container process: error adding pid ${pid} to cgroups`, { cause: err });
    }
    try {
      await handle.go();
      // runc's exec hands the agent the new process' listener with the state "running".
      const agent = toAgentHandover(config.spec.linux?.seccomp);
      if (agent !== undefined) await handle.seccompListener((p, fd) => handOverListener(agent, p, fd, hookStateJson(state, 'running')));
      await handle.ready();
    } catch (err) {
      throw new RuntimeError('unable to start container process', { cause: err });
    }
    if (terminal && o.consoleSocket === undefined) master = consoleChannel!.receive();
    if (o.pidFile !== undefined) writePidFile(o.pidFile, pid);
  } catch (err) {
    signals?.stop();
    handle?.kill();
    handle?.close();
    await handle?.exited.catch(() => undefined);
    if (master !== undefined) fs.closeSync(master);
    throw err;
  } finally {
    consoleChannel?.close();
  }

  const h = handle;
  if (o.detach) {
    h.close();
    // [0:PARENT] leaves as soon as the process is ready; reaping it keeps no zombie.
    await h.exited.catch(() => undefined);
    return 0;
  }
  return foreground(h, master, signals!);
}

async function foreground(h: InitHandle, master: number | undefined, signals: SignalForwarder): Promise<number> {
  signals.target(h.initPid, { ownTerminal: master !== undefined });
  let relay: TerminalRelay | undefined;
  try {
    if (master !== undefined) relay = relayTerminal(master);
    return await h.exited;
  } finally {
    await relay?.finish();
    signals.stop();
    h.close();
  }
}
