// Owns: the config.json template `runts spec` writes, the same content and key order
// as `runc spec` (runc libcontainer/specconv Example) and `runc spec --rootless`
// (specconv ToRootless), apart from ociVersion. Runs in: cli.
import { SPEC_VERSION, type Mount, type Spec } from './types';

const CAPS = ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'];

export function defaultSpec(): Spec {
  return {
    ociVersion: SPEC_VERSION,
    process: {
      terminal: true,
      user: { uid: 0, gid: 0 },
      args: ['sh'],
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm'],
      cwd: '/',
      capabilities: {
        bounding: [...CAPS],
        effective: [...CAPS],
        permitted: [...CAPS],
        ambient: [...CAPS],
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
      {
        destination: '/sys/fs/cgroup',
        type: 'cgroup',
        source: 'cgroup',
        options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'],
      },
    ],
    linux: {
      resources: { devices: [{ allow: false, access: 'rwm' }] },
      namespaces: [{ type: 'pid' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }],
      maskedPaths: [
        '/proc/acpi',
        '/proc/asound',
        '/proc/kcore',
        '/proc/keys',
        '/proc/latency_stats',
        '/proc/timer_list',
        '/proc/timer_stats',
        '/proc/sched_debug',
        '/sys/firmware',
        '/proc/scsi',
      ],
      readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    },
  };
}

/**
 * The default made runnable by an unprivileged user: no network namespace (it would
 * have no interface), a user namespace mapping root to the caller, /sys bound from
 * the host (sysfs cannot be mounted without owning the network namespace), no uid=/
 * gid= mount options (those ids are not mapped) and no cgroup resources.
 */
export function rootlessSpec(
  uid: number = process.geteuid?.() ?? 0,
  gid: number = process.getegid?.() ?? 0,
): Spec {
  const spec = defaultSpec();
  const linux = spec.linux ?? {};
  const mounts: Mount[] = (spec.mounts ?? []).map((m) => {
    if (m.destination === '/sys') {
      return { destination: '/sys', type: 'none', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] };
    }
    if (m.options === undefined) return m;
    return { ...m, options: m.options.filter((o) => !o.startsWith('uid=') && !o.startsWith('gid=')) };
  });
  const namespaces = (linux.namespaces ?? []).filter((n) => n.type !== 'network' && n.type !== 'user');
  namespaces.push({ type: 'user' });
  // Rebuilt rather than edited so the keys come out in runc's order.
  const { resources: _dropped, namespaces: _ns, ...rest } = linux;
  spec.mounts = mounts;
  spec.linux = {
    uidMappings: [{ containerID: 0, hostID: uid, size: 1 }],
    gidMappings: [{ containerID: 0, hostID: gid, size: 1 }],
    namespaces,
    ...rest,
  };
  return spec;
}
