// Owns: the InitRequest (everything the native init needs, computed by TS) and its
// encoding as SYNC_BOOTSTRAP TLV records (native/include/runts-proto.h). Pure: no fds
// are opened here, the fd numbers the native side will see are passed in. Runs in: cli.
//
// The C side decodes strictly and interprets nothing (STYLE.md rule 12), so every
// decision — flags, masks, map text, rlimit numbers, which groups to set — is made
// before this point; this module only checks that values fit their wire types.
import * as os from 'node:os';
import { RuntimeError } from '../errors';
import type { LinuxNamespaceType } from '../spec/types';
import { SCHED_ATTR_SIZE, type ProcessAttrs, type SchedAttr } from '../security/process-attrs';
import {
  ATTR_APPARMOR,
  ATTR_CLONE_FLAGS,
  ATTR_CONSOLE_SIZE,
  ATTR_CONSOLE_SOCKET_FD,
  ATTR_EXEC_FIFO_FD,
  ATTR_HOOK_ARG,
  ATTR_HOOK_ENV,
  ATTR_HOOK_PATH,
  ATTR_HOOK_TIMEOUT,
  ATTR_IOPRIO,
  ATTR_KEYRING_NAME,
  ATTR_KEYRING_PERM,
  ATTR_MODE,
  ATTR_NO_NEW_PRIVS,
  ATTR_NO_PIVOT,
  ATTR_NS_JOIN,
  ATTR_PERSONALITY,
  ATTR_PRESERVE_FDS,
  ATTR_PROCESS_ARG,
  ATTR_PROCESS_CAPS,
  ATTR_PROCESS_CWD,
  ATTR_PROCESS_ENV,
  ATTR_PROCESS_GID,
  ATTR_PROCESS_GIDS,
  ATTR_PROCESS_HOME_ENV,
  ATTR_PROCESS_RLIMIT,
  ATTR_PROCESS_UID,
  ATTR_PROCESS_UMASK,
  ATTR_SCHEDULER,
  ATTR_SECCOMP,
  ATTR_SELINUX_LABEL,
  ATTR_SETUP_ARG,
  ATTR_SETUP_ENV,
  ATTR_SETUP_FD,
  ATTR_SETUP_PATH,
  ATTR_START_HOOK,
  ATTR_STATE_JSON,
  ATTR_TIMENS_OFFSETS,
  RUNTS_ATTR_HDR_LEN,
  RUNTS_BOOTSTRAP_MAX,
  RUNTS_MODE_CREATE,
  RUNTS_MODE_EXEC,
  RUNTS_MODE_EXEC_DETACH,
  RUNTS_MODE_RUN,
} from './proto';

/** CLONE_NEW* by the spec's namespace names (include/uapi/linux/sched.h). */
export const CLONE_NEW: Readonly<Record<LinuxNamespaceType, number>> = {
  mount: 0x00020000,
  cgroup: 0x02000000,
  uts: 0x04000000,
  ipc: 0x08000000,
  user: 0x10000000,
  pid: 0x20000000,
  network: 0x40000000,
  time: 0x00000080,
};

export interface Rlimit {
  resource: number;
  soft: bigint;
  hard: bigint;
}

export interface CapSets {
  bounding: bigint;
  effective: bigint;
  permitted: bigint;
  inheritable: bigint;
  ambient: bigint;
}

export interface StartHook {
  path: string;
  /** argv including argv[0]; empty means [path] */
  args: string[];
  env: string[];
  /** seconds */
  timeout?: number;
}

/**
 * create / run: a new container's PID 1 (argv "init"); exec / exec-detach: a process
 * joining an existing container (argv "join"). [0:PARENT] exits once the process is
 * ready in create and exec-detach, and waits for it in run and exec.
 */
export type InitMode = 'create' | 'run' | 'exec' | 'exec-detach';

export function isJoinMode(mode: InitMode): boolean {
  return mode === 'exec' || mode === 'exec-detach';
}

const MODE_NUMBER: Readonly<Record<InitMode, number>> = {
  create: RUNTS_MODE_CREATE,
  run: RUNTS_MODE_RUN,
  exec: RUNTS_MODE_EXEC,
  'exec-detach': RUNTS_MODE_EXEC_DETACH,
};

/** The process gets a new pty whose master is sent over socketFd (runc's format). */
export interface ConsoleRequest {
  /** a connected AF_UNIX stream socket of the CLI's: --console-socket, or its own socketpair */
  socketFd: number;
  /** process.consoleSize */
  size?: { height: number; width: number };
}

