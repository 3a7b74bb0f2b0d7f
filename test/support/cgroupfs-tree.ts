// Owns: fake cgroup trees in a tmp dir — v1, v2 and hybrid layouts with each
// controller's files present and holding the kernel's defaults — and the CgroupDirs a
// container at a given cgroupsPath would get there. Writes to a fake file replace its
// content (no kernel semantics), so tests read back the last value written.
// Runs in: test.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Hierarchy } from '../../src/cgroups/detect';
import { planCgroupDirs, type CgroupDir } from '../../src/cgroups/paths';

export type TreeKind = 'v1' | 'v2' | 'hybrid';

const UNLIMITED = '9223372036854771712';

/** Per v1 subsystem, the files of a fresh cgroup with their default content. */
const V1_FILES: Record<string, Record<string, string>> = {
  cpuset: { 'cpuset.cpus': '0-1\n', 'cpuset.mems': '0\n' },
  cpu: {
    'cpu.shares': '1024\n',
    'cpu.cfs_quota_us': '-1\n',
    'cpu.cfs_period_us': '100000\n',
    'cpu.cfs_burst_us': '0\n',
    'cpu.rt_period_us': '1000000\n',
    'cpu.rt_runtime_us': '0\n',
    'cpu.idle': '0\n',
  },
  cpuacct: { 'cpuacct.usage': '0\n' },
  memory: {
    'memory.limit_in_bytes': `${UNLIMITED}\n`,
    'memory.memsw.limit_in_bytes': `${UNLIMITED}\n`,
    'memory.soft_limit_in_bytes': `${UNLIMITED}\n`,
    'memory.kmem.limit_in_bytes': `${UNLIMITED}\n`,
    'memory.swappiness': '60\n',
    'memory.oom_control': 'oom_kill_disable 0\nunder_oom 0\noom_kill 0\n',
    'memory.use_hierarchy': '1\n',
  },
  devices: { 'devices.allow': '', 'devices.deny': '', 'devices.list': 'a *:* rwm\n' },
  freezer: { 'freezer.state': 'THAWED\n' },
  blkio: {
    'blkio.weight': '500\n',
    'blkio.weight_device': '',
    'blkio.leaf_weight': '500\n',
    'blkio.leaf_weight_device': '',
    'blkio.throttle.read_bps_device': '',
    'blkio.throttle.write_bps_device': '',
    'blkio.throttle.read_iops_device': '',
    'blkio.throttle.write_iops_device': '',
  },
  pids: { 'pids.max': 'max\n' },
  hugetlb: { 'hugetlb.2MB.limit_in_bytes': `${UNLIMITED}\n`, 'hugetlb.1GB.limit_in_bytes': `${UNLIMITED}\n` },
  net_cls: { 'net_cls.classid': '0\n' },
  net_prio: { 'net_prio.ifpriomap': 'lo 0\n' },
  rdma: { 'rdma.max': '' },
  'name=systemd': {},
};

/** blkio with the BFQ scheduler: no blkio.weight, BFQ's own weight files. */
const V1_BLKIO_BFQ: Record<string, string> = {
  'blkio.bfq.weight': '100\n',
  'blkio.bfq.weight_device': '',
  'blkio.throttle.read_bps_device': '',
  'blkio.throttle.write_bps_device': '',
  'blkio.throttle.read_iops_device': '',
  'blkio.throttle.write_iops_device': '',
};

const V2_FILES: Record<string, Record<string, string>> = {
  cpuset: { 'cpuset.cpus': '\n', 'cpuset.mems': '\n' },
  cpu: { 'cpu.weight': '100\n', 'cpu.max': 'max 100000\n', 'cpu.max.burst': '0\n', 'cpu.idle': '0\n' },
  io: { 'io.weight': 'default 100\n', 'io.max': '' },
  memory: { 'memory.max': 'max\n', 'memory.swap.max': 'max\n', 'memory.low': '0\n' },
  hugetlb: { 'hugetlb.2MB.max': 'max\n', 'hugetlb.1GB.max': 'max\n' },
  pids: { 'pids.max': 'max\n' },
  rdma: { 'rdma.max': '' },
};

