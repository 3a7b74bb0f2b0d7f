// Owns: the wire protocol between the CLI (parent) and setup, JSON lines over a unix
// stream socket (setup's fd 3). Runs in: cli and setup.
//
//   CLI (host namespaces)                         setup (container namespaces, fd 3)
//   ---------------------                         ----------------------------------
//   [{type:'mount-fds', mounts}            ---->  only with idmapped mounts: the detached
//    + SCM_RIGHTS, one fd per mount]              trees (container/idmap-mounts.ts), in
//                                                 the order of `mounts` (config indices)
//   {type:'plan', plan}                    ---->  plan the rootfs, mount everything,
//                                                 fill /dev
//                                          <----  {type:'hooks', phase:'prestart+createRuntime'}
//   run prestart, then createRuntime hooks
//   {type:'hooks-done'}                    ---->  (or {type:'abort', message}: setup
//                                                 reports nothing more and exits 1)
//                                                 run createContainer hooks, pivot_root,
//                                                 hostname, sysctl, readonly/masked paths,
//                                                 read-only root
//                                          <----  {type:'done'}
//                                             or  {type:'error', message, syscall?, errno?, path?}
//
// The hooks round trip sits after the mounts and before pivot_root, where runc runs them
// (rootfs_linux.go syncParentHooks): the hooks still see the host and the mounted rootfs.
// Every receive names the type it expects; anything else is an error naming both. An
// EOF before done/error means setup died: the CLI reports that.
import type { Hook } from '../spec/types';
import type { RootfsInput } from '../rootfs/plan';

/** What setup needs: the rootfs plan input, plus what the createContainer hooks need. */
export interface SetupPlan extends RootfsInput {
  /** hooks.createContainer, run by setup inside the container's namespaces */
  createContainerHooks: Hook[];
  /** the state JSON the hooks read on stdin (status "creating") */
  stateJson: string;
}

export type CliToSetup =
  | { type: 'mount-fds'; mounts: number[] }
  | { type: 'plan'; plan: SetupPlan }
  | { type: 'hooks-done' }
  | { type: 'abort'; message: string };

export type HooksPhase = 'prestart+createRuntime';

export interface SetupErrorReport {
  type: 'error';
  message: string;
  syscall?: string;
  errno?: number;
  path?: string;
}

export type SetupToCli = { type: 'hooks'; phase: HooksPhase } | { type: 'done' } | SetupErrorReport;

export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

export function encodeMessage(msg: CliToSetup | SetupToCli): string {
  return JSON.stringify(msg) + '\n';
}

/** Splits a byte stream into lines; a partial line waits for the rest. */
export class LineDecoder {
  private buf = '';
  push(chunk: string): string[] {
    this.buf += chunk;
    const lines = this.buf.split('\n');
    this.buf = lines.pop() ?? '';
    return lines.filter((l) => l !== '');
  }
  get pending(): boolean {
    return this.buf !== '';
  }
}

function parseObject(line: string): { type: string } & Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new ProtocolError(`malformed message: ${line.slice(0, 80)}`);
  }
  if (typeof v !== 'object' || v === null || typeof (v as { type?: unknown }).type !== 'string') {
    throw new ProtocolError(`message without a type: ${line.slice(0, 80)}`);
  }
  return v as { type: string } & Record<string, unknown>;
}

/** Decode one line and insist on one of the expected types. */
export function expectMessage<T extends { type: string }>(line: string, expected: readonly T['type'][]): T {
  const msg = parseObject(line);
  if (!expected.includes(msg.type)) {
    throw new ProtocolError(`expected message ${expected.join(' or ')}, got ${msg.type}`);
  }
  return msg as unknown as T;
}
