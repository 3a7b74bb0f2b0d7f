// Owns: the container's cgroups as one object — create, join, list, destroy — over
// every hierarchy the host has, and runc's rootless cgroup handling (a hierarchy the
// caller may not write is dropped when nothing is asked of it). Resource limits arrive
// with the resources/ writers. Runs in: cli.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RuntimeError } from '../errors';
import { debugFor, warn } from '../log';
import type { LinuxResources } from '../spec/types';
import { applyResources, type ApplyOptions } from './apply';
import { readCgroupFile, readProcs, writeCgroupFile } from './cgroupfs';
import { freezeCgroups, isFrozen, thawCgroups } from './freezer';
import { readStats, type CgroupStats } from './stats';
import { parseProcCgroup, readLayout } from './detect';
import { planCgroupDirs, type CgroupDir } from './paths';

const debug = debugFor('cgroups');

export interface CgroupManagerOptions {
  /**
   * runc's rootless cgroup manager (--rootless, or auto when euid != 0): a hierarchy
   * whose directory cannot be made or joined for lack of permission (EACCES, EPERM,
   * EROFS) is dropped instead of failing create — but only when the config names no
   * cgroupsPath, as in runc, since an explicit path is a request to be in that cgroup.
   */
  rootless?: boolean;
  /** linux.cgroupsPath was set in the config */
  explicitPath?: boolean;
}

/** A hierarchy left out because the caller had no permission there. */
export interface DroppedCgroup {
  dir: CgroupDir;
  code: string;
}

const PERMISSION_CODES = ['EACCES', 'EPERM', 'EROFS'];

function errnoCode(err: unknown): string | undefined {
  for (let cur: unknown = err, depth = 0; cur instanceof Error && depth < 8; cur = cur.cause, depth++) {
    const code = (cur as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) && code !== 'ERUNTIME') return code;
  }
  return undefined;
}

function isSet(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.values(v).some(isSet);
  return true;
}

/**
 * The controllers linux.resources asks something of (unset and zero values ask
 * nothing, as everywhere in the writers). Device rules are not listed: a rootless
 * container cannot have them applied anyway (see set()). 'unified' stands for the
 * cgroup2 hierarchy as a whole.
 */
export function planControllersNeeded(res: LinuxResources): string[] {
  const out = new Set<string>();
  const cpu = res.cpu ?? {};
  const { cpus, mems, ...cpuRest } = cpu;
  if (isSet(cpus) || isSet(mems)) out.add('cpuset');
  if (isSet(cpuRest)) out.add('cpu');
  if (isSet(res.memory)) out.add('memory');
  if (isSet(res.pids)) out.add('pids');
  if (isSet(res.blockIO)) out.add('blkio');
  if (isSet(res.hugepageLimits)) out.add('hugetlb');
  if (isSet(res.network?.classID)) out.add('net_cls');
  if (isSet(res.network?.priorities)) out.add('net_prio');
  if (isSet(res.rdma)) out.add('rdma');
  if (isSet(res.unified)) out.add('unified');
  return [...out];
}

export class CgroupManager {
  private active: CgroupDir[];
  private readonly droppedDirs: DroppedCgroup[] = [];

  /**
   * `own`: the caller's own cgroup directory in each hierarchy, index for index with
   * `dirs` — where the container stays in a hierarchy rootless mode dropped.
   */
  constructor(
    private readonly planned: readonly CgroupDir[],
    private readonly opts: CgroupManagerOptions = {},
    private readonly own: readonly CgroupDir[] = [],
  ) {
    this.active = [...planned];
  }

  /** The hierarchies the container is in (rootless: those it could make and join). */
  get dirs(): readonly CgroupDir[] {
    return this.active;
  }

  get dropped(): readonly DroppedCgroup[] {
    return this.droppedDirs;
  }

  /** For a new container: directories planned from the host layout and cgroupsPath. */
  static plan(cgroupsPath: string | undefined, id: string, opts: Omit<CgroupManagerOptions, 'explicitPath'> = {}): CgroupManager {
    const layout = readLayout();
    const own = parseProcCgroup(fs.readFileSync('/proc/self/cgroup', 'utf8'));
    return new CgroupManager(
      planCgroupDirs(layout.hierarchies, own, cgroupsPath, id),
      { ...opts, explicitPath: cgroupsPath !== undefined && cgroupsPath !== '' },
      // "." relative to our own cgroup is our own cgroup.
      opts.rootless === true ? planCgroupDirs(layout.hierarchies, own, '.', id) : [],
    );
  }

