// Owns: a container's resource usage read from its cgroup files (v1 and v2), in the
// shape `runc events --stats` prints (runc's types/events.go, as of runc 1.1), and
// that shape's JSON encoding. Runs in: cli.
//
// Values are bigint: cgroup counters are uint64 and v2 spells "no limit" as
// 18446744073709551615, which a JS number cannot hold exactly. Each controller is
// read from its v1 hierarchy when it has one, else from the v2 dir when the
// controller's files are there (hybrid hosts: hugetlb only in /sys/fs/cgroup/unified).
// A missing file reads as zero, as runc's readers mostly do; a cgroup dir that is gone
// altogether is an error.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RuntimeError } from '../errors';
import type { CgroupDir } from './paths';

export const MAX_UINT64 = (1n << 64n) - 1n;

export interface CpuUsage {
  /** nanoseconds */
  total: bigint;
  percpu: bigint[];
  percpu_kernel: bigint[];
  percpu_user: bigint[];
  kernel: bigint;
  user: bigint;
}

export interface Throttling {
  periods: bigint;
  throttledPeriods: bigint;
  throttledTime: bigint;
}

export interface CpuSetStats {
  cpus: number[];
  cpu_exclusive: bigint;
  mems: number[];
  mem_hardwall: bigint;
  mem_exclusive: bigint;
  memory_migrate: bigint;
  memory_spread_page: bigint;
  memory_spread_slab: bigint;
  memory_pressure: bigint;
  sched_load_balance: bigint;
  sched_relax_domain_level: bigint;
}

export interface MemoryEntry {
  limit: bigint;
  usage: bigint;
  max: bigint;
  failcnt: bigint;
}

export interface BlkioEntry {
  major: bigint;
  minor: bigint;
  op: string;
  value: bigint;
}

export const BLKIO_KEYS = [
  'ioServiceBytesRecursive',
  'ioServicedRecursive',
  'ioQueueRecursive',
  'ioServiceTimeRecursive',
  'ioWaitTimeRecursive',
  'ioMergedRecursive',
  'ioTimeRecursive',
  'sectorsRecursive',
] as const;
export type BlkioKey = (typeof BLKIO_KEYS)[number];

export interface HugetlbEntry {
  usage: bigint;
  max: bigint;
  failcnt: bigint;
}

export interface CgroupStats {
  cpu: { usage: CpuUsage; throttling: Throttling };
  cpuset: CpuSetStats;
  memory: {
    cache: bigint;
    usage: MemoryEntry;
    swap: MemoryEntry;
    kernel: MemoryEntry;
    kernelTCP: MemoryEntry;
    raw: Map<string, bigint>;
  };
  pids: { current: bigint; limit: bigint };
  blkio: Record<BlkioKey, BlkioEntry[]>;
  /** page size as runc names it ("2MB", "1GB") -> usage */
  hugetlb: Map<string, HugetlbEntry>;
}

const memoryEntry = (): MemoryEntry => ({ limit: 0n, usage: 0n, max: 0n, failcnt: 0n });

export function emptyStats(): CgroupStats {
  return {
    cpu: {
      usage: { total: 0n, percpu: [], percpu_kernel: [], percpu_user: [], kernel: 0n, user: 0n },
      throttling: { periods: 0n, throttledPeriods: 0n, throttledTime: 0n },
    },
    cpuset: {
      cpus: [],
      cpu_exclusive: 0n,
      mems: [],
      mem_hardwall: 0n,
      mem_exclusive: 0n,
      memory_migrate: 0n,
      memory_spread_page: 0n,
      memory_spread_slab: 0n,
      memory_pressure: 0n,
      sched_load_balance: 0n,
      sched_relax_domain_level: 0n,
    },
    memory: { cache: 0n, usage: memoryEntry(), swap: memoryEntry(), kernel: memoryEntry(), kernelTCP: memoryEntry(), raw: new Map() },
    pids: { current: 0n, limit: 0n },
    blkio: Object.fromEntries(BLKIO_KEYS.map((k) => [k, []])) as unknown as Record<BlkioKey, BlkioEntry[]>,
    hugetlb: new Map(),
  };
}

// ---- file readers ---------------------------------------------------------------

