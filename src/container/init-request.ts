// Owns: ContainerConfig -> the InitRequest the native init applies: every flag, mask,
// number and string computed here, so the C side decides nothing. Runs in: cli.
import * as path from 'node:path';
import { logConfig, warn } from '../log';
import { toIdMapText } from '../process/idmap';
import type { InitRequest } from '../process/spawn-native';
import { toCapMasks } from '../security/capabilities';
import { rlimitNumber } from '../security/rlimits';
import type { ContainerConfig } from '../spec/normalize';

export interface InitRequestOptions {
  mode: 'create' | 'run';
  execFifoPath: string;
  setupSocketFd: number;
  noNewKeyring: boolean;
  preserveFds: number;
  /** stdin of the startContainer hooks */
  stateJson: string;
}

/** The setup entry sits next to this module in dist/: dist/src/setup/main.js. */
export function setupScriptPath(): string {
  return path.join(__dirname, '..', 'setup', 'main.js');
}

export function buildInitRequest(config: ContainerConfig, o: InitRequestOptions): InitRequest {
  const spec = config.spec;
  const proc = spec.process!;
  const linux = spec.linux ?? {};

  const rlimits = (proc.rlimits ?? []).map((r) => ({
    resource: rlimitNumber(r.type)!,
    soft: BigInt(r.soft),
    hard: BigInt(r.hard),
  }));

  let caps: InitRequest['process']['caps'];
  if (proc.capabilities !== undefined) {
    const { skipped, ...masks } = toCapMasks(proc.capabilities);
    // runc: capabilities the running kernel does not know are ignored with a warning,
    // since callers send the full modern list regardless of the host.
    if (skipped.length > 0) warn(`capabilities not supported by this kernel, ignored: ${skipped.join(', ')}`);
    caps = masks;
  }

  const req: InitRequest = {
    mode: o.mode,
    cloneFlags: config.namespaces.cloneFlags,
    join: config.namespaces.join,
    setup: {
      nodePath: process.execPath,
      script: setupScriptPath(),
      args: [],
      env: logConfig().debug ? ['DEBUG=runts:*'] : [],
      socketFd: o.setupSocketFd,
    },
    process: {
      args: proc.args ?? [],
      env: proc.env ?? [],
      cwd: proc.cwd,
      uid: proc.user.uid,
      gid: proc.user.gid,
      additionalGids: proc.user.additionalGids ?? [],
      rlimits,
      noNewPrivileges: proc.noNewPrivileges === true,
      preserveFds: o.preserveFds,
      ...(proc.user.umask !== undefined ? { umask: proc.user.umask } : {}),
      ...(caps !== undefined ? { caps } : {}),
      ...(o.noNewKeyring ? {} : { keyringName: config.id }),
    },
    execFifoPath: o.execFifoPath,
    startContainerHooks: (spec.hooks?.startContainer ?? []).map((h) => ({
      path: h.path,
      args: h.args ?? [h.path],
      env: h.env ?? [],
      ...(h.timeout !== undefined ? { timeout: h.timeout } : {}),
    })),
    stateJson: o.stateJson,
  };
  if (config.namespaces.created.includes('user')) {
    req.idMaps = {
      uidMap: toIdMapText(linux.uidMappings ?? []),
      gidMap: toIdMapText(linux.gidMappings ?? []),
      setgroups: 'allow',
    };
  }
  if (linux.timeOffsets !== undefined && config.namespaces.created.includes('time')) {
    req.timeOffsets = Object.entries(linux.timeOffsets)
      .map(([clock, o2]) => `${clock} ${o2.secs ?? 0} ${o2.nanosecs ?? 0}`)
      .join('\n');
  }
  return req;
}
