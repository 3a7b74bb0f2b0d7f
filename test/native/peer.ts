// Owns: helpers the native-tier tests share — a minimal InitRequest, exec fifo and
// setup socket in a tmp dir, and cleanup that kills and reaps everything a test
// spawned. Runs in: cli (tests).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { InitRequest } from '../../src/process/bootstrap';
import { spawn } from 'node:child_process';
import { initBinaryPath, type InitHandle } from '../../src/process/spawn-native';
import { SyncEndpoint } from '../../src/process/sync';
import { mkfifo } from '../../src/sys/fifo';
import { reapNoHang } from '../../src/sys/reap';
import { closeFd, socketPair } from '../../src/sys/socket';

export interface Scratch {
  dir: string;
  fifo: string;
  /** our end and setup's end of the setup socket */
  setupOurs: number;
  setupTheirs: number;
  cleanup(): void;
}

export function makeScratch(): Scratch {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runts-native-'));
  const fifo = path.join(dir, 'exec.fifo');
  mkfifo(fifo, 0o622);
  // mkfifo's mode went through the umask; init may write as another (mapped) user.
  fs.chmodSync(fifo, 0o622);
  const [setupOurs, setupTheirs] = socketPair();
  let done = false;
  return {
    dir,
    fifo,
    setupOurs,
    setupTheirs,
    cleanup() {
      if (done) return;
      done = true;
      for (const fd of [setupOurs, setupTheirs]) {
        try {
          closeFd(fd);
        } catch {
          // closed by the test already
        }
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const HOST_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** A request that runs `args` on the host filesystem with no namespaces and a no-op setup. */
export function baseRequest(s: Scratch, args: string[], over: Partial<InitRequest> = {}): InitRequest {
  return {
    mode: 'create',
    cloneFlags: 0,
    join: [],
    setup: { nodePath: '/bin/sh', script: '-c', args: ['exit 0', 'setup'], env: [HOST_PATH], socketFd: s.setupTheirs },
    process: {
      args,
      env: [HOST_PATH],
      cwd: '/',
      uid: process.getuid?.() ?? 0,
      gid: process.getgid?.() ?? 0,
      additionalGids: [],
      rlimits: [],
      noNewPrivileges: true,
      preserveFds: 0,
    },
    execFifoPath: s.fifo,
    ...over,
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Open the exec fifo for reading (what `start` does) and return the byte init wrote. */
export async function startContainer(fifo: string): Promise<string> {
  const fh = await fs.promises.open(fifo, 'r');
  try {
    const { bytesRead, buffer } = await fh.read(Buffer.alloc(1), 0, 1, null);
    return buffer.subarray(0, bytesRead).toString();
  } finally {
    await fh.close();
  }
}

/** Wait until `pid` (our adopted child, we being a subreaper) has exited; its status. */
export async function reap(pid: number, timeoutMs = 10000): Promise<number | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = reapNoHang(pid);
    if (r.state === 'exited') return r.status;
    if (r.state === 'gone') return undefined;
    if (Date.now() > deadline) {
      let where = '';
      try {
        where = ` (stat: ${fs.readFileSync(`/proc/${pid}/stat`, 'utf8').trim()}; wchan: ${fs.readFileSync(`/proc/${pid}/wchan`, 'utf8')}; sigs: ${fs.readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').filter((l) => /^Sig|^Shd/.test(l)).join(' ')})`;
      } catch {
        // gone meanwhile
      }
      throw new Error(`pid ${pid} still running after ${timeoutMs} ms${where}`);
    }
    await sleep(10);
  }
}

/** Kill and reap whatever a handle started; safe to call twice. */
export async function destroy(h: InitHandle | undefined): Promise<void> {
  if (h === undefined) return;
  h.kill();
  h.close();
  await h.exited.catch(() => undefined);
  if (h.initPid > 0) await reap(h.initPid).catch(() => undefined);
}

export function nsOf(pid: number | 'self', ns: string): string {
  return fs.readlinkSync(`/proc/${pid}/ns/${ns}`);
}

/** spawnInit's options for tests that do not look at the native stdio or logs. */
export const quiet = { stdio: ['ignore', 'ignore', 'ignore'] as ['ignore', 'ignore', 'ignore'], logSink: (): void => undefined };

/**
 * runts-init started by hand with only a sync socket (fd 3) and no log, for tests
 * whose peer speaks the raw protocol; killed and awaited when the test ends.
 */
export function rawInit(t: { after(fn: () => void | Promise<void>): void }, verb = 'init'): { sync: SyncEndpoint; exited: Promise<number | null> } {
  const [ours, theirs] = socketPair();
  const child = spawn(initBinaryPath(), [verb, '3', '-1'], { stdio: ['ignore', 'ignore', 'ignore', theirs], env: {} });
  closeFd(theirs);
  const sync = SyncEndpoint.fromFd(ours);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  t.after(async () => {
    sync.close();
    child.kill('SIGKILL');
    await exited;
  });
  return { sync, exited };
}