function readOpt(dir: string, file: string): string | undefined {
  try {
    return fs.readFileSync(path.join(dir, file), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // ENODEV/EOPNOTSUPP: some files exist but cannot be read on every kernel config.
    if (code === 'ENOENT' || code === 'ENODEV' || code === 'EOPNOTSUPP' || code === 'EINVAL') return undefined;
    throw new RuntimeError(`read ${path.join(dir, file)}: ${code ?? String(err)}`, { cause: err });
  }
}

/** A uint64 cgroup value; "max" is MaxUint64, as runc's GetCgroupParamUint reads it. */
export function parseU64(text: string): bigint {
  const t = text.trim();
  if (t === 'max') return MAX_UINT64;
  if (/^\d+$/.test(t)) {
    const v = BigInt(t);
    return v > MAX_UINT64 ? MAX_UINT64 : v;
  }
  // The kernel prints some unsigned values as negative (e.g. -1 on overflow): runc clamps to 0.
  if (/^-\d+$/.test(t)) return 0n;
  throw new RuntimeError(`unable to parse ${JSON.stringify(t)} as a uint64`);
}

function u64(dir: string, file: string): bigint {
  const t = readOpt(dir, file);
  return t === undefined ? 0n : parseU64(t);
}

/** Lines "key value" (memory.stat, cpu.stat, memory.events) as a map, in file order. */
export function parseKeyValues(text: string): Map<string, bigint> {
  const m = new Map<string, bigint>();
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length !== 2 || f[0] === '') continue;
    try {
      m.set(f[0]!, parseU64(f[1]!));
    } catch {
      // a non-numeric value (a future kernel's new key) is not a statistic
    }
  }
  return m;
}

function keyValues(dir: string, file: string): Map<string, bigint> {
  const t = readOpt(dir, file);
  return t === undefined ? new Map() : parseKeyValues(t);
}

/** "0-3,6" -> [0,1,2,3,6] (the cpuset list format). */
export function parseCpuList(text: string): number[] {
  const out: number[] = [];
  for (const part of text.trim().split(',')) {
    if (part === '') continue;
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (m === null) throw new RuntimeError(`unable to parse cpuset list ${JSON.stringify(text.trim())}`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    for (let i = lo; i <= hi; i++) out.push(i);
  }
  return out;
}

/**
 * A v1 blkio stat file: "8:0 Read 4096", or "8:0 4096" for sectors and time; "Total"
 * lines are dropped.
 */
export function parseBlkioFile(text: string): BlkioEntry[] {
  const out: BlkioEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(/[ :]+/).filter((x) => x !== '');
    if (f.length === 0) continue;
    if (f.length < 3) {
      if (f.length === 2 && f[0] === 'Total') continue;
      throw new RuntimeError(`malformed blkio line ${JSON.stringify(line)}`);
    }
    const op = f.length === 4 ? f[2]! : '';
    out.push({ major: parseU64(f[0]!), minor: parseU64(f[1]!), op, value: parseU64(f[f.length === 4 ? 3 : 2]!) });
  }
  return out;
}

// ---- controllers ---------------------------------------------------------------

/** USER_HZ: cpuacct.stat counts in clock ticks, which Linux fixes at 100 for userspace. */
const CLOCK_TICKS = 100n;
const NS_PER_TICK = 1_000_000_000n / CLOCK_TICKS;

function cpuV1(cpuDir: string | undefined, acctDir: string | undefined, s: CgroupStats): void {
  if (cpuDir !== undefined) {
    const st = keyValues(cpuDir, 'cpu.stat');
    s.cpu.throttling = {
      periods: st.get('nr_periods') ?? 0n,
      throttledPeriods: st.get('nr_throttled') ?? 0n,
      throttledTime: st.get('throttled_time') ?? 0n,
    };
  }
  if (acctDir === undefined) return;
  const u = s.cpu.usage;
  u.total = u64(acctDir, 'cpuacct.usage');
  const percpu = readOpt(acctDir, 'cpuacct.usage_percpu');
  u.percpu = percpu === undefined ? [] : percpu.trim().split(/\s+/).filter((x) => x !== '').map(parseU64);
  // usage_all: "cpu user system" then one line per cpu, in nanoseconds.
  const all = readOpt(acctDir, 'cpuacct.usage_all');
  if (all !== undefined) {
    for (const line of all.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length !== 3) continue;
      u.percpu_user.push(parseU64(f[1]!));
      u.percpu_kernel.push(parseU64(f[2]!));
    }
  }
  const st = keyValues(acctDir, 'cpuacct.stat');
  u.user = (st.get('user') ?? 0n) * NS_PER_TICK;
  u.kernel = (st.get('system') ?? 0n) * NS_PER_TICK;
}

