// Owns: freezing and thawing a container's processes through whichever hierarchy
// carries the freezer — v1 freezer.state, else v2 cgroup.freeze. Runs in: cli.
//
// v1: writing FROZEN starts the freeze; the state reads FREEZING until every task has
// stopped, and the kernel may leave it there for good while tasks keep forking in or
// being added to cgroup.procs (old kernel docs said userspace must retry or thaw). So,
// as runc does, FROZEN is written again until the state reads FROZEN, with an
// occasional thaw-and-pause that lets a burst of new tasks settle, and a deadline.
// v2: cgroup.freeze is 1 or 0 and cgroup.events reports "frozen 1" once every task
// has stopped; the v2 freezer has no FREEZING limbo, but the change is still not
// synchronous, so it is waited for.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RuntimeError } from '../errors';
import { debugFor } from '../log';
import { readCgroupFile, writeCgroupFile } from './cgroupfs';
import type { CgroupDir } from './paths';

const debug = debugFor('cgroups');

/** The file access the freezer needs; tests script a kernel with it. */
export interface FreezerIo {
  read(dir: string, file: string): string;
  write(dir: string, file: string, value: string): void;
}

type DirLike = Pick<CgroupDir, 'name' | 'kind' | 'dir'>;

const realIo: FreezerIo = { read: readCgroupFile, write: writeCgroupFile };

export interface FreezerOptions {
  /** give up after this long (default 5 s: a frozen cgroup normally settles in microseconds) */
  timeoutMs?: number;
  io?: FreezerIo;
}

/** The dir that carries the freezer: a v1 hierarchy with it, else a v2 dir with cgroup.freeze. */
export function freezerDir(dirs: readonly DirLike[]): { kind: 'v1' | 'v2'; dir: string } | undefined {
  const v1 = dirs.find((d) => d.kind === 'v1' && d.name.split(',').includes('freezer'));
  if (v1 !== undefined) return { kind: 'v1', dir: v1.dir };
  const v2 = dirs.find((d) => d.kind === 'v2' && fs.existsSync(path.join(d.dir, 'cgroup.freeze')));
  if (v2 !== undefined) return { kind: 'v2', dir: v2.dir };
  return undefined;
}

function requireFreezer(dirs: readonly DirLike[]): { kind: 'v1' | 'v2'; dir: string } {
  const f = freezerDir(dirs);
  if (f === undefined) throw new RuntimeError('no freezer cgroup: neither a v1 freezer hierarchy nor cgroup.freeze in a v2 one');
  return f;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function freezeV1(io: FreezerIo, dir: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    // Tasks that keep appearing can pin the cgroup in FREEZING: thawing briefly lets
    // them finish arriving, after which the next FROZEN write catches all of them.
    if (attempt % 50 === 49) {
      io.write(dir, 'freezer.state', 'THAWED');
      await sleep(10);
    }
    io.write(dir, 'freezer.state', 'FROZEN');
    const state = io.read(dir, 'freezer.state').trim();
    if (state === 'FROZEN') {
      if (attempt > 1) debug('%s frozen after %d retries', dir, attempt);
      return;
    }
    if (state !== 'FREEZING') throw new RuntimeError(`freeze ${dir}: unexpected freezer.state ${JSON.stringify(state)} after writing FROZEN`);
    if (Date.now() > deadline) {
      // Left half-frozen the container would be neither running nor paused.
      io.write(dir, 'freezer.state', 'THAWED');
      throw new RuntimeError(`freeze ${dir}: unable to freeze (still FREEZING after ${timeoutMs} ms)`);
    }
    // A yield to the kernel, longer now and then for a very slow machine.
    await sleep(attempt % 25 === 24 ? 5 : 0);
  }
}

/** cgroup.events "frozen" as a boolean; an absent key (pre-5.2 kernel) reads as false. */
function eventsFrozen(io: FreezerIo, dir: string): boolean {
  const m = /^frozen (\d+)$/m.exec(io.read(dir, 'cgroup.events'));
  return m !== null && m[1] === '1';
}

async function setV2(io: FreezerIo, dir: string, frozen: boolean, timeoutMs: number): Promise<void> {
  io.write(dir, 'cgroup.freeze', frozen ? '1' : '0');
  const deadline = Date.now() + timeoutMs;
  for (let wait = 1; eventsFrozen(io, dir) !== frozen; wait = Math.min(wait * 2, 50)) {
    if (Date.now() > deadline) {
      if (frozen) io.write(dir, 'cgroup.freeze', '0');
      throw new RuntimeError(`${frozen ? 'freeze' : 'thaw'} ${dir}: cgroup.events does not say frozen ${frozen ? 1 : 0} after ${timeoutMs} ms`);
    }
    await sleep(wait);
  }
}

/** Freeze every process and return once the kernel reports the cgroup frozen. */
export async function freezeCgroups(dirs: readonly DirLike[], opts: FreezerOptions = {}): Promise<void> {
  const f = requireFreezer(dirs);
  const io = opts.io ?? realIo;
  const timeoutMs = opts.timeoutMs ?? 5000;
  if (f.kind === 'v1') await freezeV1(io, f.dir, timeoutMs);
  else await setV2(io, f.dir, true, timeoutMs);
}

export async function thawCgroups(dirs: readonly DirLike[], opts: FreezerOptions = {}): Promise<void> {
  const f = requireFreezer(dirs);
  const io = opts.io ?? realIo;
  const timeoutMs = opts.timeoutMs ?? 5000;
  if (f.kind === 'v1') {
    io.write(f.dir, 'freezer.state', 'THAWED');
    const state = io.read(f.dir, 'freezer.state').trim();
    // A parent cgroup that is itself frozen keeps this one frozen (the state shows
    // FROZEN with freezer.parent_freezing 1): not something a container thaw can fix.
    if (state !== 'THAWED') throw new RuntimeError(`thaw ${f.dir}: freezer.state is ${state} after writing THAWED`);
  } else {
    await setV2(io, f.dir, false, timeoutMs);
  }
}

/**
 * Whether the container's own freezer is frozen (or freezing because of it). A cgroup
 * FREEZING only because a parent is being frozen is not "paused" by us: v1 tells them
 * apart with freezer.self_freezing.
 */
export function isFrozen(dirs: readonly DirLike[]): boolean {
  const f = freezerDir(dirs);
  if (f === undefined) return false;
  try {
    if (f.kind === 'v2') return readCgroupFile(f.dir, 'cgroup.freeze').trim() === '1';
    const state = readCgroupFile(f.dir, 'freezer.state').trim();
    if (state === 'THAWED') return false;
    try {
      return readCgroupFile(f.dir, 'freezer.self_freezing').trim() === '1';
    } catch {
      return state === 'FROZEN';
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}