export interface InitRequest {
  mode: InitMode;
  /** CLONE_NEW* of the namespaces to create (NEWCGROUP and NEWTIME included) */
  cloneFlags: number;
  /** namespaces to setns into, in the order to join (user first) */
  join: { type: LinuxNamespaceType; path: string }[];
  /** written by the CLI on SYNC_USERMAP_PLS when cloneFlags has CLONE_NEWUSER */
  idMaps?: { uidMap: string; gidMap: string; setgroups: 'allow' | 'deny' };
  /** /proc/self/timens_offsets content */
  timeOffsets?: string;
  /** the setup process; argv is [nodePath, script, ...args]; socketFd becomes its fd 3 (init modes only) */
  setup?: { nodePath: string; script: string; args: string[]; env: string[]; socketFd: number };
  console?: ConsoleRequest;
  /** --no-pivot: setup MS_MOVEs the rootfs onto "/" and chroots; init follows it there */
  noPivot?: boolean;
  process: {
    args: string[];
    env: string[];
    /** index of a "HOME=" entry of env that init fills from the container's /etc/passwd */
    homeEnvIndex?: number;
    cwd: string;
    uid: number;
    gid: number;
    /** supplementary groups; not set when idMaps.setgroups is "deny", which forbids setgroups(2) (runc does the same) */
    additionalGids: number[];
    /** the joined user namespace's setgroups is "deny": setgroups(2) is not called (exec) */
    groupsDenied?: boolean;
    umask?: number;
    rlimits: Rlimit[];
    caps?: CapSets;
    noNewPrivileges: boolean;
    keyringName?: string;
    /** bits OR-ed into the session keyring's permissions (runc: 0x080000, KEY_USR_SEARCH) */
    keyringPerm?: number;
    /** --preserve-fds: the CLI's fds 3..3+n-1 become the process' fds 3..3+n-1 */
    preserveFds: number;
  };
  /** the CLI opens it O_PATH and passes the fd (init modes only) */
  execFifoPath?: string;
  startContainerHooks?: StartHook[];
  /** stdin of startContainer hooks */
  stateJson?: string;
  /** linux.seccomp compiled by src/security/seccomp.ts; native only loads it */
  seccomp?: SeccompProgram;
  /** personality, I/O priority, scheduler, LSM labels (src/security/process-attrs.ts) */
  attrs?: ProcessAttrs;
}

/** A compiled seccomp filter: SECCOMP_FILTER_FLAG_* and struct sock_filter[] bytes. */
export interface SeccompProgram {
  flags: number;
  filter: Buffer;
}

/** The kernel's limit on one filter's length (BPF_MAXINSNS). */
const BPF_MAXINSNS = 4096;

/** The fd numbers the native process will find its fds at (spawn-native's layout). */
export interface NativeFds {
  execFifo?: number;
  setup?: number;
  console?: number;
}

const LE = os.endianness() === 'LE';

function bootstrapError(what: string): RuntimeError {
  return new RuntimeError(`bootstrap: ${what}`);
}

function u32(name: string, v: number): Buffer {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw bootstrapError(`${name}: ${v} is not a u32`);
  const b = Buffer.alloc(4);
  if (LE) b.writeUInt32LE(v);
  else b.writeUInt32BE(v);
  return b;
}

function u64(name: string, v: bigint): Buffer {
  if (v < 0n || v > 0xffffffffffffffffn) throw bootstrapError(`${name}: ${v} is not a u64`);
  const b = Buffer.alloc(8);
  if (LE) b.writeBigUInt64LE(v);
  else b.writeBigUInt64BE(v);
  return b;
}

/** A C string: the native side uses strings in place, so a NUL inside cannot be sent. */
function str(name: string, s: string): Buffer {
  if (s.includes('\0')) throw bootstrapError(`${name} contains a NUL byte`);
  return Buffer.concat([Buffer.from(s, 'utf8'), Buffer.from([0])]);
}

/** struct sched_attr (SCHED_ATTR_SIZE_VER1) in host byte order; util_min/max zero (the spec has no fields for them). */
export function encodeSchedAttr(s: SchedAttr): Buffer {
  const nice = Buffer.alloc(4);
  if (LE) nice.writeInt32LE(s.nice);
  else nice.writeInt32BE(s.nice);
  return Buffer.concat([
    u32('sched_attr.size', SCHED_ATTR_SIZE),
    u32('scheduler.policy', s.policy),
    u64('scheduler.flags', s.flags),
    nice,
    u32('scheduler.priority', s.priority),
    u64('scheduler.runtime', s.runtime),
    u64('scheduler.deadline', s.deadline),
    u64('scheduler.period', s.period),
    Buffer.alloc(8), // sched_util_min, sched_util_max
  ]);
}