function cpuV2(dir: string, s: CgroupStats): void {
  const st = keyValues(dir, 'cpu.stat');
  const u = s.cpu.usage;
  u.total = (st.get('usage_usec') ?? 0n) * 1000n;
  u.user = (st.get('user_usec') ?? 0n) * 1000n;
  u.kernel = (st.get('system_usec') ?? 0n) * 1000n;
  s.cpu.throttling = {
    periods: st.get('nr_periods') ?? 0n,
    throttledPeriods: st.get('nr_throttled') ?? 0n,
    throttledTime: (st.get('throttled_usec') ?? 0n) * 1000n,
  };
}

function cpusetV1(dir: string, s: CgroupStats): void {
  const c = s.cpuset;
  const cpus = readOpt(dir, 'cpuset.cpus');
  const mems = readOpt(dir, 'cpuset.mems');
  c.cpus = cpus === undefined ? [] : parseCpuList(cpus);
  c.mems = mems === undefined ? [] : parseCpuList(mems);
  c.cpu_exclusive = u64(dir, 'cpuset.cpu_exclusive');
  c.mem_hardwall = u64(dir, 'cpuset.mem_hardwall');
  c.mem_exclusive = u64(dir, 'cpuset.mem_exclusive');
  c.memory_migrate = u64(dir, 'cpuset.memory_migrate');
  c.memory_spread_page = u64(dir, 'cpuset.memory_spread_page');
  c.memory_spread_slab = u64(dir, 'cpuset.memory_spread_slab');
  c.memory_pressure = u64(dir, 'cpuset.memory_pressure');
  c.sched_load_balance = u64(dir, 'cpuset.sched_load_balance');
  const level = readOpt(dir, 'cpuset.sched_relax_domain_level');
  c.sched_relax_domain_level = level === undefined || !/^-?\d+$/.test(level.trim()) ? 0n : BigInt(level.trim());
}

/** memory.<prefix>usage_in_bytes & co; a missing usage file (no swap accounting) is an empty entry. */
function memoryEntryV1(dir: string, prefix: string): MemoryEntry {
  const usage = readOpt(dir, `memory.${prefix}usage_in_bytes`);
  if (usage === undefined) return memoryEntry();
  return {
    usage: parseU64(usage),
    max: u64(dir, `memory.${prefix}max_usage_in_bytes`),
    failcnt: u64(dir, `memory.${prefix}failcnt`),
    limit: u64(dir, `memory.${prefix}limit_in_bytes`),
  };
}

function memoryV1(dir: string, s: CgroupStats): void {
  const m = s.memory;
  m.raw = keyValues(dir, 'memory.stat');
  m.cache = m.raw.get('cache') ?? 0n;
  m.usage = memoryEntryV1(dir, '');
  m.swap = memoryEntryV1(dir, 'memsw.');
  m.kernel = memoryEntryV1(dir, 'kmem.');
  m.kernelTCP = memoryEntryV1(dir, 'kmem.tcp.');
}

function memoryV2(dir: string, s: CgroupStats): void {
  const m = s.memory;
  m.raw = keyValues(dir, 'memory.stat');
  m.cache = m.raw.get('file') ?? 0n;
  const events = keyValues(dir, 'memory.events');
  m.usage = {
    usage: u64(dir, 'memory.current'),
    limit: u64(dir, 'memory.max'),
    max: u64(dir, 'memory.peak'),
    failcnt: events.get('max') ?? 0n,
  };
  const swap = readOpt(dir, 'memory.swap.current');
  if (swap !== undefined) {
    // v1 reports memsw (memory + swap together); v2 counts swap alone. runc adds the
    // two so that consumers written for v1 read the same thing.
    const limit = u64(dir, 'memory.swap.max');
    m.swap = {
      usage: parseU64(swap) + m.usage.usage,
      limit: limit === MAX_UINT64 ? limit : (limit + m.usage.limit) & MAX_UINT64,
      max: 0n,
      failcnt: 0n,
    };
  }
}

