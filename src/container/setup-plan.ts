// Owns: ContainerConfig -> the plan the setup process executes inside the container's
// namespaces (rootfs input + createContainer hooks). Pure apart from realpath. Runs in: cli.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CgroupDir } from '../cgroups/paths';
import type { RootfsInput } from '../rootfs/plan';
import type { SetupPlan } from '../setup/protocol';
import type { ContainerConfig } from '../spec/normalize';
import type { Mount } from '../spec/types';
import { hasNamespace } from './namespaces';

/** Bind sources are relative to the bundle (runc: specconv resolves them so). */
export function absoluteSources(mounts: readonly Mount[], bundle: string): Mount[] {
  return mounts.map((m) => {
    const isBind = m.type === 'bind' || (m.options ?? []).some((o) => o === 'bind' || o === 'rbind');
    if (!isBind || m.source === undefined || path.isAbsolute(m.source)) return m;
    return { ...m, source: path.resolve(bundle, m.source) };
  });
}

export function buildRootfsInput(
  config: ContainerConfig,
  opts: { noPivot: boolean; cgroupDirs: readonly CgroupDir[] },
): RootfsInput {
  const spec = config.spec;
  const linux = spec.linux ?? {};
  const hierarchies: Record<string, string> = {};
  let unifiedPath: string | undefined;
  for (const d of opts.cgroupDirs) {
    if (d.kind === 'v2') unifiedPath = d.dir;
    else hierarchies[path.basename(d.mountpoint)] = d.dir;
  }
  const input: RootfsInput = {
    // The rootfs path is resolved once, here: setup must not follow a symlink that the
    // bundle owner could swap between check and use.
    rootfs: fs.realpathSync(config.rootfs),
    readonly: spec.root?.readonly === true,
    mounts: absoluteSources(spec.mounts ?? [], config.bundle),
    devices: linux.devices ?? [],
    inUserNamespace: hasNamespace(linux.namespaces, 'user'),
    maskedPaths: linux.maskedPaths ?? [],
    readonlyPaths: linux.readonlyPaths ?? [],
    noPivot: opts.noPivot,
    cgroup: {
      version: Object.keys(hierarchies).length > 0 ? 1 : 2,
      hierarchies,
      ...(unifiedPath !== undefined ? { unifiedPath } : {}),
      cgroupns: hasNamespace(linux.namespaces, 'cgroup'),
    },
  };
  if (linux.rootfsPropagation !== undefined) input.rootfsPropagation = linux.rootfsPropagation;
  if (spec.hostname !== undefined) input.hostname = spec.hostname;
  if (spec.domainname !== undefined) input.domainname = spec.domainname;
  if (linux.sysctl !== undefined) input.sysctl = linux.sysctl;
  if (spec.process?.cwd !== undefined) input.cwd = spec.process.cwd;
  if (linux.mountLabel !== undefined && linux.mountLabel !== '') input.mountLabel = linux.mountLabel;
  return input;
}

export function buildSetupPlan(
  config: ContainerConfig,
  opts: { noPivot: boolean; cgroupDirs: readonly CgroupDir[]; stateJson: string },
): SetupPlan {
  return {
    ...buildRootfsInput(config, opts),
    createContainerHooks: config.spec.hooks?.createContainer ?? [],
    stateJson: opts.stateJson,
  };
}
