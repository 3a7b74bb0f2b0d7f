// Owns: OCI mount option strings -> mount(2) flags, propagation, fs data and
// mount_setattr(2) attributes (pure). Runs in: cli or setup.
//
// The table is runc's (libcontainer/specconv/spec_linux.go: mountFlags,
// mountPropagationMapping, recAttrFlags, extensionFlags, complexFlags), so a config that
// runc accepts means the same here. An option found in no table is filesystem data
// (`mode=755`, `size=65536k`, `gid=5` …) and goes to the data string in order.
import type { Mount } from '../spec/types';
import * as C from '../sys/constants';

interface FlagEntry {
  clear: boolean;
  flag: number;
}

export const MOUNT_FLAGS: Readonly<Record<string, FlagEntry>> = {
  // "acl" cannot be MS_POSIXACL (runc#3738): it stays fs data.
  async: { clear: true, flag: C.MS_SYNCHRONOUS },
  atime: { clear: true, flag: C.MS_NOATIME },
  bind: { clear: false, flag: C.MS_BIND },
  // runc lists "defaults" with flag 0 and then sends it to the fs data string, where
  // most filesystems reject it; mount(8) treats it as "nothing", and so does runts.
  defaults: { clear: false, flag: 0 },
  dev: { clear: true, flag: C.MS_NODEV },
  diratime: { clear: true, flag: C.MS_NODIRATIME },
  dirsync: { clear: false, flag: C.MS_DIRSYNC },
  exec: { clear: true, flag: C.MS_NOEXEC },
  iversion: { clear: false, flag: C.MS_I_VERSION },
  lazytime: { clear: false, flag: C.MS_LAZYTIME },
  loud: { clear: true, flag: C.MS_SILENT },
  mand: { clear: false, flag: C.MS_MANDLOCK },
  noatime: { clear: false, flag: C.MS_NOATIME },
  nodev: { clear: false, flag: C.MS_NODEV },
  nodiratime: { clear: false, flag: C.MS_NODIRATIME },
  noexec: { clear: false, flag: C.MS_NOEXEC },
  noiversion: { clear: true, flag: C.MS_I_VERSION },
  nolazytime: { clear: true, flag: C.MS_LAZYTIME },
  nomand: { clear: true, flag: C.MS_MANDLOCK },
  norelatime: { clear: true, flag: C.MS_RELATIME },
  nostrictatime: { clear: true, flag: C.MS_STRICTATIME },
  nosuid: { clear: false, flag: C.MS_NOSUID },
  nosymfollow: { clear: false, flag: C.MS_NOSYMFOLLOW },
  rbind: { clear: false, flag: C.MS_BIND | C.MS_REC },
  relatime: { clear: false, flag: C.MS_RELATIME },
  remount: { clear: false, flag: C.MS_REMOUNT },
  ro: { clear: false, flag: C.MS_RDONLY },
  rw: { clear: true, flag: C.MS_RDONLY },
  silent: { clear: false, flag: C.MS_SILENT },
  strictatime: { clear: false, flag: C.MS_STRICTATIME },
  suid: { clear: true, flag: C.MS_NOSUID },
  sync: { clear: false, flag: C.MS_SYNCHRONOUS },
  symfollow: { clear: true, flag: C.MS_NOSYMFOLLOW },
};

export const PROPAGATION_FLAGS: Readonly<Record<string, number>> = {
  rprivate: C.MS_PRIVATE | C.MS_REC,
  private: C.MS_PRIVATE,
  rslave: C.MS_SLAVE | C.MS_REC,
  slave: C.MS_SLAVE,
  rshared: C.MS_SHARED | C.MS_REC,
  shared: C.MS_SHARED,
  runbindable: C.MS_UNBINDABLE | C.MS_REC,
  unbindable: C.MS_UNBINDABLE,
};

