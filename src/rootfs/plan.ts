// Owns: the container's filesystem setup as data — spec mounts, defaults, devices,
// pivot, masks — planned purely into an ordered MountOp[]. Runs in: setup (cli in tests).
//
// The order is runc's (libcontainer/rootfs_linux.go prepareRootfs + finalizeRootfs,
// standard_init_linux.go): propagation of "/", bind the rootfs onto itself, the config's
// mounts in config order, /dev content, the prestart/createRuntime/createContainer hooks
// while the host is still visible, pivot_root, hostname, sysctl, read-only and masked
// paths, and last the read-only remounts. Execution (execute.ts) only follows this list.
import * as path from 'node:path';
import { ConfigError, RuntimeError } from '../errors';
import type { LinuxDevice, Mount } from '../spec/types';
import * as C from '../sys/constants';
import { PROPAGATION_FLAGS, isIdmapped, parseMountOptions, type RecAttr } from './mount-options';
import { withMountLabel } from '../security/process-attrs';

/** What the cgroup mount (`type: cgroup`) needs to know about the container's cgroups. */
export interface CgroupMountInfo {
  version: 1 | 2;
  /**
   * v1: hierarchy mount-point basename (`memory`, `cpu,cpuacct`, `systemd`) -> the
   * container's own cgroup directory in that hierarchy on the host, in mount order.
   */
  hierarchies?: Record<string, string>;
  /** v2: the container's cgroup directory on the host (bind fallback when cgroup2 cannot be mounted) */
  unifiedPath?: string;
  /** the container has its own cgroup namespace */
  cgroupns?: boolean;
}

/** Facts about the host the plan depends on, gathered inside the mount namespace by setup. */
export interface HostFacts {
  /** bind-mount sources that are not directories (their target is created as a file) */
  fileSources?: string[];
  /** /proc/kcore exists (CONFIG_PROC_KCORE), so /dev/core may point at it */
  kcore?: boolean;
}

/** Everything the rootfs plan needs. JSON-serialisable: it travels to setup over fd 3. */
export interface RootfsInput {
  /** absolute, symlink-free host path of the root filesystem */
  rootfs: string;
  readonly: boolean;
  /** linux.rootfsPropagation; default: rslave of "/", as runc */
  rootfsPropagation?: string;
  /** spec mounts in config order; bind sources already absolute */
  mounts: Mount[];
  /** linux.devices */
  devices: LinuxDevice[];
  /** devices are bind-mounted from the host instead of mknod'ed */
  inUserNamespace: boolean;
  cgroup?: CgroupMountInfo;
  maskedPaths: string[];
  readonlyPaths: string[];
  /** --no-pivot: MS_MOVE + chroot instead of pivot_root */
  noPivot: boolean;
  hostname?: string;
  domainname?: string;
  /** process.cwd: created in the rootfs when missing (runc's createCwd) */
  cwd?: string;
  /** linux.sysctl, written to the container's /proc/sys after pivot_root */
  sysctl?: Record<string, string>;
  /** linux.mountLabel: SELinux context= of tmpfs and other non-proc/sysfs/mqueue/bind mounts */
  mountLabel?: string;
  host?: HostFacts;
  /**
   * Idmapped bind mounts: config mount index -> fd (in setup) of the detached tree the
   * CLI made with open_tree + MOUNT_ATTR_IDMAP (src/container/idmap-mounts.ts). Not part of the JSON
   * plan: the fds arrive beside it, and setup fills this in.
   */
  idmapFds?: Record<number, number>;
}

export type CreateKind = 'dir' | 'file';

