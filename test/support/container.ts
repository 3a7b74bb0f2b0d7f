// Owns: running runts for integration tests with files as stdio, so that a container
// that keeps its stdio open never blocks the test (no pipe is ever waited on), and
// waiting helpers for container state.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { Spec } from '../../src/spec/types';
import { makeBundle, type Bundle } from './bundle';
import { leftovers } from './leftovers';
import { RUNTS_BIN, tmpRoot } from './runts';

export interface FileRun {
  status: number;
  stdout: string;
  stderr: string;
  /** where the process (and a container it left running) writes */
  outFile: string;
  errFile: string;
}

export interface Io {
  dir: string;
  outFile: string;
  errFile: string;
  read(): { stdout: string; stderr: string };
  remove(): void;
}

export function makeIo(): Io {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runts-io-'));
  const outFile = path.join(dir, 'out');
  const errFile = path.join(dir, 'err');
  fs.writeFileSync(outFile, '');
  fs.writeFileSync(errFile, '');
  return {
    dir,
    outFile,
    errFile,
    read: () => ({ stdout: fs.readFileSync(outFile, 'utf8'), stderr: fs.readFileSync(errFile, 'utf8') }),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

function stdioFiles(io: Io): [number, number, number] {
  return [fs.openSync('/dev/null', 'r'), fs.openSync(io.outFile, 'a'), fs.openSync(io.errFile, 'a')];
}

/** Run runts to completion with stdin /dev/null and stdout/stderr appended to io's files. */
export function runtsIo(io: Io, root: string, args: readonly string[], timeoutMs = 30_000): { status: number; stdout: string; stderr: string } {
  const before = io.read();
  const fds = stdioFiles(io);
  try {
    const r = spawnSync(process.execPath, [RUNTS_BIN, '--root', root, ...args], { stdio: fds, timeout: timeoutMs });
    if (r.error !== undefined) throw r.error;
    const after = io.read();
    const status = r.status ?? 128 + (r.signal !== null ? os.constants.signals[r.signal] : 0);
    return { status, stdout: after.stdout.slice(before.stdout.length), stderr: after.stderr.slice(before.stderr.length) };
  } finally {
    for (const fd of fds) fs.closeSync(fd);
  }
}

/** Start runts without waiting (a foreground `run` the test signals). */
export function spawnRunts(io: Io, root: string, args: readonly string[]): { child: ChildProcess; exited: Promise<number> } {
  const fds = stdioFiles(io);
  const child = spawn(process.execPath, [RUNTS_BIN, '--root', root, ...args], { stdio: fds });
  for (const fd of fds) fs.closeSync(fd);
  const exited = new Promise<number>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? 128 + (signal !== null ? os.constants.signals[signal] : 0)));
  });
  return { child, exited };
}

export async function waitFor(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function stateOf(root: string, id: string): { status: string; pid: number } | undefined {
  const r = spawnSync(process.execPath, [RUNTS_BIN, '--root', root, 'state', id], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  return JSON.parse(r.stdout) as { status: string; pid: number };
}

export function nsInode(pid: number | 'self', name: string): string {
  return fs.readlinkSync(`/proc/${pid}/ns/${name}`);
}

/** One test container's world: its own --root, a busybox bundle, files for stdio, a unique id. */
export interface ContainerEnv {
  root: string;
  bundle: Bundle;
  io: Io;
  id: string;
}

const envCounters = new Map<string, number>();

/**
 * A fresh environment whose root, bundle and stdio files are removed when the test ends
 * (even when it fails; tmpRoot deletes any container left under the root first).
 * `mutate` edits the bundle's config.json.
 */
export function containerEnv(t: TestContext, prefix: string, mutate?: (s: Spec) => void): ContainerEnv {
  const root = tmpRoot(t);
  const bundle = makeBundle();
  const io = makeIo();
  t.after(() => {
    bundle.remove();
    io.remove();
  });
  if (mutate !== undefined) bundle.update(mutate);
  const n = (envCounters.get(prefix) ?? 0) + 1;
  envCounters.set(prefix, n);
  return { root: root.path, bundle, io, id: `${prefix}-${process.pid}-${n}` };
}

/** `create` (with extra flags); returns the pid of the init blocked on the exec fifo, its credentials already final. */
export function createdPid(e: ContainerEnv, flags: readonly string[] = []): number {
  const r = runtsIo(e.io, e.root, ['create', ...flags, '--bundle', e.bundle.dir, e.id]);
  assert.equal(r.status, 0, r.stderr);
  const st = stateOf(e.root, e.id);
  assert.equal(st?.status, 'created');
  return st!.pid;
}

/** Nothing of the container is left: state dir, cgroups, mounts, processes. */
export function assertNoLeftovers(e: ContainerEnv): void {
  assert.deepEqual(leftovers(e.root, e.id, e.bundle.dir), []);
}