/** Recursive attributes, applied with mount_setattr(AT_RECURSIVE) after the mount. */
export const REC_ATTR_FLAGS: Readonly<Record<string, FlagEntry>> = {
  rro: { clear: false, flag: C.MOUNT_ATTR_RDONLY },
  rrw: { clear: true, flag: C.MOUNT_ATTR_RDONLY },
  rnosuid: { clear: false, flag: C.MOUNT_ATTR_NOSUID },
  rsuid: { clear: true, flag: C.MOUNT_ATTR_NOSUID },
  rnodev: { clear: false, flag: C.MOUNT_ATTR_NODEV },
  rdev: { clear: true, flag: C.MOUNT_ATTR_NODEV },
  rnoexec: { clear: false, flag: C.MOUNT_ATTR_NOEXEC },
  rexec: { clear: true, flag: C.MOUNT_ATTR_NOEXEC },
  rnodiratime: { clear: false, flag: C.MOUNT_ATTR_NODIRATIME },
  rdiratime: { clear: true, flag: C.MOUNT_ATTR_NODIRATIME },
  rrelatime: { clear: false, flag: C.MOUNT_ATTR_RELATIME },
  rnorelatime: { clear: true, flag: C.MOUNT_ATTR_RELATIME },
  rnoatime: { clear: false, flag: C.MOUNT_ATTR_NOATIME },
  ratime: { clear: true, flag: C.MOUNT_ATTR_NOATIME },
  rstrictatime: { clear: false, flag: C.MOUNT_ATTR_STRICTATIME },
  rnostrictatime: { clear: true, flag: C.MOUNT_ATTR_STRICTATIME },
  rnosymfollow: { clear: false, flag: C.MOUNT_ATTR_NOSYMFOLLOW },
  rsymfollow: { clear: true, flag: C.MOUNT_ATTR_NOSYMFOLLOW },
};

export interface RecAttr {
  attrSet: number;
  attrClr: number;
}

export interface MountOptions {
  /** MS_* flags for mount(2) */
  flags: number;
  /** MS_* flags an option explicitly cleared (rw, suid, dev …) */
  clearedFlags: number;
  /** one mount(2) call each, after the mount, in option order */
  propagation: number[];
  /** the filesystem's own options, comma-joined in order */
  data: string;
  recAttr?: RecAttr;
  /** tmpcopyup: copy the directory's old content into the new tmpfs */
  tmpcopyup: boolean;
  /** idmap (the top mount) / ridmap (every mount of the tree): see src/container/idmap-mounts.ts */
  idmap?: 'idmap' | 'ridmap';
}

/** Every option name runts understands, for `runts features` (runc's KnownMountOptions). */
export function knownMountOptions(): string[] {
  return [
    ...Object.keys(MOUNT_FLAGS),
    ...Object.keys(PROPAGATION_FLAGS),
    ...Object.keys(REC_ATTR_FLAGS),
    'tmpcopyup',
  ].sort();
}

export function parseMountOptions(options: readonly string[] = []): MountOptions {
  let flags = 0;
  let clearedFlags = 0;
  let attrSet = 0;
  let attrClr = 0;
  let tmpcopyup = false;
  let idmap: MountOptions['idmap'];
  const propagation: number[] = [];
  const data: string[] = [];
  for (const o of options) {
    const f = MOUNT_FLAGS[o];
    if (f !== undefined) {
      if (f.clear) {
        flags &= ~f.flag;
        clearedFlags |= f.flag;
      } else {
        flags |= f.flag;
        clearedFlags &= ~f.flag;
      }
      continue;
    }
    const p = PROPAGATION_FLAGS[o];
    if (p !== undefined) {
      propagation.push(p);
      continue;
    }
    const r = REC_ATTR_FLAGS[o];
    if (r !== undefined) {
      if (r.clear) {
        attrClr |= r.flag;
        attrSet &= ~r.flag;
      } else {
        attrSet |= r.flag;
        attrClr &= ~r.flag;
        // mount_setattr(2): an access-time setting needs MOUNT_ATTR__ATIME in attr_clr
        // too, or the kernel rejects it with EINVAL. rrelatime is the value 0, so it only
        // has this effect.
        if ((r.flag & C.MOUNT_ATTR__ATIME) === r.flag) attrClr |= C.MOUNT_ATTR__ATIME;
      }
      continue;
    }
    if (o === 'tmpcopyup') {
      tmpcopyup = true;
      continue;
    }
    if (o === 'idmap' || o === 'ridmap') {
      idmap = o;
      continue;
    }
    data.push(o);
  }
  const out: MountOptions = { flags, clearedFlags, propagation, data: data.join(','), tmpcopyup };
  if (attrSet !== 0 || attrClr !== 0) out.recAttr = { attrSet, attrClr };
  if (idmap !== undefined) out.idmap = idmap;
  return out;
}

/** runc's IsIDMapped: the idmap or ridmap option, or any mapping field (even an empty one). */
export function isIdmapped(m: Pick<Mount, 'options' | 'uidMappings' | 'gidMappings'>): boolean {
  return parseMountOptions(m.options).idmap !== undefined || m.uidMappings !== undefined || m.gidMappings !== undefined;
}
