// Owns: the device access rule list of a container — linux.resources.devices in order,
// then runc's default allowed devices — in one form both writers use (devices-v1.ts
// for v1's devices.allow/deny, devices-bpf.ts for the v2 eBPF filter). Pure. Runs in: cli.
//
// Like runc, the evaluation starts from "deny everything" whatever the first rule is
// (runc's devices emulator begins in allow-list mode): a config without any device
// rule still gets only the defaults, not the host's devices.
import { ConfigError } from '../../errors';
import type { LinuxDevice, LinuxDeviceCgroup } from '../../spec/types';

export type DeviceType = 'a' | 'b' | 'c';

export interface DeviceRule {
  type: DeviceType;
  /** -1 is the wildcard '*' */
  major: number;
  minor: number;
  /** a non-empty subset of "rwm" */
  access: string;
  allow: boolean;
}

interface DefaultDevice {
  /** the /dev path a spec device can take over (then this default is dropped) */
  path?: string;
  rule: DeviceRule;
}

const rwm = (type: DeviceType, major: number, minor: number): DeviceRule => ({ type, major, minor, access: 'rwm', allow: true });

/**
 * runc's libcontainer/specconv AllowedDevices, in runc's order, appended to every
 * container's rules: mknod of anything, the standard /dev nodes, ptys and tun.
 * (runc 1.1 has no /dev/console rule here: the console is a bind of a pty.)
 */
export const DEFAULT_ALLOWED_DEVICES: readonly DefaultDevice[] = [
  { rule: { type: 'c', major: -1, minor: -1, access: 'm', allow: true } },
  { rule: { type: 'b', major: -1, minor: -1, access: 'm', allow: true } },
  { path: '/dev/null', rule: rwm('c', 1, 3) },
  { path: '/dev/random', rule: rwm('c', 1, 8) },
  { path: '/dev/full', rule: rwm('c', 1, 7) },
  { path: '/dev/tty', rule: rwm('c', 5, 0) },
  { path: '/dev/zero', rule: rwm('c', 1, 5) },
  { path: '/dev/urandom', rule: rwm('c', 1, 9) },
  // /dev/pts/*
  { rule: rwm('c', 136, -1) },
  // /dev/ptmx
  { rule: rwm('c', 5, 2) },
  // tun/tap
  { rule: rwm('c', 10, 200) },
];

function toRule(d: LinuxDeviceCgroup, i: number): DeviceRule {
  const pointer = `/linux/resources/devices/${i}`;
  const type = d.type ?? 'a';
  if (type !== 'a' && type !== 'b' && type !== 'c') {
    throw new ConfigError(`invalid cgroup device type ${JSON.stringify(type)} (expected "a", "b" or "c")`, `${pointer}/type`);
  }
  const access = d.access ?? '';
  if (access === '') throw new ConfigError(`device access at ${i} field cannot be empty`, `${pointer}/access`);
  if (!/^[rwm]+$/.test(access)) throw new ConfigError(`invalid device access ${JSON.stringify(access)} (expected letters of "rwm")`, `${pointer}/access`);
  for (const k of ['major', 'minor'] as const) {
    const v = d[k];
    if (v !== undefined && v !== -1 && (!Number.isInteger(v) || v < 0 || v > 0xffffffff)) {
      throw new ConfigError(`invalid device ${k} ${v}`, `${pointer}/${k}`);
    }
  }
  return { type, major: d.major ?? -1, minor: d.minor ?? -1, access, allow: d.allow };
}

/**
 * The full ordered rule list (runc specconv CreateCgroupConfig + createDevices): the
 * spec's rules, then the defaults — minus a default whose /dev path the spec's
 * linux.devices redefines (the spec's device takes priority there).
 */
export function planDeviceRules(rules: readonly LinuxDeviceCgroup[] = [], linuxDevices: readonly LinuxDevice[] = []): DeviceRule[] {
  const specPaths = new Set(linuxDevices.map((d) => d.path));
  return [
    ...rules.map(toRule),
    ...DEFAULT_ALLOWED_DEVICES.filter((d) => d.path === undefined || !specPaths.has(d.path)).map((d) => ({ ...d.rule })),
  ];
}

/** "c 1:3 rwm", "a *:* rwm": the devices.allow/deny/list line format. */
export function ruleString(r: DeviceRule): string {
  const n = (v: number): string => (v < 0 ? '*' : String(v));
  return `${r.type} ${n(r.major)}:${n(r.minor)} ${r.access}`;
}

export function isDenyAll(r: DeviceRule): boolean {
  return !r.allow && r.type === 'a';
}
