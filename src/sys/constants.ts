// Owns: kernel constants, spelled as the kernel headers spell them (x86_64 / aarch64
// values; both share the generic numbers used here except where noted). Runs in: cli, setup.
//
// Names are verbatim so that grep leads from a man page straight to the code.

// <linux/mount.h>: mount(2) flags
export const MS_RDONLY = 0x1;
export const MS_NOSUID = 0x2;
export const MS_NODEV = 0x4;
export const MS_NOEXEC = 0x8;
export const MS_SYNCHRONOUS = 0x10;
export const MS_REMOUNT = 0x20;
export const MS_MANDLOCK = 0x40;
export const MS_DIRSYNC = 0x80;
export const MS_NOSYMFOLLOW = 0x100;
export const MS_NOATIME = 0x400;
export const MS_NODIRATIME = 0x800;
export const MS_BIND = 0x1000;
export const MS_MOVE = 0x2000;
export const MS_REC = 0x4000;
export const MS_SILENT = 0x8000;
export const MS_POSIXACL = 0x10000;
export const MS_UNBINDABLE = 0x20000;
export const MS_PRIVATE = 0x40000;
export const MS_SLAVE = 0x80000;
export const MS_SHARED = 0x100000;
export const MS_RELATIME = 0x200000;
export const MS_I_VERSION = 0x800000;
export const MS_STRICTATIME = 0x1000000;
export const MS_LAZYTIME = 0x2000000;

// umount2(2)
export const MNT_FORCE = 0x1;
export const MNT_DETACH = 0x2;
export const MNT_EXPIRE = 0x4;
export const UMOUNT_NOFOLLOW = 0x8;

// mount_setattr(2) attributes
export const MOUNT_ATTR_RDONLY = 0x1;
export const MOUNT_ATTR_NOSUID = 0x2;
export const MOUNT_ATTR_NODEV = 0x4;
export const MOUNT_ATTR_NOEXEC = 0x8;
export const MOUNT_ATTR__ATIME = 0x70;
export const MOUNT_ATTR_RELATIME = 0x0;
export const MOUNT_ATTR_NOATIME = 0x10;
export const MOUNT_ATTR_STRICTATIME = 0x20;
export const MOUNT_ATTR_NODIRATIME = 0x80;
export const MOUNT_ATTR_IDMAP = 0x100000;
export const MOUNT_ATTR_NOSYMFOLLOW = 0x200000;

// statfs f_flags (ST_*) share the MS_* bit values for the flags a bind remount keeps.
export const ST_RDONLY = 0x1;
export const ST_NOSUID = 0x2;
export const ST_NODEV = 0x4;
export const ST_NOEXEC = 0x8;

// <fcntl.h>
export const AT_FDCWD = -100;
export const AT_SYMLINK_NOFOLLOW = 0x100;
export const AT_REMOVEDIR = 0x200;
export const AT_SYMLINK_FOLLOW = 0x400;
export const AT_NO_AUTOMOUNT = 0x800;
export const AT_EMPTY_PATH = 0x1000;
export const AT_RECURSIVE = 0x8000;

export const O_RDONLY = 0o0;
export const O_WRONLY = 0o1;
export const O_RDWR = 0o2;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_NOCTTY = 0o400;
export const O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;
export const O_NONBLOCK = 0o4000;
export const O_DIRECTORY = 0o200000;
export const O_NOFOLLOW = 0o400000;
export const O_CLOEXEC = 0o2000000;
export const O_PATH = 0o10000000;

export const F_GETFL = 3;
export const F_SETFL = 4;

// openat2(2) resolve flags
export const RESOLVE_NO_XDEV = 0x01;
export const RESOLVE_NO_MAGICLINKS = 0x02;
export const RESOLVE_NO_SYMLINKS = 0x04;
export const RESOLVE_BENEATH = 0x08;
export const RESOLVE_IN_ROOT = 0x10;
export const RESOLVE_CACHED = 0x20;

// <sys/stat.h>
export const S_IFMT = 0o170000;
export const S_IFSOCK = 0o140000;
export const S_IFLNK = 0o120000;
export const S_IFREG = 0o100000;
export const S_IFBLK = 0o060000;
export const S_IFDIR = 0o040000;
export const S_IFCHR = 0o020000;
export const S_IFIFO = 0o010000;

// statx(2) mask
export const STATX_TYPE = 0x1;
export const STATX_MODE = 0x2;
export const STATX_UID = 0x8;
export const STATX_GID = 0x10;
export const STATX_BASIC_STATS = 0x7ff;

// <linux/magic.h>
export const PROC_SUPER_MAGIC = 0x9fa0;
export const SYSFS_MAGIC = 0x62656572;
export const TMPFS_MAGIC = 0x01021994;
export const CGROUP_SUPER_MAGIC = 0x27e0eb;
export const CGROUP2_SUPER_MAGIC = 0x63677270;

// <sys/socket.h>
export const AF_UNIX = 1;
export const SOCK_STREAM = 1;
export const SOCK_CLOEXEC = 0o2000000;

/** Syscall numbers glibc 2.36 has no wrapper for (or hides behind a newer version). */
export const SYS = ((): { pivot_root: number; openat2: number; mount_setattr: number } => {
  switch (process.arch) {
    case 'x64':
      return { pivot_root: 155, openat2: 437, mount_setattr: 442 };
    case 'arm64':
      return { pivot_root: 41, openat2: 437, mount_setattr: 442 };
    default:
      // The numbers above 400 are shared by every architecture since 5.1 (the unified table);
      // pivot_root is not, and an unknown architecture fails loudly on first use.
      return { pivot_root: -1, openat2: 437, mount_setattr: 442 };
  }
})();
