// Owns: turning linux.cgroupsPath into one directory per hierarchy. Pure. Runs in: cli.
//
// runc's cgroupfs driver: an absolute cgroupsPath is taken from each hierarchy's
// root; a relative one is placed under the cgroup the runtime itself runs in; an empty
// one is the container id, relative. The systemd "slice:prefix:name" form needs --systemd-cgroup.
import * as path from 'node:path';
import { ConfigError } from '../errors';
import { hierarchyKey, type Hierarchy } from './detect';

export interface CgroupDir {
  /** 'memory', 'cpu,cpuacct', 'name=systemd', or 'unified' for the cgroup2 hierarchy */
  name: string;
  kind: 'v1' | 'v2';
  /** where the hierarchy is mounted on the host */
  mountpoint: string;
  /** absolute host path of the container's cgroup directory */
  dir: string;
  /** path inside the hierarchy, e.g. '/runts-test/abc' */
  cgroupPath: string;
}

export function isSystemdCgroupsPath(p: string): boolean {
  return !p.startsWith('/') && p.split(':').length === 3;
}

export function planCgroupDirs(
  hierarchies: readonly Hierarchy[],
  ownCgroups: ReadonlyMap<string, string>,
  cgroupsPath: string | undefined,
  id: string,
): CgroupDir[] {
  // runc: an empty cgroupsPath is the container id, relative like any other relative
  // path, so a runtime started inside a cgroup (a shim's) nests its containers there.
  const requested = cgroupsPath === undefined || cgroupsPath === '' ? id : cgroupsPath;
  if (isSystemdCgroupsPath(requested)) {
    throw new ConfigError(
      `cgroupsPath ${JSON.stringify(requested)} is in systemd form (slice:prefix:name), which needs --systemd-cgroup; the systemd cgroup driver is not supported yet`,
      '/linux/cgroupsPath',
    );
  }
  const normalized = path.posix.normalize(requested);
  if (normalized.split('/').includes('..')) {
    throw new ConfigError(`cgroupsPath ${JSON.stringify(requested)} escapes the cgroup hierarchy`, '/linux/cgroupsPath');
  }
  return hierarchies.map((h) => {
    const own = ownCgroups.get(hierarchyKey(h)) ?? '/';
    const cgroupPath = requested.startsWith('/') ? normalized : path.posix.join(own, normalized);
    // The mount may expose only a subtree (mountinfo root != '/'): strip that prefix.
    const rel = path.posix.relative(h.root, cgroupPath);
    if (rel.startsWith('..')) {
      throw new ConfigError(`cgroupsPath ${JSON.stringify(requested)} is outside the mounted ${h.mountpoint} hierarchy`, '/linux/cgroupsPath');
    }
    return {
      name: h.kind === 'v2' ? 'unified' : h.controllers.join(','),
      kind: h.kind,
      mountpoint: h.mountpoint,
      dir: path.posix.join(h.mountpoint, rel),
      cgroupPath,
    };
  });
}
