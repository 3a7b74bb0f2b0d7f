// Owns: the semantic checks on config.json that a JSON schema cannot express — cross-field
// rules, host facts (rootfs exists, namespace files are what they claim) and runc's
// refusals — as a table of small named rules. Runs in: cli.
//
// Rules see the document after the schema check but must not trust it: `check` runs
// them even when the schema reported errors, so every rule reads fields through the
// type-checking accessors below and skips what is not the shape it expects (the schema
// finding already names that field).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RuntimeError } from '../errors';
import { CAPABILITY_SETS, capabilityNumber, lastCapOfKernel } from '../security/capabilities';
import { isKnownRlimit } from '../security/rlimits';
import { hostLsm } from '../security/lsm';
import { processAttrFindings, type LsmStatus } from '../security/process-attrs';
import { finding, showValue, type Finding } from './finding';
import { NAMESPACE_TYPES, type LinuxNamespaceType, type Spec } from './types';

/** Host facts a rule may ask for; tests replace them so that no rule needs root or real namespaces. */
export interface HostProbes {
  /** the kernel's answer for a namespace file; throws (SyscallError) when it cannot be opened */
  namespaceTypeOf(p: string): LinuxNamespaceType | undefined;
  /** true when `p` is the network namespace runts itself runs in (runc's isHostNetNS) */
  isHostNetns(p: string): boolean;
  isDirectory(p: string): boolean;
  pathExists(p: string): boolean;
  /** /proc/sys/kernel/cap_last_cap */
  lastCap(): number;
  /** whether AppArmor and SELinux are enabled (src/security/lsm.ts); the host's when absent */
  lsm?(): LsmStatus;
}

export interface ValidateOptions {
  /** --systemd-cgroup: cgroupsPath is `slice:prefix:name` */
  systemdCgroup?: boolean;
}

export interface RuleContext {
  spec: Spec;
  /** absolute bundle directory; relative paths in the config are relative to it */
  bundle: string;
  host: HostProbes;
  systemdCgroup: boolean;
}

export type Rule = (ctx: RuleContext) => Finding[];

function statOf(p: string): fs.Stats | undefined {
  try {
    return fs.statSync(p);
  } catch {
    return undefined;
  }
}

export const realHost: HostProbes = {
  namespaceTypeOf(p) {
    // Loaded on demand: only configs that join namespaces pay for loading libc.
    const nsfs = require('../sys/nsfs') as typeof import('../sys/nsfs');
    return nsfs.namespaceTypeOf(p);
  },
  isHostNetns(p) {
    const self = statOf('/proc/self/ns/net');
    const other = statOf(p);
    return self !== undefined && other !== undefined && self.dev === other.dev && self.ino === other.ino;
  },
  isDirectory: (p) => statOf(p)?.isDirectory() === true,
  pathExists: (p) => statOf(p) !== undefined,
  lastCap: lastCapOfKernel,
  lsm: hostLsm,
};

