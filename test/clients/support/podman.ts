// Owns: podman 4.3 (+ conmon) driving bin/runts in tests: one temp dir holding podman's
// storage, run root, tmpdir, containers.conf, event log and both runtimes' --root; the
// podman command line; and the "nothing left behind" checks (containers, cgroups named
// after a container, runtime state, mounts, conmons, dirs podman makes outside the temp
// dir). Runs in: test.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { RUNTS_BIN } from '../../support/runts';
import { cgroupDirsMatching } from '../../support/leftovers';
import { killMentioning, mountsUnder, processesMentioning, removeIfCreated, unmountUnder } from './daemon';

export type Runtime = 'runts' | 'runc';

export interface PodmanResult {
  status: number;
  stdout: string;
  stderr: string;
}

export interface PodmanCallOptions {
  runtime?: Runtime;
  /** a containers.conf other than the file's default one */
  conf?: string;
  timeoutMs?: number;
}

export interface PodmanEnv {
  tmp: string;
  /** the --root podman's runts calls use (the wrapper adds it) */
  runtsRoot: string;
  runcRoot: string;
  /** containers.conf that lists runts among the runtimes that speak --log-format json */
  conf: string;
  /** same, without runts in runtime_supports_json: podman then shows runts' stderr as is */
  textConf: string;
  podman(args: readonly string[], opts?: PodmanCallOptions): PodmanResult;
}

/**
 * Dirs podman/conmon/c-image may create outside every flag we give it (the blob info
 * cache goes to /var/lib/containers/cache whatever --root says, the default tmpdir is
 * /run/libpod, CNI writes its default config to /etc/cni/net.d, a runtime called
 * without --root uses /run/<name>).
 */
export const OUTSIDE_DIRS = [
  '/run/containers',
  '/run/libpod',
  '/run/runts',
  '/run/cni',
  '/run/netns',
  '/var/lib/containers',
  '/var/lib/cni',
  '/etc/cni/net.d',
  '/etc/cni',
  '/root/.config/containers',
  '/root/.local/share/containers',
  // podman's cgroupfs parent, with conmon's cgroup below it
  ...cgroupHierarchies().map((h) => path.join(h, 'libpod_parent')),
];

export type OutsideSnapshot = Map<string, boolean>;

export function snapshotOutside(): OutsideSnapshot {
  return new Map(OUTSIDE_DIRS.map((d) => [d, fs.existsSync(d)]));
}

/** Dirs of OUTSIDE_DIRS that exist now but did not before. */
export function createdOutside(before: OutsideSnapshot): string[] {
  return [...before].filter(([d, existed]) => !existed && fs.existsSync(d)).map(([d]) => d);
}

/** Removes what podman created outside the temp dir (cgroups bottom-up with rmdir). */
export function removeCreatedOutside(before: OutsideSnapshot): void {
  for (const d of createdOutside(before)) {
    if (d.startsWith('/sys/fs/cgroup/')) removeCgroupTree(d);
    // The wrappers always pass --root: anything in /run/runts is not podman's (another
    // test's runts without --root) and must not be swept away; the check reports it.
    else if (d === '/run/runts') removeEmptyDir(d);
    else removeIfCreated(d, false);
  }
}

function removeEmptyDir(dir: string): void {
  try {
    fs.rmdirSync(dir);
  } catch {
    /* not empty */
  }
}

function cgroupHierarchies(): string[] {
  const out: string[] = [];
  let entries: fs.Dirent[] = [];
  try {
    entries = fs.readdirSync('/sys/fs/cgroup', { withFileTypes: true });
  } catch {
    return out;
  }
  // Real dirs only: v1 links such as cpu -> cpu,cpuacct would name a cgroup twice.
  for (const e of entries) if (e.isDirectory()) out.push(path.join('/sys/fs/cgroup', e.name));
  return out;
}

