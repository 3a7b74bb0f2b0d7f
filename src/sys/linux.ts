// Owns: LinuxSys, the real Sys, through koffi (libc.ts). Runs in: setup (cli in tests).
//
// glibc 2.36 has no wrapper for pivot_root, openat2 or mount_setattr, so those go through
// syscall(2) with their numbers from constants.ts. Structs are declared once, lazily, so
// that loading this module costs nothing until the first call.
import * as fs from 'node:fs';
import { check, cfunc, koffi, libc } from './libc';
import { SYS, F_GETFL, F_SETFL, O_NONBLOCK } from './constants';
import type { FileStat, FsStat, MountAttr, OpenHow, Sys } from './sys';

interface Types {
  openHow: koffi.TypeObject;
  mountAttr: koffi.TypeObject;
  statfs: koffi.TypeObject;
  statx: koffi.TypeObject;
  syscall: (...args: unknown[]) => number;
}
let types: Types | undefined;

function t(): Types {
  if (types !== undefined) return types;
  const openHow = koffi.struct('runts_open_how', { flags: 'uint64', mode: 'uint64', resolve: 'uint64' });
  const mountAttr = koffi.struct('runts_mount_attr', {
    attr_set: 'uint64',
    attr_clr: 'uint64',
    propagation: 'uint64',
    userns_fd: 'uint64',
  });
  // struct statfs on 64-bit Linux (asm-generic and x86_64 agree): 120 bytes.
  const statfs = koffi.struct('runts_statfs', {
    f_type: 'long',
    f_bsize: 'long',
    f_blocks: 'ulong',
    f_bfree: 'ulong',
    f_bavail: 'ulong',
    f_files: 'ulong',
    f_ffree: 'ulong',
    f_fsid: koffi.array('int', 2),
    f_namelen: 'long',
    f_frsize: 'long',
    f_flags: 'long',
    f_spare: koffi.array('long', 4),
  });
  // struct statx has one layout on every architecture (that is why it is used, not stat).
  const statx = koffi.struct('runts_statx', {
    stx_mask: 'uint32',
    stx_blksize: 'uint32',
    stx_attributes: 'uint64',
    stx_nlink: 'uint32',
    stx_uid: 'uint32',
    stx_gid: 'uint32',
    stx_mode: 'uint16',
    spare0: 'uint16',
    stx_ino: 'uint64',
    stx_size: 'uint64',
    stx_blocks: 'uint64',
    stx_attributes_mask: 'uint64',
    stx_times: koffi.array('uint8', 64),
    stx_rdev_major: 'uint32',
    stx_rdev_minor: 'uint32',
    stx_dev_major: 'uint32',
    stx_dev_minor: 'uint32',
    spare: koffi.array('uint8', 112),
  });
  const fn = libc().func('long syscall(long number, ...)');
  types = { openHow, mountAttr, statfs, statx, syscall: (...args: unknown[]) => Number(fn(...args)) };
  return types;
}

