// Owns: linux.personality, process.ioPriority, process.scheduler, process.apparmorProfile,
// process.selinuxLabel and linux.mountLabel — their checks (runc's validator and specconv,
// with runc's wording) and their conversion to the values native/src/attrs.c hands to
// the kernel (src/process/bootstrap.ts puts them on the wire). Pure: the host's LSM state comes in as
// LsmStatus (src/security/lsm.ts probes it). Runs in: cli.
import { finding, findingError, showValue, type Finding } from '../spec/finding';
import type { Linux, Process } from '../spec/types';

/** Whether the host has each LSM enabled (runc apparmor.IsEnabled, go-selinux GetEnabled). */
export interface LsmStatus {
  apparmor: boolean;
  selinux: boolean;
}

/** include/uapi/linux/personality.h; runc knows these two domains only. */
export const PERSONALITY_DOMAINS: Readonly<Record<string, number>> = { LINUX: 0x0000, LINUX32: 0x0008 };

/** include/uapi/linux/ioprio.h */
export const IOPRIO_CLASSES: Readonly<Record<string, number>> = { IOPRIO_CLASS_RT: 1, IOPRIO_CLASS_BE: 2, IOPRIO_CLASS_IDLE: 3 };
export const IOPRIO_CLASS_SHIFT = 13;

/** include/uapi/linux/sched.h */
export const SCHED_POLICIES: Readonly<Record<string, number>> = {
  SCHED_OTHER: 0,
  SCHED_FIFO: 1,
  SCHED_RR: 2,
  SCHED_BATCH: 3,
  SCHED_ISO: 4,
  SCHED_IDLE: 5,
  SCHED_DEADLINE: 6,
};
export const SCHED_FLAGS: Readonly<Record<string, bigint>> = {
  SCHED_FLAG_RESET_ON_FORK: 0x01n,
  SCHED_FLAG_RECLAIM: 0x02n,
  SCHED_FLAG_DL_OVERRUN: 0x04n,
  SCHED_FLAG_KEEP_POLICY: 0x08n,
  SCHED_FLAG_KEEP_PARAMS: 0x10n,
  SCHED_FLAG_UTIL_CLAMP_MIN: 0x20n,
  SCHED_FLAG_UTIL_CLAMP_MAX: 0x40n,
};
/** sizeof(struct sched_attr), SCHED_ATTR_SIZE_VER1: what native/src/attrs.h declares. */
export const SCHED_ATTR_SIZE = 56;

/** runc's texts: validator.go security() for SELinux, apparmor.ErrApparmorNotEnabled. */
export const MSG_SELINUX_NOT_ENABLED = 'selinux label is specified in config, but selinux is disabled or not supported';
export const MSG_APPARMOR_NOT_ENABLED = 'apparmor: config provided but apparmor not supported';
/** runc has no check of its own: its mounts fail with EINVAL on the context= option. */
export const MSG_MOUNT_LABEL_NOT_ENABLED = 'selinux mount label is specified in config, but selinux is disabled or not supported';

/** struct sched_attr's fields, in the kernel's names. */
export interface SchedAttr {
  policy: number;
  flags: bigint;
  nice: number;
  priority: number;
  runtime: bigint;
  deadline: bigint;
  period: bigint;
}

/** What native applies; each absent field leaves the process as init is. */
export interface ProcessAttrs {
  /** personality(2) persona */
  personality?: number;
  /** ioprio_set value: class << 13 | priority */
  ioprio?: number;
  scheduler?: SchedAttr;
  /** the text written to attr/apparmor/exec: "exec <profile>" */
  apparmorExec?: string;
  /** the text written to attr/exec (and attr/keycreate) */
  selinuxLabel?: string;
}

// ---------------------------------------------------------------------------------
// Checks. They read the document defensively: `runts check` runs them on configs the
// schema already rejected, and exec runs them on a --process file nobody validated.

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = showValue;
const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v !== '';
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

const error = (rule: string, pointer: string, message: string, expected?: string, found?: string): Finding =>
  finding('error', rule, pointer, message, expected, found);

