// Owns: finding out which cgroup hierarchies this host has (v1, v2, hybrid) and where
// the calling process sits in each. Pure parsers plus one reader. Runs in: cli.
//
// Hybrid hosts (v1 controllers plus a cgroup2 mount at /sys/fs/cgroup/unified, as
// systemd's "hybrid" layout and this machine) are handled by treating the cgroup2
// mount as one more hierarchy; a controller is managed where it is mounted.
import * as fs from 'node:fs';

export interface Hierarchy {
  kind: 'v1' | 'v2';
  /** where the hierarchy is mounted on the host */
  mountpoint: string;
  /** the mount's root within the hierarchy (mountinfo field 4), '/' on the host */
  root: string;
  /** v1: the controllers (and name=...) from the super options; v2: [] */
  controllers: string[];
}

export type CgroupMode = 'v1' | 'v2' | 'hybrid' | 'none';

export interface CgroupLayout {
  mode: CgroupMode;
  hierarchies: Hierarchy[];
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
function unescapeMountinfo(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export function parseMountinfo(text: string): Hierarchy[] {
  const out: Hierarchy[] = [];
  const seen = new Set<string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const [pre, post] = line.split(' - ');
    if (pre === undefined || post === undefined) continue;
    const f = pre.split(' ');
    const [fstype, , superOpts] = post.split(' ');
    const root = unescapeMountinfo(f[3] ?? '/');
    const mountpoint = unescapeMountinfo(f[4] ?? '');
    if (fstype === 'cgroup2') {
      if (seen.has('cgroup2')) continue;
      seen.add('cgroup2');
      out.push({ kind: 'v2', mountpoint, root, controllers: [] });
    } else if (fstype === 'cgroup') {
      const controllers = (superOpts ?? '')
        .split(',')
        .filter((o) => o !== 'rw' && o !== 'ro' && !o.startsWith('release_agent=') && o !== 'clone_children' && o !== 'noprefix' && o !== 'xattr' && o !== 'cpuset_v2_mode');
      const key = controllers.join(',');
      // A hierarchy can be mounted more than once (e.g. also inside a container's view):
      // the first mount is the host's.
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ kind: 'v1', mountpoint, root, controllers });
    }
  }
  return out;
}

export function layoutOf(hierarchies: Hierarchy[]): CgroupLayout {
  const v1 = hierarchies.some((h) => h.kind === 'v1');
  const v2 = hierarchies.some((h) => h.kind === 'v2');
  const mode: CgroupMode = v1 && v2 ? 'hybrid' : v1 ? 'v1' : v2 ? 'v2' : 'none';
  return { mode, hierarchies };
}

/** /proc/<pid>/cgroup: "4:memory:/a/b" -> key "memory"; "0::/x" -> key "" (the v2 hierarchy). */
export function parseProcCgroup(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\n')) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    m.set(line.slice(first + 1, second), line.slice(second + 1));
  }
  return m;
}

export function hierarchyKey(h: Hierarchy): string {
  return h.kind === 'v2' ? '' : h.controllers.join(',');
}

export function readLayout(mountinfoPath = '/proc/self/mountinfo'): CgroupLayout {
  return layoutOf(parseMountinfo(fs.readFileSync(mountinfoPath, 'utf8')));
}
