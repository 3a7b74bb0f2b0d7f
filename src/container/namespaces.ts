// Owns: the spec's namespace list -> clone flags to create and paths to join, in the
// order native must join them. Pure. Runs in: cli.
import type { LinuxNamespace, LinuxNamespaceType } from '../spec/types';

/** <linux/sched.h> */
export const CLONE_FLAG: Readonly<Record<LinuxNamespaceType, number>> = {
  mount: 0x00020000, // CLONE_NEWNS
  cgroup: 0x02000000, // CLONE_NEWCGROUP
  uts: 0x04000000, // CLONE_NEWUTS
  ipc: 0x08000000, // CLONE_NEWIPC
  user: 0x10000000, // CLONE_NEWUSER
  pid: 0x20000000, // CLONE_NEWPID
  network: 0x40000000, // CLONE_NEWNET
  time: 0x00000080, // CLONE_NEWTIME
};

/** Name of each type under /proc/<pid>/ns/. */
export const PROC_NS_NAME: Readonly<Record<LinuxNamespaceType, string>> = {
  mount: 'mnt',
  cgroup: 'cgroup',
  uts: 'uts',
  ipc: 'ipc',
  user: 'user',
  pid: 'pid',
  network: 'net',
  time: 'time',
};

/**
 * Join order: the user namespace first, because joining it is what grants the
 * capabilities the other setns() calls need inside it; the mount namespace last, since
 * after it the remaining paths would be resolved in the container's filesystem
 * (runc's nsexec.c orders them the same way).
 */
const JOIN_ORDER: readonly LinuxNamespaceType[] = ['user', 'ipc', 'uts', 'network', 'pid', 'cgroup', 'time', 'mount'];

export interface NamespacePlan {
  cloneFlags: number;
  created: LinuxNamespaceType[];
  join: { type: LinuxNamespaceType; path: string }[];
}

export function planNamespaces(namespaces: readonly LinuxNamespace[] = []): NamespacePlan {
  const created: LinuxNamespaceType[] = [];
  const join: { type: LinuxNamespaceType; path: string }[] = [];
  let cloneFlags = 0;
  for (const ns of namespaces) {
    if (ns.path !== undefined && ns.path !== '') {
      join.push({ type: ns.type, path: ns.path });
    } else {
      created.push(ns.type);
      cloneFlags |= CLONE_FLAG[ns.type];
    }
  }
  join.sort((a, b) => JOIN_ORDER.indexOf(a.type) - JOIN_ORDER.indexOf(b.type));
  return { cloneFlags: cloneFlags >>> 0, created, join };
}

export function hasNamespace(namespaces: readonly LinuxNamespace[] | undefined, type: LinuxNamespaceType): boolean {
  return (namespaces ?? []).some((n) => n.type === type);
}
