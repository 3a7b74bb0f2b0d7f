// Owns: making the rootfs the root: the parent-mount propagation fix-up before it,
// pivot_root, and the --no-pivot MS_MOVE + chroot fallback. Runs in: setup.
import * as C from '../sys/constants';
import { isErrno, type Sys } from '../sys/sys';

export interface MountInfoEntry {
  mountPoint: string;
  root: string;
  fstype: string;
  /** optional fields: shared:N, master:N, propagate_from:N, unbindable */
  optional: string[];
}

/** mountinfo escapes space, tab, newline and backslash as \ooo octal. */
function unescape(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

export function parseMountInfo(text: string): MountInfoEntry[] {
  const out: MountInfoEntry[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const f = line.split(' ');
    const sep = f.indexOf('-', 6);
    if (sep < 0 || f.length < sep + 3) continue;
    out.push({
      root: unescape(f[3] ?? ''),
      mountPoint: unescape(f[4] ?? ''),
      optional: f.slice(6, sep),
      fstype: f[sep + 1] ?? '',
    });
  }
  return out;
}

function isUnder(p: string, dir: string): boolean {
  return dir === '/' || p === dir || p.startsWith(dir + '/');
}

/**
 * pivot_root(2) fails with EINVAL when the new root's parent mount is shared, and a bind
 * under a shared parent would propagate to the host: make that parent private (runc
 * rootfsParentMountPrivate). Only when shared — a slave parent keeps receiving the
 * host's unmounts.
 */
export function applyParentPrivate(sys: Sys, rootfs: string): void {
  const mounts = parseMountInfo(sys.readTextFile('/proc/self/mountinfo'));
  let parent: MountInfoEntry | undefined;
  for (const m of mounts) {
    if (isUnder(rootfs, m.mountPoint) && (parent === undefined || m.mountPoint.length >= parent.mountPoint.length)) {
      parent = m;
    }
  }
  if (parent !== undefined && parent.optional.some((o) => o.startsWith('shared:'))) {
    sys.mount(null, parent.mountPoint, null, C.MS_PRIVATE, null);
  }
}

/**
 * pivot_root(".", ".") stacks the old root on top of the new one at "/", so no directory
 * is needed in the rootfs for it (the LXC trick runc uses); the old root is then
 * unmounted lazily from under us. Every process of this mount namespace whose root was
 * the old root — the container's init included — now has the rootfs as its root.
 */
export function applyPivotRoot(sys: Sys, rootfs: string): void {
  const oldRoot = sys.open('/', C.O_DIRECTORY | C.O_RDONLY | C.O_CLOEXEC);
  try {
    const newRoot = sys.open(rootfs, C.O_DIRECTORY | C.O_RDONLY | C.O_CLOEXEC);
    try {
      sys.fchdir(newRoot);
      sys.pivotRoot('.', '.');
    } finally {
      sys.close(newRoot);
    }
    // The kernel leaves "." at the old root today, but does not promise it.
    sys.fchdir(oldRoot);
    // rslave, not rprivate, before the unmount: the unmount must not propagate to the
    // host (which would unmount the host's own tree), and rprivate races with host
    // processes that expect their mounts to have no other references (runc).
    sys.mount(null, '.', null, C.MS_SLAVE | C.MS_REC, null);
    sys.umount2('.', C.MNT_DETACH);
  } finally {
    sys.close(oldRoot);
  }
  sys.chdir('/');
}

/**
 * --no-pivot: move the rootfs over "/" and chroot into it. The host's full procfs and
 * sysfs mounts stay reachable in this mount namespace, and the kernel allows a new procfs
 * mount when such a full mount is visible: unmount them first (or cover them with a
 * tmpfs when that is not allowed), as runc msMoveRoot does.
 */
export function applyMoveRoot(sys: Sys, rootfs: string): void {
  const mounts = parseMountInfo(sys.readTextFile('/proc/self/mountinfo'));
  for (const m of mounts) {
    if (m.root !== '/' || (m.fstype !== 'proc' && m.fstype !== 'sysfs') || isUnder(m.mountPoint, rootfs)) continue;
    try {
      sys.mount(null, m.mountPoint, null, C.MS_SLAVE | C.MS_REC, null);
    } catch (err) {
      // a parent was already detached: nothing left to hide
      if (isErrno(err, 'ENOENT')) continue;
      throw err;
    }
    try {
      sys.umount2(m.mountPoint, C.MNT_DETACH);
    } catch (err) {
      if (!isErrno(err, 'EINVAL', 'EPERM')) throw err;
      sys.mount('tmpfs', m.mountPoint, 'tmpfs', 0, null);
    }
  }
  sys.chdir(rootfs);
  sys.mount(rootfs, '/', null, C.MS_MOVE, null);
  sys.chroot('.');
  sys.chdir('/');
}
