// Owns: the client daemons' lifetime in tests (containerd, dockerd): start one on a unix
// socket under the test's temp dir, wait until it answers, and stop it by PID at the
// end, even when the test failed; then unmount whatever it left under its dirs.
// Runs in: test.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';

export interface Daemon {
  pid: number;
  /** the daemon's stdout+stderr, for failure messages */
  logFile: string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone */
  stop(graceMs?: number): Promise<void>;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Starts `cmd args` detached (own process group), stdio to `logFile`, and waits for `ready`. */
export async function startDaemon(cmd: string, args: readonly string[], logFile: string, ready: () => boolean, timeoutMs = 30_000): Promise<Daemon> {
  const out = fs.openSync(logFile, 'a');
  const child = spawn(cmd, args, { stdio: ['ignore', out, out], detached: true });
  fs.closeSync(out);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${cmd}: spawn failed`);
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  const daemon: Daemon = {
    pid,
    logFile,
    async stop(graceMs = 15_000) {
      if (exited) return;
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        return;
      }
      const deadline = Date.now() + graceMs;
      while (!exited && alive(pid) && Date.now() < deadline) await sleep(50);
      if (!exited && alive(pid)) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          /* gone */
        }
        while (!exited && alive(pid)) await sleep(20);
      }
    },
  };
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (exited) throw new Error(`${cmd} exited during startup:\n${tail(logFile)}`);
    if (Date.now() > deadline) {
      await daemon.stop(2_000);
      throw new Error(`${cmd} not ready after ${timeoutMs} ms:\n${tail(logFile)}`);
    }
    await sleep(100);
  }
  return daemon;
}

/** The last lines of a log, for assertion messages. */
export function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Mount points at or below `dir`, deepest first (as /proc/self/mountinfo lists them). */
export function mountsUnder(dir: string): string[] {
  const prefix = path.resolve(dir);
  const points = fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (l.split(' ')[4] ?? '').replace(/\\040/g, ' '))
    .filter((p) => p === prefix || p.startsWith(`${prefix}/`));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/** Lazily unmounts everything below `dir` (daemons killed mid-way leave shm/overlay/netns mounts). */
export function unmountUnder(dir: string): void {
  for (let round = 0; round < 5; round++) {
    const points = mountsUnder(dir);
    if (points.length === 0) return;
    for (const p of points) spawnSync('umount', ['-l', p], { stdio: 'ignore' });
  }
}

/** Process ids whose command line mentions `needle` (e.g. a temp dir): stray shims, conmons. */
export function processesMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${e}/cmdline`, 'utf8').includes(needle)) pids.push(Number(e));
    } catch {
      /* exited */
    }
  }
  return pids;
}

/** SIGKILLs every process mentioning `needle`; the last resort of a cleanup. */
export function killMentioning(needle: string): void {
  for (const pid of processesMentioning(needle)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

/** A dir that did not exist before the test and is removed after it, if the test created it. */
export function removeIfCreated(dir: string, existedBefore: boolean): void {
  if (!existedBefore) fs.rmSync(dir, { recursive: true, force: true });
}
