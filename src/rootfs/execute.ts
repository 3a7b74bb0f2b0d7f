// Owns: running a planned MountOp[] through a Sys, one op at a time, with every mount
// aimed at /proc/self/fd/N of an fd resolved inside the container's root. Runs in: setup.
//
// Decisions live in plan.ts; this file only follows the list. An op that fails throws an
// error naming what was being mounted, with the SyscallError (naming the container path,
// not the fd) as its cause, and the rest of the list is not run.
import { RuntimeError, SyscallError } from '../errors';
import { syscallError } from '../sys/errno';
import * as C from '../sys/constants';
import { fdPath, isErrno, withPath, type Sys } from '../sys/sys';
import { applyBindDevice, applyMknod, applySymlink } from './devices';
import { applyMaskPath, applyReadonlyPath, applyReadonlyRoot, applyRemountRo } from './masks';
import type { MountOp } from './plan';
import { applyMoveRoot, applyParentPrivate, applyPivotRoot } from './pivot';
import { openInRoot } from './resolve';
import { copyTree } from '../setup/tmpcopyup';
import { mountTarget, type ExecState } from './state';

export interface ExecuteContext {
  /** host path of the rootfs, as in the plan input */
  rootfs: string;
  /** the `hooks` op: prestart/createRuntime in the CLI, then createContainer here */
  onHooks(): Promise<void>;
}

type Op<K extends MountOp['op']> = Extract<MountOp, { op: K }>;

/** A short description of an op for error messages, in runc's words where runc has some. */
export function describeOp(op: MountOp): string {
  switch (op.op) {
    case 'mount':
      return `error mounting "${op.source}" to rootfs at "${op.dest}"`;
    case 'remount':
      return `error remounting "${op.source}" at "${op.dest}"`;
    case 'mknod':
    case 'bind-device':
      return `error creating device node ${op.dest}`;
    case 'symlink':
      return `error creating symlink ${op.dest} -> ${op.target}`;
    case 'propagate-root':
    case 'make-parent-private':
    case 'bind-rootfs':
      return 'error preparing rootfs';
    case 'pivot-root':
    case 'move-root':
      return 'error jailing process inside rootfs';
    case 'hooks':
      return 'error running hooks';
    case 'mkdir-cwd':
      return `error creating cwd ${op.path}`;
    case 'sethostname':
      return `error setting hostname ${op.name}`;
    case 'setdomainname':
      return `error setting domainname ${op.name}`;
    case 'sysctl':
      return `error writing sysctl ${op.key}`;
    case 'readonly-path':
      return `error making ${op.path} read-only`;
    case 'mask-path':
      return `error masking ${op.path}`;
    case 'remount-ro':
      return `error remounting ${op.dest} read-only`;
    case 'readonly-root':
      return 'error setting rootfs as readonly';
  }
}

function containerPathOf(op: MountOp): string | undefined {
  switch (op.op) {
    case 'mount':
    case 'remount':
    case 'mknod':
    case 'bind-device':
    case 'symlink':
    case 'remount-ro':
      return op.dest;
    case 'readonly-path':
    case 'mask-path':
    case 'mkdir-cwd':
      return op.path;
    default:
      return undefined;
  }
}

export async function executePlan(sys: Sys, ops: readonly MountOp[], ctx: ExecuteContext): Promise<void> {
  const st: ExecState = { sys, rootfs: ctx.rootfs, rootFd: -1, pivoted: false, procFds: true };
  // Device nodes and created files get exactly the modes the plan says.
  const oldMask = sys.umask(0);
  try {
    for (const op of ops) {
      try {
        await apply(st, op, ctx);
      } catch (err) {
        if (err instanceof RuntimeError && !(err instanceof SyscallError)) throw err;
        let cause = err;
        const where = containerPathOf(op);
        if (err instanceof SyscallError && where !== undefined && (err.path ?? '').startsWith('/proc/self/fd/')) {
          cause = withPath(err, where);
        }
        throw new RuntimeError(describeOp(op), { cause });
      }
    }
  } finally {
    if (st.rootFd >= 0) sys.close(st.rootFd);
    sys.umask(oldMask);
  }
}

function root(st: ExecState): number {
  if (st.rootFd < 0) st.rootFd = st.sys.open(st.rootfs, C.O_PATH | C.O_DIRECTORY | C.O_CLOEXEC);
  return st.rootFd;
}