/** cgroup dirs whose name contains `id`: podman names them libpod-<id>. */
export function cgroupsNamed(id: string): string[] {
  return cgroupDirsMatching((name) => name.includes(id));
}

function removeCgroupTree(dir: string): void {
  let entries: fs.Dirent[] = [];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) if (e.isDirectory()) removeCgroupTree(path.join(dir, e.name));
  try {
    fs.rmdirSync(dir);
  } catch {
    /* still populated: reported by the leftover checks */
  }
}

/**
 * The host dir of `pid`'s cgroup for `controller`, read from /proc/<pid>/cgroup: the v1
 * hierarchy that carries the controller, else the unified one (cgroup v2 machines).
 */
export function cgroupDirOf(pid: number, controller: string): { dir: string; v2: boolean } {
  let unified: string | undefined;
  for (const line of fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n')) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    const controllers = line.slice(first + 1, second);
    const rel = line.slice(second + 1);
    if (controllers === '') unified = rel;
    else if (controllers.split(',').includes(controller)) {
      const hierarchy = cgroupHierarchies().find((h) => path.basename(h).split(',').includes(controller));
      if (hierarchy !== undefined) return { dir: path.join(hierarchy, rel), v2: false };
    }
  }
  const mount = fs.existsSync('/sys/fs/cgroup/cgroup.controllers') ? '/sys/fs/cgroup' : '/sys/fs/cgroup/unified';
  if (unified !== undefined) return { dir: path.join(mount, unified), v2: true };
  throw new Error(`no ${controller} cgroup for pid ${pid}`);
}

/** Every container id podman's event log has seen (created, even when the create failed). */
export function containerIdsSeen(env: PodmanEnv): string[] {
  const ids = new Set<string>();
  let text = '';
  try {
    text = fs.readFileSync(path.join(env.tmp, 'events.log'), 'utf8');
  } catch {
    return [];
  }
  for (const line of text.split('\n')) {
    if (line === '') continue;
    try {
      const e = JSON.parse(line) as { Type?: string; ID?: string };
      if (e.Type === 'container' && typeof e.ID === 'string' && e.ID !== '') ids.add(e.ID);
    } catch {
      /* a line being written */
    }
  }
  return [...ids];
}

function writeConf(file: string, tmp: string, jsonRuntimes: readonly string[]): void {
  fs.writeFileSync(
    file,
    [
      '[containers]',
      // No CAP_SYS_RESOURCE on the test machines: podman's default (host maximum) nofile
      // and nproc limits cannot be raised to, with runc either.
      'default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]',
      '[engine]',
      `events_logfile_path = "${path.join(tmp, 'events.log')}"`,
      `runtime_supports_json = [${jsonRuntimes.map((r) => `"${r}"`).join(', ')}]`,
      '',
    ].join('\n'),
  );
}

/**
 * podman 4.3 does not hand --runtime-flag to the exit command (`podman container
 * cleanup`) that conmon runs when a container exits: that `delete --force` goes to the
 * runtime's default root and the container's state dir and cgroups stay behind (runc
 * alike). So each runtime is reached through a wrapper that always passes --root; its
 * basename stays the runtime's name, which podman keys its runtime table on.
 */
function writeWrapper(file: string, target: string, root: string): void {
  fs.writeFileSync(file, `#!/bin/sh\nexec '${target}' --root '${root}' "$@"\n`, { mode: 0o755 });
}

