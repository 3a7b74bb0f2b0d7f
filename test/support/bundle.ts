// Owns: busybox bundles for tests and typed config mutators (runc's update_config).
// Every bundle lives in a fresh tmp dir; remove() deletes it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Spec } from '../../src/spec/types';

const BUSYBOX = '/bin/busybox';
let applets: string[] | undefined;

function busyboxApplets(): string[] {
  if (applets === undefined) {
    const { execFileSync } = require('node:child_process') as typeof import('node:child_process');
    applets = execFileSync(BUSYBOX, ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  }
  return applets;
}

/** The config `runc spec` writes, made non-interactive, as the base of every test bundle. */
export function baseSpec(): Spec {
  return {
    ociVersion: '1.0.2-dev',
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: ['sh', '-c', 'true'],
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm'],
      cwd: '/',
      capabilities: {
        bounding: ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'],
        effective: ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'],
        permitted: ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'],
        ambient: ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'],
      },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: 'rootfs', readonly: true },
    hostname: 'runc',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      {
        destination: '/dev/pts',
        type: 'devpts',
        source: 'devpts',
        options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
      },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] },
    ],
    linux: {
      resources: { devices: [{ allow: false, access: 'rwm' }] },
      namespaces: [{ type: 'pid' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }],
      maskedPaths: [
        '/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
        '/proc/timer_stats', '/proc/sched_debug', '/sys/firmware', '/proc/scsi',
      ],
      readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    },
  };
}

export interface Bundle {
  dir: string;
  rootfs: string;
  configPath: string;
  /** read, change and write config.json */
  update(mutate: (spec: Spec) => void): void;
  /** write raw text as config.json (malformed-JSON tests) */
  writeRaw(text: string): void;
  remove(): void;
}

export interface BundleOptions {
  /** no rootfs contents at all (validation-only tests) */
  emptyRootfs?: boolean;
  spec?: Spec;
}

export function makeBundle(opts: BundleOptions = {}): Bundle {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runts-bundle-'));
  const rootfs = path.join(dir, 'rootfs');
  fs.mkdirSync(rootfs);
  if (opts.emptyRootfs !== true) {
    for (const d of ['bin', 'etc', 'proc', 'sys', 'dev', 'tmp', 'root']) fs.mkdirSync(path.join(rootfs, d));
    fs.copyFileSync(BUSYBOX, path.join(rootfs, 'bin', 'busybox'));
    fs.chmodSync(path.join(rootfs, 'bin', 'busybox'), 0o755);
    for (const a of busyboxApplets()) {
      const p = path.join(rootfs, 'bin', a);
      if (!fs.existsSync(p)) fs.symlinkSync('busybox', p);
    }
    fs.writeFileSync(path.join(rootfs, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
    fs.writeFileSync(path.join(rootfs, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\n');
    fs.chmodSync(path.join(rootfs, 'tmp'), 0o1777);
  }
  const configPath = path.join(dir, 'config.json');
  fs.writeFileSync(configPath, JSON.stringify(opts.spec ?? baseSpec(), null, 2));
  return {
    dir,
    rootfs,
    configPath,
    update(mutate) {
      const spec = JSON.parse(fs.readFileSync(configPath, 'utf8')) as Spec;
      mutate(spec);
      fs.writeFileSync(configPath, JSON.stringify(spec, null, 2));
    },
    writeRaw(text) {
      fs.writeFileSync(configPath, text);
    },
    remove() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