export class LinuxSys implements Sys {
  mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null): void {
    const f = cfunc('int mount(const char *source, const char *target, const char *fstype, unsigned long flags, const char *data)');
    check('mount', () => f(source, target, fstype, flags, data) as number, target);
  }

  umount2(target: string, flags: number): void {
    const f = cfunc('int umount2(const char *target, int flags)');
    check('umount2', () => f(target, flags) as number, target);
  }

  mountSetattr(dirfd: number, path: string, flags: number, attr: MountAttr): void {
    const { syscall, mountAttr } = t();
    const value = {
      attr_set: attr.attrSet,
      attr_clr: attr.attrClr,
      propagation: attr.propagation,
      userns_fd: attr.usernsFd ?? 0,
    };
    check(
      'mount_setattr',
      () => syscall(SYS.mount_setattr, 'int', dirfd, 'str', path, 'uint', flags, koffi.pointer(mountAttr), value, 'size_t', 32),
      path,
    );
  }

  pivotRoot(newRoot: string, putOld: string): void {
    const { syscall } = t();
    check('pivot_root', () => syscall(SYS.pivot_root, 'str', newRoot, 'str', putOld), newRoot);
  }

  chroot(path: string): void {
    const f = cfunc('int chroot(const char *path)');
    check('chroot', () => f(path) as number, path);
  }

  chdir(path: string): void {
    const f = cfunc('int chdir(const char *path)');
    check('chdir', () => f(path) as number, path);
  }

  fchdir(fd: number): void {
    const f = cfunc('int fchdir(int fd)');
    check('fchdir', () => f(fd) as number, `fd ${fd}`);
  }

  open(path: string, flags: number, mode = 0): number {
    const f = cfunc('int open(const char *path, int flags, ...)');
    return check('open', () => f(path, flags, 'uint', mode) as number, path);
  }

  openat(dirfd: number, path: string, flags: number, mode = 0): number {
    const f = cfunc('int openat(int dirfd, const char *path, int flags, ...)');
    return check('openat', () => f(dirfd, path, flags, 'uint', mode) as number, path);
  }

  openat2(dirfd: number, path: string, how: OpenHow): number {
    const { syscall, openHow } = t();
    return check(
      'openat2',
      () => syscall(SYS.openat2, 'int', dirfd, 'str', path, koffi.pointer(openHow), how, 'size_t', 24),
      path,
    );
  }

  close(fd: number): void {
    const f = cfunc('int close(int fd)');
    // close(2) must not be retried on EINTR: the fd is gone either way.
    check('close', () => f(fd) as number, `fd ${fd}`, false);
  }

  setNonblock(fd: number, nonblock: boolean): void {
    const f = cfunc('int fcntl(int fd, int cmd, ...)');
    const cur = check('fcntl', () => f(fd, F_GETFL, 'int', 0) as number, `fd ${fd}`);
    const next = nonblock ? cur | O_NONBLOCK : cur & ~O_NONBLOCK;
    if (next !== cur) check('fcntl', () => f(fd, F_SETFL, 'int', next) as number, `fd ${fd}`);
  }

  write(fd: number, data: string): void {
    const buf = Buffer.from(data);
    let off = 0;
    while (off < buf.length) off += fs.writeSync(fd, buf, off);
  }

  mkdirat(dirfd: number, path: string, mode: number): void {
    const f = cfunc('int mkdirat(int dirfd, const char *path, uint32_t mode)');
    check('mkdirat', () => f(dirfd, path, mode) as number, path);
  }

  mknodat(dirfd: number, path: string, mode: number, major: number, minor: number): void {
    const f = cfunc('int mknodat(int dirfd, const char *path, uint32_t mode, uint64_t dev)');
    // makedev(3) from glibc's <sys/sysmacros.h>, computed in BigInt: the result is 64-bit.
    const ma = BigInt(major);
    const mi = BigInt(minor);
    const dev =
      ((ma & 0xfffff000n) << 32n) | ((ma & 0xfffn) << 8n) | ((mi & 0xffffff00n) << 12n) | (mi & 0xffn);
    check('mknodat', () => f(dirfd, path, mode, dev) as number, path);
  }

  fchownat(dirfd: number, path: string, uid: number, gid: number, flags: number): void {
    const f = cfunc('int fchownat(int dirfd, const char *path, uint32_t uid, uint32_t gid, int flags)');
    check('fchownat', () => f(dirfd, path, uid, gid, flags) as number, path);
  }

  fchmodat(dirfd: number, path: string, mode: number): void {
    const f = cfunc('int fchmodat(int dirfd, const char *path, uint32_t mode, int flags)');
    check('fchmodat', () => f(dirfd, path, mode, 0) as number, path);
  }

  symlinkat(target: string, dirfd: number, linkpath: string): void {
    const f = cfunc('int symlinkat(const char *target, int dirfd, const char *linkpath)');
    check('symlinkat', () => f(target, dirfd, linkpath) as number, linkpath);
  }

  unlinkat(dirfd: number, path: string, flags: number): void {
    const f = cfunc('int unlinkat(int dirfd, const char *path, int flags)');
    check('unlinkat', () => f(dirfd, path, flags) as number, path);
  }

  readlinkat(dirfd: number, path: string): string {
    const f = cfunc('long readlinkat(int dirfd, const char *path, _Out_ uint8_t *buf, size_t size)');
    const buf = Buffer.alloc(4096);
    const n = check('readlinkat', () => Number(f(dirfd, path, buf, buf.length)), path);
    return buf.subarray(0, n).toString();
  }

  statx(dirfd: number, path: string, flags: number): FileStat {
    t();
    const f = cfunc('int statx(int dirfd, const char *path, int flags, unsigned int mask, _Out_ runts_statx *buf)');
    const out: Record<string, number> = {};
    check('statx', () => f(dirfd, path, flags, 0x7ff, out) as number, path);
    return {
      mode: out['stx_mode'] ?? 0,
      uid: out['stx_uid'] ?? 0,
      gid: out['stx_gid'] ?? 0,
      rdevMajor: out['stx_rdev_major'] ?? 0,
      rdevMinor: out['stx_rdev_minor'] ?? 0,
    };
  }

  fstatfs(fd: number): FsStat {
    t();
    const f = cfunc('int fstatfs(int fd, _Out_ runts_statfs *buf)');
    const out: Record<string, number> = {};
    check('fstatfs', () => f(fd, out) as number, `fd ${fd}`);
    return { type: Number(out['f_type'] ?? 0), flags: Number(out['f_flags'] ?? 0) };
  }

  sethostname(name: string): void {
    const f = cfunc('int sethostname(const char *name, size_t len)');
    check('sethostname', () => f(name, Buffer.byteLength(name)) as number);
  }

  setdomainname(name: string): void {
    const f = cfunc('int setdomainname(const char *name, size_t len)');
    check('setdomainname', () => f(name, Buffer.byteLength(name)) as number);
  }

  umask(mask: number): number {
    const f = cfunc('uint32_t umask(uint32_t mask)');
    return f(mask) as number;
  }

  readTextFile(path: string): string {
    return fs.readFileSync(path, 'utf8');
  }
}