/** One step. Container paths (`dest`, `path`) are absolute inside the container's root. */
export type MountOp =
  /** mount(NULL, "/", NULL, flags): the propagation of the whole tree, before anything */
  | { op: 'propagate-root'; flags: number }
  /** make the rootfs' parent mount private if it is shared (pivot_root refuses shared parents) */
  | { op: 'make-parent-private' }
  /** mount(rootfs, rootfs, MS_BIND|MS_REC): the rootfs becomes a mount point of its own */
  | { op: 'bind-rootfs' }
  | {
      op: 'mount';
      source: string;
      dest: string;
      /** null for bind mounts (the kernel ignores it) */
      fstype: string | null;
      flags: number;
      data: string;
      /** what to create at dest when it is missing */
      create: CreateKind;
      /** propagation changes, one mount(2) each, after the mount */
      propagation: number[];
      recAttr?: RecAttr;
      /** tmpfs: give the new mount the mode the directory had (runc) */
      keepMode?: boolean;
      /** tmpcopyup: copy the old directory content into the tmpfs */
      copyUp?: boolean;
      /** refuse when dest resolves into procfs (anything but a proc mount at /proc) */
      procCheck: boolean;
      /** cgroup2 that the kernel refuses (EPERM/EBUSY: userns without cgroupns) is bound from here */
      fallbackBind?: string;
      /** idmapped: MS_MOVE this detached tree (an fd) onto dest instead of binding source */
      moveFrom?: number;
    }
  /** a bind mount ignores its flags: remount to apply them; retried with MS_RDONLY if the source is ro */
  | { op: 'remount'; source: string; dest: string; flags: number }
  | { op: 'mknod'; dest: string; mode: number; major: number; minor: number; uid: number; gid: number }
  /** bind the host's device node (user namespaces cannot mknod) */
  | { op: 'bind-device'; source: string; dest: string }
  /** symlink(target, dest); replace: remove what is there first; otherwise EEXIST is fine */
  | { op: 'symlink'; dest: string; target: string; replace: boolean }
  /** report to the CLI (prestart, createRuntime hooks), then run createContainer hooks */
  | { op: 'hooks' }
  /** process.cwd made (0755, parents too) inside the rootfs, as runc does, even with a read-only root */
  | { op: 'mkdir-cwd'; path: string }
  | { op: 'pivot-root' }
  | { op: 'move-root' }
  | { op: 'sethostname'; name: string }
  | { op: 'setdomainname'; name: string }
  | { op: 'sysctl'; key: string; value: string }
  | { op: 'readonly-path'; path: string }
  | { op: 'mask-path'; path: string; data?: string }
  /** tmpfs and /dev were mounted rw so they could be filled: now make them ro as asked */
  | { op: 'remount-ro'; dest: string; flags: number }
  | { op: 'readonly-root' };

