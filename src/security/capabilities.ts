// Owns: the Linux capability names and numbers (linux/capability.h), and turning the
// spec's five capability lists into the bit masks native applies. Runs in: cli.
import * as fs from 'node:fs';
import type { LinuxCapabilities } from '../spec/types';

/** Index = capability number, as in include/uapi/linux/capability.h. */
export const CAPABILITY_NAMES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
] as const;

export type CapabilityName = (typeof CAPABILITY_NAMES)[number];

/** The highest capability this code knows (CAP_CHECKPOINT_RESTORE, Linux 5.9). */
export const CAP_LAST_KNOWN = CAPABILITY_NAMES.length - 1;

const numbers = new Map<string, number>(CAPABILITY_NAMES.map((name, i) => [name, i]));

export const CAPABILITY_SETS = ['bounding', 'effective', 'permitted', 'inheritable', 'ambient'] as const;
export type CapabilitySet = (typeof CAPABILITY_SETS)[number];

export function isKnownCapability(name: string): name is CapabilityName {
  return numbers.has(name);
}

export function capabilityNumber(name: string): number | undefined {
  return numbers.get(name);
}

let cachedLastCap: number | undefined;

/**
 * The highest capability the running kernel supports. Older kernels lack the newest
 * capabilities (CAP_PERFMON, CAP_BPF, CAP_CHECKPOINT_RESTORE arrived in 5.8/5.9), and
 * capset() fails with EINVAL on a bit the kernel does not know. When the file cannot be
 * read (no /proc), assume the kernel knows everything this table knows.
 */
export function lastCapOfKernel(): number {
  if (cachedLastCap === undefined) {
    try {
      const n = Number.parseInt(fs.readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8').trim(), 10);
      cachedLastCap = Number.isInteger(n) && n >= 0 ? n : CAP_LAST_KNOWN;
    } catch {
      cachedLastCap = CAP_LAST_KNOWN;
    }
  }
  return cachedLastCap;
}

export type CapMasks = Record<CapabilitySet, bigint>;

export interface CapMaskResult extends CapMasks {
  /** names left out: capabilities this kernel lacks (runc logs and skips them too) */
  skipped: string[];
}

/**
 * Bit masks per set. Unknown names and capabilities above `lastCap` are left out and
 * reported in `skipped`; validation has already refused names that are not Linux
 * capabilities at all, so here they can only be ones the kernel is too old for.
 */
export function toCapMasks(caps: LinuxCapabilities, lastCap: number = lastCapOfKernel()): CapMaskResult {
  const masks: CapMasks = { bounding: 0n, effective: 0n, permitted: 0n, inheritable: 0n, ambient: 0n };
  const skipped = new Set<string>();
  for (const set of CAPABILITY_SETS) {
    for (const name of caps[set] ?? []) {
      const n = numbers.get(name);
      if (n === undefined || n > lastCap) {
        skipped.add(name);
        continue;
      }
      masks[set] |= 1n << BigInt(n);
    }
  }
  return { ...masks, skipped: [...skipped].sort() };
}
