// Owns: ContainerConfig -> the InitRequest the native init applies: every flag, mask,
// number and string computed here, so the C side decides nothing. Runs in: cli.
import * as path from 'node:path';
import { ConfigError } from '../errors';
import { logConfig, warn } from '../log';
import { planSetgroups, toIdMapText } from '../process/idmap';
import type { SeccompProgram } from '../process/bootstrap';
import type { InitRequest } from '../process/spawn-native';
import { toCapMasks } from '../security/capabilities';
import { hostLsm } from '../security/lsm';
import { toProcessAttrs } from '../security/process-attrs';
import { rlimitNumber } from '../security/rlimits';
import type { ContainerConfig } from '../spec/normalize';

export interface InitRequestOptions {
  mode: 'create' | 'run';
  execFifoPath: string;
  setupSocketFd: number;
  noNewKeyring: boolean;
  /** --no-pivot: MS_MOVE + chroot instead of pivot_root (init must follow the move) */
  noPivot: boolean;
  preserveFds: number;
  /** stdin of the startContainer hooks */
  stateJson: string;
  /** process.terminal: the socket native sends the pty master to */
  consoleSocketFd?: number;
}

/** The setup entry sits next to this module in dist/: dist/src/setup/main.js. */
export function setupScriptPath(): string {
  return path.join(__dirname, '..', 'setup', 'main.js');
}

/** runc's permission bits OR-ed into the new session keyring: KEY_USR_SEARCH (0x080000). */
export const SESSION_KEYRING_PERM = 0x080000;

/** umask of a process whose config sets none (runc finalizeRootfs), not the caller's. */
export const DEFAULT_UMASK = 0o022;

/** runc names the session keyring "_ses.<id>" (getSessionRingName). */
export function sessionKeyringName(id: string): string {
  return `_ses.${id}`;
}

export interface ProcessEnv {
  env: string[];
  /** index of the "HOME=" entry init fills from /etc/passwd; absent: the env has a HOME */
  homeEnvIndex?: number;
}

/**
 * process.env as runc's init builds it: each entry goes through Go's os.Setenv after a
 * Clearenv, so a repeated name keeps its first position and takes its last value, and
 * an entry without "=" or with an empty name fails the container (runc's wording).
 * Then, when HOME is missing or empty, runc sets it from the container's /etc/passwd —
 * in place of an empty one, else at the end; only init can read that file, so the slot
 * is left as "HOME=" for it to fill.
 */
export function toProcessEnv(env: readonly string[]): ProcessEnv {
  const out: string[] = [];
  const at = new Map<string, number>();
  env.forEach((kv, i) => {
    const eq = kv.indexOf('=');
    if (eq < 0) throw new ConfigError(`invalid environment variable: ${JSON.stringify(kv)}`, `/process/env/${i}`);
    const name = kv.slice(0, eq);
    if (name === '') {
      throw new ConfigError(`environment variable name can't be empty: ${JSON.stringify(kv)}`, `/process/env/${i}`);
    }
    const j = at.get(name);
    if (j === undefined) {
      at.set(name, out.length);
      out.push(kv);
    } else {
      out[j] = kv;
    }
  });
  const home = at.get('HOME');
  if (home === undefined) {
    out.push('HOME=');
    return { env: out, homeEnvIndex: out.length - 1 };
  }
  return out[home] === 'HOME=' ? { env: out, homeEnvIndex: home } : { env: out };
}

/**
 * linux.seccomp compiled for native to load, or undefined without one. Used by create
 * and exec alike: runc's exec applies the container's profile too. libseccomp is
 * loaded only here, so containers without a profile never pay for it.
 */
export function toSeccompProgram(config: ContainerConfig): SeccompProgram | undefined {
  const sc = config.spec.linux?.seccomp;
  if (sc === undefined) return undefined;
  const { compileSeccomp } = require('../security/seccomp') as typeof import('../security/seccomp');
  return compileSeccomp(sc);
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

  // No process.capabilities means no capabilities at all, not the caller's: runc
  // applies an empty set to all five then.
  const { skipped, ...caps } = toCapMasks(proc.capabilities ?? {});
  // runc: capabilities the running kernel does not know are ignored with a warning,
  // since callers send the full modern list regardless of the host.
  if (skipped.length > 0) warn(`capabilities not supported by this kernel, ignored: ${skipped.join(', ')}`);
  const { env, homeEnvIndex } = toProcessEnv(proc.env ?? []);

  const req: InitRequest = {
    mode: o.mode,
    noPivot: o.noPivot,
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
      env,
      ...(homeEnvIndex !== undefined ? { homeEnvIndex } : {}),
      cwd: proc.cwd,
      uid: proc.user.uid,
      gid: proc.user.gid,
      additionalGids: proc.user.additionalGids ?? [],
      rlimits,
      noNewPrivileges: proc.noNewPrivileges === true,
      preserveFds: o.preserveFds,
      umask: proc.user.umask ?? DEFAULT_UMASK,
      caps,
      ...(o.noNewKeyring ? {} : { keyringName: sessionKeyringName(config.id), keyringPerm: SESSION_KEYRING_PERM }),
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
  if (o.consoleSocketFd !== undefined) {
    const size = proc.consoleSize;
    req.console = { socketFd: o.consoleSocketFd, ...(size !== undefined ? { size: { height: size.height, width: size.width } } : {}) };
  }
  if (config.namespaces.created.includes('user')) {
    req.idMaps = {
      uidMap: toIdMapText(linux.uidMappings ?? []),
      gidMap: toIdMapText(linux.gidMappings ?? []),
      setgroups: planSetgroups(process.geteuid?.() ?? 0),
    };
  }
  const seccomp = toSeccompProgram(config);
  if (seccomp !== undefined) req.seccomp = seccomp;
  const attrs = toProcessAttrs(spec.linux, proc, hostLsm());
  if (Object.keys(attrs).length > 0) req.attrs = attrs;
  if (linux.timeOffsets !== undefined && config.namespaces.created.includes('time')) {
    req.timeOffsets = Object.entries(linux.timeOffsets)
      .map(([clock, o2]) => `${clock} ${o2.secs ?? 0} ${o2.nanosecs ?? 0}`)
      .join('\n');
  }
  return req;
}