  /**
   * The cgroup the container is in, per hierarchy, for the container's cgroup mount:
   * its own directory, or where a dropped hierarchy leaves it — the caller's cgroup,
   * which init inherited (runc binds whatever /proc/self/cgroup of init says).
   */
  mountDirs(): CgroupDir[] {
    return this.planned.flatMap((d, i) => {
      if (this.active.includes(d)) return [d];
      const fallback = this.own[i];
      return fallback !== undefined ? [fallback] : [];
    });
  }

  /** Rootless and a permission error: leave this hierarchy out rather than fail (runc isIgnorableError). */
  private dropIfIgnorable(d: CgroupDir, err: unknown): boolean {
    const code = errnoCode(err);
    if (this.opts.rootless !== true || this.opts.explicitPath === true) return false;
    if (code === undefined || !PERMISSION_CODES.includes(code)) return false;
    debug('rootless: %s left out (%s)', d.dir, code);
    this.active = this.active.filter((a) => a !== d);
    this.droppedDirs.push({ dir: d, code });
    return true;
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
    try {
      this.createInto(made);
    } catch (err) {
      // The caller only learns what was made from the return value: undo it here.
      for (const dir of [...made].reverse()) {
        try {
          fs.rmdirSync(dir);
        } catch {
          /* empty and just made: only a racing process could keep it; the error below matters more */
        }
      }
      throw err;
    }
    debug('created %o', made);
    return made;
  }

  private createInto(made: string[]): void {
    for (const d of [...this.active]) {
      let first: string | undefined;
      try {
        first = fs.mkdirSync(d.dir, { recursive: true });
      } catch (err) {
        if (this.dropIfIgnorable(d, err)) continue;
        throw err;
      }
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
      if (d.kind === 'v1' && d.name.split(',').includes('cpuset')) {
        try {
          this.inheritCpuset(d.dir);
        } catch (err) {
          if (!this.dropIfIgnorable(d, err)) throw err;
        }
      }
    }
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
    if (this.droppedDirs.length > 0) {
      for (const c of planControllersNeeded(resources)) {
        const has = this.active.some((d) => d.kind === 'v2' || d.name.split(',').includes(c));
        const lost = this.droppedDirs.find((x) => c === 'unified' ? x.dir.kind === 'v2' : x.dir.kind === 'v2' || x.dir.name.split(',').includes(c));
        // runc's words (fs.go Set); a limit must never be dropped silently.
        if (!has && lost !== undefined) {
          throw new RuntimeError(
            `cannot set ${c} limit: container could not join or create cgroup (${lost.dir.dir}: ${lost.code}; ` +
              'a rootless container can only have limits in a cgroup delegated to its user)',
          );
        }
      }
    }
    // Device rules need CAP_SYS_ADMIN in the host (devices.allow, or attaching the
    // cgroup2 BPF filter), so a non-root caller cannot apply them: runc ignores the
    // devices controller's errors when rootless. The user namespace already keeps
    // the container from making device nodes, and only bind-mounted ones exist.
    const skipDevices = this.opts.rootless === true && process.geteuid?.() !== 0;
    applyResources(this.active, resources, skipDevices ? { ...opts, update: true } : opts);
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
    for (const d of [...this.active]) {
      try {
        writeCgroupFile(d.dir, 'cgroup.procs', String(pid));
      } catch (err) {
        if (!this.dropIfIgnorable(d, err)) throw err;
      }
    }
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
          // A non-root caller may be in a cgroup delegated to it without the right to
          // remove it (a v1 directory made for it by root): say so and go on, as runc
          // does (it logs "Failed to remove cgroup" and still deletes the container).
          if (code !== undefined && PERMISSION_CODES.includes(code) && process.geteuid?.() !== 0) {
            warn(`failed to remove cgroup ${dir}: ${code}`);
            break;
          }
          failures.push(`${dir}: ${code ?? String(err)}`);
          break;
        }
      }
    }
    if (failures.length > 0) throw new RuntimeError(`remove cgroups: ${failures.join(', ')}`);
  }
}