// ---------------------------------------------------------------------------------
// Defensive accessors over the parsed document.

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The value at `keys` below `v`, or undefined as soon as a step is not an object. */
function at(v: unknown, ...keys: string[]): unknown {
  let cur = v;
  for (const k of keys) {
    if (!isObj(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}

function items(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** RFC 6901: '~' -> '~0', '/' -> '~1'. */
export function pointer(...parts: (string | number)[]): string {
  return parts.map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

const error = (rule: string, ptr: string, message: string, expected?: string, found?: string): Finding =>
  finding('error', rule, ptr, message, expected, found);
const warning = (rule: string, ptr: string, message: string, expected?: string, found?: string): Finding =>
  finding('warning', rule, ptr, message, expected, found);

const show = showValue;

/** The namespaces the config lists, by type (first entry wins; duplicates are their own rule). */
function namespacesOf(spec: Spec): Map<string, { index: number; path: string | undefined }> {
  const m = new Map<string, { index: number; path: string | undefined }>();
  items(at(spec, 'linux', 'namespaces')).forEach((ns, index) => {
    const type = str(at(ns, 'type'));
    if (type !== undefined && !m.has(type)) m.set(type, { index, path: str(at(ns, 'path')) || undefined });
  });
  return m;
}

const hasNamespace = (spec: Spec, type: LinuxNamespaceType): boolean => namespacesOf(spec).has(type);

// ---------------------------------------------------------------------------------
// The rules, one per concern, in the order the findings read best.

/** ociVersion: runts implements runtime-spec 1.0 to 1.3; runc writes pre-release tags (1.0.2-dev). */
function ociVersionSupported({ spec }: RuleContext): Finding[] {
  const v = str(at(spec, 'ociVersion'));
  if (v === undefined) return [];
  const m = /^(\d+)\.(\d+)\.(\d+)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/.exec(v);
  if (m !== null && Number(m[1]) === 1 && Number(m[2]) <= 3) return [];
  return [error('oci-version', '/ociVersion', 'unsupported ociVersion', '1.0.0 to 1.3.x', show(v))];
}

/** root.path names a directory, relative to the bundle unless absolute (runc: invalid rootfs). */
function rootfsIsDirectory({ spec, bundle, host }: RuleContext): Finding[] {
  const root = at(spec, 'root');
  if (root === undefined) {
    return [error('root-missing', '/root', 'root must be specified', 'an object with "path"', 'nothing')];
  }
  const p = str(at(root, 'path'));
  if (p === undefined) return [];
  if (p === '') return [error('rootfs', '/root/path', 'root.path is empty', 'a directory', '""')];
  const abs = path.resolve(bundle, p);
  if (host.isDirectory(abs)) return [];
  const found = host.pathExists(abs) ? `${show(abs)} which is not a directory` : `${show(abs)} which does not exist`;
  return [error('rootfs', '/root/path', 'invalid rootfs', 'a directory', found)];
}

/** A process needs something to execute (runc: args must not be empty). */
function processArgsPresent({ spec }: RuleContext): Finding[] {
  const proc = at(spec, 'process');
  if (!isObj(proc)) return [];
  const args = proc['args'];
  if (args !== undefined && !Array.isArray(args)) return [];
  if (Array.isArray(args) && args.length > 0) return [];
  return [error('process-args', '/process/args', 'args must not be empty', 'at least one argument', args === undefined ? 'nothing' : '[]')];
}

function processCwdAbsolute({ spec }: RuleContext): Finding[] {
  const cwd = str(at(spec, 'process', 'cwd'));
  if (cwd === undefined || path.posix.isAbsolute(cwd)) return [];
  return [error('process-cwd', '/process/cwd', 'cwd must be an absolute path', 'an absolute path', show(cwd))];
}

/**
 * True when `cwd`, cleaned lexically, is /proc or below it. Such a cwd is how CVE-2024-21626
 * is exploited (`/proc/self/fd/N` of a host fd leaked into the init, `/proc/self/cwd/..`),
 * and no real workload needs to start inside /proc. Lexical only: a symlink in the rootfs
 * that points into /proc is resolved inside the container, where the init holds no host fd.
 */
export function cwdUnderProc(cwd: string): boolean {
  const clean = path.posix.normalize(`/${cwd}`);
  return clean === '/proc' || clean.startsWith('/proc/');
}

/** The message both create (this rule) and exec (--cwd, --process) refuse such a cwd with. */
export const MSG_CWD_UNDER_PROC = 'cwd must not be under /proc';

function processCwdNotProc({ spec }: RuleContext): Finding[] {
  const cwd = str(at(spec, 'process', 'cwd'));
  if (cwd === undefined || !path.posix.isAbsolute(cwd) || !cwdUnderProc(cwd)) return [];
  return [error('process-cwd-proc', '/process/cwd', MSG_CWD_UNDER_PROC, 'a directory of the container outside /proc', show(cwd))];
}

/**
 * Relative destinations are a warning, not an error: runc 1.1 accepts them (as relative
 * to /) and says they are deprecated, and configs in the wild still carry them.
 */
function mountDestinationsAbsolute({ spec }: RuleContext): Finding[] {
  return items(at(spec, 'mounts')).flatMap((m, i) => {
    const dest = str(at(m, 'destination'));
    if (dest === undefined) return [];
    if (dest === '') return [error('mount-destination', pointer('mounts', i, 'destination'), 'mount destination is empty', 'an absolute path', '""')];
    if (path.posix.isAbsolute(dest)) return [];
    return [
      warning(
        'mount-destination',
        pointer('mounts', i, 'destination'),
        'mount destination is not absolute (deprecated: used as relative to /)',
        'an absolute path',
        show(dest),
      ),
    ];
  });
}

function namespaceTypesKnown({ spec }: RuleContext): Finding[] {
  const known: readonly string[] = NAMESPACE_TYPES;
  return items(at(spec, 'linux', 'namespaces')).flatMap((ns, i) => {
    const type = str(at(ns, 'type'));
    if (type === undefined || known.includes(type)) return [];
    return [error('namespace-type', pointer('linux', 'namespaces', i, 'type'), 'unknown namespace type', NAMESPACE_TYPES.join(', '), show(type))];
  });
}

function namespacesUnique({ spec }: RuleContext): Finding[] {
  const first = new Map<string, number>();
  return items(at(spec, 'linux', 'namespaces')).flatMap((ns, i) => {
    const type = str(at(ns, 'type'));
    if (type === undefined) return [];
    const prev = first.get(type);
    if (prev === undefined) {
      first.set(type, i);
      return [];
    }
    return [
      error(
        'namespace-duplicate',
        pointer('linux', 'namespaces', i, 'type'),
        'malformed spec file: duplicated namespace',
        `each type once (already at ${pointer('linux', 'namespaces', prev)})`,
        show(type),
      ),
    ];
  });
}

/** A namespace to join must be an existing file of that namespace type (checked with NS_GET_NSTYPE). */
function namespacePathsValid({ spec, host }: RuleContext): Finding[] {
  return items(at(spec, 'linux', 'namespaces')).flatMap((ns, i) => {
    const type = str(at(ns, 'type'));
    const p = str(at(ns, 'path'));
    if (type === undefined || p === undefined || p === '') return [];
    const ptr = pointer('linux', 'namespaces', i, 'path');
    if (!path.posix.isAbsolute(p)) return [error('namespace-path', ptr, 'namespace path is not absolute', 'an absolute path', show(p))];
    let actual: LinuxNamespaceType | undefined;
    try {
      actual = host.namespaceTypeOf(p);
    } catch (err) {
      const code = err instanceof RuntimeError ? err.code : (err as { code?: unknown }).code;
      if (code === 'ENOENT') return [error('namespace-path', ptr, 'namespace path does not exist', `a ${type} namespace file`, show(p))];
      const why = err instanceof Error ? err.message : String(err);
      return [error('namespace-path', ptr, `cannot open namespace path: ${why}`, `a ${type} namespace file`, show(p))];
    }
    if (actual === type) return [];
    return [
      error(
        'namespace-path',
        ptr,
        'namespace path is not a namespace of the given type',
        `a ${type} namespace file`,
        actual === undefined ? `${show(p)}, not a namespace` : `${show(p)}, a ${actual} namespace`,
      ),
    ];
  });
}

/**
 * A new user namespace needs both maps (the kernel gives an unmapped process no
 * identity); a joined one brings its own; and maps make no sense without one (runc:
 * "User namespace mappings specified, but USER namespace isn't enabled in the config").
 */
function userNamespaceMappings({ spec }: RuleContext): Finding[] {
  const userns = namespacesOf(spec).get('user');
  const out: Finding[] = [];
  for (const key of ['uidMappings', 'gidMappings'] as const) {
    const maps = at(spec, 'linux', key);
    const count = Array.isArray(maps) ? maps.length : 0;
    const ptr = pointer('linux', key);
    if (userns === undefined) {
      if (count > 0) out.push(error('userns-mappings', ptr, 'user namespace mappings specified, but no user namespace in the config', 'a "user" entry in /linux/namespaces', `${count} mapping(s)`));
    } else if (userns.path === undefined) {
      if (count === 0) out.push(error('userns-mappings', ptr, `user namespace enabled, but no ${key === 'uidMappings' ? 'uid' : 'gid'} mappings`, 'at least one mapping', 'none'));
    } else if (count > 0) {
      out.push(warning('userns-mappings', ptr, 'mappings are ignored when joining an existing user namespace', 'no mappings with a namespace path', `${count} mapping(s)`));
    }
  }
  return out;
}

interface Range {
  index: number;
  container: number;
  host: number;
  size: number;
}

/** Zero-sized and overlapping entries of one id map; the kernel refuses both when writing uid_map. */
function mappingFindings(maps: unknown, base: (string | number)[]): Finding[] {
  const out: Finding[] = [];
  const ranges: Range[] = [];
  items(maps).forEach((m, index) => {
    const container = num(at(m, 'containerID'));
    const host = num(at(m, 'hostID'));
    const size = num(at(m, 'size'));
    if (size === 0) {
      out.push(error('idmap-size', pointer(...base, index, 'size'), 'mapping has size 0', 'a size of at least 1', '0'));
      return;
    }
    if (container === undefined || host === undefined || size === undefined) return;
    ranges.push({ index, container, host, size });
  });
  const overlaps = (a0: number, b0: number, size1: number, size2: number): boolean => a0 < b0 + size2 && b0 < a0 + size1;
  for (let j = 0; j < ranges.length; j++) {
    const b = ranges[j]!;
    for (let i = 0; i < j; i++) {
      const a = ranges[i]!;
      const side = overlaps(a.container, b.container, a.size, b.size) ? 'container' : overlaps(a.host, b.host, a.size, b.size) ? 'host' : undefined;
      if (side === undefined) continue;
      const key = side === 'container' ? 'containerID' : 'hostID';
      out.push(
        error(
          'idmap-overlap',
          pointer(...base, b.index),
          `mapping overlaps ${pointer(...base, a.index)} on the ${side} side`,
          'disjoint ranges',
          `${key} ${b[side]}+${b.size} and ${a[side]}+${a.size}`,
        ),
      );
      break;
    }
  }
  return out;
}

function idMappingsWellFormed({ spec }: RuleContext): Finding[] {
  const out = [
    ...mappingFindings(at(spec, 'linux', 'uidMappings'), ['linux', 'uidMappings']),
    ...mappingFindings(at(spec, 'linux', 'gidMappings'), ['linux', 'gidMappings']),
  ];
  items(at(spec, 'mounts')).forEach((m, i) => {
    out.push(...mappingFindings(at(m, 'uidMappings'), ['mounts', i, 'uidMappings']));
    out.push(...mappingFindings(at(m, 'gidMappings'), ['mounts', i, 'gidMappings']));
  });
  return out;
}

/**
 * runc 1.2 checkIDMapMounts (after specconv): an idmapped mount (idmap/ridmap option or
 * mapping fields) must be a bind mount, and its mappings — its own, or without any, the
 * container's user namespace's — must include both uid and gid mappings.
 */
function idmappedMounts({ spec }: RuleContext): Finding[] {
  const userns = namespacesOf(spec).get('user');
  const out: Finding[] = [];
  items(at(spec, 'mounts')).forEach((m, i) => {
    const options = items(at(m, 'options')).filter((o): o is string => typeof o === 'string');
    const uid = at(m, 'uidMappings');
    const gid = at(m, 'gidMappings');
    const option = options.find((o) => o === 'idmap' || o === 'ridmap');
    if (option === undefined && uid === undefined && gid === undefined) return;
    if (!options.some((o) => o === 'bind' || o === 'rbind')) {
      out.push(error('idmap-mount', pointer('mounts', i, 'options'), 'id-mapped mounts are only supported for bind-mounts', 'a "bind" or "rbind" option', show(options)));
      return;
    }
    if (uid === undefined && gid === undefined && userns !== undefined) {
      if (userns.path !== undefined) return;
      if (items(at(spec, 'linux', 'uidMappings')).length > 0 && items(at(spec, 'linux', 'gidMappings')).length > 0) return;
    }
    const own = uid !== undefined || gid !== undefined || userns === undefined;
    const count = (key: 'uidMappings' | 'gidMappings'): number => items(own ? at(m, key) : at(spec, 'linux', key)).length;
    const missing = count('uidMappings') === 0 ? 'uidMappings' : count('gidMappings') === 0 ? 'gidMappings' : undefined;
    if (missing === undefined) return;
    out.push(error('idmap-mount', pointer('mounts', i, missing), 'id-mapped mounts must have both uid and gid mappings specified', `${missing} for the mount${userns === undefined ? '' : ' or the user namespace'}`, 'none'));
  });
  return out;
}

/** Setting the host's own hostname would change it for everyone (runc: without a private UTS namespace). */
function hostnameNeedsUts({ spec }: RuleContext): Finding[] {
  if (hasNamespace(spec, 'uts')) return [];
  return (['hostname', 'domainname'] as const).flatMap((key) => {
    const v = str(at(spec, key));
    if (v === undefined || v === '') return [];
    return [error('uts-namespace', pointer(key), `unable to set ${key} without a private UTS namespace`, 'a "uts" entry in /linux/namespaces', show(v))];
  });
}

const IPC_SYSCTLS = new Set([
  'kernel.msgmax',
  'kernel.msgmnb',
  'kernel.msgmni',
  'kernel.sem',
  'kernel.shmall',
  'kernel.shmmax',
  'kernel.shmmni',
  'kernel.shm_rmid_forced',
]);

/** sysctl(8) accepts '/' as the separator: net/ipv4/conf/eno2.100/rp_filter is net.ipv4.conf.eno2/100.rp_filter. */
export function toDottedSysctl(key: string): string {
  const first = key.search(/[./]/);
  if (first === -1 || key[first] === '.') return key;
  return key.replace(/[./]/g, (c) => (c === '.' ? '/' : '.'));
}

/**
 * /proc/sys is only partly namespaced: a sysctl is allowed only when the namespace that
 * scopes it is the container's own, otherwise it would change the host (runc
 * libcontainer/configs/validate sysctl()).
 */
function sysctlsNamespaced({ spec, host }: RuleContext): Finding[] {
  const sysctl = at(spec, 'linux', 'sysctl');
  if (!isObj(sysctl)) return [];
  const ns = namespacesOf(spec);
  let hostNet: boolean | undefined;
  const isHostNet = (): boolean => {
    if (hostNet === undefined) {
      const net = ns.get('network');
      hostNet = net === undefined ? true : net.path === undefined ? false : host.isHostNetns(net.path);
    }
    return hostNet;
  };
  return Object.keys(sysctl).flatMap((raw) => {
    const key = toDottedSysctl(raw);
    const ptr = pointer('linux', 'sysctl', raw);
    if (IPC_SYSCTLS.has(key) || key.startsWith('fs.mqueue.')) {
      return ns.has('ipc') ? [] : [error('sysctl', ptr, `sysctl ${show(key)} is not allowed in the host's ipc namespace`, 'an "ipc" entry in /linux/namespaces', 'none')];
    }
    if (key.startsWith('net.')) {
      return isHostNet() ? [error('sysctl', ptr, `sysctl ${show(key)} not allowed in host network namespace`, 'a new or non-host "network" namespace', ns.has('network') ? 'the host network namespace' : 'none')] : [];
    }
    if (ns.has('uts')) {
      if (key === 'kernel.domainname') return [];
      if (key === 'kernel.hostname') {
        return [error('sysctl', ptr, `sysctl ${show(key)} is not allowed as it conflicts with the OCI "hostname" field`, 'the "hostname" field', show(key))];
      }
    }
    return [error('sysctl', ptr, `sysctl ${show(key)} is not in a separate kernel namespace`, 'a namespaced sysctl (kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.*, net.*, kernel.domainname)', show(key))];
  });
}

/** Masking and read-only remounts inside the host's mount namespace would change the host (runc security()). */
function maskedPathsNeedMountNamespace({ spec }: RuleContext): Finding[] {
  if (hasNamespace(spec, 'mount')) return [];
  const masked = items(at(spec, 'linux', 'maskedPaths')).length;
  const ro = items(at(spec, 'linux', 'readonlyPaths')).length;
  if (masked + ro === 0) return [];
  const ptr = masked > 0 ? '/linux/maskedPaths' : '/linux/readonlyPaths';
  return [error('mount-namespace', ptr, 'unable to restrict sys entries without a private mount namespace', 'a "mount" entry in /linux/namespaces', 'none')];
}

function timeOffsetsNeedTimeNamespace({ spec }: RuleContext): Finding[] {
  if (at(spec, 'linux', 'timeOffsets') === undefined || hasNamespace(spec, 'time')) return [];
  return [error('time-namespace', '/linux/timeOffsets', 'time namespace offsets specified, but time namespace isn\'t enabled in the config', 'a "time" entry in /linux/namespaces', 'none')];
}

function rlimitsValid({ spec }: RuleContext): Finding[] {
  const seen = new Map<string, number>();
  return items(at(spec, 'process', 'rlimits')).flatMap((r, i) => {
    const out: Finding[] = [];
    const type = str(at(r, 'type'));
    if (type !== undefined) {
      const prev = seen.get(type);
      if (!isKnownRlimit(type)) {
        out.push(error('rlimit-type', pointer('process', 'rlimits', i, 'type'), 'unknown rlimit type', 'RLIMIT_CPU ... RLIMIT_RTTIME', show(type)));
      } else if (prev !== undefined) {
        out.push(error('rlimit-duplicate', pointer('process', 'rlimits', i, 'type'), 'duplicate rlimit type', `each type once (already at ${pointer('process', 'rlimits', prev)})`, show(type)));
      } else {
        seen.set(type, i);
      }
    }
    const soft = num(at(r, 'soft'));
    const hard = num(at(r, 'hard'));
    if (soft !== undefined && hard !== undefined && soft > hard) {
      out.push(error('rlimit-soft', pointer('process', 'rlimits', i, 'soft'), 'soft limit is greater than the hard limit', `at most ${hard}`, String(soft)));
    }
    return out;
  });
}

/**
 * A name that is no Linux capability is a mistake in the config. A real capability the
 * running kernel is too old for is skipped at create, as runc does, so it only warns.
 */
function capabilitiesKnown({ spec, host }: RuleContext): Finding[] {
  const caps = at(spec, 'process', 'capabilities');
  if (!isObj(caps)) return [];
  let lastCap: number | undefined;
  return CAPABILITY_SETS.flatMap((set) =>
    items(caps[set]).flatMap((name, i) => {
      if (typeof name !== 'string') return [];
      const ptr = pointer('process', 'capabilities', set, i);
      const n = capabilityNumber(name);
      if (n === undefined) return [error('capability-unknown', ptr, 'unknown capability', 'a Linux capability name (CAP_CHOWN ... CAP_CHECKPOINT_RESTORE)', show(name))];
      lastCap ??= host.lastCap();
      if (n <= lastCap) return [];
      return [warning('capability-unavailable', ptr, 'capability not supported by this kernel, it will be skipped', `a capability up to number ${lastCap}`, `${name} (${n})`)];
    }),
  );
}

const HOOK_KINDS = ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'] as const;

function hookPathsAbsolute({ spec }: RuleContext): Finding[] {
  return HOOK_KINDS.flatMap((kind) =>
    items(at(spec, 'hooks', kind)).flatMap((h, i) => {
      const p = str(at(h, 'path'));
      if (p === undefined || path.posix.isAbsolute(p)) return [];
      return [error('hook-path', pointer('hooks', kind, i, 'path'), 'hook path is not absolute', 'an absolute path', show(p))];
    }),
  );
}

/**
 * cgroupfs: a path below the cgroup root (absolute) or below runts' own cgroup
 * (relative); `..` may not climb out of either. systemd: exactly `slice:prefix:name`,
 * the only form runc's systemd driver accepts.
 */
function cgroupsPathValid({ spec, systemdCgroup }: RuleContext): Finding[] {
  const p = str(at(spec, 'linux', 'cgroupsPath'));
  if (p === undefined || p === '') return [];
  const ptr = '/linux/cgroupsPath';
  const parts = p.split(':');
  if (systemdCgroup) {
    if (parts.length === 3) return [];
    return [error('cgroups-path', ptr, 'expected cgroupsPath to be of format "slice:prefix:name" for systemd cgroups', '"slice:prefix:name"', show(p))];
  }
  if (parts.length === 3 && !p.startsWith('/')) {
    return [error('cgroups-path', ptr, 'cgroupsPath has the systemd form "slice:prefix:name" but --systemd-cgroup is not set', 'a cgroupfs path, or --systemd-cgroup', show(p))];
  }
  let depth = 0;
  for (const c of p.split('/')) {
    if (c === '..') depth--;
    else if (c !== '' && c !== '.') depth++;
    if (depth < 0) {
      return [error('cgroups-path', ptr, 'cgroupsPath escapes its root with ".."', 'a path without ".." above its start', show(p))];
    }
  }
  return [];
}

const SECCOMP_ACTIONS = [
  'SCMP_ACT_KILL',
  'SCMP_ACT_KILL_PROCESS',
  'SCMP_ACT_KILL_THREAD',
  'SCMP_ACT_TRAP',
  'SCMP_ACT_ERRNO',
  'SCMP_ACT_TRACE',
  'SCMP_ACT_ALLOW',
  'SCMP_ACT_LOG',
  'SCMP_ACT_NOTIFY',
];
const SECCOMP_OPERATORS = ['SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ'];
const SECCOMP_ARCHES = [
  'SCMP_ARCH_X86',
  'SCMP_ARCH_X86_64',
  'SCMP_ARCH_X32',
  'SCMP_ARCH_ARM',
  'SCMP_ARCH_AARCH64',
  'SCMP_ARCH_LOONGARCH64',
  'SCMP_ARCH_M68K',
  'SCMP_ARCH_MIPS',
  'SCMP_ARCH_MIPS64',
  'SCMP_ARCH_MIPS64N32',
  'SCMP_ARCH_MIPSEL',
  'SCMP_ARCH_MIPSEL64',
  'SCMP_ARCH_MIPSEL64N32',
  'SCMP_ARCH_PPC',
  'SCMP_ARCH_PPC64',
  'SCMP_ARCH_PPC64LE',
  'SCMP_ARCH_S390',
  'SCMP_ARCH_S390X',
  'SCMP_ARCH_PARISC',
  'SCMP_ARCH_PARISC64',
  'SCMP_ARCH_RISCV64',
  'SCMP_ARCH_SH',
  'SCMP_ARCH_SHEB',
];
/** Only these actions carry a return value for the filter (SECCOMP_RET_ERRNO / SECCOMP_RET_TRACE data). */
const ERRNO_ACTIONS = ['SCMP_ACT_ERRNO', 'SCMP_ACT_TRACE'];

function unknownValue(rule: string, ptr: string, what: string, allowed: readonly string[], v: unknown): Finding[] {
  const s = str(v);
  if (s === undefined || allowed.includes(s)) return [];
  return [error(rule, ptr, `unknown seccomp ${what}`, allowed.length > 6 ? `one of ${allowed[0]} ... ${allowed[allowed.length - 1]}` : allowed.join(', '), show(s))];
}

function seccompNamesKnown({ spec }: RuleContext): Finding[] {
  const sc = at(spec, 'linux', 'seccomp');
  if (!isObj(sc)) return [];
  const base = ['linux', 'seccomp'];
  return [
    ...unknownValue('seccomp-action', pointer(...base, 'defaultAction'), 'action', SECCOMP_ACTIONS, sc['defaultAction']),
    ...items(sc['architectures']).flatMap((a, i) => unknownValue('seccomp-arch', pointer(...base, 'architectures', i), 'architecture', SECCOMP_ARCHES, a)),
    ...items(sc['syscalls']).flatMap((s, i) => [
      ...unknownValue('seccomp-action', pointer(...base, 'syscalls', i, 'action'), 'action', SECCOMP_ACTIONS, at(s, 'action')),
      ...items(at(s, 'args')).flatMap((a, j) =>
        unknownValue('seccomp-operator', pointer(...base, 'syscalls', i, 'args', j, 'op'), 'operator', SECCOMP_OPERATORS, at(a, 'op')),
      ),
    ]),
  ];
}

/** errnoRet only means something for actions that return a value; elsewhere it is a mistake (runc refuses it). */
function seccompErrnoRetWithErrnoAction({ spec }: RuleContext): Finding[] {
  const sc = at(spec, 'linux', 'seccomp');
  if (!isObj(sc)) return [];
  const out: Finding[] = [];
  const def = str(sc['defaultAction']);
  if (sc['defaultErrnoRet'] !== undefined && def !== undefined && !ERRNO_ACTIONS.includes(def)) {
    out.push(error('seccomp-errnoret', '/linux/seccomp/defaultErrnoRet', 'defaultErrnoRet is only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE', 'defaultAction SCMP_ACT_ERRNO or SCMP_ACT_TRACE', show(def)));
  }
  items(sc['syscalls']).forEach((s, i) => {
    const action = str(at(s, 'action'));
    if (at(s, 'errnoRet') !== undefined && action !== undefined && !ERRNO_ACTIONS.includes(action)) {
      out.push(error('seccomp-errnoret', pointer('linux', 'seccomp', 'syscalls', i, 'errnoRet'), 'errnoRet is only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE', 'action SCMP_ACT_ERRNO or SCMP_ACT_TRACE', show(action)));
    }
  });
  return out;
}

/** SCMP_ACT_NOTIFY hands syscalls to an agent: there must be a socket to send the listener fd to. */
function seccompNotifyHasListener({ spec }: RuleContext): Finding[] {
  const sc = at(spec, 'linux', 'seccomp');
  if (!isObj(sc)) return [];
  const notifies = sc['defaultAction'] === 'SCMP_ACT_NOTIFY' || items(sc['syscalls']).some((s) => at(s, 'action') === 'SCMP_ACT_NOTIFY');
  if (!notifies || (str(sc['listenerPath']) ?? '') !== '') return [];
  return [error('seccomp-listener', '/linux/seccomp/listenerPath', 'seccomp has SCMP_ACT_NOTIFY actions but no listener path', 'a unix socket path', 'none')];
}

/**
 * runc's limits on SCMP_ACT_NOTIFY (its wording): init sends the listener to the runtime
 * with write(2) under the new filter, so neither write nor the default action (which
 * covers write) may wait for an agent that does not have the listener yet.
 */
function seccompNotifyAllowed({ spec }: RuleContext): Finding[] {
  const sc = at(spec, 'linux', 'seccomp');
  if (!isObj(sc)) return [];
  const out: Finding[] = [];
  if (sc['defaultAction'] === 'SCMP_ACT_NOTIFY') {
    out.push(error('seccomp-notify', '/linux/seccomp/defaultAction', 'SCMP_ACT_NOTIFY cannot be used as default action', 'any other action', 'SCMP_ACT_NOTIFY'));
  }
  items(sc['syscalls']).forEach((s, i) => {
    if (at(s, 'action') !== 'SCMP_ACT_NOTIFY' || !items(at(s, 'names')).includes('write')) return;
    out.push(error('seccomp-notify', pointer('linux', 'seccomp', 'syscalls', i, 'names'), 'SCMP_ACT_NOTIFY cannot be used for the write syscall', 'no write', 'write'));
  });
  return out;
}

/**
 * seccomp(2) compares at most six arguments (index 0-5; libseccomp refuses more).
 * valueTwo only means something to SCMP_CMP_MASKED_EQ (it is the value the masked
 * argument must equal); runc ignores it elsewhere, so that is a warning, not an error.
 */
function seccompArgsValid({ spec }: RuleContext): Finding[] {
  return items(at(spec, 'linux', 'seccomp', 'syscalls')).flatMap((s, i) =>
    items(at(s, 'args')).flatMap((a, j) => {
      const out: Finding[] = [];
      const index = num(at(a, 'index'));
      if (index !== undefined && index > 5) {
        out.push(error('seccomp-arg-index', pointer('linux', 'seccomp', 'syscalls', i, 'args', j, 'index'), 'seccomp argument index out of range', '0 to 5', show(index)));
      }
      const two = num(at(a, 'valueTwo'));
      const op = str(at(a, 'op'));
      if (two !== undefined && two !== 0 && op !== undefined && op !== 'SCMP_CMP_MASKED_EQ') {
        out.push(warning('seccomp-value-two', pointer('linux', 'seccomp', 'syscalls', i, 'args', j, 'valueTwo'), 'valueTwo is only used with SCMP_CMP_MASKED_EQ and is ignored here', 'op SCMP_CMP_MASKED_EQ', show(op)));
      }
      return out;
    }),
  );
}

/**
 * What the spec allows but runts cannot do yet: the notify flag WAIT_KILLABLE_RECV.
 * A warning, since the config itself is valid; create refuses it (src/security/seccomp.ts).
 */
function seccompSupported({ spec }: RuleContext): Finding[] {
  const sc = at(spec, 'linux', 'seccomp');
  if (!isObj(sc)) return [];
  const out: Finding[] = [];
  items(sc['flags']).forEach((f, i) => {
    if (f === 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV') {
      out.push(warning('seccomp-unsupported', pointer('linux', 'seccomp', 'flags', i), 'seccomp flag SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV is not supported yet', 'SECCOMP_FILTER_FLAG_TSYNC, SECCOMP_FILTER_FLAG_LOG or SECCOMP_FILTER_FLAG_SPEC_ALLOW', show(f)));
    }
  });
  return out;
}

function devicesValid({ spec }: RuleContext): Finding[] {
  return items(at(spec, 'linux', 'devices')).flatMap((d, i) => {
    const out: Finding[] = [];
    const base = ['linux', 'devices', i];
    const type = str(at(d, 'type'));
    if (type !== undefined && !['c', 'b', 'u', 'p'].includes(type)) {
      out.push(error('device-type', pointer(...base, 'type'), 'invalid device type', 'c, b, u or p', show(type)));
    } else if (type !== undefined && type !== 'p') {
      for (const key of ['major', 'minor'] as const) {
        if (at(d, key) === undefined) out.push(error('device-number', pointer(...base, key), `${key} is required for a device of type ${show(type)}`, 'a number', 'nothing'));
      }
    }
    const p = str(at(d, 'path'));
    if (p !== undefined) {
      const clean = path.posix.normalize(p);
      if (!path.posix.isAbsolute(p)) out.push(error('device-path', pointer(...base, 'path'), 'device path is not absolute', 'an absolute path under /dev', show(p)));
      else if (!clean.startsWith('/dev/')) out.push(error('device-path', pointer(...base, 'path'), 'device path is not under /dev', 'an absolute path under /dev', show(p)));
    }
    return out;
  });
}

function maskedAndReadonlyPathsAbsolute({ spec }: RuleContext): Finding[] {
  return (['maskedPaths', 'readonlyPaths'] as const).flatMap((key) =>
    items(at(spec, 'linux', key)).flatMap((p, i) => {
      const s = str(p);
      if (s === undefined || path.posix.isAbsolute(s)) return [];
      return [error('path-absolute', pointer('linux', key, i), `${key} entry is not absolute`, 'an absolute path', show(s))];
    }),
  );
}

const PROPAGATIONS = ['private', 'rprivate', 'slave', 'rslave', 'shared', 'rshared', 'unbindable', 'runbindable'];

function rootfsPropagationKnown({ spec }: RuleContext): Finding[] {
  const v = str(at(spec, 'linux', 'rootfsPropagation'));
  if (v === undefined || v === '' || PROPAGATIONS.includes(v)) return [];
  return [error('rootfs-propagation', '/linux/rootfsPropagation', `rootfsPropagation=${v} is not supported`, PROPAGATIONS.join(', '), show(v))];
}

/** The rule table: name -> check. Order is the order findings are reported in. */
export const RULES: ReadonlyArray<readonly [name: string, rule: Rule]> = [
  ['ociVersionSupported', ociVersionSupported],
  ['rootfsIsDirectory', rootfsIsDirectory],
  ['processArgsPresent', processArgsPresent],
  ['processCwdAbsolute', processCwdAbsolute],
  ['processCwdNotProc', processCwdNotProc],
  ['capabilitiesKnown', capabilitiesKnown],
  ['rlimitsValid', rlimitsValid],
  ['hostnameNeedsUts', hostnameNeedsUts],
  ['mountDestinationsAbsolute', mountDestinationsAbsolute],
  ['hookPathsAbsolute', hookPathsAbsolute],
  ['namespaceTypesKnown', namespaceTypesKnown],
  ['namespacesUnique', namespacesUnique],
  ['namespacePathsValid', namespacePathsValid],
  ['userNamespaceMappings', userNamespaceMappings],
  ['idMappingsWellFormed', idMappingsWellFormed],
  ['idmappedMounts', idmappedMounts],
  ['timeOffsetsNeedTimeNamespace', timeOffsetsNeedTimeNamespace],
  ['sysctlsNamespaced', sysctlsNamespaced],
  ['maskedPathsNeedMountNamespace', maskedPathsNeedMountNamespace],
  ['maskedAndReadonlyPathsAbsolute', maskedAndReadonlyPathsAbsolute],
  ['cgroupsPathValid', cgroupsPathValid],
  ['devicesValid', devicesValid],
  ['rootfsPropagationKnown', rootfsPropagationKnown],
  ['seccompNamesKnown', seccompNamesKnown],
  ['seccompErrnoRetWithErrnoAction', seccompErrnoRetWithErrnoAction],
  ['seccompNotifyHasListener', seccompNotifyHasListener],
  ['seccompNotifyAllowed', seccompNotifyAllowed],
  ['seccompArgsValid', seccompArgsValid],
  ['seccompSupported', seccompSupported],
  ['processAttrsValid', ({ spec, host }) => processAttrFindings(spec, (host.lsm ?? hostLsm)())],
];

/**
 * Every rule's findings, in table order. A rule that throws despite its guards is a bug
 * in runts, not in the config; it is reported as an 'internal' error naming the rule
 * rather than crashing `check` halfway through.
 */
export function semanticFindings(spec: Spec, bundle: string, host: Partial<HostProbes> = {}, opts: ValidateOptions = {}): Finding[] {
  const ctx: RuleContext = { spec, bundle, host: { ...realHost, ...host }, systemdCgroup: opts.systemdCgroup === true };
  return RULES.flatMap(([name, rule]) => {
    try {
      return rule(ctx);
    } catch (err) {
      return [error('internal', '', `validation rule ${name} failed: ${err instanceof Error ? err.message : String(err)}`)];
    }
  });
}
