// Owns: the on-disk state of containers, <root>/<id>/state.json — atomic writes,
// reads, listing and removal. Runs in: cli.
//
// Several commands (and several callers: a shim, a person, a test) read state.json
// while another command rewrites it, so a write is always tmp file + fsync + rename
// + fsync(dir): a reader sees the old file or the new one, never half of one, and a
// crash right after the rename does not lose it (crun status.c, runc saveState).
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ExistsError, MSG, NotFoundError, RuntimeError } from '../errors';
import { assertValidId } from './id';

/**
 * 0700 on the root and on each container dir: state.json holds the whole config
 * (env, hooks), which is nobody else's business. runc uses 0711 on the container dir;
 * nothing in runts opens a path below it from inside a user namespace (exec.fifo
 * reaches the init as an fd), so the search bit for others is not needed.
 */
export const STATE_DIR_MODE = 0o700;
export const STATE_FILE = 'state.json';

export interface ContainerState {
  /** ociVersion of the bundle's config.json (what runc's `state` reports) */
  ociVersion: string;
  id: string;
  /** absolute bundle path */
  bundle: string;
  /** absolute rootfs path */
  rootfs: string;
  /** RFC3339Nano in UTC, e.g. 2026-11-22T06:57:03.123456789Z (see rfc3339Nano) */
  created: string;
  owner: string;
  annotations: Record<string, string>;
  /** pid of the container's init in the host pid namespace; 0 before it exists */
  pid: number;
  /** field 22 of /proc/<pid>/stat when the pid was recorded: tells pid reuse apart */
  initStartTime: number;
  paused: boolean;
  /** controller (or '' for the unified hierarchy) -> absolute cgroup dir */
  cgroupPaths: Record<string, string>;
  /** the normalised config, persisted so later commands never re-read the bundle */
  config: unknown;
}

/** Where state lives without --root, as root. */
export const SYSTEM_ROOT = '/run/runts';

/** Is this process in a user namespace other than the initial one (runc userns.RunningInUserNS)? */
export function isRunningInUserNs(uidMapText?: string): boolean {
  let text = uidMapText;
  if (text === undefined) {
    try {
      text = fs.readFileSync('/proc/self/uid_map', 'utf8');
    } catch {
      return false;
    }
  }
  const f = text.trim().split(/\s+/);
  return !(f.length === 3 && f[0] === '0' && f[1] === '0' && f[2] === '4294967295');
}

/**
 * The default --root, runc's rule with runts for runc: $XDG_RUNTIME_DIR/runts when the
 * caller is not root (or is root only inside a user namespace and $USER is not root),
 * else /run/runts. `xdg` says the directory must be created by the caller (ensureXdgRoot).
 */
export function defaultRoot(
  env: NodeJS.ProcessEnv = process.env,
  euid: number = process.geteuid?.() ?? 0,
  inUserNs: () => boolean = () => isRunningInUserNs(),
): { root: string; xdg: boolean } {
  const xdgDir = env['XDG_RUNTIME_DIR'];
  if (xdgDir === undefined || xdgDir === '') return { root: SYSTEM_ROOT, xdg: false };
  const honor = euid !== 0 || (inUserNs() && env['USER'] !== 'root');
  return honor ? { root: path.join(xdgDir, 'runts'), xdg: true } : { root: SYSTEM_ROOT, xdg: false };
}

/**
 * Make the XDG default root, private to the caller. Sticky as the XDG base directory
 * spec asks of anything that must not be pruned from $XDG_RUNTIME_DIR (runc does the same).
 */
export function ensureXdgRoot(root: string): void {
  try {
    // Not recursive: $XDG_RUNTIME_DIR itself must exist (made by the login manager),
    // and Node's recursive mkdir spins forever where the kernel says ENOENT for a
    // parent that exists (procfs).
    try {
      fs.mkdirSync(root, { mode: STATE_DIR_MODE });
    } catch (err) {
      if (!isCode(err, 'EEXIST')) throw err;
    }
    fs.chmodSync(root, STATE_DIR_MODE | 0o1000);
  } catch (err) {
    throw new RuntimeError(`the path in $XDG_RUNTIME_DIR must be writable by the user: ${root}`, { cause: err });
  }
}

