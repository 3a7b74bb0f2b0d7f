// Owns: `runts update` — runc's flags and --resources JSON turned into a LinuxResources
// change, with runc's parsers and error texts. Runs in: cli.
import { RuntimeError, UsageError } from '../../errors';
import type { LinuxResources } from '../../spec/types';
import { defineCommand, raw, type RawOptions } from '../command';

/** The value flags exactly as given (runc treats an empty string as "not given"). */
export interface UpdateFlags {
  blkioWeight?: string;
  cpuPeriod?: string;
  cpuQuota?: string;
  cpuShare?: string;
  cpuRtPeriod?: string;
  cpuRtRuntime?: string;
  cpusetCpus?: string;
  cpusetMems?: string;
  kernelMemory?: string;
  kernelMemoryTcp?: string;
  memory?: string;
  memoryReservation?: string;
  memorySwap?: string;
  pidsLimit?: string;
  l3CacheSchema?: string;
  memBwSchema?: string;
}

export interface UpdateOptions {
  root: string;
  id: string;
  /** --resources: a file, or '-' for stdin; when set every other flag is ignored */
  resources?: string;
  flags: UpdateFlags;
}

const FLAG_NAMES: ReadonlyArray<readonly [keyof UpdateFlags, string]> = [
  ['blkioWeight', 'blkio-weight'],
  ['cpuPeriod', 'cpu-period'],
  ['cpuQuota', 'cpu-quota'],
  ['cpuShare', 'cpu-share'],
  ['cpuRtPeriod', 'cpu-rt-period'],
  ['cpuRtRuntime', 'cpu-rt-runtime'],
  ['cpusetCpus', 'cpuset-cpus'],
  ['cpusetMems', 'cpuset-mems'],
  ['kernelMemory', 'kernel-memory'],
  ['kernelMemoryTcp', 'kernel-memory-tcp'],
  ['memory', 'memory'],
  ['memoryReservation', 'memory-reservation'],
  ['memorySwap', 'memory-swap'],
  ['pidsLimit', 'pids-limit'],
  ['l3CacheSchema', 'l3-cache-schema'],
  ['memBwSchema', 'mem-bw-schema'],
];

// ---- Go's parsers, with their error texts -------------------------------------

const UINT64_MAX = 18446744073709551615n;
const INT64_MAX = 9223372036854775807n;

/** strconv.ParseUint(s, 10, 64) */
export function parseUint(s: string): number {
  if (!/^\d+$/.test(s)) throw new Error(`strconv.ParseUint: parsing ${JSON.stringify(s)}: invalid syntax`);
  if (BigInt(s) > UINT64_MAX) throw new Error(`strconv.ParseUint: parsing ${JSON.stringify(s)}: value out of range`);
  return Number(s);
}

/** strconv.ParseInt(s, 10, 64) */
export function parseInt64(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(s)}: invalid syntax`);
  const v = BigInt(s);
  if (v > INT64_MAX || v < -INT64_MAX - 1n) throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(s)}: value out of range`);
  return Number(v);
}

/** Go's flag.Int (strconv.ParseInt(s, 0, 64)): 0x, 0o, 0b prefixes, a leading 0 is octal, '_' between digits. */
export function parseGoIntFlag(flag: string, s: string): number {
  const bad = (): never => {
    throw new UsageError(`invalid value ${JSON.stringify(s)} for flag -${flag}: parse error`);
  };
  const m = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|0[0-7_]*|[1-9][0-9_]*)$/.exec(s);
  if (m === null) return bad();
  let body = m[2]!;
  if (body.includes('_') && (/__|_$/.test(body) || /^0[xXoObB]?_?$/.test(body))) return bad();
  body = body.replace(/_/g, '');
  let v: bigint;
  if (/^0[0-7]+$/.test(body)) v = BigInt('0o' + body.slice(1));
  else v = BigInt(body);
  if (m[1] === '-') v = -v;
  if (v > INT64_MAX || v < -INT64_MAX - 1n) throw new UsageError(`invalid value ${JSON.stringify(s)} for flag -${flag}: value out of range`);
  return Number(v);
}