/** Records in order; `toBuffer()` gives the payload of SYNC_BOOTSTRAP or of a nested record. */
export class RecordWriter {
  private readonly parts: Buffer[] = [];
  private size = 0;

  raw(id: number, payload: Buffer): this {
    const hdr = Buffer.concat([u32('id', id), u32('length', payload.length)]);
    this.parts.push(hdr, payload);
    this.size += RUNTS_ATTR_HDR_LEN + payload.length;
    return this;
  }
  u32(id: number, name: string, v: number): this {
    return this.raw(id, u32(name, v));
  }
  str(id: number, name: string, s: string): this {
    return this.raw(id, str(name, s));
  }
  strs(id: number, name: string, list: readonly string[]): this {
    list.forEach((s, i) => this.str(id, `${name}[${i}]`, s));
    return this;
  }
  get length(): number {
    return this.size;
  }
  toBuffer(): Buffer {
    return Buffer.concat(this.parts, this.size);
  }
}

function encodeHook(h: StartHook, i: number): Buffer {
  const w = new RecordWriter().str(ATTR_HOOK_PATH, `startContainer[${i}].path`, h.path);
  w.strs(ATTR_HOOK_ARG, `startContainer[${i}].args`, h.args.length > 0 ? h.args : [h.path]);
  w.strs(ATTR_HOOK_ENV, `startContainer[${i}].env`, h.env);
  if (h.timeout !== undefined) {
    // The runtime-spec requires timeout > 0 when set; 0 would mean "none" on the wire.
    if (h.timeout <= 0) throw bootstrapError(`startContainer[${i}].timeout must be greater than zero`);
    w.u32(ATTR_HOOK_TIMEOUT, `startContainer[${i}].timeout`, h.timeout);
  }
  return w.toBuffer();
}