export function stateDir(root: string, id: string): string {
  assertValidId(id);
  return path.join(root, id);
}

function statePath(root: string, id: string): string {
  return path.join(stateDir(root, id), STATE_FILE);
}

/**
 * Create <root>/<id>. The id dir is made with a plain mkdir, not a recursive one, so
 * that of two concurrent creates of the same id exactly one wins.
 */
export function createStateDir(root: string, id: string): string {
  const dir = stateDir(root, id);
  fs.mkdirSync(root, { recursive: true, mode: STATE_DIR_MODE });
  try {
    fs.mkdirSync(dir, { mode: STATE_DIR_MODE });
  } catch (err) {
    if (isCode(err, 'EEXIST')) throw new ExistsError(MSG.exists);
    throw err;
  }
  // mkdir's mode is filtered by the umask; the state must not depend on the caller's.
  fs.chmodSync(dir, STATE_DIR_MODE);
  return dir;
}

export function writeState(root: string, state: ContainerState): void {
  const dir = stateDir(root, state.id);
  const tmp = path.join(dir, `.${STATE_FILE}.${crypto.randomBytes(6).toString('hex')}`);
  const data = JSON.stringify(state);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'wx', 0o600);
    fs.writeSync(fd, data);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, path.join(dir, STATE_FILE));
  } catch (err) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    if (isCode(err, 'ENOENT')) throw new NotFoundError(MSG.notExist, { cause: err });
    throw new RuntimeError(`write state of ${state.id}`, { cause: err });
  }
  fsyncDir(dir);
}

export function readState(root: string, id: string): ContainerState {
  const file = statePath(root, id);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (isCode(err, 'ENOENT') || isCode(err, 'ENOTDIR')) throw new NotFoundError(MSG.notExist);
    throw new RuntimeError(`read state of ${id}`, { cause: err });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new RuntimeError(`read state of ${id}: ${file} is not valid JSON`, { cause: err });
  }
  return checkState(parsed, id, file);
}

/** The ids under root that are directories, sorted like Go's os.ReadDir. A missing root is empty. */
export function listIds(root: string): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(root, { withFileTypes: true });
  } catch (err) {
    if (isCode(err, 'ENOENT')) return [];
    throw err;
  }
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export function removeStateDir(root: string, id: string): void {
  fs.rmSync(stateDir(root, id), { recursive: true, force: true });
}

/**
 * Go's time.RFC3339Nano in UTC: nanoseconds with trailing zeros dropped (and the dot
 * too when nothing is left), the way runc's state.json and `state` print `created`.
 */
export function rfc3339Nano(epochNs: bigint): string {
  const ms = Number(epochNs / 1_000_000n);
  const base = new Date(ms).toISOString().slice(0, 19);
  const frac = (epochNs % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return `${base}${frac === '' ? '' : '.' + frac}Z`;
}

/** Now, to the precision the clock gives (sub-millisecond through performance.now()). */
export function nowRfc3339Nano(): string {
  const ns = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * 1000n;
  return rfc3339Nano(ns);
}

function checkState(v: unknown, id: string, file: string): ContainerState {
  const bad = (field: string): never => {
    throw new RuntimeError(`read state of ${id}: ${file}: field ${field} is missing or has the wrong type`);
  };
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad('(root)');
  const o = v as Record<string, unknown>;
  for (const k of ['ociVersion', 'id', 'bundle', 'rootfs', 'created', 'owner'] as const) {
    if (typeof o[k] !== 'string') bad(k);
  }
  for (const k of ['pid', 'initStartTime'] as const) {
    if (typeof o[k] !== 'number') bad(k);
  }
  if (typeof o['paused'] !== 'boolean') bad('paused');
  for (const k of ['annotations', 'cgroupPaths'] as const) {
    const m = o[k];
    if (typeof m !== 'object' || m === null || Array.isArray(m)) bad(k);
  }
  if (o['id'] !== id) bad('id');
  return o as unknown as ContainerState;
}

function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function isCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}
