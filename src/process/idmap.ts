// Owns: /proc/<pid>/uid_map, gid_map and setgroups — their text (pure) and writing them
// for the child stage on SYNC_USERMAP_PLS. Runs in: cli.
//
// The CLI writes the maps, not the native child: writing needs CAP_SETUID/CAP_SETGID in
// the parent user namespace, which a process inside the new namespace does not have
// (user_namespaces(7), "Defining user and group ID mappings").
import * as fs from 'node:fs';
import { RuntimeError } from '../errors';
import type { IdMapping } from '../spec/types';

/** "containerID hostID size" lines, one per mapping, as the kernel reads them. */
export function toIdMapText(mappings: readonly IdMapping[]): string {
  return mappings.map((m) => `${m.containerID} ${m.hostID} ${m.size}\n`).join('');
}

/**
 * setgroups for a new user namespace. An unprivileged writer (no CAP_SETGID over the
 * parent namespace: a non-root caller) may only map its own gid, and only once
 * setgroups(2) is denied in the namespace (user_namespaces(7), since Linux 3.19, the
 * CVE-2014-8989 fix); otherwise it stays "allow", as runc leaves it.
 */
export function planSetgroups(writerEuid: number): 'allow' | 'deny' {
  return writerEuid === 0 ? 'allow' : 'deny';
}

export interface IdMaps {
  uidMap: string;
  gidMap: string;
  setgroups: 'allow' | 'deny';
}

/** The files written for `pid`, in the order they must be written. */
export function planIdMapWrites(pid: number, maps: IdMaps): { path: string; data: string }[] {
  const base = `/proc/${pid}`;
  const writes: { path: string; data: string }[] = [];
  // "deny" must be written before gid_map: once a gid map exists setgroups can no longer
  // be switched off. "allow" is the kernel default, so as root nothing is written (runc
  // writes setgroups only to deny).
  if (maps.setgroups === 'deny') writes.push({ path: `${base}/setgroups`, data: 'deny' });
  if (maps.uidMap !== '') writes.push({ path: `${base}/uid_map`, data: maps.uidMap });
  if (maps.gidMap !== '') writes.push({ path: `${base}/gid_map`, data: maps.gidMap });
  return writes;
}

/** Each map must arrive in a single write(2): the kernel accepts one write per file. */
export function writeIdMaps(pid: number, maps: IdMaps): void {
  for (const w of planIdMapWrites(pid, maps)) {
    // Plain O_WRONLY: no O_CREAT/O_TRUNC on procfs files.
    const fd = fs.openSync(w.path, fs.constants.O_WRONLY);
    try {
      const data = Buffer.from(w.data, 'utf8');
      const n = fs.writeSync(fd, data);
      if (n !== data.length) throw new RuntimeError(`short write to ${w.path}: ${n} of ${data.length} bytes`);
    } finally {
      fs.closeSync(fd);
    }
  }
}