/** runc's defaults (specconv AllowedDevices with a path), in runc's order. */
export const DEFAULT_DEVICES: readonly LinuxDevice[] = [
  { path: '/dev/null', type: 'c', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/random', type: 'c', major: 1, minor: 8, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/full', type: 'c', major: 1, minor: 7, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/tty', type: 'c', major: 5, minor: 0, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/zero', type: 'c', major: 1, minor: 5, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/urandom', type: 'c', major: 1, minor: 9, fileMode: 0o666, uid: 0, gid: 0 },
];

/** Files in /proc that may be mount targets: what lxcfs emulates (runc checkProcMount). */
const PROC_MOUNT_ALLOWED = new Set([
  '/proc/cpuinfo',
  '/proc/diskstats',
  '/proc/meminfo',
  '/proc/stat',
  '/proc/swaps',
  '/proc/uptime',
  '/proc/loadavg',
  '/proc/slabinfo',
  '/proc/net/dev',
]);

const DEFAULT_MOUNT_FLAGS = C.MS_NOEXEC | C.MS_NOSUID | C.MS_NODEV;

/** Absolute and clean; a relative destination is taken from "/" (runc warns and does the same). */
export function cleanPath(p: string): string {
  return path.posix.resolve('/', p);
}

function isUnder(p: string, dir: string): boolean {
  return p === dir || p.startsWith(dir + '/');
}

export function planRootfs(input: RootfsInput): MountOp[] {
  const ops: MountOp[] = [];

  let rootProp = C.MS_SLAVE | C.MS_REC;
  const explicitProp = input.rootfsPropagation !== undefined && input.rootfsPropagation !== '';
  if (input.rootfsPropagation !== undefined && input.rootfsPropagation !== '') {
    const p = PROPAGATION_FLAGS[input.rootfsPropagation];
    if (p === undefined) {
      throw new ConfigError(`rootfsPropagation=${input.rootfsPropagation} is not supported`, '/linux/rootfsPropagation');
    }
    // MS_MOVE of a private mount leaves the host's copy reachable through the chroot.
    if (input.noPivot && (p & C.MS_PRIVATE) !== 0) {
      throw new ConfigError('rootfsPropagation of [r]private is not safe without pivot_root', '/linux/rootfsPropagation');
    }
    rootProp = p;
  }
  // Slave, not private, by default: host unmounts still reach the container (so a
  // busy host mount is not pinned), nothing the container mounts reaches the host.
  // Unbindable waits for the pivot: an unbindable "/" cannot have the rootfs bound out of
  // it (EINVAL, where runc 1.1 fails), nor any host directory bound into the container.
  const beforePivot = (rootProp & C.MS_UNBINDABLE) !== 0 ? C.MS_SLAVE | C.MS_REC : rootProp;
  ops.push({ op: 'propagate-root', flags: beforePivot });
  ops.push({ op: 'make-parent-private' });
  ops.push({ op: 'bind-rootfs' });

  const fileSources = new Set(input.host?.fileSources ?? []);
  let devBound = false;
  input.mounts.forEach((m, i) => {
    const planned = planMount(m, i, input, fileSources);
    if (planned.devBound) devBound = true;
    ops.push(...planned.ops);
  });

  // runc fills /dev unless the config binds something over it.
  if (!devBound) ops.push(...planDev(input));

  // prestart/createRuntime (CLI, host namespaces) and createContainer (here) hooks run
  // after the mounts and before pivot_root, so they can still see and change both sides.
  ops.push({ op: 'hooks' });
  if (input.cwd !== undefined && input.cwd !== '/') ops.push({ op: 'mkdir-cwd', path: cleanPath(input.cwd) });
  ops.push(input.noPivot ? { op: 'move-root' } : { op: 'pivot-root' });

  if (input.hostname !== undefined && input.hostname !== '') ops.push({ op: 'sethostname', name: input.hostname });
  if (input.domainname !== undefined && input.domainname !== '') {
    ops.push({ op: 'setdomainname', name: input.domainname });
  }
  for (const [key, value] of Object.entries(input.sysctl ?? {})) ops.push({ op: 'sysctl', key, value });
  // Read-only paths before masks, as runc: a masked path inside a read-only one still gets masked.
  for (const p of input.readonlyPaths) ops.push({ op: 'readonly-path', path: cleanPath(p) });
  const maskData = withMountLabel('', input.mountLabel);
  for (const p of input.maskedPaths) ops.push(maskData === '' ? { op: 'mask-path', path: cleanPath(p) } : { op: 'mask-path', path: cleanPath(p), data: maskData });
  // A shared, slave or unbindable rootfsPropagation is for the container's own "/": the
  // rootfs bind took the (private) propagation of its parent, so it is applied again
  // after the pivot, as runc does since 1.2.7/1.3 (runc#1755, #4724; runc 1.1 leaves "/"
  // private). After the read-only and masked paths, which bind from inside the container
  // and so would fail under an unbindable "/". Private was done by make-parent-private.
  if (explicitProp && (rootProp & C.MS_PRIVATE) === 0) {
    ops.push({ op: 'propagate-root', flags: rootProp });
  }

  for (const m of input.mounts) {
    const { flags } = parseMountOptions(m.options);
    const dest = cleanPath(m.destination);
    if ((flags & C.MS_RDONLY) !== 0 && (flags & C.MS_BIND) === 0 && (m.type === 'tmpfs' || dest === '/dev')) {
      ops.push({ op: 'remount-ro', dest, flags });
    }
  }
  if (input.readonly) ops.push({ op: 'readonly-root' });
  return ops;
}

const UNLABELLED_TYPES = new Set(['proc', 'sysfs', 'mqueue']);

function planMount(
  m: Mount,
  index: number,
  input: RootfsInput,
  fileSources: ReadonlySet<string>,
): { ops: MountOp[]; devBound: boolean } {
  const pointer = `/mounts/${index}`;
  const o = parseMountOptions(m.options);
  const dest = cleanPath(m.destination);
  const source = m.source ?? '';
  const isBind = (o.flags & C.MS_BIND) !== 0;
  let moveFrom: number | undefined;
  if (isIdmapped(m)) {
    // runc 1.2 checkIDMapMounts; the mappings themselves were checked by the CLI
    // (src/container/idmap-mounts.ts), which made the tree this fd holds
    if (!isBind) throw new ConfigError('id-mapped mounts are only supported for bind-mounts', `${pointer}/options`);
    moveFrom = input.idmapFds?.[index];
    if (moveFrom === undefined) throw new RuntimeError(`mount ${dest}: no id-mapped source was prepared for it`);
  }
  const type = isBind ? 'bind' : (m.type ?? '');
  const extra = (op: Extract<MountOp, { op: 'mount' }>): Extract<MountOp, { op: 'mount' }> => {
    if (o.recAttr !== undefined) op.recAttr = o.recAttr;
    return op;
  };

  if (dest === '/') throw new ConfigError('mounting into / is prohibited', `${pointer}/destination`);
  if (type !== 'proc' && type !== 'bind' && dest === '/proc') {
    throw new ConfigError(`"${dest}" cannot be mounted because it is not of type proc`, `${pointer}/destination`);
  }
  if (dest !== '/proc' && isUnder(dest, '/proc') && !PROC_MOUNT_ALLOWED.has(dest)) {
    throw new ConfigError(`"${dest}" cannot be mounted because it is inside /proc`, `${pointer}/destination`);
  }
  const procCheck = dest !== '/proc' && !PROC_MOUNT_ALLOWED.has(dest);

  switch (type) {
    case 'bind': {
      if (!path.posix.isAbsolute(source)) {
        throw new ConfigError(`bind mount source ${source} is not an absolute path`, `${pointer}/source`);
      }
      const ops: MountOp[] = [
        extra({
          op: 'mount',
          source,
          dest,
          fstype: null,
          flags: o.flags,
          data: o.data,
          create: fileSources.has(source) ? 'file' : 'dir',
          propagation: o.propagation,
          procCheck,
          ...(moveFrom !== undefined ? { moveFrom } : {}),
        }),
      ];
      // A bind mount takes the source's flags whatever it is asked: ro, nosuid … only
      // take effect through a remount.
      if ((o.flags & ~(C.MS_REC | C.MS_REMOUNT | C.MS_BIND)) !== 0) {
        ops.push({ op: 'remount', source, dest, flags: o.flags | C.MS_REMOUNT });
      }
      return { ops, devBound: dest === '/dev' };
    }
    case 'cgroup':
      return { ops: planCgroup(m, dest, o, input, pointer), devBound: false };
    case 'tmpfs': {
      const op = extra({
        op: 'mount',
        source,
        dest,
        fstype: 'tmpfs',
        // Mounted rw so that /dev can be filled and the mode set; remount-ro comes last.
        flags: o.flags & ~C.MS_RDONLY,
        data: withMountLabel(o.data, input.mountLabel),
        create: 'dir',
        propagation: o.propagation,
        keepMode: true,
        procCheck,
      });
      if (o.tmpcopyup) op.copyUp = true;
      return { ops: [op], devBound: false };
    }
    default: {
      const flags = dest === '/dev' ? o.flags & ~C.MS_RDONLY : o.flags;
      // runc labels every mount but proc, sysfs, mqueue, binds and cgroups (mountToRootfs)
      const data = UNLABELLED_TYPES.has(type) ? o.data : withMountLabel(o.data, input.mountLabel);
      return {
        ops: [
          extra({ op: 'mount', source, dest, fstype: type, flags, data, create: 'dir', propagation: o.propagation, procCheck }),
        ],
        devBound: false,
      };
    }
  }
}

function planCgroup(
  m: Mount,
  dest: string,
  o: ReturnType<typeof parseMountOptions>,
  input: RootfsInput,
  pointer: string,
): MountOp[] {
  const cg = input.cgroup ?? { version: 2 };
  if (cg.version === 2) {
    const op: MountOp = {
      op: 'mount',
      source: m.source ?? 'cgroup',
      dest,
      fstype: 'cgroup2',
      flags: o.flags,
      data: o.data,
      create: 'dir',
      propagation: o.propagation,
      procCheck: true,
      fallbackBind: cg.cgroupns === true && cg.unifiedPath !== undefined ? cg.unifiedPath : '/sys/fs/cgroup',
    };
    if (o.recAttr !== undefined) op.recAttr = o.recAttr;
    return [op];
  }
  const hierarchies = cg.hierarchies;
  if (hierarchies === undefined) {
    throw new ConfigError('cgroup v1 mount without the container cgroup paths', `${pointer}/type`);
  }
  // v1 (runc mountCgroupV1): a tmpfs holding one directory per hierarchy, each a bind of
  // the container's own cgroup there — or, in a cgroup namespace, a fresh cgroup mount.
  const ops: MountOp[] = [
    {
      op: 'mount',
      source: 'tmpfs',
      dest,
      fstype: 'tmpfs',
      flags: DEFAULT_MOUNT_FLAGS,
      data: 'mode=755',
      create: 'dir',
      propagation: o.propagation,
      keepMode: true,
      procCheck: true,
    },
  ];
  const merged: string[] = [];
  for (const [name, hostDir] of Object.entries(hierarchies)) {
    const sub = path.posix.join(dest, name);
    if (name.includes(',')) merged.push(name);
    if (cg.cgroupns === true) {
      ops.push({
        op: 'mount',
        source: name === 'systemd' ? 'systemd' : 'cgroup',
        dest: sub,
        fstype: 'cgroup',
        flags: DEFAULT_MOUNT_FLAGS | (o.flags & C.MS_RDONLY),
        data: name === 'systemd' ? 'name=systemd' : name,
        create: 'dir',
        propagation: [],
        procCheck: true,
      });
    } else {
      const flags = C.MS_BIND | C.MS_REC | o.flags;
      ops.push({
        op: 'mount',
        source: hostDir,
        dest: sub,
        fstype: null,
        flags,
        data: '',
        create: 'dir',
        propagation: o.propagation,
        procCheck: true,
      });
      if ((flags & ~(C.MS_REC | C.MS_REMOUNT | C.MS_BIND)) !== 0) {
        ops.push({ op: 'remount', source: hostDir, dest: sub, flags: flags | C.MS_REMOUNT });
      }
    }
  }
  // co-mounted controllers (cpu,cpuacct) are reachable under each controller's name
  for (const name of merged) {
    for (const part of name.split(',')) {
      ops.push({ op: 'symlink', dest: path.posix.join(dest, part), target: name, replace: false });
    }
  }
  return ops;
}

function deviceTypeBits(d: LinuxDevice, pointer: string): number {
  switch (d.type) {
    case 'c':
    case 'u':
      return C.S_IFCHR;
    case 'b':
      return C.S_IFBLK;
    case 'p':
      return C.S_IFIFO;
    default:
      throw new ConfigError(`invalid device type "${d.type}"`, `${pointer}/type`);
  }
}

function planDev(input: RootfsInput): MountOp[] {
  const ops: MountOp[] = [];
  const specPaths = new Set(input.devices.map((d) => cleanPath(d.path)));
  const devices: Array<{ d: LinuxDevice; pointer: string }> = [
    ...DEFAULT_DEVICES.filter((d) => !specPaths.has(d.path)).map((d) => ({ d, pointer: '' })),
    ...input.devices.map((d, i) => ({ d, pointer: `/linux/devices/${i}` })),
  ];
  for (const { d, pointer } of devices) {
    const dest = cleanPath(d.path);
    // /dev/ptmx is the devpts one, set up below
    if (dest === '/dev/ptmx') continue;
    const typeBits = deviceTypeBits(d, pointer);
    if (input.inUserNamespace) {
      ops.push({ op: 'bind-device', source: dest, dest });
      continue;
    }
    if (typeBits !== C.S_IFIFO && (d.major === undefined || d.minor === undefined)) {
      throw new ConfigError(`device ${d.path} needs major and minor numbers`, pointer);
    }
    ops.push({
      op: 'mknod',
      dest,
      mode: ((d.fileMode ?? 0o666) & ~C.S_IFMT) | typeBits,
      major: d.major ?? 0,
      minor: d.minor ?? 0,
      uid: d.uid ?? 0,
      gid: d.gid ?? 0,
    });
  }
  ops.push({ op: 'symlink', dest: '/dev/ptmx', target: 'pts/ptmx', replace: true });
  const links: Array<[string, string]> = [
    ['/proc/self/fd', '/dev/fd'],
    ['/proc/self/fd/0', '/dev/stdin'],
    ['/proc/self/fd/1', '/dev/stdout'],
    ['/proc/self/fd/2', '/dev/stderr'],
  ];
  if (input.host?.kcore === true) links.push(['/proc/kcore', '/dev/core']);
  for (const [target, dest] of links) ops.push({ op: 'symlink', dest, target, replace: false });
  return ops;
}
