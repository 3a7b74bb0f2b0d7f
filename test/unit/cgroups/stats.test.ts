// Statistics read from fake v1, v2 and hybrid cgroup trees, and their JSON in the
// shape `runc events --stats` prints (runc 1.1 types.Stats, Go omitempty rules).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  emptyStats,
  MAX_UINT64,
  parseBlkioFile,
  parseCpuList,
  parseIoStat,
  parseU64,
  readStats,
  statsJson,
} from '../../../src/cgroups/stats';

type Dir = { name: string; kind: 'v1' | 'v2'; dir: string };

function tree(t: TestContext, files: Record<string, Record<string, string>>): Dir[] {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'runts-stats-'));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  return Object.entries(files).map(([name, content]) => {
    const dir = path.join(root, name, 'c1');
    fs.mkdirSync(dir, { recursive: true });
    for (const [f, text] of Object.entries(content)) fs.writeFileSync(path.join(dir, f), text);
    return { name, kind: name === 'unified' ? 'v2' : 'v1', dir };
  });
}

const V1_FILES = {
  'cpu,cpuacct': {
    'cpu.stat': 'nr_periods 10\nnr_throttled 2\nthrottled_time 3000\n',
    'cpuacct.usage': '63397421\n',
    'cpuacct.usage_percpu': '50073835 13323586 \n',
    'cpuacct.usage_all': 'cpu user system\n0 40000000 12000000\n1 8000000 4000000\n',
    'cpuacct.stat': 'user 4\nsystem 1\n',
  },
  cpuset: {
    'cpuset.cpus': '0-1,3\n',
    'cpuset.mems': '0\n',
    'cpuset.cpu_exclusive': '0\n',
    'cpuset.mem_hardwall': '0\n',
    'cpuset.mem_exclusive': '0\n',
    'cpuset.memory_migrate': '0\n',
    'cpuset.memory_spread_page': '0\n',
    'cpuset.memory_spread_slab': '0\n',
    'cpuset.memory_pressure': '0\n',
    'cpuset.sched_load_balance': '1\n',
    'cpuset.sched_relax_domain_level': '-1\n',
  },
  memory: {
    'memory.stat': 'cache 614400\nrss 122880\ntotal_cache 614400\nhierarchical_memory_limit 67108864\n',
    'memory.usage_in_bytes': '1228800\n',
    'memory.max_usage_in_bytes': '10452992\n',
    'memory.failcnt': '0\n',
    'memory.limit_in_bytes': '67108864\n',
    'memory.memsw.usage_in_bytes': '1228800\n',
    'memory.memsw.max_usage_in_bytes': '10452992\n',
    'memory.memsw.failcnt': '0\n',
    'memory.memsw.limit_in_bytes': '9223372036854771712\n',
    'memory.kmem.tcp.usage_in_bytes': '0\n',
    'memory.kmem.tcp.max_usage_in_bytes': '0\n',
    'memory.kmem.tcp.failcnt': '0\n',
    'memory.kmem.tcp.limit_in_bytes': '9223372036854771712\n',
  },
  pids: { 'pids.current': '2\n', 'pids.max': 'max\n' },
  blkio: {
    'blkio.bfq.io_serviced_recursive': 'Total 0\n',
    'blkio.throttle.io_serviced_recursive': '8:0 Read 3\n8:0 Write 1\n8:0 Sync 4\nTotal 4\n',
    'blkio.throttle.io_service_bytes_recursive': '8:0 Read 12288\n8:0 Write 4096\nTotal 16384\n',
  },
  hugetlb: {
    'hugetlb.2MB.limit_in_bytes': '9223372036854771712\n',
    'hugetlb.2MB.usage_in_bytes': '0\n',
    'hugetlb.2MB.max_usage_in_bytes': '2097152\n',
    'hugetlb.2MB.failcnt': '1\n',
    'hugetlb.1GB.limit_in_bytes': '9223372036854771712\n',
    'hugetlb.1GB.usage_in_bytes': '0\n',
    'hugetlb.1GB.max_usage_in_bytes': '0\n',
    'hugetlb.1GB.failcnt': '0\n',
  },
};