export function makePodmanEnv(): PodmanEnv {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'runts-podman-'));
  const runtsRoot = path.join(tmp, 'runts-root');
  const runcRoot = path.join(tmp, 'runc-root');
  const bin = path.join(tmp, 'bin');
  for (const d of [runtsRoot, runcRoot, bin, path.join(tmp, 'tmp')]) fs.mkdirSync(d, { recursive: true });
  writeWrapper(path.join(bin, 'runts'), RUNTS_BIN, runtsRoot);
  writeWrapper(path.join(bin, 'runc'), '/usr/bin/runc', runcRoot);
  const conf = path.join(tmp, 'containers.conf');
  const textConf = path.join(tmp, 'containers-text.conf');
  writeConf(conf, tmp, ['crun', 'runc', 'runts']);
  writeConf(textConf, tmp, ['crun', 'runc']);
  const podman = (args: readonly string[], opts: PodmanCallOptions = {}): PodmanResult => {
    const global = [
      '--root', path.join(tmp, 'storage'),
      '--runroot', path.join(tmp, 'run'),
      '--tmpdir', path.join(tmp, 'libpod-tmp'),
      '--storage-driver', 'vfs',
      '--cgroup-manager', 'cgroupfs',
      '--events-backend', 'file',
      '--runtime', path.join(bin, opts.runtime ?? 'runts'),
    ];
    const r = spawnSync('podman', [...global, ...args], {
      encoding: 'utf8',
      input: '',
      timeout: opts.timeoutMs ?? 60_000,
      // TMPDIR: `podman load` stages the archive in /var/tmp otherwise.
      env: { ...process.env, CONTAINERS_CONF: opts.conf ?? conf, TMPDIR: path.join(tmp, 'tmp') },
    });
    if (r.error !== undefined) throw r.error;
    return { status: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
  };
  return { tmp, runtsRoot, runcRoot, conf, textConf, podman };
}

/** What is still there after a scenario; empty means clean. */
export function podmanLeftovers(env: PodmanEnv): string[] {
  const out: string[] = [];
  for (const runtime of ['runts', 'runc'] as const) {
    const ps = env.podman(['ps', '-a', '-q', '--no-trunc'], { runtime });
    if (ps.status !== 0) out.push(`podman ps failed: ${ps.stderr}`);
    else if (ps.stdout.trim() !== '') out.push(`containers: ${ps.stdout.trim().split('\n').join(' ')}`);
  }
  for (const id of containerIdsSeen(env)) out.push(...cgroupsNamed(id).map((c) => `cgroup ${c}`));
  for (const root of [env.runtsRoot, env.runcRoot]) {
    for (const e of fs.readdirSync(root)) out.push(`runtime state ${path.join(root, e)}`);
  }
  out.push(...mountsUnder(env.tmp).map((m) => `mount ${m}`));
  return out;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * conmon runs `podman container cleanup` after the container exits, which may still be
 * running when `podman run --rm` returns: wait for conmons and cleanups to go.
 */
export async function waitNoProcesses(env: PodmanEnv, timeoutMs = 15_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let left = processesMentioning(env.tmp);
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(100);
    left = processesMentioning(env.tmp);
  }
  return left;
}

function runtimeDeleteAll(bin: string, root: string): void {
  let ids: string[] = [];
  try {
    ids = fs.readdirSync(root);
  } catch {
    return;
  }
  for (const id of ids) spawnSync(bin, ['--root', root, 'delete', '--force', id], { stdio: 'ignore', timeout: 15_000 });
}

/**
 * Best-effort teardown, safe to run twice: containers, runtime state, processes and
 * mounts under the temp dir, cgroups of every container the event log names, then the
 * temp dir itself.
 */
export function destroyPodmanEnv(env: PodmanEnv): void {
  if (!fs.existsSync(env.tmp)) return;
  const ids = containerIdsSeen(env);
  for (const runtime of ['runts', 'runc'] as const) {
    try {
      env.podman(['rm', '-a', '-f', '-t', '0'], { runtime, timeoutMs: 30_000 });
    } catch {
      /* podman hung or missing: the steps below still run */
    }
  }
  runtimeDeleteAll(RUNTS_BIN, env.runtsRoot);
  runtimeDeleteAll('/usr/bin/runc', env.runcRoot);
  killMentioning(env.tmp);
  unmountUnder(env.tmp);
  for (const id of ids) for (const c of cgroupsNamed(id)) removeCgroupTree(c);
  fs.rmSync(env.tmp, { recursive: true, force: true });
}
