// Owns: noticing that a container's memory cgroup ran out of memory. Runs in: cli.
//
// v1: an eventfd registered for memory.oom_control through cgroup.event_control
// (Documentation/admin-guide/cgroup-v1/memory.rst §9). The kernel bumps the eventfd
// counter on every OOM in the cgroup, and also once when the cgroup is removed — so a
// wake-up after which cgroup.event_control is gone means "cgroup destroyed", not OOM
// (runc's notify_linux.go tells them apart the same way).
// The eventfd is read blocking on libuv's thread pool, so a notification arrives at
// once; close() wakes that read by writing to the eventfd itself.
// v2: memory.events' oom_kill counter, polled (the v2 interface has no eventfd).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RuntimeError } from '../errors';
import { debugFor } from '../log';
import { eventfd, EFD_CLOEXEC } from '../sys/eventfd';
import { parseKeyValues } from './stats';
import type { CgroupDir } from './paths';

const debug = debugFor('cgroups');

export interface OomWatcher {
  /** which mechanism is in use */
  readonly kind: 'v1-eventfd' | 'v2-events';
  /**
   * OOM kills the kernel counted since the watcher started (memory.oom_control or
   * memory.events oom_kill) that were not yet reported through onOom; 0 where the
   * kernel has no counter. A caller about to stop checks this so that an OOM that
   * killed the init a moment ago is not lost to the race with its own exit check.
   */
  unreported(): number;
  close(): void;
}

export interface OomHandlers {
  onOom(): void;
  /** the cgroup was removed; the watcher has stopped */
  onGone?(): void;
}

type DirLike = Pick<CgroupDir, 'name' | 'kind' | 'dir'>;

function oomKillCount(dir: string, file: string): number {
  try {
    return Number(parseKeyValues(fs.readFileSync(path.join(dir, file), 'utf8')).get('oom_kill') ?? 0n);
  } catch {
    return 0;
  }
}

function watchV1(dir: string, h: OomHandlers): OomWatcher {
  const control = path.join(dir, 'cgroup.event_control');
  const oomFd = fs.openSync(path.join(dir, 'memory.oom_control'), 'r');
  let efd: number;
  try {
    efd = eventfd(0, EFD_CLOEXEC);
  } catch (err) {
    fs.closeSync(oomFd);
    throw err;
  }
  try {
    fs.writeFileSync(control, `${efd} ${oomFd}`);
  } catch (err) {
    fs.closeSync(oomFd);
    fs.closeSync(efd);
    throw new RuntimeError(`register for OOM notifications in ${dir}`, { cause: err });
  }
  const base = oomKillCount(dir, 'memory.oom_control');
  let reported = 0;
  let closed = false;
  const buf = Buffer.alloc(8);
  const finish = (): void => {
    fs.closeSync(efd);
    fs.closeSync(oomFd);
  };
  const readNext = (): void => {
    fs.read(efd, buf, 0, 8, null, (err) => {
      if (closed) return finish();
      if (err !== null) {
        debug('oom eventfd read: %s', err.message);
        closed = true;
        finish();
        h.onGone?.();
        return;
      }
      if (!fs.existsSync(control)) {
        closed = true;
        finish();
        h.onGone?.();
        return;
      }
      // The counter may hold several notifications that arrived before the read.
      reported += Number(buf.readBigUInt64LE(0));
      h.onOom();
      readNext();
    });
  };
  readNext();
  return {
    kind: 'v1-eventfd',
    unreported: () => Math.max(0, oomKillCount(dir, 'memory.oom_control') - base - reported),
    close() {
      if (closed) return;
      closed = true;
      // The pending read holds a thread-pool thread and keeps the loop alive: bump
      // the counter so it returns, and let its callback close the fds.
      const one = Buffer.alloc(8);
      one.writeBigUInt64LE(1n);
      fs.writeSync(efd, one);
    },
  };
}

function watchV2(dir: string, h: OomHandlers, pollMs: number): OomWatcher {
  let seen = oomKillCount(dir, 'memory.events');
  const timer = setInterval(() => {
    if (!fs.existsSync(path.join(dir, 'memory.events'))) {
      clearInterval(timer);
      h.onGone?.();
      return;
    }
    const now = oomKillCount(dir, 'memory.events');
    if (now > seen) {
      seen = now;
      h.onOom();
    }
  }, pollMs);
  return {
    kind: 'v2-events',
    unreported: () => Math.max(0, oomKillCount(dir, 'memory.events') - seen),
    close: () => clearInterval(timer),
  };
}

/** Watch the memory cgroup (v1 hierarchy, else the v2 dir with memory.events). */
export function watchOom(dirs: readonly DirLike[], h: OomHandlers, opts: { pollMs?: number } = {}): OomWatcher {
  const v1 = dirs.find((d) => d.kind === 'v1' && d.name.split(',').includes('memory'));
  if (v1 !== undefined) return watchV1(v1.dir, h);
  const v2 = dirs.find((d) => d.kind === 'v2' && fs.existsSync(path.join(d.dir, 'memory.events')));
  if (v2 !== undefined) return watchV2(v2.dir, h, opts.pollMs ?? 100);
  throw new RuntimeError('no memory cgroup to watch for OOM');
}