async function apply(st: ExecState, op: MountOp, ctx: ExecuteContext): Promise<void> {
  const { sys } = st;
  switch (op.op) {
    case 'propagate-root':
      sys.mount(null, '/', null, op.flags, null);
      return;
    case 'make-parent-private':
      applyParentPrivate(sys, st.rootfs);
      return;
    case 'bind-rootfs':
      sys.mount(st.rootfs, st.rootfs, null, C.MS_BIND | C.MS_REC, null);
      // opened after the bind: the fd must be the new mount, not the directory under it
      if (st.rootFd >= 0) sys.close(st.rootFd);
      st.rootFd = -1;
      root(st);
      return;
    case 'mount':
      root(st);
      applyMount(st, op);
      return;
    case 'mkdir-cwd':
      // Resolved in the root like every other path, so a symlinked cwd cannot make us
      // create directories on the host.
      sys.close(openInRoot(sys, root(st), op.path, { create: 'dir' }));
      return;
    case 'remount':
      root(st);
      applyRemount(st, op);
      return;
    case 'mknod':
      root(st);
      applyMknod(st, op);
      return;
    case 'bind-device':
      root(st);
      applyBindDevice(st, op);
      return;
    case 'symlink':
      applySymlink(sys, root(st), op);
      return;
    case 'hooks':
      // runc runs createContainer hooks with the rootfs as working directory
      sys.chdir(st.rootfs);
      await ctx.onHooks();
      return;
    case 'pivot-root':
    case 'move-root':
      if (op.op === 'pivot-root') applyPivotRoot(sys, st.rootfs);
      else applyMoveRoot(sys, st.rootfs);
      if (st.rootFd >= 0) sys.close(st.rootFd);
      st.rootFd = sys.open('/', C.O_PATH | C.O_DIRECTORY | C.O_CLOEXEC);
      st.pivoted = true;
      st.procFds = hasProcFds(st);
      return;
    case 'sethostname':
      sys.sethostname(op.name);
      return;
    case 'setdomainname':
      sys.setdomainname(op.name);
      return;
    case 'sysctl':
      applySysctl(st, op);
      return;
    case 'readonly-path':
      applyReadonlyPath(st, op);
      return;
    case 'mask-path':
      applyMaskPath(st, op);
      return;
    case 'remount-ro':
      applyRemountRo(st, op);
      return;
    case 'readonly-root':
      applyReadonlyRoot(st);
      return;
  }
}

/** After the pivot, /proc/self/fd exists only if the container mounted a procfs at /proc. */
function hasProcFds(st: ExecState): boolean {
  try {
    const fd = openInRoot(st.sys, st.rootFd, '/proc');
    try {
      return st.sys.fstatfs(fd).type === C.PROC_SUPER_MAGIC;
    } finally {
      st.sys.close(fd);
    }
  } catch (err) {
    if (err instanceof SyscallError) return false;
    throw err;
  }
}

