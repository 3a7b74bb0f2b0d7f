// Owns: the little state the rootfs executor carries from op to op. Runs in: setup.
import { fdPath, type Sys } from '../sys/sys';

export interface ExecState {
  sys: Sys;
  /** host path of the rootfs (before the pivot) */
  rootfs: string;
  /** O_PATH fd of the container's root: the bound rootfs before the pivot, "/" after */
  rootFd: number;
  pivoted: boolean;
  /** /proc/self/fd reaches our fds (the host's procfs before the pivot, the container's after) */
  procFds: boolean;
}

/**
 * Where a mount on the inode behind `fd` goes. After the pivot a container without a
 * procfs at /proc has no /proc/self/fd: then the path itself, resolved by the kernel
 * inside the container's root where no symlink can reach the host any more.
 */
export function mountTarget(st: ExecState, fd: number, containerPath: string): string {
  return st.procFds ? fdPath(fd) : containerPath;
}
