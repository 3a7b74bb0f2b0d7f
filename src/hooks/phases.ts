// Owns: the six OCI hook kinds — who runs each, in which namespaces, when, and whether
// a failure stops the container. Runs in: cli and setup (data only).
//
// runtime-spec config.md#posix-platform-hooks; the timing is runc's
// (libcontainer/process_linux.go, rootfs_linux.go, standard_init_linux.go).
import type { HookKind } from '../spec/types';

export type HookRunner = 'cli' | 'setup' | 'init';

export interface HookPhase {
  kind: HookKind;
  /** which process spawns the hook */
  runner: HookRunner;
  /** whose namespaces the hook runs in */
  namespace: 'runtime' | 'container';
  /** the container status in the state JSON the hook reads */
  status: 'creating' | 'created' | 'running' | 'stopped';
  /** a failure aborts the operation; otherwise it is only a warning (spec: poststart, poststop) */
  fatal: boolean;
  when: string;
}

export const HOOK_PHASES: Readonly<Record<HookKind, HookPhase>> = {
  prestart: {
    kind: 'prestart',
    runner: 'cli',
    namespace: 'runtime',
    status: 'creating',
    fatal: true,
    when: 'create: after the mounts, before pivot_root (deprecated; runs just before createRuntime)',
  },
  createRuntime: {
    kind: 'createRuntime',
    runner: 'cli',
    namespace: 'runtime',
    status: 'creating',
    fatal: true,
    when: 'create: after the mounts, before pivot_root',
  },
  createContainer: {
    kind: 'createContainer',
    runner: 'setup',
    namespace: 'container',
    status: 'creating',
    fatal: true,
    when: 'create: after createRuntime, before pivot_root, with the rootfs as working directory',
  },
  startContainer: {
    kind: 'startContainer',
    runner: 'init',
    namespace: 'container',
    status: 'created',
    fatal: true,
    when: 'start: after the exec fifo is opened, before the user process is exec\'d',
  },
  poststart: {
    kind: 'poststart',
    runner: 'cli',
    namespace: 'runtime',
    status: 'running',
    fatal: false,
    when: 'start: after the user process has started, before start returns',
  },
  poststop: {
    kind: 'poststop',
    runner: 'cli',
    namespace: 'runtime',
    status: 'stopped',
    fatal: false,
    when: 'delete: after the container is stopped, before its state is removed',
  },
};

/** The CLI's share of `hooks` before pivot_root, in the order it runs them. */
export const HOST_HOOKS_BEFORE_PIVOT: readonly HookKind[] = ['prestart', 'createRuntime'];