function applyMount(st: ExecState, op: Op<'mount'>): void {
  const { sys } = st;
  // A missing bind source fails before anything is created at dest, with the source
  // named (runc stats it first: "stat <source>: no such file or directory").
  if (op.fstype === null) {
    try {
      sys.statx(C.AT_FDCWD, op.source, 0);
    } catch (err) {
      throw err instanceof SyscallError ? syscallError('stat', err.errno, op.source, err.description) : err;
    }
  }
  // Whether dest existed decides the tmpfs mode: an existing directory lends its mode to
  // the tmpfs (runc), a created one leaves the mode= option alone.
  let existed = true;
  let fd: number;
  try {
    fd = openInRoot(sys, st.rootFd, op.dest);
  } catch (err) {
    if (!isErrno(err, 'ENOENT')) throw err;
    existed = false;
    fd = openInRoot(sys, st.rootFd, op.dest, { create: op.create });
  }
  let mode: number | undefined;
  try {
    // A symlink in the rootfs could aim a later mount into the container's /proc
    // (/proc/sys/kernel/core_pattern …): refuse targets that resolve into a procfs.
    if (op.procCheck && sys.fstatfs(fd).type === C.PROC_SUPER_MAGIC) {
      throw new RuntimeError(`"${op.dest}" cannot be mounted because it is inside /proc`);
    }
    if (op.keepMode === true && existed) mode = sys.statx(fd, '', C.AT_EMPTY_PATH).mode & 0o7777;
    const target = mountTarget(st, fd, op.dest);
    try {
      if (op.moveFrom !== undefined) {
        // The idmapped tree the CLI made is detached (an anonymous mount namespace of its
        // own); MS_MOVE through its fd attaches it here, as move_mount(2) would. Its flags
        // come from the source, so the plan's remount op follows, as for any bind.
        sys.mount(fdPath(op.moveFrom), target, null, C.MS_MOVE, null);
      } else {
        sys.mount(op.source, target, op.fstype, op.flags, op.data === '' ? null : op.data);
      }
    } catch (err) {
      // cgroup2 cannot be mounted from a user namespace that has no cgroup namespace of
      // its own: bind the host's hierarchy instead (runc mountCgroupV2)
      if (op.fallbackBind === undefined || !isErrno(err, 'EPERM', 'EBUSY')) throw err;
      sys.mount(op.fallbackBind, target, null, op.flags | C.MS_BIND, null);
    }
    // fd still names the covered directory: its old content goes into the new tmpfs
    if (op.copyUp === true && existed) copyUp(st, fd, op.dest);
  } finally {
    sys.close(fd);
  }
  if (op.propagation.length === 0 && op.recAttr === undefined && mode === undefined) return;
  // the fd above is the directory under the new mount; reopen to reach the mount itself
  const mnt = openInRoot(sys, st.rootFd, op.dest);
  try {
    const target = mountTarget(st, mnt, op.dest);
    for (const p of op.propagation) sys.mount(null, target, null, p, null);
    if (op.recAttr !== undefined) {
      sys.mountSetattr(mnt, '', C.AT_EMPTY_PATH | C.AT_RECURSIVE, { ...op.recAttr, propagation: 0 });
    }
    if (mode !== undefined) sys.fchmodat(C.AT_FDCWD, fdPath(mnt), mode);
  } finally {
    sys.close(mnt);
  }
}

function copyUp(st: ExecState, covered: number, dest: string): void {
  const mnt = openInRoot(st.sys, st.rootFd, dest);
  try {
    copyTree(fdPath(covered), fdPath(mnt));
  } catch (err) {
    throw new RuntimeError(`tmpcopyup ${dest}: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    st.sys.close(mnt);
  }
}

/**
 * When the remount is refused and the source is itself read-only, the kernel wants the
 * ro flag kept: retry with it (runc remount()).
 */
function applyRemount(st: ExecState, op: Op<'remount'>): void {
  const { sys } = st;
  const fd = openInRoot(sys, st.rootFd, op.dest);
  try {
    const target = mountTarget(st, fd, op.dest);
    try {
      sys.mount(op.source, target, null, op.flags, null);
    } catch (err) {
      if ((op.flags & C.MS_RDONLY) !== 0) throw err;
      const src = sys.open(op.source, C.O_PATH | C.O_CLOEXEC);
      let srcFlags: number;
      try {
        srcFlags = sys.fstatfs(src).flags;
      } finally {
        sys.close(src);
      }
      if ((srcFlags & C.ST_RDONLY) === 0) throw err;
      sys.mount(op.source, target, null, op.flags | C.MS_RDONLY, null);
    }
  } finally {
    sys.close(fd);
  }
}

/**
 * net.ipv4.ip_forward -> /proc/sys/net/ipv4/ip_forward in the container's procfs. The
 * file is checked to be on a procfs before it is written: a rootfs with its own /proc
 * content must not receive the value somewhere else.
 */
function applySysctl(st: ExecState, op: Op<'sysctl'>): void {
  const { sys } = st;
  const p = '/proc/sys/' + op.key.replace(/\./g, '/');
  const fd = openInRoot(sys, st.rootFd, p);
  try {
    if (sys.fstatfs(fd).type !== C.PROC_SUPER_MAGIC) {
      throw new RuntimeError(`sysctl ${op.key}: ${p} is not on a procfs`);
    }
    const w = sys.open(fdPath(fd), C.O_WRONLY | C.O_CLOEXEC);
    try {
      sys.write(w, op.value);
    } finally {
      sys.close(w);
    }
  } finally {
    sys.close(fd);
  }
}