function pidsStats(dir: string, s: CgroupStats): void {
  s.pids.current = u64(dir, 'pids.current');
  const limit = u64(dir, 'pids.max');
  // No limit ("max") has always been reported as 0.
  s.pids.limit = limit === MAX_UINT64 ? 0n : limit;
}

/**
 * v1 blkio: the first family of files that has data wins — BFQ with debug files, BFQ,
 * CFQ, then the throttle files that every kernel has (runc's order).
 */
const BLKIO_GROUPS: ReadonlyArray<ReadonlyArray<readonly [string, BlkioKey]>> = [
  [
    ['blkio.bfq.sectors_recursive', 'sectorsRecursive'],
    ['blkio.bfq.io_service_time_recursive', 'ioServiceTimeRecursive'],
    ['blkio.bfq.io_wait_time_recursive', 'ioWaitTimeRecursive'],
    ['blkio.bfq.io_merged_recursive', 'ioMergedRecursive'],
    ['blkio.bfq.io_queued_recursive', 'ioQueueRecursive'],
    ['blkio.bfq.time_recursive', 'ioTimeRecursive'],
    ['blkio.bfq.io_serviced_recursive', 'ioServicedRecursive'],
    ['blkio.bfq.io_service_bytes_recursive', 'ioServiceBytesRecursive'],
  ],
  [
    ['blkio.bfq.io_serviced_recursive', 'ioServicedRecursive'],
    ['blkio.bfq.io_service_bytes_recursive', 'ioServiceBytesRecursive'],
  ],
  [
    ['blkio.sectors_recursive', 'sectorsRecursive'],
    ['blkio.io_service_time_recursive', 'ioServiceTimeRecursive'],
    ['blkio.io_wait_time_recursive', 'ioWaitTimeRecursive'],
    ['blkio.io_merged_recursive', 'ioMergedRecursive'],
    ['blkio.io_queued_recursive', 'ioQueueRecursive'],
    ['blkio.time_recursive', 'ioTimeRecursive'],
    ['blkio.io_serviced_recursive', 'ioServicedRecursive'],
    ['blkio.io_service_bytes_recursive', 'ioServiceBytesRecursive'],
  ],
  [
    ['blkio.throttle.io_serviced_recursive', 'ioServicedRecursive'],
    ['blkio.throttle.io_service_bytes_recursive', 'ioServiceBytesRecursive'],
  ],
  [
    ['blkio.throttle.io_serviced', 'ioServicedRecursive'],
    ['blkio.throttle.io_service_bytes', 'ioServiceBytesRecursive'],
  ],
];

function blkioV1(dir: string, s: CgroupStats): void {
  for (const group of BLKIO_GROUPS) {
    const first = readOpt(dir, group[0]![0]);
    const entries = first === undefined ? [] : parseBlkioFile(first);
    if (entries.length === 0) continue;
    s.blkio[group[0]![1]] = entries;
    for (const [file, key] of group.slice(1)) {
      const t = readOpt(dir, file);
      s.blkio[key] = t === undefined ? [] : parseBlkioFile(t);
    }
    return;
  }
}

/** v2 io.stat: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0". */
export function parseIoStat(text: string): Pick<CgroupStats['blkio'], 'ioServiceBytesRecursive' | 'ioServicedRecursive'> {
  const bytes: BlkioEntry[] = [];
  const ios: BlkioEntry[] = [];
  for (const line of text.split('\n')) {
    const parts = line.trim().split(/\s+/);
    const dev = /^(\d+):(\d+)$/.exec(parts[0] ?? '');
    if (dev === null) continue;
    const major = BigInt(dev[1]!);
    const minor = BigInt(dev[2]!);
    for (const kv of parts.slice(1)) {
      const [k, v] = kv.split('=');
      if (v === undefined || !/^\d+$/.test(v)) continue;
      const value = BigInt(v);
      if (k === 'rbytes') bytes.push({ major, minor, op: 'Read', value });
      else if (k === 'wbytes') bytes.push({ major, minor, op: 'Write', value });
      else if (k === 'rios') ios.push({ major, minor, op: 'Read', value });
      else if (k === 'wios') ios.push({ major, minor, op: 'Write', value });
    }
  }
  return { ioServiceBytesRecursive: bytes, ioServicedRecursive: ios };
}

