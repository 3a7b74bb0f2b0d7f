// Owns: the "nothing left behind" check of every test that creates or fails to create
// a container: state dir, cgroup dirs, mounts and processes named after the id.
// Runs in: test.
import * as fs from 'node:fs';
import * as path from 'node:path';

const CGROUP_ROOT = '/sys/fs/cgroup';
const MAX_CGROUP_DEPTH = 5;

function findCgroupDirs(dir: string, match: (name: string) => boolean, depth: number, out: string[]): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    // Only real dirs: cgroup v1 links like cpu -> cpu,cpuacct would report twice.
    if (!e.isDirectory()) continue;
    const p = path.join(dir, e.name);
    if (match(e.name)) out.push(p);
    if (depth < MAX_CGROUP_DEPTH) findCgroupDirs(p, match, depth + 1, out);
  }
}

/** Cgroup dirs in every hierarchy whose name `match`es (podman names them libpod-<id>). */
export function cgroupDirsMatching(match: (name: string) => boolean): string[] {
  const out: string[] = [];
  findCgroupDirs(CGROUP_ROOT, match, 0, out);
  return out;
}

function hasSegment(p: string, id: string): boolean {
  return p.split('/').includes(id);
}

/** Unescape mountinfo's octal escapes (\040 for a space). */
function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
}

function leftoverMounts(id: string, bundle: string | undefined): string[] {
  const out: string[] = [];
  let text = '';
  try {
    text = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    if (f.length < 5) continue;
    const root = unescapeMount(f[3] ?? '');
    const point = unescapeMount(f[4] ?? '');
    const inBundle = bundle !== undefined && (point === bundle || point.startsWith(bundle + '/'));
    if (inBundle || hasSegment(point, id) || hasSegment(root, id)) out.push(`mount ${point} (root ${root})`);
  }
  return out;
}

function leftoverProcesses(id: string): string[] {
  const out: string[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    let argv: string[];
    let cgroups: string;
    try {
      argv = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
      cgroups = fs.readFileSync(`/proc/${name}/cgroup`, 'utf8');
    } catch {
      continue; // exited meanwhile, or a kernel thread
    }
    const inCgroup = cgroups.split('\n').some((l) => hasSegment(l.slice(l.indexOf(':', l.indexOf(':') + 1) + 1), id));
    if (argv.includes(id) || inCgroup) out.push(`process ${name} (${argv.join(' ')})`);
  }
  return out;
}

/**
 * Everything still present for `id`: its state dir under `root`, cgroup dirs named
 * after it, mounts under the bundle or naming it, and processes naming it (in argv or
 * their cgroup path). Empty means clean. Use ids unique enough not to match strangers.
 */
export function leftovers(root: string, id: string, bundle?: string): string[] {
  const out: string[] = [];
  const dir = path.join(root, id);
  if (id !== '' && fs.existsSync(dir)) out.push(`state dir ${dir}`);
  if (id === '') return out;
  const cgroups: string[] = [];
  findCgroupDirs(CGROUP_ROOT, (name) => name === id, 0, cgroups);
  out.push(...cgroups.map((c) => `cgroup ${c}`));
  out.push(...leftoverMounts(id, bundle === undefined ? undefined : path.resolve(bundle)));
  out.push(...leftoverProcesses(id));
  return out;
}
