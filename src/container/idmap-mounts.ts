// Owns: idmapped bind mounts on the host side — which mounts are idmapped and with which
// mapping (pure, runc 1.2's rules), making each one a detached tree with MOUNT_ATTR_IDMAP
// set, and handing those trees to setup over its socket. Runs in: cli.
//
// Why here and not in setup: mount_setattr(MOUNT_ATTR_IDMAP) needs CAP_SYS_ADMIN in the
// user namespace that owns the source's superblock (the host's, for host filesystems),
// which setup in a user-namespaced container lacks; and the mapping comes as a user
// namespace fd that only a single-threaded process can unshare. So, as runc 1.2 does in
// its parent (mountFd, "mount sources"), the CLI clones each source with open_tree(2),
// idmaps the clone, and sends the fd; setup moves it onto the target it resolves inside
// the rootfs. A detached tree never touches the host's mount table: if anything fails
// before setup moves it, closing the last fd dissolves it.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { ConfigError, RuntimeError, SyscallError } from '../errors';
import { initBinaryPath } from '../process/spawn-native';
import { toIdMapText, writeIdMaps } from '../process/idmap';
import { encodeMessage } from '../setup/protocol';
import type { Linux, Mount } from '../spec/types';
import * as C from '../sys/constants';
import { AT_RECURSIVE, OPEN_TREE_CLOEXEC, OPEN_TREE_CLONE, openTree, setMountIdmap } from '../sys/mount-api';
import { closeFd, sendFds } from '../sys/socket';
import { isIdmapped, parseMountOptions } from '../rootfs/mount-options';

/** The kernel's SCM_MAX_FD: the most fds one sendmsg(2) carries. */
export const MAX_IDMAPPED_MOUNTS = 253;

/** One idmapped mount, as the CLI prepares it. */
export interface IdmapSource {
  /** index in the config's mounts */
  index: number;
  /** absolute host path */
  source: string;
  /** rbind: open_tree clones the whole tree (AT_RECURSIVE), not only the top mount */
  recursiveTree: boolean;
  /** ridmap: MOUNT_ATTR_IDMAP on every mount of the tree; idmap: on the top one only */
  recursiveIdmap: boolean;
  /** a joined user namespace lends its mapping (idmap without mappings, runc's UserNSPath) */
  usernsPath?: string;
  /** uid_map / gid_map text of the user namespace that carries the mapping */
  uidMap: string;
  gidMap: string;
}

/**
 * runc 1.2 (specconv createLibcontainerMount + CreateLibcontainerConfig, validator
 * checkIDMapMounts): a mount's own uidMappings/gidMappings when it has either; otherwise,
 * in a container with a user namespace, the container's mappings — or the namespace
 * itself when it is joined by path. Only bind mounts, and both maps are required.
 * `mounts` have absolute bind sources (setup-plan.ts resolves them).
 */
export function planIdmapSources(mounts: readonly Mount[], linux: Linux | undefined): IdmapSource[] {
  const userns = (linux?.namespaces ?? []).find((n) => n.type === 'user');
  const out: IdmapSource[] = [];
  mounts.forEach((m, index) => {
    if (!isIdmapped(m)) return;
    const pointer = `/mounts/${index}`;
    const o = parseMountOptions(m.options);
    if ((o.flags & C.MS_BIND) === 0) {
      throw new ConfigError('id-mapped mounts are only supported for bind-mounts', `${pointer}/options`);
    }
    const base = {
      index,
      source: m.source ?? '',
      recursiveTree: (o.flags & C.MS_REC) !== 0,
      recursiveIdmap: o.idmap === 'ridmap',
    };
    if (m.uidMappings === undefined && m.gidMappings === undefined && userns !== undefined) {
      if (userns.path !== undefined && userns.path !== '') {
        out.push({ ...base, usernsPath: userns.path, uidMap: '', gidMap: '' });
        return;
      }
      out.push({ ...base, uidMap: toIdMapText(linux?.uidMappings ?? []), gidMap: toIdMapText(linux?.gidMappings ?? []) });
    } else {
      out.push({ ...base, uidMap: toIdMapText(m.uidMappings ?? []), gidMap: toIdMapText(m.gidMappings ?? []) });
    }
    const last = out[out.length - 1]!;
    if (last.uidMap === '' || last.gidMap === '') {
      const missing = last.uidMap === '' ? 'uidMappings' : 'gidMappings';
      throw new ConfigError('id-mapped mounts must have both uid and gid mappings specified', `${pointer}/${missing}`);
    }
  });
  if (out.length > MAX_IDMAPPED_MOUNTS) {
    throw new ConfigError(`more than ${MAX_IDMAPPED_MOUNTS} id-mapped mounts`, '/mounts');
  }
  return out;
}