/** The page-size part of hugetlb.<size>.<file>, as the kernel names it ("2MB", "1GB", "64KB"). */
function hugetlbSizes(dir: string, suffix: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const re = new RegExp(`^hugetlb\\.([0-9]+[KMG]B)\\.${suffix.replace(/\./g, '\\.')}$`);
  return names.flatMap((n) => {
    const m = re.exec(n);
    return m === null ? [] : [m[1]!];
  });
}

function hugetlbV1(dir: string, s: CgroupStats): void {
  for (const size of hugetlbSizes(dir, 'limit_in_bytes')) {
    s.hugetlb.set(size, {
      usage: u64(dir, `hugetlb.${size}.usage_in_bytes`),
      max: u64(dir, `hugetlb.${size}.max_usage_in_bytes`),
      failcnt: u64(dir, `hugetlb.${size}.failcnt`),
    });
  }
}

function hugetlbV2(dir: string, s: CgroupStats): void {
  for (const size of hugetlbSizes(dir, 'max')) {
    s.hugetlb.set(size, {
      usage: u64(dir, `hugetlb.${size}.current`),
      max: 0n,
      failcnt: keyValues(dir, `hugetlb.${size}.events`).get('max') ?? 0n,
    });
  }
}

// ---- the whole --------------------------------------------------------------

type DirLike = Pick<CgroupDir, 'name' | 'kind' | 'dir'>;

function v1Dir(dirs: readonly DirLike[], controller: string): string | undefined {
  return dirs.find((d) => d.kind === 'v1' && d.name.split(',').includes(controller))?.dir;
}

/** The v2 dir, when it carries `file` (i.e. the controller is enabled there). */
function v2DirWith(dirs: readonly DirLike[], file: string): string | undefined {
  const d = dirs.find((x) => x.kind === 'v2');
  return d !== undefined && fs.existsSync(path.join(d.dir, file)) ? d.dir : undefined;
}

function v2DirWithPrefix(dirs: readonly DirLike[], prefix: string): string | undefined {
  const d = dirs.find((x) => x.kind === 'v2');
  if (d === undefined) return undefined;
  try {
    return fs.readdirSync(d.dir).some((n) => n.startsWith(prefix)) ? d.dir : undefined;
  } catch {
    return undefined;
  }
}

export function readStats(dirs: readonly DirLike[]): CgroupStats {
  if (!dirs.some((d) => fs.existsSync(d.dir))) {
    throw new RuntimeError(`read cgroup stats: no cgroup directory exists (${dirs.map((d) => d.dir).join(', ') || 'none recorded'})`);
  }
  const s = emptyStats();

  const cpu = v1Dir(dirs, 'cpu');
  const cpuacct = v1Dir(dirs, 'cpuacct');
  if (cpu !== undefined || cpuacct !== undefined) cpuV1(cpu, cpuacct, s);
  else {
    const d = v2DirWith(dirs, 'cpu.stat');
    if (d !== undefined) cpuV2(d, s);
  }

  const cpuset = v1Dir(dirs, 'cpuset');
  if (cpuset !== undefined) cpusetV1(cpuset, s);

  const memory = v1Dir(dirs, 'memory');
  if (memory !== undefined) memoryV1(memory, s);
  else {
    const d = v2DirWith(dirs, 'memory.current');
    if (d !== undefined) memoryV2(d, s);
  }

  const pids = v1Dir(dirs, 'pids') ?? v2DirWith(dirs, 'pids.current');
  if (pids !== undefined) pidsStats(pids, s);

  const blkio = v1Dir(dirs, 'blkio');
  if (blkio !== undefined) blkioV1(blkio, s);
  else {
    const d = v2DirWith(dirs, 'io.stat');
    const t = d === undefined ? undefined : readOpt(d, 'io.stat');
    if (t !== undefined) Object.assign(s.blkio, parseIoStat(t));
  }

  const hugetlb = v1Dir(dirs, 'hugetlb');
  if (hugetlb !== undefined) hugetlbV1(hugetlb, s);
  else {
    const d = v2DirWithPrefix(dirs, 'hugetlb.');
    if (d !== undefined) hugetlbV2(d, s);
  }
  return s;
}

// ---- JSON ---------------------------------------------------------------------
//
// Go's encoding/json of runc's types.Stats: fields in declaration order; `omitempty`
// drops zero numbers, empty strings and empty slices but never a struct, so
// "throttling":{} and "intel_rdt":{} appear even when empty; maps have sorted keys;
// a nil slice without omitempty is null.

