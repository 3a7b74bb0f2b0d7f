// Owns: starting dist/native/runts-init and driving the CLI's side of the sync protocol
// up to SYNC_PID; the handle then gives "go", "ready", the exit status and a kill.
// Runs in: cli.
//
// fd layout of the native process (TS decides every number, the bootstrap carries them):
//   0-2                stdio (inherited, or what the caller gives)
//   3 .. 3+n-1         --preserve-fds: the CLI's own fds 3.. at the same numbers, so the
//                      container process finds them where its caller put them
//   3+n                sync socket         (argv)
//   3+n+1              log socket          (argv)
//   then, each only when the request has it, in this order:
//                      exec.fifo, O_PATH   (ATTR_EXEC_FIFO_FD; create, run)
//                      setup's socket      (ATTR_SETUP_FD; becomes setup's fd 3; create, run)
//                      console socket      (ATTR_CONSOLE_SOCKET_FD; process.terminal)
// child_process.spawn's stdio array dup2s each entry to its index in the child, which
// also clears close-on-exec there; nothing else reaches the native process.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { constants as osConstants } from 'node:os';
import { ChildError, RuntimeError } from '../errors';
import { debugFor } from '../log';
import { closeFd, socketPair } from '../sys/socket';
import { CLONE_NEW, encodeBootstrap, isJoinMode, type InitRequest, type NativeFds } from './bootstrap';
import { writeIdMaps } from './idmap';
import { forwardLogFd, type LogSink } from './log-forward';
import { SYNC_BOOTSTRAP, SYNC_GO, SYNC_PID, SYNC_READY, SYNC_SECCOMP_ACK, SYNC_SECCOMP_PLS, SYNC_USERMAP_ACK, SYNC_USERMAP_PLS, syncName } from './proto';
import { readU32, SyncClosedError, SyncEndpoint } from './sync';

export type { InitRequest } from './bootstrap';

const debug = debugFor('process');
const O_PATH = 0o10000000;

export interface InitHandle {
  /** host pid of [0:PARENT], the process spawn() started */
  parentPid: number;
  /** host pid of the container's PID 1 */
  initPid: number;
  /** send SYNC_GO (after the cgroup join); rejects with ChildError when runts-init is gone */
  go(): Promise<void>;
  /** resolves on SYNC_READY; rejects with ChildError on SYNC_ERROR or an early exit */
  ready(): Promise<void>;
  /**
   * Before ready(), when the seccomp filter has SECCOMP_FILTER_FLAG_NEW_LISTENER: take
   * SYNC_SECCOMP_PLS, let `hand` pass on init's listener (its pid, the fd number there),
   * then answer SYNC_SECCOMP_ACK
   */
  seccompListener(hand: (pid: number, fd: number) => void | Promise<void>): Promise<void>;
  /** [0:PARENT]'s exit status (run mode: the container's, 128+n when killed by signal n) */
  exited: Promise<number>;
  /** resolves once every native stage has closed the log socket */
  logsDone: Promise<void>;
  /** SIGKILL init and the parent (cleanup after a failed create) */
  kill(): void;
  /** drop our ends of the sockets (the processes are left alone) */
  close(): void;
}

export type StdioEntry = 'inherit' | 'ignore' | number;

export interface SpawnInitOptions {
  initPath?: string;
  /** stdio of the native process and so of the container (default: inherited) */
  stdio?: [StdioEntry, StdioEntry, StdioEntry];
  /** where native log lines go (default: src/log.ts) */
  logSink?: LogSink;
}

/** dist/native/runts-init, from dist/src/process/spawn-native.js. */
export function initBinaryPath(): string {
  return path.resolve(__dirname, '..', '..', 'native', 'runts-init');
}

/** Exit status as runc reports it: the code, or 128 + signal number. */
function statusOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  if (signal !== null) return 128 + (osConstants.signals[signal] ?? 0);
  return 1;
}

function killQuietly(pid: number): void {
  if (pid <= 0) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // ESRCH: already gone
  }
}

/**
 * Spawn the native init for `req` and take it to SYNC_PID: namespaces joined and
 * created, id maps written. `req.setup.socketFd` and `req.console.socketFd` stay the
 * caller's to close.
 */