/** The detached, idmapped trees, in the order of the sources they were made from. */
export interface PreparedIdmaps {
  /** config mount indices */
  indices: number[];
  fds: number[];
  close(): void;
}

/**
 * A user namespace carrying `uidMap`/`gidMap`, as an fd: `runts-init userns` unshares
 * it, we write its maps and open /proc/<pid>/ns/user, and it exits; the fd keeps the
 * namespace alive.
 */
export async function openMappingUserns(uidMap: string, gidMap: string, initPath = initBinaryPath()): Promise<number> {
  const child = spawn(initPath, ['userns'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<number>((resolve) => {
    child.on('exit', (code) => resolve(code ?? -1));
    child.on('error', () => resolve(-1));
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s: string) => (stderr += s));
  try {
    const ready = await new Promise<boolean>((resolve) => {
      child.stdout.once('data', () => resolve(true));
      child.stdout.once('end', () => resolve(false));
      child.once('error', () => resolve(false));
    });
    if (!ready || child.pid === undefined) {
      await exited;
      throw new RuntimeError(`user namespace for an id-mapped mount: ${stderr.trim() || 'runts-init userns failed'}`);
    }
    writeIdMaps(child.pid, { uidMap, gidMap, setgroups: 'allow' });
    return fs.openSync(`/proc/${child.pid}/ns/user`, fs.constants.O_RDONLY);
  } finally {
    child.stdin.end();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  }
}

/** open_tree + MOUNT_ATTR_IDMAP for every source; one helper per distinct mapping. */
export async function prepareIdmapSources(sources: readonly IdmapSource[], initPath?: string): Promise<PreparedIdmaps> {
  const usernsFds = new Map<string, number>();
  const trees: number[] = [];
  const closeAll = (fds: Iterable<number>): void => {
    for (const fd of fds) {
      try {
        closeFd(fd);
      } catch {
        // already gone: nothing to release
      }
    }
  };
  try {
    for (const s of sources) {
      const key = s.usernsPath !== undefined ? `path:${s.usernsPath}` : `${s.uidMap}|${s.gidMap}`;
      let ns = usernsFds.get(key);
      if (ns === undefined) {
        try {
          ns = s.usernsPath !== undefined ? fs.openSync(s.usernsPath, fs.constants.O_RDONLY) : await openMappingUserns(s.uidMap, s.gidMap, initPath);
        } catch (err) {
          throw new RuntimeError(`failed to create userns for ${s.source} id-mapping`, { cause: err });
        }
        usernsFds.set(key, ns);
      }
      const tree = openTree(s.source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (s.recursiveTree ? AT_RECURSIVE : 0));
      trees.push(tree);
      try {
        setMountIdmap(tree, ns, s.recursiveIdmap, s.source);
      } catch (err) {
        // runc's hint: EINVAL is what a filesystem without FS_ALLOW_IDMAP answers
        const hint = err instanceof SyscallError && err.code === 'EINVAL' ? " (maybe the filesystem used doesn't support idmap mounts on this kernel?)" : '';
        throw new RuntimeError(`failed to set MOUNT_ATTR_IDMAP on ${s.source}${hint}`, { cause: err });
      }
    }
  } catch (err) {
    closeAll(trees);
    throw err;
  } finally {
    closeAll(usernsFds.values());
  }
  return {
    indices: sources.map((s) => s.index),
    fds: trees,
    close: () => closeAll(trees.splice(0)),
  };
}

/**
 * Queue the trees on setup's socket ahead of the plan: one `mount-fds` line carrying
 * them as SCM_RIGHTS (setup/protocol.ts). Nothing is sent when there are none.
 */
export function sendIdmapSources(sock: number, prepared: PreparedIdmaps): void {
  if (prepared.fds.length === 0) return;
  sendFds(sock, Buffer.from(encodeMessage({ type: 'mount-fds', mounts: prepared.indices })), prepared.fds);
}