/** Encode `req` as the SYNC_BOOTSTRAP payload. */
export function encodeBootstrap(req: InitRequest, fds: NativeFds): Buffer {
  const p = req.process;
  const w = new RecordWriter();
  const join = isJoinMode(req.mode);
  if (join && (req.cloneFlags !== 0 || req.setup !== undefined || req.execFifoPath !== undefined)) {
    throw bootstrapError(`${req.mode} joins a container: no clone flags, setup or exec fifo`);
  }
  if (!join && (req.setup === undefined || fds.setup === undefined || fds.execFifo === undefined)) {
    throw bootstrapError(`${req.mode} needs the setup process and the exec fifo`);
  }
  w.u32(ATTR_MODE, 'mode', MODE_NUMBER[req.mode]);
  w.u32(ATTR_CLONE_FLAGS, 'cloneFlags', req.cloneFlags);
  req.join.forEach((j, i) => {
    w.raw(ATTR_NS_JOIN, Buffer.concat([u32(`join[${i}].type`, CLONE_NEW[j.type]), str(`join[${i}].path`, j.path)]));
  });
  if (req.timeOffsets !== undefined) w.str(ATTR_TIMENS_OFFSETS, 'timeOffsets', req.timeOffsets);

  if (req.setup !== undefined && fds.setup !== undefined) {
    w.str(ATTR_SETUP_PATH, 'setup.nodePath', req.setup.nodePath);
    w.strs(ATTR_SETUP_ARG, 'setup.argv', [req.setup.nodePath, req.setup.script, ...req.setup.args]);
    w.strs(ATTR_SETUP_ENV, 'setup.env', req.setup.env);
    w.u32(ATTR_SETUP_FD, 'setup fd', fds.setup);
  }

  if (p.args.length === 0) throw bootstrapError('process.args is empty');
  w.strs(ATTR_PROCESS_ARG, 'process.args', p.args);
  w.strs(ATTR_PROCESS_ENV, 'process.env', p.env);
  if (p.homeEnvIndex !== undefined) {
    if (p.env[p.homeEnvIndex] !== 'HOME=') throw bootstrapError(`process.env[${p.homeEnvIndex}] is not "HOME="`);
    w.u32(ATTR_PROCESS_HOME_ENV, 'process.homeEnvIndex', p.homeEnvIndex);
  }
  w.str(ATTR_PROCESS_CWD, 'process.cwd', p.cwd);
  w.u32(ATTR_PROCESS_UID, 'process.uid', p.uid);
  w.u32(ATTR_PROCESS_GID, 'process.gid', p.gid);
  if (req.idMaps?.setgroups !== 'deny' && p.groupsDenied !== true) {
    w.raw(ATTR_PROCESS_GIDS, Buffer.concat(p.additionalGids.map((g, i) => u32(`additionalGids[${i}]`, g))));
  }
  if (p.umask !== undefined) w.u32(ATTR_PROCESS_UMASK, 'process.umask', p.umask);
  p.rlimits.forEach((r, i) => {
    w.raw(
      ATTR_PROCESS_RLIMIT,
      Buffer.concat([u32(`rlimits[${i}].resource`, r.resource), u64(`rlimits[${i}].soft`, r.soft), u64(`rlimits[${i}].hard`, r.hard)]),
    );
  });
  if (p.caps !== undefined) {
    const c = p.caps;
    w.raw(
      ATTR_PROCESS_CAPS,
      Buffer.concat([
        u64('caps.bounding', c.bounding),
        u64('caps.effective', c.effective),
        u64('caps.permitted', c.permitted),
        u64('caps.inheritable', c.inheritable),
        u64('caps.ambient', c.ambient),
      ]),
    );
  }
  w.u32(ATTR_NO_NEW_PRIVS, 'noNewPrivileges', p.noNewPrivileges ? 1 : 0);
  if (p.keyringName !== undefined) w.str(ATTR_KEYRING_NAME, 'keyringName', p.keyringName);
  if (p.keyringPerm !== undefined) w.u32(ATTR_KEYRING_PERM, 'keyringPerm', p.keyringPerm);
  w.u32(ATTR_PRESERVE_FDS, 'preserveFds', p.preserveFds);
  if (fds.execFifo !== undefined) w.u32(ATTR_EXEC_FIFO_FD, 'exec fifo fd', fds.execFifo);
  if (req.console !== undefined) {
    if (fds.console === undefined) throw bootstrapError('console requested without its fd');
    w.u32(ATTR_CONSOLE_SOCKET_FD, 'console fd', fds.console);
    const size = req.console.size;
    // runc sets the size only when both are non-zero; the kernel takes u16s.
    if (size !== undefined && size.height > 0 && size.width > 0) {
      if (size.height > 0xffff || size.width > 0xffff) throw bootstrapError('consoleSize does not fit a window size');
      w.raw(ATTR_CONSOLE_SIZE, Buffer.concat([u32('consoleSize.height', size.height), u32('consoleSize.width', size.width)]));
    }
  }
  if (req.noPivot === true) w.u32(ATTR_NO_PIVOT, 'noPivot', 1);
  (req.startContainerHooks ?? []).forEach((h, i) => w.raw(ATTR_START_HOOK, encodeHook(h, i)));
  if (req.stateJson !== undefined) w.str(ATTR_STATE_JSON, 'stateJson', req.stateJson);
  if (req.seccomp !== undefined) {
    const n = req.seccomp.filter.length / 8;
    if (!Number.isInteger(n) || n < 1 || n > BPF_MAXINSNS) {
      throw bootstrapError(`seccomp filter of ${req.seccomp.filter.length} bytes is not 1 to ${BPF_MAXINSNS} instructions`);
    }
    w.raw(ATTR_SECCOMP, Buffer.concat([u32('seccomp.flags', req.seccomp.flags), req.seccomp.filter]));
  }

  const a = req.attrs ?? {};
  if (a.personality !== undefined) w.u32(ATTR_PERSONALITY, 'personality', a.personality);
  if (a.ioprio !== undefined) w.u32(ATTR_IOPRIO, 'ioPriority', a.ioprio);
  if (a.scheduler !== undefined) w.raw(ATTR_SCHEDULER, encodeSchedAttr(a.scheduler));
  if (a.apparmorExec !== undefined) w.str(ATTR_APPARMOR, 'apparmorProfile', a.apparmorExec);
  if (a.selinuxLabel !== undefined) w.str(ATTR_SELINUX_LABEL, 'selinuxLabel', a.selinuxLabel);

  if (w.length > RUNTS_BOOTSTRAP_MAX) {
    throw bootstrapError(`${w.length} bytes exceed the limit of ${RUNTS_BOOTSTRAP_MAX}`);
  }
  return w.toBuffer();
}

/** One decoded record, for tests and debugging: the inverse of RecordWriter. */
export interface RawRecord {
  id: number;
  payload: Buffer;
}

export function parseRecords(buf: Buffer): RawRecord[] {
  const out: RawRecord[] = [];
  let off = 0;
  while (off < buf.length) {
    if (buf.length - off < RUNTS_ATTR_HDR_LEN) throw bootstrapError(`record ${out.length}: truncated header`);
    const id = LE ? buf.readUInt32LE(off) : buf.readUInt32BE(off);
    const len = LE ? buf.readUInt32LE(off + 4) : buf.readUInt32BE(off + 4);
    off += RUNTS_ATTR_HDR_LEN;
    if (len > buf.length - off) throw bootstrapError(`record ${out.length}: length ${len} exceeds the buffer`);
    out.push({ id, payload: buf.subarray(off, off + len) });
    off += len;
  }
  return out;
}
