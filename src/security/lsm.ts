// Owns: whether this host has AppArmor and SELinux enabled — the answers `runts features`
// advertises and that decide whether a config asking for a profile or label can run.
// Read from the host's files the way runc (apparmor.IsEnabled) and go-selinux
// (GetEnabled) read them. Runs in: cli.
import * as fs from 'node:fs';
import type { LsmStatus } from './process-attrs';

/** The files read, so that tests can point the probes at a tmp tree. */
export interface LsmPaths {
  apparmorDir: string;
  apparmorEnabled: string;
  mountinfo: string;
  currentLabel: string;
}

export const HOST_LSM_PATHS: LsmPaths = {
  apparmorDir: '/sys/kernel/security/apparmor',
  apparmorEnabled: '/sys/module/apparmor/parameters/enabled',
  mountinfo: '/proc/self/mountinfo',
  currentLabel: '/proc/thread-self/attr/current',
};

function read(p: string): string | undefined {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
}

/** runc: securityfs shows AppArmor and the module parameter says "Y". */
export function isAppArmorEnabled(paths: LsmPaths = HOST_LSM_PATHS): boolean {
  if (!fs.existsSync(paths.apparmorDir)) return false;
  return read(paths.apparmorEnabled)?.startsWith('Y') === true;
}

/**
 * go-selinux: a selinuxfs is mounted and our own label is readable and not "kernel"
 * (a kernel with SELinux compiled in but disabled answers EINVAL for attr/current).
 */
export function isSELinuxEnabled(paths: LsmPaths = HOST_LSM_PATHS): boolean {
  const mounts = read(paths.mountinfo) ?? '';
  // mountinfo: "... - <fstype> <source> <options>" (proc(5)).
  if (!mounts.split('\n').some((l) => / - selinuxfs /.test(l))) return false;
  const label = read(paths.currentLabel)?.replace(/\0/g, '').trim();
  return label !== undefined && label !== '' && label !== 'kernel';
}

let cached: LsmStatus | undefined;

/** The host's answer, read once per process. */
export function hostLsm(): LsmStatus {
  cached ??= { apparmor: isAppArmorEnabled(), selinux: isSELinuxEnabled() };
  return cached;
}
