// Owns: what makes parts of the container's tree unreadable or unwritable after the
// pivot: maskedPaths, readonlyPaths, the late read-only remounts and the read-only root.
// Runs in: setup.
import * as C from '../sys/constants';
import { isErrno } from '../sys/sys';
import type { MountOp } from './plan';
import { openInRoot } from './resolve';
import { mountTarget, type ExecState } from './state';

type Op<K extends MountOp['op']> = Extract<MountOp, { op: K }>;

/** An fd for a path that may legitimately be missing (runc skips those silently). */
function openIfExists(st: ExecState, p: string): number | undefined {
  try {
    return openInRoot(st.sys, st.rootFd, p);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
}

/** Bind the path onto itself, then remount that bind read-only keeping nosuid/nodev/noexec. */
export function applyReadonlyPath(st: ExecState, op: Op<'readonly-path'>): void {
  const { sys } = st;
  const fd = openIfExists(st, op.path);
  if (fd === undefined) return;
  try {
    const t = mountTarget(st, fd, op.path);
    sys.mount(t, t, null, C.MS_BIND | C.MS_REC, null);
  } finally {
    sys.close(fd);
  }
  // the old fd is the directory under the new bind: reopen to reach the bind itself
  const bound = openInRoot(sys, st.rootFd, op.path);
  try {
    const t = mountTarget(st, bound, op.path);
    // A bind remount in a user namespace may not drop a locked flag: carry them over.
    const keep = sys.fstatfs(bound).flags & (C.ST_NOSUID | C.ST_NODEV | C.ST_NOEXEC);
    sys.mount(t, t, null, keep | C.MS_BIND | C.MS_REMOUNT | C.MS_RDONLY, null);
  } finally {
    sys.close(bound);
  }
}

/**
 * Files get /dev/null bound over them, directories an empty read-only tmpfs: reading
 * either yields nothing (runc maskPath).
 */
export function applyMaskPath(st: ExecState, op: Op<'mask-path'>): void {
  const { sys } = st;
  const fd = openIfExists(st, op.path);
  if (fd === undefined) return;
  try {
    const t = mountTarget(st, fd, op.path);
    const isDir = (sys.statx(fd, '', C.AT_EMPTY_PATH).mode & C.S_IFMT) === C.S_IFDIR;
    if (isDir) sys.mount('tmpfs', t, 'tmpfs', C.MS_RDONLY, op.data ?? null);
    else sys.mount('/dev/null', t, null, C.MS_BIND, null);
  } finally {
    sys.close(fd);
  }
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * MS_REMOUNT|MS_BIND only changes the per-mount flags, which the kernel allows even in a
 * user namespace as long as no locked flag is dropped. EBUSY (a file still open for
 * writing on the tmpfs) is retried a few times, as runc does.
 */
export function applyRemountRo(st: ExecState, op: Op<'remount-ro'>): void {
  const { sys } = st;
  const fd = openInRoot(sys, st.rootFd, op.dest);
  try {
    const t = mountTarget(st, fd, op.dest);
    for (let attempt = 0; ; attempt++) {
      try {
        sys.mount(null, t, null, op.flags | C.MS_REMOUNT | C.MS_BIND | C.MS_RDONLY, null);
        return;
      } catch (err) {
        if (!isErrno(err, 'EBUSY') || attempt >= 4) throw err;
        sleepMs(100);
      }
    }
  } finally {
    sys.close(fd);
  }
}

/** The root itself: when the plain remount is refused, retry keeping the flags "/" has. */
export function applyReadonlyRoot(st: ExecState): void {
  const { sys } = st;
  const flags = C.MS_BIND | C.MS_REMOUNT | C.MS_RDONLY;
  try {
    sys.mount(null, '/', null, flags, null);
  } catch (err) {
    const fd = sys.open('/', C.O_PATH | C.O_DIRECTORY | C.O_CLOEXEC);
    let cur: number;
    try {
      cur = sys.fstatfs(fd).flags;
    } finally {
      sys.close(fd);
    }
    if ((flags | cur) === flags) throw err;
    sys.mount(null, '/', null, flags | cur, null);
  }
}