type Field = readonly [name: string, json: string | undefined];

function obj(fields: readonly Field[]): string {
  return '{' + fields.filter((f): f is readonly [string, string] => f[1] !== undefined).map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',') + '}';
}

const num = (v: bigint | number): string => v.toString();
const omitZero = (v: bigint | number): string | undefined => (v === 0n || v === 0 ? undefined : v.toString());
const omitEmpty = <T>(xs: readonly T[], f: (x: T) => string): string | undefined => (xs.length === 0 ? undefined : '[' + xs.map(f).join(',') + ']');

function sortedKeys<T>(m: Map<string, T>): string[] {
  return [...m.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

function memoryEntryJson(e: MemoryEntry): string {
  return obj([
    ['limit', num(e.limit)],
    ['usage', omitZero(e.usage)],
    ['max', omitZero(e.max)],
    ['failcnt', num(e.failcnt)],
  ]);
}

function blkioEntryJson(e: BlkioEntry): string {
  return obj([
    ['major', omitZero(e.major)],
    ['minor', omitZero(e.minor)],
    ['op', e.op === '' ? undefined : JSON.stringify(e.op)],
    ['value', omitZero(e.value)],
  ]);
}

/** The `data` of a stats event, byte for byte what runc 1.1 prints. */
export function statsJson(s: CgroupStats): string {
  const u = s.cpu.usage;
  const t = s.cpu.throttling;
  const c = s.cpuset;
  const m = s.memory;
  return obj([
    [
      'cpu',
      obj([
        [
          'usage',
          obj([
            ['total', omitZero(u.total)],
            ['percpu', omitEmpty(u.percpu, num)],
            ['percpu_kernel', omitEmpty(u.percpu_kernel, num)],
            ['percpu_user', omitEmpty(u.percpu_user, num)],
            ['kernel', num(u.kernel)],
            ['user', num(u.user)],
          ]),
        ],
        [
          'throttling',
          obj([
            ['periods', omitZero(t.periods)],
            ['throttledPeriods', omitZero(t.throttledPeriods)],
            ['throttledTime', omitZero(t.throttledTime)],
          ]),
        ],
      ]),
    ],
    [
      'cpuset',
      obj([
        ['cpus', omitEmpty(c.cpus, num)],
        ['cpu_exclusive', num(c.cpu_exclusive)],
        ['mems', omitEmpty(c.mems, num)],
        ['mem_hardwall', num(c.mem_hardwall)],
        ['mem_exclusive', num(c.mem_exclusive)],
        ['memory_migrate', num(c.memory_migrate)],
        ['memory_spread_page', num(c.memory_spread_page)],
        ['memory_spread_slab', num(c.memory_spread_slab)],
        ['memory_pressure', num(c.memory_pressure)],
        ['sched_load_balance', num(c.sched_load_balance)],
        ['sched_relax_domain_level', num(c.sched_relax_domain_level)],
      ]),
    ],
    [
      'memory',
      obj([
        ['cache', omitZero(m.cache)],
        ['usage', memoryEntryJson(m.usage)],
        ['swap', memoryEntryJson(m.swap)],
        ['kernel', memoryEntryJson(m.kernel)],
        ['kernelTCP', memoryEntryJson(m.kernelTCP)],
        ['raw', m.raw.size === 0 ? undefined : obj(sortedKeys(m.raw).map((k) => [k, num(m.raw.get(k)!)]))],
      ]),
    ],
    [
      'pids',
      obj([
        ['current', omitZero(s.pids.current)],
        ['limit', omitZero(s.pids.limit)],
      ]),
    ],
    ['blkio', obj(BLKIO_KEYS.map((k) => [k, omitEmpty(s.blkio[k], blkioEntryJson)]))],
    [
      'hugetlb',
      obj(
        sortedKeys(s.hugetlb).map((k) => {
          const h = s.hugetlb.get(k)!;
          return [k, obj([['usage', omitZero(h.usage)], ['max', omitZero(h.max)], ['failcnt', num(h.failcnt)]])];
        }),
      ),
    ],
    ['intel_rdt', '{}'],
    ['network_interfaces', 'null'],
  ]);
}
