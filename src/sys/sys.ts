// Owns: the narrow, typed system-call surface rootfs/ and setup/ depend on, and the small
// helpers that attach context to a SyscallError. Runs in: setup (and cli for tests).
//
// Everything outside src/sys/ receives a Sys; only setup/main.ts builds the real one
// (LinuxSys), tests use test/support/fake-sys.ts. Every method throws SyscallError
// (errno name in `code`) on failure and returns plain numbers and strings: file
// descriptors are numbers, no koffi value or pointer crosses this interface.
import { SyscallError } from '../errors';
import { syscallError } from './errno';

export interface OpenHow {
  /** O_* flags */
  flags: number;
  mode: number;
  /** RESOLVE_* flags */
  resolve: number;
}

/** struct mount_attr of mount_setattr(2). */
export interface MountAttr {
  attrSet: number;
  attrClr: number;
  propagation: number;
  usernsFd?: number;
}

/** The statx(2) fields the runtime reads. */
export interface FileStat {
  /** st_mode: type (S_IF*) and permission bits */
  mode: number;
  uid: number;
  gid: number;
  rdevMajor: number;
  rdevMinor: number;
}

/** The statfs(2) fields the runtime reads. */
export interface FsStat {
  /** f_type: the filesystem magic (PROC_SUPER_MAGIC …) */
  type: number;
  /** f_flags: ST_* mount flags */
  flags: number;
}

export interface Sys {
  /** mount(2); null source/fstype/data pass NULL. */
  mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null): void;
  umount2(target: string, flags: number): void;
  /** mount_setattr(2) (Linux 5.12); throws ENOSYS on older kernels. */
  mountSetattr(dirfd: number, path: string, flags: number, attr: MountAttr): void;
  pivotRoot(newRoot: string, putOld: string): void;
  chroot(path: string): void;
  chdir(path: string): void;
  fchdir(fd: number): void;

  open(path: string, flags: number, mode?: number): number;
  openat(dirfd: number, path: string, flags: number, mode?: number): number;
  /** openat2(2) (Linux 5.6); throws ENOSYS on older kernels. */
  openat2(dirfd: number, path: string, how: OpenHow): number;
  close(fd: number): void;
  /** fcntl(F_SETFL) toggling O_NONBLOCK. */
  setNonblock(fd: number, nonblock: boolean): void;
  /** write(2) the whole of data (short writes are retried). */
  write(fd: number, data: string): void;

  mkdirat(dirfd: number, path: string, mode: number): void;
  mknodat(dirfd: number, path: string, mode: number, major: number, minor: number): void;
  fchownat(dirfd: number, path: string, uid: number, gid: number, flags: number): void;
  fchmodat(dirfd: number, path: string, mode: number): void;
  symlinkat(target: string, dirfd: number, linkpath: string): void;
  unlinkat(dirfd: number, path: string, flags: number): void;
  readlinkat(dirfd: number, path: string): string;
  statx(dirfd: number, path: string, flags: number): FileStat;
  fstatfs(fd: number): FsStat;

  sethostname(name: string): void;
  setdomainname(name: string): void;
  /** umask(2): returns the previous mask. */
  umask(mask: number): number;

  /** A small text file read whole (mountinfo); not a syscall, but the executors' only read. */
  readTextFile(path: string): string;
}

/** The magic-link path through which a mount reaches exactly the inode an fd holds. */
export function fdPath(fd: number): string {
  return `/proc/self/fd/${fd}`;
}

/**
 * The same failure, naming the path the user wrote rather than the /proc/self/fd/N the
 * call went through (a message naming an fd number helps nobody).
 */
export function withPath(err: SyscallError, path: string): SyscallError {
  return syscallError(err.syscall, err.errno, path, err.description);
}

export function isErrno(err: unknown, ...codes: string[]): err is SyscallError {
  return err instanceof SyscallError && codes.includes(err.code);
}
