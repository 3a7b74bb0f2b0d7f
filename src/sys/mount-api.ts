// Owns: the new mount API calls the CLI makes on the host for idmapped mounts —
// open_tree(2) of a bind source into a detached tree and mount_setattr(2) of
// MOUNT_ATTR_IDMAP on it. Runs in: cli.
//
// glibc 2.36 wraps neither, so both go through syscall(2). Their numbers (428 and 442)
// come from the unified table every architecture shares since Linux 5.1.
import { check, koffi, libc } from './libc';

const SYS_open_tree = 428;
const SYS_mount_setattr = 442;

export const OPEN_TREE_CLONE = 0x1;
export const OPEN_TREE_CLOEXEC = 0o2000000;
export const AT_RECURSIVE = 0x8000;
const AT_EMPTY_PATH = 0x1000;
const MOUNT_ATTR_IDMAP = 0x100000;

interface Decls {
  mountAttr: koffi.TypeObject;
  syscall: (...args: unknown[]) => number;
}
let decls: Decls | undefined;

function d(): Decls {
  if (decls !== undefined) return decls;
  const mountAttr = koffi.struct('runts_mount_attr_idmap', {
    attr_set: 'uint64',
    attr_clr: 'uint64',
    propagation: 'uint64',
    userns_fd: 'uint64',
  });
  const fn = libc().func('long syscall(long number, ...)');
  decls = { mountAttr, syscall: (...args: unknown[]) => Number(fn(...args)) };
  return decls;
}

/** open_tree(AT_FDCWD, path, flags): with OPEN_TREE_CLONE, a detached copy of the mount at `path`. */
export function openTree(path: string, flags: number): number {
  const { syscall } = d();
  return check('open_tree', () => syscall(SYS_open_tree, 'int', -100, 'str', path, 'uint', flags), path);
}

/**
 * mount_setattr(fd, "", AT_EMPTY_PATH [| AT_RECURSIVE], {MOUNT_ATTR_IDMAP, usernsFd}):
 * ids seen through the mount are mapped by that user namespace's uid_map/gid_map.
 * `path` only names the source in an error.
 */
export function setMountIdmap(fd: number, usernsFd: number, recursive: boolean, path: string): void {
  const { syscall, mountAttr } = d();
  const attr = { attr_set: MOUNT_ATTR_IDMAP, attr_clr: 0, propagation: 0, userns_fd: usernsFd };
  const flags = AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0);
  check('mount_setattr', () => syscall(SYS_mount_setattr, 'int', fd, 'str', '', 'uint', flags, koffi.pointer(mountAttr), attr, 'size_t', 32), path);
}