function personalityFindings(linux: unknown): Finding[] {
  const p = isObj(linux) ? linux['personality'] : undefined;
  if (!isObj(p)) return [];
  const out: Finding[] = [];
  const domain = p['domain'];
  if (typeof domain === 'string' && PERSONALITY_DOMAINS[domain] === undefined) {
    out.push(error('personality-domain', '/linux/personality/domain', `invalid personality domain ${domain}`, 'LINUX or LINUX32', show(domain)));
  }
  const flags = p['flags'];
  if (Array.isArray(flags) && flags.length > 0) {
    // runc specconv: flags are not applied, only warned about.
    const message = `ignoring unsupported personality flags: [${flags.map(String).join(' ')}] because personality flag has not supported at this time`;
    out.push(finding('warning', 'personality-flags', '/linux/personality/flags', message));
  }
  return out;
}

function ioPriorityFindings(proc: Obj, base: string): Finding[] {
  const io = proc['ioPriority'];
  if (!isObj(io)) return [];
  const out: Finding[] = [];
  const cls = io['class'];
  if (typeof cls === 'string' && IOPRIO_CLASSES[cls] === undefined) {
    out.push(error('io-priority-class', `${base}/ioPriority/class`, `invalid io priority class: ${cls}`, Object.keys(IOPRIO_CLASSES).join(', '), show(cls)));
  }
  const prio = num(io['priority']);
  if (prio !== undefined && (!Number.isInteger(prio) || prio < 0 || prio > 7)) {
    out.push(error('io-priority', `${base}/ioPriority/priority`, `invalid ioPriority.Priority: ${prio}`, '0 to 7', show(prio)));
  }
  return out;
}

/** runc validator.go scheduler(), following sched_setattr(2); FIFO/RR priorities and SCHED_ISO beyond it. */
function schedulerFindings(proc: Obj, base: string): Finding[] {
  const s = proc['scheduler'];
  if (!isObj(s)) return [];
  const ptr = `${base}/scheduler`;
  const policy = s['policy'];
  if (!nonEmpty(policy)) return [error('scheduler-policy', `${ptr}/policy`, 'scheduler policy is required', Object.keys(SCHED_POLICIES).join(', '), show(policy))];
  if (SCHED_POLICIES[policy] === undefined) {
    return [error('scheduler-policy', `${ptr}/policy`, `invalid scheduler policy: ${policy}`, Object.keys(SCHED_POLICIES).join(', '), show(policy))];
  }
  const out: Finding[] = [];
  if (policy === 'SCHED_ISO') {
    // Reserved in the uapi header but never implemented: sched_setattr says EINVAL.
    out.push(error('scheduler-policy', `${ptr}/policy`, 'scheduler policy SCHED_ISO is not implemented by linux', 'another policy', show(policy)));
  }
  const nice = num(s['nice']);
  if (nice !== undefined && (policy === 'SCHED_OTHER' || policy === 'SCHED_BATCH') && (nice < -20 || nice > 19)) {
    out.push(error('scheduler-nice', `${ptr}/nice`, `invalid scheduler.nice: ${nice} when scheduler.policy is ${policy}`, '-20 to 19', show(nice)));
  }
  const prio = num(s['priority']) ?? 0;
  const realtime = policy === 'SCHED_FIFO' || policy === 'SCHED_RR';
  if (prio !== 0 && !realtime) {
    out.push(error('scheduler-priority', `${ptr}/priority`, 'scheduler.priority can only be specified for SchedFIFO or SchedRR policy', 'no priority', show(prio)));
  } else if (realtime && (prio < 1 || prio > 99)) {
    // sched_get_priority_min/max(SCHED_FIFO|SCHED_RR): the kernel refuses anything else.
    out.push(error('scheduler-priority', `${ptr}/priority`, `scheduler.priority must be 1 to 99 for ${policy}`, '1 to 99', show(s['priority'] ?? 0)));
  }
  if (policy !== 'SCHED_DEADLINE' && ['runtime', 'deadline', 'period'].some((k) => (num(s[k]) ?? 0) !== 0)) {
    const key = ['runtime', 'deadline', 'period'].find((k) => (num(s[k]) ?? 0) !== 0)!;
    out.push(error('scheduler-deadline', `${ptr}/${key}`, 'scheduler runtime/deadline/period can only be specified for SchedDeadline policy', 'policy SCHED_DEADLINE', show(policy)));
  }
  const flags = s['flags'];
  if (Array.isArray(flags)) {
    flags.forEach((f, i) => {
      if (typeof f !== 'string' || SCHED_FLAGS[f] === undefined) {
        out.push(error('scheduler-flag', `${ptr}/flags/${i}`, `invalid scheduler flag: ${String(f)}`, Object.keys(SCHED_FLAGS).join(', '), show(f)));
      }
    });
  }
  return out;
}

