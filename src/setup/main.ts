// Owns: the setup process — the Node program the container's init fork+execs inside the
// new namespaces, before pivot_root, with the host filesystem still visible. It reads its
// plan on fd 3, builds the container's filesystem, runs the createContainer hooks, pivots,
// reports and exits (0 done, 1 error). Runs in: setup.
//
// Imports only sys/, rootfs/, hooks/, setup/protocol and errors/log: it runs on every
// container start, and every module loaded here is start-up time (DESIGN: ~85 ms a Node).
process.title = 'runts:[2:SETUP]';

import * as fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { SyscallError, renderError } from '../errors';
import { runHooks } from '../hooks/run';
import { executePlan } from '../rootfs/execute';
import { parseMountOptions } from '../rootfs/mount-options';
import { planRootfs, type HostFacts, type RootfsInput } from '../rootfs/plan';
import { MS_BIND } from '../sys/constants';
import { LinuxSys } from '../sys/linux';
import { recvFds } from '../sys/socket';
import type { Sys } from '../sys/sys';
import {
  LineDecoder,
  ProtocolError,
  encodeMessage,
  expectMessage,
  type CliToSetup,
  type SetupErrorReport,
  type SetupPlan,
  type SetupToCli,
} from './protocol';

export const SETUP_FD = 3;

/** The kernel's SCM_MAX_FD: the most fds one message can carry. */
const SCM_MAX_FD = 253;

/**
 * Blocking JSON-line endpoint on fd 3: setup does one thing at a time, so sync I/O.
 * Read with recvmsg(2), not read(2), which would drop (close) the fds of a mount-fds
 * message; received fds queue up in arrival order until takeFds claims them.
 */
class Channel {
  private readonly lines = new LineDecoder();
  private readonly utf8 = new StringDecoder('utf8');
  private readonly queue: string[] = [];
  private readonly fds: number[] = [];
  constructor(
    private readonly sys: Sys,
    private readonly fd: number,
  ) {
    // The socket may arrive non-blocking (libuv makes its pipes so); the file status flags
    // are shared with every copy of this socket, and blocking is what init expects too.
    sys.setNonblock(fd, false);
  }

  send(msg: SetupToCli): void {
    this.sys.write(this.fd, encodeMessage(msg));
  }

  receive<T extends CliToSetup>(expected: readonly T['type'][]): T {
    while (this.queue.length === 0) {
      const { data, fds } = recvFds(this.fd, 64 * 1024, SCM_MAX_FD);
      this.fds.push(...fds);
      if (data.length === 0) throw new ProtocolError(`expected message ${expected.join(' or ')}, got end of file`);
      this.queue.push(...this.lines.push(this.utf8.write(data)));
    }
    return expectMessage<T>(this.queue.shift() as string, expected);
  }

  /** The next `n` received fds, or a ProtocolError when fewer came. */
  takeFds(n: number): number[] {
    if (this.fds.length < n) throw new ProtocolError(`expected ${n} fds, got ${this.fds.length}`);
    return this.fds.splice(0, n);
  }
}

/** What only the mount namespace can tell: which bind sources are files, whether /proc/kcore exists. */
export function probeHost(input: RootfsInput): HostFacts {
  const fileSources: string[] = [];
  for (const m of input.mounts) {
    if ((parseMountOptions(m.options).flags & MS_BIND) === 0 || m.source === undefined) continue;
    try {
      if (!fs.statSync(m.source).isDirectory()) fileSources.push(m.source);
    } catch {
      // a missing source fails the mount itself, with its name in the error
    }
  }
  return { fileSources, kcore: fs.existsSync('/proc/kcore') };
}

export function errorReport(err: unknown): SetupErrorReport {
  const report: SetupErrorReport = { type: 'error', message: renderError(err) };
  for (let cur: unknown = err, depth = 0; cur instanceof Error && depth < 16; cur = cur.cause, depth++) {
    if (cur instanceof SyscallError) {
      report.syscall = cur.syscall;
      report.errno = cur.errno;
      if (cur.path !== undefined) report.path = cur.path;
      break;
    }
  }
  return report;
}

type PlanMessage = Extract<CliToSetup, { type: 'plan' }>;
type MountFdsMessage = Extract<CliToSetup, { type: 'mount-fds' }>;

/** The plan, and the idmapped trees sent ahead of it (config mount index -> fd). */
function receivePlan(chan: Channel): { plan: SetupPlan; idmapFds: Record<number, number> } {
  const first = chan.receive<PlanMessage | MountFdsMessage>(['mount-fds', 'plan']);
  if (first.type === 'plan') return { plan: first.plan, idmapFds: {} };
  const fds = chan.takeFds(first.mounts.length);
  const idmapFds: Record<number, number> = {};
  first.mounts.forEach((index, i) => (idmapFds[index] = fds[i] as number));
  return { plan: chan.receive<PlanMessage>(['plan']).plan, idmapFds };
}

async function setup(sys: Sys, chan: Channel): Promise<void> {
  const { plan, idmapFds } = receivePlan(chan);
  // plan.rootfs is already the CLI's realpath: resolving it again here could follow a
  // symlink swapped in since.
  const { createContainerHooks, stateJson, ...input } = plan;
  input.host = { ...probeHost(input), ...input.host };
  input.idmapFds = idmapFds;
  const ops = planRootfs(input);
  await executePlan(sys, ops, {
    rootfs: input.rootfs,
    onHooks: async () => {
      chan.send({ type: 'hooks', phase: 'prestart+createRuntime' });
      const reply = chan.receive<Extract<CliToSetup, { type: 'hooks-done' | 'abort' }>>(['hooks-done', 'abort']);
      if (reply.type === 'abort') throw new AbortedByCli(reply.message);
      await runHooks('createContainer', createContainerHooks, stateJson);
    },
  });
}

/** The CLI said stop (a prestart/createRuntime hook failed): it already has the error. */
class AbortedByCli extends Error {}

async function main(): Promise<number> {
  const sys = new LinuxSys();
  let chan: Channel;
  try {
    chan = new Channel(sys, SETUP_FD);
  } catch (err) {
    process.stderr.write(`runts setup: fd ${SETUP_FD}: ${renderError(err)}\n`);
    return 1;
  }
  try {
    await setup(sys, chan);
    chan.send({ type: 'done' });
    return 0;
  } catch (err) {
    if (err instanceof AbortedByCli) return 1;
    try {
      chan.send(errorReport(err));
    } catch {
      process.stderr.write(`runts setup: ${renderError(err)}\n`);
    }
    return 1;
  }
}

if (require.main === module) {
  void main().then((code) => process.exit(code));
}
