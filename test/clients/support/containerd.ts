// Owns: a private containerd for the client tests (config, start, one ctr namespace, the
// busybox image) and the questions the tests ask it: tasks, containers, snapshots, shim
// sockets, bundle dirs and everything an id may leave behind. Runs in: test.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { startDaemon, type Daemon } from './daemon';
import { buildImage } from './image';
import { leftovers } from '../../support/leftovers';
import { RUNTS_BIN } from '../../support/runts';

/** containerd-shim-runc-v2 (1.6) puts every shim's ttrpc socket here, whatever the daemon's state dir. */
export const SHIM_SOCKET_DIR = '/run/containerd/s';

export interface CtrResult {
  status: number;
  stdout: string;
  stderr: string;
}

export interface CtrOptions {
  timeoutMs?: number;
}

export interface TaskInfo {
  pid: number;
  status: string;
}

export interface Containerd {
  /** the test file's temp dir; everything the daemon writes lives below it */
  tmp: string;
  sock: string;
  /** the one ctr namespace of the test file (unique, so cgroups /<ns>/<id> cannot collide) */
  ns: string;
  imageRef: string;
  daemon: Daemon;
  /** --runc-root given for runts; the shim appends the namespace */
  runtsRoot: string;
  /** --runc-root given for runc in differential runs, so runc state stays under tmp too */
  runcRoot: string;
  fifoDir: string;
  /** `ctr -a <sock> -n <ns> args...` */
  ctr(args: readonly string[], opts?: CtrOptions): CtrResult;
  /** the `ctr run` flags that select the runtime; `runc` is ctr's default binary */
  runtimeFlags(runtime: 'runts' | 'runc'): string[];
  /** the bundle the shim writes for `id` (config.json, init.pid, log.json) */
  bundleDir(id: string): string;
  shimSocket(id: string): string;
  tasks(): Map<string, TaskInfo>;
  containers(): string[];
  snapshotKeys(): string[];
  /** what is left of `id` anywhere: task, container, snapshot, shim, socket, bundle, runtime state, cgroup, mount, process */
  leftoversOf(id: string): string[];
  /** best effort, for t.after(): kill, delete task and container, force-delete runtime state */
  forget(id: string): void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function configToml(tmp: string, sock: string): string {
  return [
    'version = 2',
    `root = "${tmp}/root"`,
    `state = "${tmp}/state"`,
    // cri would start CNI and its own streaming server: nothing the tests need.
    'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
    '[grpc]',
    `  address = "${sock}"`,
    '[debug]',
    '  address = ""',
    '[metrics]',
    '  address = ""',
    // Its default is /opt/containerd, a host dir the test would otherwise create.
    '[plugins."io.containerd.internal.v1.opt"]',
    `  path = "${tmp}/opt"`,
    '',
  ].join('\n');
}

/** Starts containerd on a socket under `tmp` and imports the busybox image into a fresh namespace. */
export async function startContainerd(tmp: string): Promise<Containerd> {
  const sock = path.join(tmp, 'containerd.sock');
  const ns = `runts-${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
  const config = path.join(tmp, 'config.toml');
  fs.writeFileSync(config, configToml(tmp, sock));
  const runtsRoot = path.join(tmp, 'runts-root');
  const runcRoot = path.join(tmp, 'runc-root');
  const fifoDir = path.join(tmp, 'fifo');
  for (const d of [runtsRoot, runcRoot, fifoDir]) fs.mkdirSync(d, { recursive: true });

  const ctr = (args: readonly string[], opts: CtrOptions = {}): CtrResult => {
    const r = spawnSync('ctr', ['-a', sock, '-n', ns, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: opts.timeoutMs ?? 60_000,
      killSignal: 'SIGKILL',
    });
    if (r.error !== undefined && r.status === null && r.signal === null) throw r.error;
    return { status: r.status ?? 128 + 9, stdout: r.stdout, stderr: r.stderr };
  };
  const answers = (): boolean => fs.existsSync(sock) && spawnSync('ctr', ['-a', sock, 'version'], { stdio: 'ignore', timeout: 5_000 }).status === 0;
  const daemon = await startDaemon('containerd', ['--config', config], path.join(tmp, 'containerd.log'), answers);

  let image: ReturnType<typeof buildImage>;
  try {
    image = buildImage(path.join(tmp, 'image'));
    const imported = ctr(['image', 'import', image.tar]);
    if (imported.status !== 0) throw new Error(`ctr image import failed: ${imported.stderr}`);
  } catch (err) {
    await daemon.stop();
    throw err;
  }

  const stateDir = path.join(tmp, 'state', 'io.containerd.runtime.v2.task', ns);
  const table = (args: string[]): string[][] =>
    ctr(args)
      .stdout.split('\n')
      .slice(1)
      .filter((l) => l.trim() !== '')
      .map((l) => l.trim().split(/\s+/));

  const cd: Containerd = {
    tmp,
    sock,
    ns,
    imageRef: image.ref,
    daemon,
    runtsRoot,
    runcRoot,
    fifoDir,
    ctr,
    runtimeFlags(runtime) {
      return runtime === 'runts' ? ['--runc-binary', RUNTS_BIN, '--runc-root', runtsRoot] : ['--runc-root', runcRoot];
    },
    bundleDir: (id) => path.join(stateDir, id),
    // containerd 1.6 runtime/v2/shim/util.go SocketAddress: sha256(<grpc address>/<ns>/<id>).
    shimSocket: (id) => path.join(SHIM_SOCKET_DIR, crypto.createHash('sha256').update(path.join(sock, ns, id)).digest('hex')),
    tasks() {
      const out = new Map<string, TaskInfo>();
      for (const [id, pid, status] of table(['task', 'ls'])) if (id !== undefined) out.set(id, { pid: Number(pid), status: status ?? '' });
      return out;
    },
    containers: () => table(['container', 'ls']).map((r) => r[0] ?? ''),
    snapshotKeys: () => table(['snapshots', 'ls']).map((r) => r[0] ?? ''),
    leftoversOf(id) {
      const out: string[] = [];
      if (cd.tasks().has(id)) out.push(`task ${id}`);
      if (cd.containers().includes(id)) out.push(`container ${id}`);
      if (cd.snapshotKeys().includes(id)) out.push(`snapshot ${id}`);
      if (fs.existsSync(cd.shimSocket(id))) out.push(`shim socket ${cd.shimSocket(id)}`);
      if (fs.existsSync(cd.bundleDir(id))) out.push(`bundle ${cd.bundleDir(id)}`);
      // leftovers() also finds shims (their argv names the id), cgroups and mounts.
      out.push(...leftovers(path.join(runtsRoot, ns), id, cd.bundleDir(id)));
      if (fs.existsSync(path.join(runcRoot, ns, id))) out.push(`runc state dir ${path.join(runcRoot, ns, id)}`);
      return out;
    },
    forget(id) {
      ctr(['task', 'kill', '-s', 'SIGKILL', id], { timeoutMs: 10_000 });
      ctr(['task', 'delete', '--force', id], { timeoutMs: 20_000 });
      ctr(['container', 'delete', id], { timeoutMs: 20_000 });
      const quiet = { stdio: 'ignore', timeout: 10_000 } as const;
      spawnSync(process.execPath, [RUNTS_BIN, '--root', path.join(runtsRoot, ns), 'delete', '--force', id], quiet);
      spawnSync('runc', ['--root', path.join(runcRoot, ns), 'delete', '--force', id], quiet);
    },
  };
  return cd;
}

/**
 * Polls until `id` has left nothing behind and returns what is still there (empty when
 * clean). The shim and its `delete` cleanup exit asynchronously after ctr returns, so a
 * single look right away could see them; the deadline is generous and never a pass condition.
 */
export async function settle(cd: Containerd, id: string, timeoutMs = 15_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = cd.leftoversOf(id);
    if (left.length === 0 || Date.now() > deadline) return left;
    await sleep(200);
  }
}

/** Polls `ctr task ls` until the task has `status`; returns the last status seen. */
export async function waitTaskStatus(cd: Containerd, id: string, status: string, timeoutMs = 15_000): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = cd.tasks().get(id)?.status;
    if (seen === status || Date.now() > deadline) return seen;
    await sleep(100);
  }
}

/** The cgroup v1 directory of `pid` for `controller`, read from /proc/<pid>/cgroup. */
export function cgroupDirOf(pid: number, controller: string): string {
  for (const line of fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n')) {
    const [, controllers, p] = line.match(/^\d+:([^:]*):(.*)$/) ?? [];
    if (controllers !== undefined && p !== undefined && controllers.split(',').includes(controller)) return path.join('/sys/fs/cgroup', controller, p);
  }
  throw new Error(`pid ${pid} has no ${controller} cgroup`);
}

/** Every cgroup hierarchy's dir for the namespace (runc and runts create /<ns>/<id> and leave /<ns>). */
export function namespaceCgroups(ns: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync('/sys/fs/cgroup', { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    const d = path.join('/sys/fs/cgroup', e.name, ns);
    if (fs.existsSync(d)) out.push(d);
  }
  return out;
}

/** Single-quotes `s` for sh (script -c takes one command string). */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
