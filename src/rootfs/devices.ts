// Owns: /dev content — device nodes (mknod, or a bind of the host's node where mknod is
// not allowed), the ptmx and fd symlinks. Runs in: setup.
import * as C from '../sys/constants';
import { isErrno, type Sys } from '../sys/sys';
import type { MountOp } from './plan';
import { openInRoot, openParentInRoot } from './resolve';
import { mountTarget, type ExecState } from './state';

type Op<K extends MountOp['op']> = Extract<MountOp, { op: K }>;

export function applyMknod(st: ExecState, op: Op<'mknod'>): void {
  const { sys } = st;
  const { fd, name } = openParentInRoot(sys, st.rootFd, op.dest, true);
  try {
    try {
      sys.mknodat(fd, name, op.mode, op.major, op.minor);
    } catch (err) {
      // already there (a rootfs that ships /dev): keep it, as runc does
      if (isErrno(err, 'EEXIST')) return;
      // no CAP_MKNOD (a user namespace the config did not declare): fall back to a bind
      if (isErrno(err, 'EPERM')) {
        applyBindDevice(st, { op: 'bind-device', source: op.dest, dest: op.dest });
        return;
      }
      throw err;
    }
    sys.fchownat(fd, name, op.uid, op.gid, C.AT_SYMLINK_NOFOLLOW);
  } finally {
    sys.close(fd);
  }
}

export function applyBindDevice(st: ExecState, op: Op<'bind-device'>): void {
  const { sys } = st;
  const fd = openInRoot(sys, st.rootFd, op.dest, { create: 'file', fileMode: 0o666 });
  try {
    sys.mount(op.source, mountTarget(st, fd, op.dest), null, C.MS_BIND, null);
  } finally {
    sys.close(fd);
  }
}

export function applySymlink(sys: Sys, rootFd: number, op: Op<'symlink'>): void {
  const { fd, name } = openParentInRoot(sys, rootFd, op.dest, true);
  try {
    if (op.replace) {
      try {
        sys.unlinkat(fd, name, 0);
      } catch (err) {
        if (!isErrno(err, 'ENOENT')) throw err;
      }
    }
    try {
      sys.symlinkat(op.target, fd, name);
    } catch (err) {
      if (op.replace || !isErrno(err, 'EEXIST')) throw err;
    }
  } finally {
    sys.close(fd);
  }
}
