// Owns: resolving container paths without leaving the container's root, creating what is
// missing on the way, and yielding O_PATH fds. Runs in: setup.
//
// The rootfs is untrusted: a symlink in it (rootfs/mnt -> /tmp/x) must mean "/tmp/x in the
// container", never the host's /tmp/x. Every mount in rootfs/ goes to /proc/self/fd/N of
// an fd from here, so the kernel mounts on exactly the inode that was checked, and a
// symlink swapped in between can no longer redirect it (CVE-2021-30465, runc's
// WithProcfd). openat2(RESOLVE_IN_ROOT) does the whole walk in the kernel (Linux 5.6);
// without it, or when something must be created, walk one component at a time from the
// parent's fd with O_NOFOLLOW, following symlinks by hand inside the root.
import { SyscallError } from '../errors';
import { syscallError } from '../sys/errno';
import * as C from '../sys/constants';
import { isErrno, withPath, type Sys } from '../sys/sys';

export type CreateKind = 'dir' | 'file';

export interface ResolveOptions {
  /** create what is missing: directories on the way, and a directory or empty file at the end */
  create?: CreateKind;
  /** permission bits of a created file (directories are 0755, as runc) */
  fileMode?: number;
}

/** Linux's own limit on symlinks in one resolution (MAXSYMLINKS). */
const MAX_SYMLINKS = 40;
const ENOTDIR = 20;
const ELOOP = 40;

/** openat2 is missing on this kernel (or forbidden by a seccomp profile returning ENOSYS). */
let openat2Missing = false;

/** For tests: forget what was learnt about openat2. */
export function resetResolveCache(): void {
  openat2Missing = false;
}

function components(p: string): string[] {
  return p.split('/').filter((c) => c !== '' && c !== '.');
}

/**
 * An O_PATH|O_CLOEXEC fd for `p` (absolute inside the root whose fd is `rootFd`), with
 * every symlink resolved as if rootFd were "/". The caller closes it.
 */
export function openInRoot(sys: Sys, rootFd: number, p: string, opts: ResolveOptions = {}): number {
  const rel = components(p).join('/') || '.';
  if (!openat2Missing) {
    try {
      return sys.openat2(rootFd, rel, {
        flags: C.O_PATH | C.O_CLOEXEC,
        mode: 0,
        // No magic links: /proc/self/root or /proc/<pid>/fd/N would leave any root.
        resolve: C.RESOLVE_IN_ROOT | C.RESOLVE_NO_MAGICLINKS,
      });
    } catch (err) {
      if (isErrno(err, 'ENOSYS')) {
        openat2Missing = true;
      } else if (!(isErrno(err, 'ENOENT') && opts.create !== undefined)) {
        throw err instanceof SyscallError ? withPath(err, p) : err;
      }
    }
  }
  return walk(sys, rootFd, p, opts);
}

/** The fd of p's parent directory (created when asked) and p's last component. */
export function openParentInRoot(
  sys: Sys,
  rootFd: number,
  p: string,
  createDirs: boolean,
): { fd: number; name: string } {
  const parts = components(p);
  const name = parts.pop();
  if (name === undefined || name === '..') {
    throw syscallError('open', 22 /* EINVAL */, p, 'not a path to a file in the container');
  }
  const opts: ResolveOptions = createDirs ? { create: 'dir' } : {};
  return { fd: openInRoot(sys, rootFd, '/' + parts.join('/'), opts), name };
}

function walk(sys: Sys, rootFd: number, p: string, opts: ResolveOptions): number {
  const stack: number[] = [];
  const cur = (): number => stack[stack.length - 1] ?? rootFd;
  const popAll = (): void => {
    for (let fd = stack.pop(); fd !== undefined; fd = stack.pop()) sys.close(fd);
  };
  const queue = components(p);
  let links = 0;
  try {
    while (queue.length > 0) {
      const comp = queue.shift() as string;
      if (comp === '..') {
        // ".." at the root stays at the root, as it does for "/" itself
        const fd = stack.pop();
        if (fd !== undefined) sys.close(fd);
        continue;
      }
      const last = queue.length === 0;
      const fd = openComponent(sys, cur(), comp, last, opts, p);
      const st = sys.statx(fd, '', C.AT_EMPTY_PATH | C.AT_SYMLINK_NOFOLLOW);
      const type = st.mode & C.S_IFMT;
      if (type === C.S_IFLNK) {
        let target: string;
        try {
          target = sys.readlinkat(fd, '');
        } finally {
          sys.close(fd);
        }
        if (++links > MAX_SYMLINKS) throw syscallError('open', ELOOP, p);
        if (target.startsWith('/')) popAll();
        queue.unshift(...components(target));
        continue;
      }
      if (!last && type !== C.S_IFDIR) {
        sys.close(fd);
        throw syscallError('open', ENOTDIR, p);
      }
      stack.push(fd);
    }
    const result = stack.pop();
    if (result !== undefined) return result;
    return sys.openat(rootFd, '.', C.O_PATH | C.O_CLOEXEC);
  } catch (err) {
    throw err instanceof SyscallError && err.path !== p ? withPath(err, p) : err;
  } finally {
    popAll();
  }
}

function openComponent(sys: Sys, dirFd: number, comp: string, last: boolean, opts: ResolveOptions, p: string): number {
  const flags = C.O_PATH | C.O_NOFOLLOW | C.O_CLOEXEC;
  try {
    return sys.openat(dirFd, comp, flags);
  } catch (err) {
    if (!isErrno(err, 'ENOENT') || opts.create === undefined) throw err;
  }
  try {
    if (last && opts.create === 'file') {
      const fd = sys.openat(dirFd, comp, C.O_CREAT | C.O_EXCL | C.O_WRONLY | C.O_NOFOLLOW | C.O_CLOEXEC, opts.fileMode ?? 0o755);
      sys.close(fd);
    } else {
      sys.mkdirat(dirFd, comp, 0o755);
    }
  } catch (err) {
    // lost a race with someone creating it: use theirs, the checks below still apply
    if (!isErrno(err, 'EEXIST')) throw err instanceof SyscallError ? withPath(err, p) : err;
  }
  return sys.openat(dirFd, comp, flags);
}
