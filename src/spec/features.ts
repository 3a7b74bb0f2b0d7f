// Owns: the runtime-spec "features" document (features.md) describing what this runts
// supports on this host — what `runts features` prints and what callers such as
// containerd read before they decide which options to send. Runs in: cli.
import { knownMountOptions } from '../rootfs/mount-options';
import { CAPABILITY_NAMES } from '../security/capabilities';
import { hostLsm } from '../security/lsm';
import { NAMESPACE_TYPES, SPEC_VERSION } from './types';

export interface SeccompFeatures {
  enabled: boolean;
  actions?: string[];
  operators?: string[];
  archs?: string[];
  knownFlags?: string[];
  supportedFlags?: string[];
}

export interface Features {
  ociVersionMin: string;
  ociVersionMax: string;
  hooks: string[];
  mountOptions: string[];
  linux: {
    namespaces: string[];
    capabilities: string[];
    cgroup: { v1: boolean; v2: boolean; systemd: boolean; systemdUser: boolean; rdma: boolean };
    seccomp: SeccompFeatures;
    apparmor: { enabled: boolean };
    selinux: { enabled: boolean };
    intelRdt: { enabled: boolean };
    mountExtensions: { idmap: { enabled: boolean } };
  };
  annotations: Record<string, string>;
}

/** What the host's libseccomp and kernel can do; each probe may throw (libseccomp missing). */
export interface SeccompProbes {
  /** the SCMP_ARCH_* names this libseccomp knows */
  archs(): string[];
  /** the SECCOMP_FILTER_FLAG_* names this libseccomp and kernel accept */
  supportedFlags(): string[];
  /** SCMP_ACT_NOTIFY with a listener works: libseccomp API level >= 6 and a kernel with user notification */
  notify(): boolean;
}

const SECCOMP_ACTIONS = [
  'SCMP_ACT_ALLOW',
  'SCMP_ACT_ERRNO',
  'SCMP_ACT_KILL',
  'SCMP_ACT_KILL_PROCESS',
  'SCMP_ACT_KILL_THREAD',
  'SCMP_ACT_LOG',
  'SCMP_ACT_NOTIFY',
  'SCMP_ACT_TRACE',
  'SCMP_ACT_TRAP',
];
const SECCOMP_OPERATORS = ['SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_LE', 'SCMP_CMP_LT', 'SCMP_CMP_MASKED_EQ', 'SCMP_CMP_NE'];
const SECCOMP_KNOWN_FLAGS = ['SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW'];

/**
 * linux.seccomp of the features document, sorted as runc prints it. SCMP_ACT_NOTIFY is
 * listed only where create would accept it; without libseccomp nothing is enabled.
 */
export function seccompFeatures(probes: SeccompProbes = hostSeccompProbes()): SeccompFeatures {
  try {
    const archs = probes.archs().sort();
    const notify = probes.notify();
    return {
      enabled: true,
      actions: SECCOMP_ACTIONS.filter((a) => notify || a !== 'SCMP_ACT_NOTIFY'),
      operators: [...SECCOMP_OPERATORS],
      archs,
      knownFlags: [...SECCOMP_KNOWN_FLAGS],
      supportedFlags: probes.supportedFlags(),
    };
  } catch {
    return { enabled: false };
  }
}

/** The real probes; the modules load only when `runts features` asks. */
export function hostSeccompProbes(): SeccompProbes {
  const sec = require('../security/seccomp') as typeof import('../security/seccomp');
  const lib = require('../sys/libseccomp') as typeof import('../sys/libseccomp');
  const notif = require('../sys/seccomp-notify') as typeof import('../sys/seccomp-notify');
  return {
    archs: () => Object.entries(sec.SECCOMP_ARCH_NAMES).filter(([, name]) => lib.archToken(name) !== 0).map(([a]) => a),
    supportedFlags: () => {
      const attrs: Record<string, number> = {
        SECCOMP_FILTER_FLAG_TSYNC: lib.SCMP_FLTATR.CTL_TSYNC,
        SECCOMP_FILTER_FLAG_LOG: lib.SCMP_FLTATR.CTL_LOG,
        SECCOMP_FILTER_FLAG_SPEC_ALLOW: lib.SCMP_FLTATR.CTL_SSB,
      };
      const f = new lib.Filter(lib.SCMP_ACT.ALLOW);
      try {
        return SECCOMP_KNOWN_FLAGS.filter((name) => {
          try {
            f.setAttr(attrs[name]!, 1, name);
            return true;
          } catch {
            return false;
          }
        });
      } finally {
        f.release();
      }
    },
    notify: () => lib.seccompApiLevel() >= sec.NOTIFY_MIN_API_LEVEL && notif.kernelHasUserNotif(),
  };
}

/** Options parsed but refused at create time are not advertised. */
const UNSUPPORTED_MOUNT_OPTIONS = new Set<string>();

export function buildFeatures(opts: { seccomp: SeccompFeatures; version: string; commit: string }): Features {
  return {
    ociVersionMin: '1.0.0',
    ociVersionMax: SPEC_VERSION,
    hooks: ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'],
    mountOptions: knownMountOptions().filter((o) => !UNSUPPORTED_MOUNT_OPTIONS.has(o)),
    linux: {
      namespaces: [...NAMESPACE_TYPES].sort(),
      capabilities: [...CAPABILITY_NAMES],
      // The systemd driver is refused (`--systemd-cgroup`); cgroupfs works on v1, v2 and hybrid.
      cgroup: { v1: true, v2: true, systemd: false, systemdUser: false, rdma: true },
      seccomp: opts.seccomp,
      apparmor: { enabled: hostLsm().apparmor },
      selinux: { enabled: hostLsm().selinux },
      intelRdt: { enabled: false },
      mountExtensions: { idmap: { enabled: true } },
    },
    annotations: {
      'org.opencontainers.runc.checkpoint.enabled': 'false',
      'run.runts.commit': opts.commit,
      'run.runts.version': opts.version,
    },
  };
}