function lsmProcessFindings(proc: Obj, base: string, lsm: LsmStatus): Finding[] {
  const out: Finding[] = [];
  const profile = proc['apparmorProfile'];
  if (nonEmpty(profile) && !lsm.apparmor) {
    out.push(error('apparmor', `${base}/apparmorProfile`, MSG_APPARMOR_NOT_ENABLED, 'a host with apparmor enabled', show(profile)));
  }
  const label = proc['selinuxLabel'];
  if (nonEmpty(label) && !lsm.selinux) {
    out.push(error('selinux', `${base}/selinuxLabel`, MSG_SELINUX_NOT_ENABLED, 'a host with selinux enabled', show(label)));
  }
  return out;
}

/** The checks on one process object; `base` is its pointer ('/process' in config.json). */
export function processAttrFindingsOf(proc: unknown, base: string, lsm: LsmStatus): Finding[] {
  if (!isObj(proc)) return [];
  return [...ioPriorityFindings(proc, base), ...schedulerFindings(proc, base), ...lsmProcessFindings(proc, base, lsm)];
}

/** Every finding about these fields in a config.json document (`runts check`, create). */
export function processAttrFindings(spec: unknown, lsm: LsmStatus): Finding[] {
  if (!isObj(spec)) return [];
  const linux = spec['linux'];
  const out = [...personalityFindings(linux), ...processAttrFindingsOf(spec['process'], '/process', lsm)];
  const mountLabel = isObj(linux) ? linux['mountLabel'] : undefined;
  if (nonEmpty(mountLabel) && !lsm.selinux) {
    out.push(error('selinux', '/linux/mountLabel', MSG_MOUNT_LABEL_NOT_ENABLED, 'a host with selinux enabled', show(mountLabel)));
  }
  return out;
}

// ---------------------------------------------------------------------------------
// Conversion.

function u64(v: number | undefined): bigint {
  // JSON numbers above 2^53 already lost precision when parsed; clamp rather than throw.
  if (v === undefined || v <= 0) return 0n;
  const b = BigInt(Math.trunc(v));
  return b > 0xffffffffffffffffn ? 0xffffffffffffffffn : b;
}

/**
 * The attributes of the process `proc` of a container whose linux section is `linux`
 * (create: the config's process; exec: the exec'd process, with the container's
 * personality, as runc's setns init applies it too). Throws the first error finding as
 * a ConfigError naming the field; warnings were reported by the config check.
 */
export function toProcessAttrs(linux: Linux | undefined, proc: Process, lsm: LsmStatus, base = '/process'): ProcessAttrs {
  const first = [...personalityFindings(linux), ...processAttrFindingsOf(proc, base, lsm)].find((f) => f.severity === 'error');
  if (first !== undefined) throw findingError(first);
  const a: ProcessAttrs = {};
  if (linux?.personality !== undefined) a.personality = PERSONALITY_DOMAINS[linux.personality.domain]!;
  if (proc.ioPriority !== undefined) a.ioprio = (IOPRIO_CLASSES[proc.ioPriority.class]! << IOPRIO_CLASS_SHIFT) | proc.ioPriority.priority;
  const s = proc.scheduler;
  if (s !== undefined) {
    a.scheduler = {
      policy: SCHED_POLICIES[s.policy]!,
      flags: (s.flags ?? []).reduce((acc, f) => acc | SCHED_FLAGS[f]!, 0n),
      nice: Math.trunc(s.nice ?? 0),
      priority: Math.trunc(s.priority ?? 0),
      runtime: u64(s.runtime),
      deadline: u64(s.deadline),
      period: u64(s.period),
    };
  }
  if (nonEmpty(proc.apparmorProfile)) a.apparmorExec = `exec ${proc.apparmorProfile}`;
  if (nonEmpty(proc.selinuxLabel)) a.selinuxLabel = proc.selinuxLabel;
  return a;
}

/**
 * go-selinux FormatMountLabel: the mount data with `context="<label>"` appended, which
 * runc passes for tmpfs, bind and other mounts of the config and for the tmpfs of masked
 * directories (proc, sysfs and mqueue excepted). Unchanged without a label.
 */
export function withMountLabel(data: string, mountLabel: string | undefined): string {
  if (mountLabel === undefined || mountLabel === '') return data;
  const opt = `context=${JSON.stringify(mountLabel)}`;
  return data === '' ? opt : `${data},${opt}`;
}
