// Owns: the runtime-spec "features" document (features.md) describing what this runts
// supports on this host — what `runts features` prints and what callers such as
// containerd read before they decide which options to send. Runs in: cli.
import { knownMountOptions } from '../rootfs/mount-options';
import { CAPABILITY_NAMES } from '../security/capabilities';
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

/** Options parsed but refused at create time are not advertised. */
const UNSUPPORTED_MOUNT_OPTIONS = new Set(['idmap', 'ridmap']);

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
      apparmor: { enabled: false },
      selinux: { enabled: false },
      intelRdt: { enabled: false },
      mountExtensions: { idmap: { enabled: false } },
    },
    annotations: {
      'org.opencontainers.runc.checkpoint.enabled': 'false',
      'run.runts.commit': opts.commit,
      'run.runts.version': opts.version,
    },
  };
}
