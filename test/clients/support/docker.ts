// Owns: one dockerd 20.10 for the docker client tests, started with bin/runts as an
// extra runtime and everything (data, exec root, socket, runtime --root) under one temp
// dir; the /usr/bin/docker client bound to its socket; the "nothing left behind" checks
// for a container and for the daemon as a whole. Runs in: test.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { startDaemon, mountsUnder, unmountUnder, processesMentioning, killMentioning, tail, type Daemon } from './daemon';
import { buildImage, IMAGE_REF } from './image';
import { leftovers } from '../../support/leftovers';
import { RUNTS_BIN } from '../../support/runts';

/** The 20.10 client that matches the daemon (/usr/local/bin/docker is a 28.x client). */
export const DOCKER_CLIENT = '/usr/bin/docker';
const DOCKERD = '/usr/sbin/dockerd';

export interface DockerResult {
  status: number;
  stdout: string;
  stderr: string;
  /** wall time of the client call, for "returned well before the timeout" checks only */
  ms: number;
}

export interface DockerEnv {
  tmp: string;
  sock: string;
  execRoot: string;
  daemon: Daemon;
  image: string;
  /**
   * The --root the shim hands runts: dockerd 20.10 gives every runtime of its own
   * (also --add-runtime ones) `<exec-root>/runtime-runc`, and the shim appends the
   * containerd namespace.
   */
  runtimeRoot: string;
  docker(args: readonly string[], opts?: { timeoutMs?: number; input?: string }): DockerResult;
  /** `docker ...` inside `script` so that the client has a terminal (for -t) */
  dockerTty(args: readonly string[], timeoutMs?: number): DockerResult;
  /** stops dockerd and removes everything it made; returns the problems it found */
  teardown(): Promise<string[]>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Single-quotes for `script -c`, which hands its command to a shell. */
const shQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

function runClient(cmd: string, args: readonly string[], timeoutMs: number, input: string | undefined): DockerResult {
  const start = Date.now();
  const r = spawnSync(cmd, args, { input: input ?? '', encoding: 'utf8', timeout: timeoutMs, stdio: ['pipe', 'pipe', 'pipe'] });
  const ms = Date.now() - start;
  if (r.error !== undefined && r.status === null && r.signal === null) throw r.error;
  const status = r.status ?? 128 + (r.signal === null ? 0 : os.constants.signals[r.signal]);
  return { status, stdout: r.stdout, stderr: r.stderr, ms };
}

/** Top-level entries of the host dirs where dockerd keeps files when not told otherwise. */
const HOST_DIRS = ['/run', '/etc', '/var/lib'];
function hostEntries(): Set<string> {
  const out = new Set<string>();
  for (const d of HOST_DIRS) {
    try {
      for (const e of fs.readdirSync(d)) out.add(path.join(d, e));
    } catch {
      /* absent */
    }
  }
  return out;
}

/** dockerd 20.10 writes its libtrust identity here whatever --data-root says (no flag moves it). */
const TRUST_KEY = '/etc/docker/key.json';

/** The opt plugin's default dir: dockerd's own containerd makes it (its config is dockerd's to write). */
const CONTAINERD_OPT = '/opt/containerd';

/** containerd's fixed dirs (deepest first), used by dockerd's own containerd too. */
const SHIM_DIRS = ['/run/containerd/s', '/run/containerd'];

/** The cgroup parents dockerd's cgroupsPath (/docker/<id>) makes the runtime create. */
function dockerCgroupParents(): string[] {
  const out: string[] = [];
  for (const h of fs.readdirSync('/sys/fs/cgroup')) {
    const p = path.join('/sys/fs/cgroup', h, 'docker');
    try {
      if (!fs.lstatSync(path.join('/sys/fs/cgroup', h)).isSymbolicLink() && fs.statSync(p).isDirectory()) out.push(p);
    } catch {
      /* not there */
    }
  }
  return out;
}

/** Starts dockerd under a fresh temp dir and loads the busybox image into it. */
export async function startDocker(): Promise<DockerEnv> {
  const before = hostEntries();
  const cgroupsBefore = new Set(dockerCgroupParents());
  // dockerd's containerd puts shim sockets in /run/containerd/s whatever its root is
  const shimDirsBefore = new Map(SHIM_DIRS.map((d) => [d, fs.existsSync(d)]));
  const trustKeyBefore = fs.existsSync(TRUST_KEY);
  const optBefore = fs.existsSync(CONTAINERD_OPT);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'runts-docker-'));
  const sock = path.join(tmp, 'docker.sock');
  const execRoot = path.join(tmp, 'exec');
  const host = ['-H', `unix://${sock}`];
  const docker = (args: readonly string[], opts: { timeoutMs?: number; input?: string } = {}): DockerResult =>
    runClient(DOCKER_CLIENT, [...host, ...args], opts.timeoutMs ?? 60_000, opts.input);
  const dockerTty = (args: readonly string[], timeoutMs = 60_000): DockerResult =>
    runClient('script', ['-qec', [DOCKER_CLIENT, ...host, ...args].map(shQuote).join(' '), '/dev/null'], timeoutMs, undefined);

  let daemon: Daemon | undefined;
  const teardown = async (): Promise<string[]> => {
    const problems: string[] = [];
    if (daemon !== undefined) {
      // Whatever a failed scenario left: the daemon stops running containers on
      // SIGTERM, but removing them first lets the shims exit normally.
      const ids = docker(['ps', '-aq'], { timeoutMs: 20_000 }).stdout.split('\n').filter((s) => s !== '');
      if (ids.length > 0) {
        problems.push(`containers left at teardown: ${ids.join(' ')}`);
        docker(['rm', '-f', ...ids], { timeoutMs: 30_000 });
      }
      await daemon.stop(20_000);
      // dockerd stops its containerd; the shims exit once their tasks are gone.
      const deadline = Date.now() + 10_000;
      while (processesMentioning(tmp).length > 0 && Date.now() < deadline) await sleep(100);
      const stray = processesMentioning(tmp);
      if (stray.length > 0) problems.push(`processes left after dockerd stopped: ${stray.map((p) => `${p} ${cmdline(p)}`).join('; ')}`);
    }
    killMentioning(tmp);
    const mounts = mountsUnder(tmp);
    // dockerd binds its data root onto itself and may leave netns/shm mounts: those are
    // its own habits, not a runts leak, so they are unmounted without complaint.
    unmountUnder(tmp);
    const still = mountsUnder(tmp);
    if (still.length > 0) problems.push(`mounts that would not go: ${still.join(' ')}`);
    fs.rmSync(tmp, { recursive: true, force: true });
    for (const e of hostEntries()) {
      if (before.has(e)) continue;
      // Only dockerd's names: other client tests may run beside this one and create
      // theirs (/run/containerd, /run/libpod ...) meanwhile.
      if (/^docker/.test(path.basename(e))) fs.rmSync(e, { recursive: true, force: true });
    }
    if (!trustKeyBefore) fs.rmSync(TRUST_KEY, { force: true });
    // rmdir only: the opt plugin makes empty bin/ and lib/ and nothing else here
    if (!optBefore) {
      for (const d of [`${CONTAINERD_OPT}/bin`, `${CONTAINERD_OPT}/lib`, CONTAINERD_OPT]) {
        try {
          fs.rmdirSync(d);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') problems.push(`${d} (made by dockerd's containerd) not removable: ${(err as Error).message}`);
        }
      }
    }
    // emptied by the shims on exit: rmdir only (the client tier runs one file at a time)
    for (const d of SHIM_DIRS) {
      if (shimDirsBefore.get(d) !== false) continue;
      try {
        fs.rmdirSync(d);
      } catch (err) {
        problems.push(`${d} (made by dockerd's containerd) not removable: ${(err as Error).message}`);
      }
    }
    for (const c of dockerCgroupParents()) {
      if (cgroupsBefore.has(c)) continue;
      try {
        fs.rmdirSync(c);
      } catch (err) {
        problems.push(`cgroup ${c} not removable: ${(err as Error).message}`);
      }
    }
    if (mounts.length > 0 && process.env['RUNTS_DEBUG_DOCKER'] === '1') problems.push(`(info) unmounted: ${mounts.join(' ')}`);
    return problems;
  };

  try {
    const pidfile = path.join(tmp, 'docker.pid');
    daemon = await startDaemon(
      DOCKERD,
      [
        '--data-root', path.join(tmp, 'data'),
        '--exec-root', execRoot,
        '-H', `unix://${sock}`,
        '--pidfile', pidfile,
        '--iptables=false', '--ip6tables=false', '--bridge=none',
        '--storage-driver', 'vfs',
        '--add-runtime', `runts=${RUNTS_BIN}`,
      ],
      path.join(tmp, 'dockerd.log'),
      () => fs.existsSync(sock) && docker(['version'], { timeoutMs: 10_000 }).status === 0,
      60_000,
    );
    const imgDir = path.join(tmp, 'image');
    fs.mkdirSync(imgDir);
    const img = buildImage(imgDir);
    const load = docker(['load', '-i', img.tar], { timeoutMs: 120_000 });
    if (load.status !== 0) throw new Error(`docker load failed: ${load.stderr}\n${tail(path.join(tmp, 'dockerd.log'))}`);
    fs.rmSync(imgDir, { recursive: true, force: true });
    return { tmp, sock, execRoot, daemon, image: IMAGE_REF, runtimeRoot: path.join(execRoot, 'runtime-runc', 'moby'), docker, dockerTty, teardown };
  } catch (err) {
    await teardown();
    throw err;
  }
}

function cmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '(gone)';
  }
}

/**
 * What is left of container `id` in `env`: a docker container, runts state under the
 * shim's --root, cgroups, mounts and processes named after it. Polls briefly, since the
 * shim and containerd finish their cleanup after the client returned.
 */
export async function containerLeftovers(env: DockerEnv, id: string, timeoutMs = 10_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found: string[] = [];
    const ps = env.docker(['ps', '-aq', '--no-trunc']);
    const listed = ps.stdout.split('\n').filter((s) => s !== '');
    if (ps.status !== 0) found.push(`docker ps failed: ${ps.stderr}`);
    if (listed.length > 0) found.push(`docker ps -a lists ${listed.join(' ')}`);
    let states: string[] = [];
    try {
      states = fs.readdirSync(env.runtimeRoot);
    } catch {
      /* the shim creates it on first use */
    }
    if (states.length > 0) found.push(`runts state under ${env.runtimeRoot}: ${states.join(' ')}`);
    if (id !== '') found.push(...leftovers(env.runtimeRoot, id));
    if (found.length === 0 || Date.now() > deadline) return [...new Set(found)];
    await sleep(200);
  }
}

/** The bundle containerd wrote for `id` under dockerd's exec root (while the task exists). */
export function bundleDir(env: DockerEnv, id: string): string {
  return path.join(env.execRoot, 'containerd', 'daemon', 'io.containerd.runtime.v2.task', 'moby', id);
}
