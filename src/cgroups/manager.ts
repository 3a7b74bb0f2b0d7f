// Owns: the container's cgroups as one object — create, join, list, destroy — over
// every hierarchy the host has. Resource limits arrive with the resources/ writers.
// Runs in: cli.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RuntimeError } from '../errors';
import { debugFor } from '../log';
import type { LinuxResources } from '../spec/types';
import { applyResources, type ApplyOptions } from './apply';
import { readCgroupFile, readProcs, writeCgroupFile } from './cgroupfs';
import { freezeCgroups, isFrozen, thawCgroups } from './freezer';
import { readStats, type CgroupStats } from './stats';
import { parseProcCgroup, readLayout } from './detect';
import { planCgroupDirs, type CgroupDir } from './paths';

const debug = debugFor('cgroups');

export class CgroupManager {
  constructor(readonly dirs: readonly CgroupDir[]) {}

  /** For a new container: directories planned from the host layout and cgroupsPath. */
  static plan(cgroupsPath: string | undefined, id: string): CgroupManager {
    const layout = readLayout();
    const own = parseProcCgroup(fs.readFileSync('/proc/self/cgroup', 'utf8'));
    return new CgroupManager(planCgroupDirs(layout.hierarchies, own, cgroupsPath, id));
  }

  /** For an existing container: the directories recorded in its state. */
  static fromPaths(paths: Record<string, string>): CgroupManager {
    return new CgroupManager(
      Object.entries(paths).map(([name, dir]) => ({ name, kind: name === 'unified' ? 'v2' : 'v1', mountpoint: '', dir, cgroupPath: '' })),
    );
  }

  paths(): Record<string, string> {
    return Object.fromEntries(this.dirs.map((d) => [d.name, d.dir]));
  }

  /**
   * Create every directory (mkdir -p: the parent may be shared with other
   * containers). Returns the directories this call made, deepest last, so that a failed
   * create removes exactly those.
   */
  create(): string[] {
    const made: string[] = [];
    for (const d of this.dirs) {
      const first = fs.mkdirSync(d.dir, { recursive: true });
      if (first !== undefined) {
        let p = d.dir;
        const chain: string[] = [];
        while (p.length >= first.length) {
          chain.unshift(p);
          p = path.dirname(p);
        }
        made.push(...chain);
      }
      // cpuset: a new v1 cpuset cgroup starts with empty cpus/mems, and a task cannot
      // join it until they are filled (runc copies them from the parent).
      if (d.kind === 'v1' && d.name.split(',').includes('cpuset')) this.inheritCpuset(d.dir);
    }
    debug('created %o', made);
    return made;
  }

  private inheritCpuset(dir: string): void {
    for (const file of ['cpuset.cpus', 'cpuset.mems']) {
      const chain: string[] = [];
      let p = dir;
      while (readCgroupFile(p, file).trim() === '' && p !== path.dirname(p)) {
        chain.unshift(p);
        p = path.dirname(p);
      }
      const value = readCgroupFile(p, file).trim();
      for (const c of chain) writeCgroupFile(c, file, value);
    }
  }

  /**
   * Write linux.resources into every hierarchy that has the controller (v1 files where
   * the controller is mounted as v1, v2 files for those only the unified hierarchy
   * has). Unset and zero values are left alone, as runc does (`update` relies on it).
   */
  set(resources: LinuxResources, opts: ApplyOptions = {}): void {
    applyResources(this.dirs, resources, opts);
  }

  /** Freeze every process and wait until the kernel says the cgroup is frozen. */
  freeze(): Promise<void> {
    return freezeCgroups(this.dirs);
  }

  thaw(): Promise<void> {
    return thawCgroups(this.dirs);
  }

  isFrozen(): boolean {
    return isFrozen(this.dirs);
  }

  stats(): CgroupStats {
    return readStats(this.dirs);
  }

  apply(pid: number): void {
    for (const d of this.dirs) writeCgroupFile(d.dir, 'cgroup.procs', String(pid));
  }

  /** Every pid in the container's cgroups (the union over hierarchies). */
  pids(): number[] {
    const all = new Set<number>();
    for (const d of this.dirs) for (const p of readProcs(d.dir)) all.add(p);
    return [...all].sort((a, b) => a - b);
  }

  /**
   * Remove the directories. A cgroup whose last task has just died can still be busy
   * for a moment (EBUSY), so rmdir is retried briefly, as runc's RemovePaths does.
   */
  async destroy(dirs: readonly string[] = this.dirs.map((d) => d.dir)): Promise<void> {
    const failures: string[] = [];
    for (const dir of [...dirs].reverse()) {
      for (let attempt = 0; ; attempt++) {
        try {
          fs.rmdirSync(dir);
          break;
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') break;
          if (code === 'EBUSY' && attempt < 50) {
            await new Promise((r) => setTimeout(r, 10 + attempt * 2));
            continue;
          }
          failures.push(`${dir}: ${code ?? String(err)}`);
          break;
        }
      }
    }
    if (failures.length > 0) throw new RuntimeError(`remove cgroups: ${failures.join(', ')}`);
  }
}