test('v1: every controller read from its own hierarchy', (t) => {
  const s = readStats(tree(t, V1_FILES));
  assert.equal(s.cpu.usage.total, 63397421n);
  assert.deepEqual(s.cpu.usage.percpu, [50073835n, 13323586n]);
  assert.deepEqual(s.cpu.usage.percpu_user, [40000000n, 8000000n]);
  assert.deepEqual(s.cpu.usage.percpu_kernel, [12000000n, 4000000n]);
  // cpuacct.stat is in USER_HZ (100/s) ticks: 4 ticks = 40 ms.
  assert.equal(s.cpu.usage.user, 40_000_000n);
  assert.equal(s.cpu.usage.kernel, 10_000_000n);
  assert.deepEqual(s.cpu.throttling, { periods: 10n, throttledPeriods: 2n, throttledTime: 3000n });
  assert.deepEqual(s.cpuset.cpus, [0, 1, 3]);
  assert.equal(s.cpuset.sched_relax_domain_level, -1n);
  assert.equal(s.memory.cache, 614400n);
  assert.deepEqual(s.memory.usage, { usage: 1228800n, max: 10452992n, failcnt: 0n, limit: 67108864n });
  assert.equal(s.memory.swap.limit, 9223372036854771712n);
  // No kmem files (newer kernels): an empty entry, not an error.
  assert.deepEqual(s.memory.kernel, { usage: 0n, max: 0n, failcnt: 0n, limit: 0n });
  assert.equal(s.memory.kernelTCP.limit, 9223372036854771712n);
  assert.equal(s.memory.raw.get('hierarchical_memory_limit'), 67108864n);
  assert.deepEqual(s.pids, { current: 2n, limit: 0n }, 'pids.max "max" is reported as 0');
  // BFQ files exist but are empty: the throttle family is used.
  assert.deepEqual(s.blkio.ioServicedRecursive.map((e) => e.op), ['Read', 'Write', 'Sync']);
  assert.equal(s.blkio.ioServiceBytesRecursive[0]?.value, 12288n);
  assert.deepEqual(s.blkio.sectorsRecursive, []);
  assert.deepEqual(s.hugetlb.get('2MB'), { usage: 0n, max: 2097152n, failcnt: 1n });
  assert.ok(s.hugetlb.has('1GB'));
});

test('v1 JSON: runc field names, order, and omitempty', (t) => {
  const json = statsJson(readStats(tree(t, V1_FILES)));
  const expected =
    '{"cpu":{"usage":{"total":63397421,"percpu":[50073835,13323586],"percpu_kernel":[12000000,4000000],"percpu_user":[40000000,8000000],"kernel":10000000,"user":40000000},"throttling":{"periods":10,"throttledPeriods":2,"throttledTime":3000}},' +
    '"cpuset":{"cpus":[0,1,3],"cpu_exclusive":0,"mems":[0],"mem_hardwall":0,"mem_exclusive":0,"memory_migrate":0,"memory_spread_page":0,"memory_spread_slab":0,"memory_pressure":0,"sched_load_balance":1,"sched_relax_domain_level":-1},' +
    '"memory":{"cache":614400,"usage":{"limit":67108864,"usage":1228800,"max":10452992,"failcnt":0},"swap":{"limit":9223372036854771712,"usage":1228800,"max":10452992,"failcnt":0},"kernel":{"limit":0,"failcnt":0},"kernelTCP":{"limit":9223372036854771712,"failcnt":0},' +
    '"raw":{"cache":614400,"hierarchical_memory_limit":67108864,"rss":122880,"total_cache":614400}},' +
    '"pids":{"current":2},' +
    '"blkio":{"ioServiceBytesRecursive":[{"major":8,"op":"Read","value":12288},{"major":8,"op":"Write","value":4096}],"ioServicedRecursive":[{"major":8,"op":"Read","value":3},{"major":8,"op":"Write","value":1},{"major":8,"op":"Sync","value":4}]},' +
    '"hugetlb":{"1GB":{"failcnt":0},"2MB":{"max":2097152,"failcnt":1}},"intel_rdt":{},"network_interfaces":null}';
  assert.equal(json, expected);
  assert.doesNotThrow(() => JSON.parse(json));
});

test('an all-zero stats object keeps the structs and drops empty fields, as Go does', () => {
  assert.equal(
    statsJson(emptyStats()),
    '{"cpu":{"usage":{"kernel":0,"user":0},"throttling":{}},"cpuset":{"cpu_exclusive":0,"mem_hardwall":0,"mem_exclusive":0,"memory_migrate":0,"memory_spread_page":0,"memory_spread_slab":0,"memory_pressure":0,"sched_load_balance":0,"sched_relax_domain_level":0},' +
      '"memory":{"usage":{"limit":0,"failcnt":0},"swap":{"limit":0,"failcnt":0},"kernel":{"limit":0,"failcnt":0},"kernelTCP":{"limit":0,"failcnt":0}},"pids":{},"blkio":{},"hugetlb":{},"intel_rdt":{},"network_interfaces":null}',
  );
});