export async function spawnInit(req: InitRequest, opts: SpawnInitOptions = {}): Promise<InitHandle> {
  const initPath = opts.initPath ?? initBinaryPath();
  const n = req.process.preserveFds;
  if (!Number.isInteger(n) || n < 0) throw new RuntimeError(`invalid preserve-fds count ${n}`);
  const base = 3 + n;
  const fds = { sync: base, log: base + 1 };
  const extra: NativeFds = {};
  let next = base + 2;
  if (req.execFifoPath !== undefined) extra.execFifo = next++;
  if (req.setup !== undefined) extra.setup = next++;
  if (req.console !== undefined) extra.console = next++;
  // Encode first: a request that cannot be sent must fail before anything exists.
  const bootstrap = encodeBootstrap(req, extra);
  const idMaps = (req.cloneFlags & CLONE_NEW.user) !== 0 ? req.idMaps : undefined;
  if ((req.cloneFlags & CLONE_NEW.user) !== 0 && idMaps === undefined) {
    throw new RuntimeError('a new user namespace needs idMaps');
  }

  // fds we opened and still own; whatever is left here on failure is closed.
  const owned = new Set<number>();
  let sync: SyncEndpoint | undefined;
  let logs: ReturnType<typeof forwardLogFd> | undefined;
  let child: ChildProcess | undefined;
  try {
    const [syncOurs, syncTheirs] = socketPair();
    owned.add(syncOurs).add(syncTheirs);
    const [logOurs, logTheirs] = socketPair();
    owned.add(logOurs).add(logTheirs);
    // O_PATH: opening the FIFO for real would block until `start`; init re-opens it
    // through /proc/self/fd (Node adds O_CLOEXEC).
    let fifo: number | undefined;
    if (req.execFifoPath !== undefined) {
      fifo = fs.openSync(req.execFifoPath, O_PATH);
      owned.add(fifo);
    }

    const stdio: StdioEntry[] = [...(opts.stdio ?? ['inherit', 'inherit', 'inherit'])];
    for (let i = 0; i < n; i++) stdio.push(3 + i);
    stdio.push(syncTheirs, logTheirs);
    if (fifo !== undefined) stdio.push(fifo);
    if (req.setup !== undefined) stdio.push(req.setup.socketFd);
    if (req.console !== undefined) stdio.push(req.console.socketFd);

    const verb = isJoinMode(req.mode) ? 'join' : 'init';
    debug('spawn %s %s %d %d (preserve %d)', initPath, verb, fds.sync, fds.log, n);
    // A scrubbed environment: the native init needs none, and setup/process get theirs
    // from the bootstrap.
    child = spawn(initPath, [verb, String(fds.sync), String(fds.log)], { stdio, env: {} });
    const spawned = child;
    const exited = new Promise<number>((resolve, reject) => {
      spawned.once('exit', (code, signal) => resolve(statusOf(code, signal)));
      spawned.once('error', reject);
    });
    exited.catch(() => undefined);
    await new Promise<void>((resolve, reject) => {
      spawned.once('spawn', resolve);
      spawned.once('error', (err) => reject(new RuntimeError(`start ${initPath}`, { cause: err })));
    });

    // The child has its copies; ours must go, or EOF would never reach either side.
    for (const fd of fifo === undefined ? [syncTheirs, logTheirs] : [syncTheirs, logTheirs, fifo]) {
      owned.delete(fd);
      closeFd(fd);
    }
    owned.delete(syncOurs);
    const endpoint = SyncEndpoint.fromFd(syncOurs);
    sync = endpoint;
    owned.delete(logOurs);
    logs = forwardLogFd(logOurs, opts.logSink);

    const parentPid = spawned.pid ?? -1;
    let initPid = -1;

    /** An EOF on the sync socket means the native side died: say with which status. */
    const explain = async (err: unknown): Promise<never> => {
      if (err instanceof SyncClosedError) {
        let timer: NodeJS.Timeout | undefined;
        const status = await Promise.race([
          exited.catch(() => undefined),
          new Promise<undefined>((r) => (timer = setTimeout(r, 2000, undefined))),
        ]);
        clearTimeout(timer);
        const how = status === undefined ? 'closed the sync socket' : `exited with status ${status}`;
        throw new ChildError('parent', 0, `runts-init ${how} before ${syncName(err.expected)}`, { cause: err });
      }
      throw err;
    };

    try {
      await endpoint.send(SYNC_BOOTSTRAP, bootstrap);
      if (idMaps !== undefined) {
        const childPid = readU32(await endpoint.expect(SYNC_USERMAP_PLS), 'SYNC_USERMAP_PLS');
        debug('write id maps for pid %d', childPid);
        try {
          writeIdMaps(childPid, idMaps);
        } catch (err) {
          throw new RuntimeError(`write the id maps of pid ${childPid}`, { cause: err });
        }
        await endpoint.send(SYNC_USERMAP_ACK);
      }
      initPid = readU32(await endpoint.expect(SYNC_PID), 'SYNC_PID');
    } catch (err) {
      await explain(err);
    }
    debug('init pid %d', initPid);

    const logsDone = logs.done;
    const closeLogs = logs.close;
    return {
      parentPid,
      initPid,
      exited,
      logsDone,
      go: async () => {
        try {
          await endpoint.send(SYNC_GO);
        } catch (err) {
          await explain(err);
        }
      },
      seccompListener: async (hand) => {
        try {
          const fd = readU32(await endpoint.expect(SYNC_SECCOMP_PLS), 'SYNC_SECCOMP_PLS');
          await hand(initPid, fd);
          await endpoint.send(SYNC_SECCOMP_ACK);
        } catch (err) {
          await explain(err);
        }
      },
      ready: async () => {
        try {
          await endpoint.expect(SYNC_READY);
        } catch (err) {
          await explain(err);
        }
      },
      kill: () => {
        killQuietly(initPid);
        killQuietly(parentPid);
      },
      close: () => {
        endpoint.close();
        closeLogs();
      },
    };
  } catch (err) {
    if (child?.pid !== undefined) killQuietly(child.pid);
    sync?.close();
    logs?.close();
    for (const fd of owned) {
      try {
        closeFd(fd);
      } catch {
        // already closed
      }
    }
    throw err;
  }
}