export interface TreeOptions {
  /** the container's cgroupsPath (absolute); default '/runts-test/ctr' */
  cgroupPath?: string;
  /** v1 hierarchies, each a comma-joined controller list; defaults per kind */
  v1?: string[];
  /** controllers the cgroup2 root offers; defaults per kind */
  v2Controllers?: string[];
  /** blkio with BFQ's file names */
  bfq?: boolean;
}

export interface FakeTree {
  root: string;
  dirs: CgroupDir[];
  /** the container's directory in the hierarchy named `name` ('memory', 'cpu,cpuacct', 'unified') */
  dir(name: string): string;
  read(name: string, file: string): string;
  remove(): void;
}

const DEFAULT_V1 = ['cpuset', 'cpu,cpuacct', 'memory', 'devices', 'freezer', 'blkio', 'pids', 'hugetlb', 'net_cls,net_prio', 'rdma', 'name=systemd'];
/** This project's CI host: no hugetlb, net_cls, net_prio or rdma in v1; cgroup2 holds only hugetlb. */
const HYBRID_V1 = ['cpu', 'cpuacct', 'cpuset', 'memory', 'devices', 'freezer', 'blkio', 'pids', 'name=systemd'];
const ALL_V2 = ['cpuset', 'cpu', 'io', 'memory', 'hugetlb', 'pids', 'rdma'];

function populate(dir: string, files: Record<string, string>): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const [f, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), content);
}

export function makeCgroupTree(kind: TreeKind, opts: TreeOptions = {}): FakeTree {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `runts-cgtree-${kind}-`));
  const cgroupPath = opts.cgroupPath ?? '/runts-test/ctr';
  const v1 = kind === 'v2' ? [] : (opts.v1 ?? (kind === 'hybrid' ? HYBRID_V1 : DEFAULT_V1));
  const v2Controllers = opts.v2Controllers ?? (kind === 'hybrid' ? ['hugetlb'] : ALL_V2);
  const hierarchies: Hierarchy[] = v1.map((name) => ({ kind: 'v1', mountpoint: path.join(root, name), root: '/', controllers: name.split(',') }));
  if (kind !== 'v1') hierarchies.push({ kind: 'v2', mountpoint: kind === 'v2' ? path.join(root, 'cgroup2') : path.join(root, 'unified'), root: '/', controllers: [] });
  const dirs = planCgroupDirs(hierarchies, new Map(), cgroupPath, 'ctr');
  for (const d of dirs) {
    if (d.kind === 'v1') {
      const files: Record<string, string> = { 'cgroup.procs': '', tasks: '' };
      for (const c of d.name.split(',')) Object.assign(files, c === 'blkio' && opts.bfq === true ? V1_BLKIO_BFQ : V1_FILES[c] ?? {});
      // Every level of a v1 hierarchy has the controller's files.
      let p = d.dir;
      for (;;) {
        populate(p, files);
        if (p === d.mountpoint) break;
        p = path.dirname(p);
      }
    } else {
      const files: Record<string, string> = {};
      for (const c of v2Controllers) Object.assign(files, V2_FILES[c] ?? {});
      // The root offers the controllers; nothing is enabled for children yet, so the
      // container's cgroup.controllers is empty until apply enables what it needs.
      populate(d.mountpoint, { 'cgroup.controllers': `${v2Controllers.join(' ')}\n`, 'cgroup.subtree_control': '\n', 'cgroup.procs': '' });
      for (let p = path.dirname(d.dir); p !== d.mountpoint; p = path.dirname(p)) {
        populate(p, { 'cgroup.controllers': '\n', 'cgroup.subtree_control': '\n', 'cgroup.procs': '' });
      }
      populate(d.dir, { ...files, 'cgroup.controllers': '\n', 'cgroup.subtree_control': '\n', 'cgroup.procs': '' });
    }
  }
  const dirOf = (name: string): string => {
    const d = dirs.find((x) => x.name === name);
    if (d === undefined) throw new Error(`no hierarchy ${name} in this fake tree (${dirs.map((x) => x.name).join(' ')})`);
    return d.dir;
  };
  return {
    root,
    dirs,
    dir: dirOf,
    read: (name, file) => fs.readFileSync(path.join(dirOf(name), file), 'utf8').trim(),
    remove: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}