const V2_FILES = {
  unified: {
    'cpu.stat': 'usage_usec 2000\nuser_usec 1500\nsystem_usec 500\nnr_periods 4\nnr_throttled 1\nthrottled_usec 7\n',
    'memory.stat': 'anon 4096\nfile 8192\n',
    'memory.current': '12288\n',
    'memory.max': 'max\n',
    'memory.events': 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n',
    'memory.swap.current': '100\n',
    'memory.swap.max': 'max\n',
    'pids.current': '1\n',
    'pids.max': '64\n',
    'io.stat': '8:0 rbytes=4096 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n',
    'hugetlb.2MB.max': 'max\n',
    'hugetlb.2MB.current': '0\n',
    'hugetlb.2MB.events': 'max 2\n',
  },
};

test('v2: unified files, "max" as MaxUint64, usec converted to ns, swap reported as memory+swap', (t) => {
  const s = readStats(tree(t, V2_FILES));
  assert.equal(s.cpu.usage.total, 2_000_000n);
  assert.equal(s.cpu.usage.user, 1_500_000n);
  assert.equal(s.cpu.usage.kernel, 500_000n);
  assert.deepEqual(s.cpu.throttling, { periods: 4n, throttledPeriods: 1n, throttledTime: 7000n });
  assert.equal(s.memory.cache, 8192n);
  assert.equal(s.memory.usage.limit, MAX_UINT64);
  assert.equal(s.memory.usage.failcnt, 3n);
  assert.equal(s.memory.swap.usage, 12388n);
  assert.equal(s.memory.swap.limit, MAX_UINT64);
  assert.deepEqual(s.pids, { current: 1n, limit: 64n });
  assert.deepEqual(s.blkio.ioServiceBytesRecursive, [
    { major: 8n, minor: 0n, op: 'Read', value: 4096n },
    { major: 8n, minor: 0n, op: 'Write', value: 0n },
  ]);
  assert.deepEqual(s.hugetlb.get('2MB'), { usage: 0n, max: 0n, failcnt: 2n });
  // 2^64-1 printed exactly (a JS number would print 18446744073709552000).
  assert.match(statsJson(s), /"usage":\{"limit":18446744073709551615,"usage":12288,"failcnt":3\}/);
});

test('hybrid: v1 controllers win, hugetlb comes from the unified dir', (t) => {
  const dirs = tree(t, {
    memory: V1_FILES.memory,
    pids: V1_FILES.pids,
    unified: { 'cpu.stat': 'usage_usec 1\n', 'hugetlb.2MB.max': 'max\n', 'hugetlb.2MB.current': '4096\n', 'hugetlb.2MB.events': 'max 0\n' },
  });
  const s = readStats(dirs);
  assert.equal(s.memory.usage.limit, 67108864n);
  assert.equal(s.hugetlb.get('2MB')?.usage, 4096n);
  assert.equal(s.cpu.usage.total, 1000n, 'no v1 cpu hierarchy: the v2 cpu.stat is used');
});

test('a cgroup whose directories are all gone is an error', () => {
  assert.throws(() => readStats([{ name: 'memory', kind: 'v1', dir: '/nonexistent/runts/memory' }]), /no cgroup directory exists/);
});

test('parsers: u64, cpu lists, blkio lines, io.stat', () => {
  assert.equal(parseU64('max\n'), MAX_UINT64);
  assert.equal(parseU64('18446744073709551615'), MAX_UINT64);
  assert.equal(parseU64('-1'), 0n);
  assert.throws(() => parseU64('abc'), /uint64/);
  assert.deepEqual(parseCpuList('0-2,5\n'), [0, 1, 2, 5]);
  assert.deepEqual(parseCpuList('\n'), []);
  assert.throws(() => parseCpuList('a-b'), /cpuset list/);
  assert.deepEqual(parseBlkioFile('8:16 1024\nTotal 1024\n'), [{ major: 8n, minor: 16n, op: '', value: 1024n }]);
  assert.throws(() => parseBlkioFile('garbage\n'), /malformed blkio line/);
  assert.deepEqual(parseIoStat('8:0 rbytes=1 wbytes=2 rios=3 wios=4\n').ioServicedRecursive.map((e) => [e.op, e.value]), [
    ['Read', 3n],
    ['Write', 4n],
  ]);
});
