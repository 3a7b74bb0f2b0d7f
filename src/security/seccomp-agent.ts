// Owns: handing a seccomp listener (SCMP_ACT_NOTIFY) to the agent at
// linux.seccomp.listenerPath, in the protocol runc speaks (libcontainer/process_linux.go
// sendContainerProcessState): connect to the unix socket, then ONE sendmsg whose data
// is the JSON of the runtime-spec ContainerProcessState and whose SCM_RIGHTS carries
// the listener; nothing is read back. Runs in: cli.
//
// The listener is copied out of the native init with pidfd_getfd while init waits for
// SYNC_SECCOMP_ACK (runts-proto.h): init itself only writes the fd's number, so the
// syscalls it makes under its new filter before an agent exists are write and read.
import { RuntimeError, SyscallError } from '../errors';
import { debugFor } from '../log';
import { SPEC_VERSION, type LinuxSeccomp } from '../spec/types';
import { pidfdGetFd } from '../sys/seccomp-notify';
import { closeFd, connectUnix, sendFds } from '../sys/socket';

const debug = debugFor('process');

/** specs.SeccompFdName: the name of the one fd the message carries. */
export const SECCOMP_FD_NAME = 'seccompFd';

/** Where and what to tell the agent, known before the process exists. */
export interface AgentHandover {
  listenerPath: string;
  /** linux.seccomp.listenerMetadata, passed through as it is */
  metadata: string | undefined;
}

/** The profile hands syscalls to an agent: some rule has SCMP_ACT_NOTIFY. */
export function hasNotify(sc: LinuxSeccomp): boolean {
  return (sc.syscalls ?? []).some((c) => c.action === 'SCMP_ACT_NOTIFY');
}

/** The agent to hand the listener to, or undefined when the profile has no SCMP_ACT_NOTIFY. */
export function toAgentHandover(sc: LinuxSeccomp | undefined): AgentHandover | undefined {
  if (sc === undefined || !hasNotify(sc)) return undefined;
  return { listenerPath: sc.listenerPath ?? '', metadata: sc.listenerMetadata };
}

/**
 * specs.ContainerProcessState as JSON, in Go's field order: ociVersion, fds, pid (the
 * process the filter belongs to: PID 1 at create, the new process at exec), metadata
 * (omitted when empty) and state, the container's runtime-spec State.
 */
export function toContainerProcessState(pid: number, metadata: string | undefined, stateJson: string): string {
  const out: Record<string, unknown> = { ociVersion: SPEC_VERSION, fds: [SECCOMP_FD_NAME], pid };
  if (metadata !== undefined && metadata !== '') out['metadata'] = metadata;
  out['state'] = JSON.parse(stateJson) as unknown;
  return JSON.stringify(out);
}

function describe(err: unknown): string {
  if (err instanceof SyscallError) return err.description ?? err.code;
  return err instanceof Error ? err.message : String(err);
}

/**
 * Connect to the agent and send `message` with `fd` in one sendmsg (runc utils.SendFds).
 * A stream socket may take only part of a large message: the rest follows without fds.
 */
export function sendToAgent(listenerPath: string, message: string, fd: number): void {
  let sock: number;
  try {
    sock = connectUnix(listenerPath);
  } catch (err) {
    // runc's text, with Go's net.Dial error inside (so no cause: it would repeat it).
    throw new RuntimeError(`failed to connect with seccomp agent specified in the seccomp profile: dial unix ${listenerPath}: connect: ${describe(err)}`);
  }
  try {
    const data = Buffer.from(message, 'utf8');
    let off = sendFds(sock, data, [fd]);
    while (off < data.length) off += sendFds(sock, data.subarray(off), []);
  } catch (err) {
    throw new RuntimeError(`cannot send seccomp fd to ${listenerPath}: ${describe(err)}`);
  } finally {
    closeFd(sock);
  }
}

/**
 * SYNC_SECCOMP_PLS said `remoteFd` of process `pid` is its listener: copy it here, give
 * it to the agent with the state, and drop our copy (the agent's is the one that
 * matters; init closes its own after SYNC_SECCOMP_ACK).
 */
export function handOverListener(h: AgentHandover, pid: number, remoteFd: number, stateJson: string): void {
  const fd = pidfdGetFd(pid, remoteFd);
  try {
    debug('seccomp listener of pid %d (its fd %d) to the agent at %s', pid, remoteFd, h.listenerPath);
    sendToAgent(h.listenerPath, toContainerProcessState(pid, h.metadata, stateJson), fd);
  } finally {
    closeFd(fd);
  }
}