const RAM_UNITS: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** docker/go-units RAMInBytes: "100m", "1.5g", "512 KiB", plain bytes; binary multiples. */
export function ramInBytes(s: string): number {
  const m = /^(\d+(\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/.exec(s);
  if (m === null) throw new Error(`invalid size: '${s}'`);
  // The pattern lets "1.2.3" through; Go's ParseFloat then refuses it.
  const size = Number(m[1]);
  if (!Number.isFinite(size)) throw new Error(`strconv.ParseFloat: parsing ${JSON.stringify(m[1])}: invalid syntax`);
  const unit = m[3]?.toLowerCase();
  return Math.trunc(unit === undefined ? size : size * RAM_UNITS[unit]!);
}

function wrapValue<T>(opt: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new RuntimeError(`invalid value for ${opt}: ${(err as Error).message}`);
  }
}

/**
 * The flags as a LinuxResources change, the way runc's update builds it. Pure.
 * Refuses the Intel RDT flags: this runtime has no RDT support.
 */
export function toUpdateResources(f: UpdateFlags): LinuxResources {
  const given = (v: string | undefined): v is string => v !== undefined && v !== '';
  const r: LinuxResources = {};
  const cpu: NonNullable<LinuxResources['cpu']> = {};
  const memory: NonNullable<LinuxResources['memory']> = {};
  if (given(f.blkioWeight)) {
    const v = parseGoIntFlag('blkio-weight', f.blkioWeight);
    // runc stores it as a uint16, so out-of-range values wrap.
    if (v !== 0) r.blockIO = { weight: ((v % 65536) + 65536) % 65536 };
  }
  if (given(f.cpusetCpus)) cpu.cpus = f.cpusetCpus;
  if (given(f.cpusetMems)) cpu.mems = f.cpusetMems;
  const uints: ReadonlyArray<readonly [string | undefined, string, 'period' | 'realtimePeriod' | 'shares']> = [
    [f.cpuPeriod, 'cpu-period', 'period'],
    [f.cpuRtPeriod, 'cpu-rt-period', 'realtimePeriod'],
    [f.cpuShare, 'cpu-share', 'shares'],
  ];
  for (const [v, opt, key] of uints) if (given(v)) cpu[key] = wrapValue(opt, () => parseUint(v));
  const ints: ReadonlyArray<readonly [string | undefined, string, 'quota' | 'realtimeRuntime']> = [
    [f.cpuQuota, 'cpu-quota', 'quota'],
    [f.cpuRtRuntime, 'cpu-rt-runtime', 'realtimeRuntime'],
  ];
  for (const [v, opt, key] of ints) if (given(v)) cpu[key] = wrapValue(opt, () => parseInt64(v));
  const sizes: ReadonlyArray<readonly [string | undefined, string, 'limit' | 'swap' | 'reservation' | 'kernel' | 'kernelTCP']> = [
    [f.memory, 'memory', 'limit'],
    [f.memorySwap, 'memory-swap', 'swap'],
    [f.memoryReservation, 'memory-reservation', 'reservation'],
    [f.kernelMemory, 'kernel-memory', 'kernel'],
    [f.kernelMemoryTcp, 'kernel-memory-tcp', 'kernelTCP'],
  ];
  for (const [v, opt, key] of sizes) if (given(v)) memory[key] = v === '-1' ? -1 : wrapValue(opt, () => ramInBytes(v));
  if (given(f.pidsLimit)) {
    const v = parseGoIntFlag('pids-limit', f.pidsLimit);
    if (v !== 0) r.pids = { limit: v };
  }
  if (Object.keys(cpu).length > 0) r.cpu = cpu;
  if (Object.keys(memory).length > 0) r.memory = memory;
  return r;
}

/** runc checks these after the resources are parsed, whether they came from flags or --resources. */
export function assertNoRdt(f: UpdateFlags): void {
  if (f.l3CacheSchema !== undefined && f.l3CacheSchema !== '') throw new RuntimeError('Intel RDT/CAT: l3 cache schema is not enabled');
  if (f.memBwSchema !== undefined && f.memBwSchema !== '') throw new RuntimeError('Intel RDT/MBA: memory bandwidth schema is not enabled');
}

// ---- --resources JSON -----------------------------------------------------------

type GoType = 'int64' | 'uint64' | 'uint16' | 'string' | 'bool';

/** The fields update reads, with the Go struct and type runc decodes them into. */
const JSON_FIELDS: Record<string, { struct: string; fields: Record<string, GoType> }> = {
  memory: {
    struct: 'LinuxMemory',
    fields: { limit: 'int64', reservation: 'int64', swap: 'int64', kernel: 'int64', kernelTCP: 'int64', swappiness: 'uint64', disableOOMKiller: 'bool', checkBeforeUpdate: 'bool' },
  },
  cpu: {
    struct: 'LinuxCPU',
    fields: { shares: 'uint64', quota: 'int64', burst: 'uint64', period: 'uint64', realtimeRuntime: 'int64', realtimePeriod: 'uint64', cpus: 'string', mems: 'string', idle: 'int64' },
  },
  pids: { struct: 'LinuxPids', fields: { limit: 'int64' } },
  blockIO: { struct: 'LinuxBlockIO', fields: { weight: 'uint16' } },
};

function goValueKind(v: unknown): string {
  if (typeof v === 'number') return `number ${String(v)}`;
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'array';
  return 'object';
}

function fits(v: unknown, t: GoType): boolean {
  switch (t) {
    case 'string':
      return typeof v === 'string';
    case 'bool':
      return typeof v === 'boolean';
    case 'int64':
      return typeof v === 'number' && Number.isInteger(v);
    case 'uint64':
      return typeof v === 'number' && Number.isInteger(v) && v >= 0;
    case 'uint16':
      return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 65535;
  }
}

/** Decode --resources text like Go's json.Decoder into specs.LinuxResources (errors in Go's words). */
export function parseResourcesJson(text: string): LinuxResources {
  if (text.trim() === '') throw new RuntimeError('EOF');
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new RuntimeError(`invalid resources JSON: ${(err as Error).message}`);
  }
  if (v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new RuntimeError(`json: cannot unmarshal ${goValueKind(v)} into Go value of type specs.LinuxResources`);
  const o = v as Record<string, unknown>;
  for (const [section, { struct, fields }] of Object.entries(JSON_FIELDS)) {
    const s = o[section];
    if (s === undefined || s === null) continue;
    if (typeof s !== 'object' || Array.isArray(s)) {
      throw new RuntimeError(`json: cannot unmarshal ${goValueKind(s)} into Go struct field LinuxResources.${section} of type specs.${struct}`);
    }
    for (const [k, t] of Object.entries(fields)) {
      const x = (s as Record<string, unknown>)[k];
      if (x === undefined || x === null) continue;
      if (!fits(x, t)) throw new RuntimeError(`json: cannot unmarshal ${goValueKind(x)} into Go struct field ${struct}.${section}.${k} of type ${t}`);
    }
  }
  const u = o['unified'];
  if (u !== undefined && u !== null) {
    if (typeof u !== 'object' || Array.isArray(u)) throw new RuntimeError(`json: cannot unmarshal ${goValueKind(u)} into Go struct field LinuxResources.unified of type map[string]string`);
    for (const x of Object.values(u as Record<string, unknown>)) {
      if (typeof x !== 'string') throw new RuntimeError(`json: cannot unmarshal ${goValueKind(x)} into Go struct field LinuxResources.unified of type string`);
    }
  }
  return o as LinuxResources;
}

function readResourcesSource(source: string): string {
  const fs = require('node:fs') as typeof import('node:fs');
  try {
    return fs.readFileSync(source === '-' ? 0 : source, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') throw new RuntimeError(`open ${source}: no such file or directory`);
    throw new RuntimeError(`open ${source}: ${e.code ?? String(err)}`);
  }
}

// ---- the command ----------------------------------------------------------------

function flagsOf(o: RawOptions): UpdateFlags {
  const f: UpdateFlags = {};
  for (const [key] of FLAG_NAMES) {
    const v = raw.str(o, key);
    if (v !== undefined) f[key] = v;
  }
  // --cpu-shares: the spelling the OCI field (and docker) uses, accepted as an alias.
  const shares = raw.str(o, 'cpuShares');
  if (f.cpuShare === undefined && shares !== undefined) f.cpuShare = shares;
  return f;
}

export const updateCommand = defineCommand<UpdateOptions>({
  name: 'update',
  summary: 'update container resource constraints',
  usage: '<container-id>',
  args: { exact: 1 },
  options: [
    { flags: '-r, --resources <value>', description: "path to the file containing the resources to update or '-' to read from the standard input" },
    { flags: '--blkio-weight <value>', description: 'Specifies per cgroup weight, range is from 10 to 1000' },
    { flags: '--cpu-period <value>', description: 'CPU CFS period to be used for hardcapping (in usecs). 0 to use system default' },
    { flags: '--cpu-quota <value>', description: 'CPU CFS hardcap limit (in usecs). Allowed cpu time in a given period' },
    { flags: '--cpu-share <value>', description: 'CPU shares (relative weight vs. other containers)' },
    { flags: '--cpu-shares <value>', description: 'alias of --cpu-share', hidden: true },
    { flags: '--cpu-rt-period <value>', description: 'CPU realtime period to be used for hardcapping (in usecs). 0 to use system default' },
    { flags: '--cpu-rt-runtime <value>', description: 'CPU realtime hardcap limit (in usecs). Allowed cpu time in a given period' },
    { flags: '--cpuset-cpus <value>', description: 'CPU(s) to use' },
    { flags: '--cpuset-mems <value>', description: 'Memory node(s) to use' },
    { flags: '--kernel-memory <value>', description: '(obsoleted; do not use)', hidden: true },
    { flags: '--kernel-memory-tcp <value>', description: '(obsoleted; do not use)', hidden: true },
    { flags: '--memory <value>', description: 'Memory limit (in bytes)' },
    { flags: '--memory-reservation <value>', description: 'Memory reservation or soft_limit (in bytes)' },
    { flags: '--memory-swap <value>', description: "Total memory usage (memory + swap); set '-1' to enable unlimited swap" },
    { flags: '--pids-limit <value>', description: 'Maximum number of pids allowed in the container' },
    { flags: '--l3-cache-schema <value>', description: 'The string of Intel RDT/CAT L3 cache schema' },
    { flags: '--mem-bw-schema <value>', description: 'The string of Intel RDT/MBA memory bandwidth schema' },
  ],
  toOptions: (args, o, g) => {
    const resources = raw.str(o, 'resources');
    return { root: g.root, id: args[0]!, ...(resources !== undefined && resources !== '' ? { resources } : {}), flags: flagsOf(o) };
  },
  async run(opts) {
    const { updateContainer } = require('../../container/update') as typeof import('../../container/update');
    await updateContainer(opts.root, opts.id, () => {
      const r = opts.resources !== undefined ? parseResourcesJson(readResourcesSource(opts.resources)) : toUpdateResources(opts.flags);
      assertNoRdt(opts.flags);
      return r;
    });
  },
});
