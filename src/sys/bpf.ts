// Owns: bpf(2) for cgroup device filters — load a BPF_PROG_TYPE_CGROUP_DEVICE program,
// attach it to a cgroup v2 directory, and detach the filters that were there before.
// Runs in: cli.
//
// union bpf_attr is built by hand in a zeroed buffer (the kernel insists that bytes
// past the command's fields are zero). Pointers inside it are the addresses of Node
// buffers that stay referenced until the call returns (koffi.address).
import * as fs from 'node:fs';
import { cfunc, check, koffi } from './libc';

const SYS_bpf = process.arch === 'arm64' ? 280 : process.arch === 'x64' ? 321 : -1;

const BPF_PROG_LOAD = 5;
const BPF_PROG_ATTACH = 8;
const BPF_PROG_DETACH = 9;
const BPF_PROG_GET_FD_BY_ID = 13;
const BPF_PROG_QUERY = 16;
const BPF_PROG_TYPE_CGROUP_DEVICE = 15;
const BPF_CGROUP_DEVICE = 6;
const BPF_F_ALLOW_MULTI = 2;
const ATTR_SIZE = 128;
const LOG_SIZE = 64 * 1024;

function bpf(cmd: number, attr: Buffer): number {
  const fn = cfunc('long syscall(long number, ...)');
  return Number(fn(SYS_bpf, 'int', cmd, 'void *', attr, 'uint', ATTR_SIZE) as number | bigint);
}

function addr(b: Buffer): bigint {
  return koffi.address(b) as bigint;
}

/**
 * BPF_PROG_LOAD of a cgroup device program (`insns`: struct bpf_insn[] bytes). Returns
 * the program fd. If the verifier refuses it, the error carries the verifier's log.
 */
export function loadCgroupDeviceProgram(insns: Buffer, license: string, name = 'runts_devices'): number {
  const lic = Buffer.from(`${license}\0`);
  const attr = Buffer.alloc(ATTR_SIZE);
  attr.writeUInt32LE(BPF_PROG_TYPE_CGROUP_DEVICE, 0); // prog_type
  attr.writeUInt32LE(insns.length / 8, 4); // insn_cnt
  attr.writeBigUInt64LE(addr(insns), 8); // insns
  attr.writeBigUInt64LE(addr(lic), 16); // license
  attr.write(name.slice(0, 15), 48, 'latin1'); // prog_name[16]
  try {
    return check('bpf(BPF_PROG_LOAD)', () => bpf(BPF_PROG_LOAD, attr));
  } catch (err) {
    // Load again with the verifier log on, only to explain the refusal.
    const log = Buffer.alloc(LOG_SIZE);
    attr.writeUInt32LE(1, 24); // log_level
    attr.writeUInt32LE(LOG_SIZE, 28); // log_size
    attr.writeBigUInt64LE(addr(log), 32); // log_buf
    const fd = bpf(BPF_PROG_LOAD, attr);
    if (fd >= 0) return fd;
    const text = log.toString('utf8', 0, Math.max(0, log.indexOf(0))).trim();
    if (text !== '' && err instanceof Error) err.message += `: verifier: ${text.split('\n').slice(-3).join(' / ')}`;
    throw err;
  }
}

/** Ids of the device programs attached directly to the cgroup (not inherited ones). */
export function queryCgroupDevicePrograms(cgroupFd: number): number[] {
  const attr = Buffer.alloc(ATTR_SIZE);
  const ids = Buffer.alloc(4 * 64);
  attr.writeUInt32LE(cgroupFd, 0); // target_fd
  attr.writeUInt32LE(BPF_CGROUP_DEVICE, 4); // attach_type
  attr.writeBigUInt64LE(addr(ids), 16); // prog_ids
  attr.writeUInt32LE(64, 24); // prog_cnt (in: room, out: count)
  check('bpf(BPF_PROG_QUERY)', () => bpf(BPF_PROG_QUERY, attr));
  const n = attr.readUInt32LE(24);
  return Array.from({ length: Math.min(n, 64) }, (_, i) => ids.readUInt32LE(4 * i));
}

function progFdById(id: number): number {
  const attr = Buffer.alloc(ATTR_SIZE);
  attr.writeUInt32LE(id, 0); // prog_id
  return check('bpf(BPF_PROG_GET_FD_BY_ID)', () => bpf(BPF_PROG_GET_FD_BY_ID, attr));
}

function attachOrDetach(cmd: number, cgroupFd: number, progFd: number, flags: number): void {
  const attr = Buffer.alloc(ATTR_SIZE);
  attr.writeUInt32LE(cgroupFd, 0); // target_fd
  attr.writeUInt32LE(progFd, 4); // attach_bpf_fd
  attr.writeUInt32LE(BPF_CGROUP_DEVICE, 8); // attach_type
  attr.writeUInt32LE(flags, 12); // attach_flags
  check(cmd === BPF_PROG_ATTACH ? 'bpf(BPF_PROG_ATTACH)' : 'bpf(BPF_PROG_DETACH)', () => bpf(cmd, attr));
}

/**
 * Make `insns` the cgroup's only directly attached device filter, as runc's
 * LoadAttachCgroupDeviceFilter does: the new program is attached first (with
 * BPF_F_ALLOW_MULTI, so for a moment both apply — never neither), then every program
 * that was attached before is detached. The attachment keeps the program alive; the
 * fds are closed.
 */
export function replaceCgroupDeviceFilter(cgroupDir: string, insns: Buffer, license: string): void {
  const cgroupFd = fs.openSync(cgroupDir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  try {
    const old = queryCgroupDevicePrograms(cgroupFd);
    const progFd = loadCgroupDeviceProgram(insns, license);
    try {
      attachOrDetach(BPF_PROG_ATTACH, cgroupFd, progFd, BPF_F_ALLOW_MULTI);
    } finally {
      fs.closeSync(progFd);
    }
    for (const id of old) {
      const fd = progFdById(id);
      try {
        attachOrDetach(BPF_PROG_DETACH, cgroupFd, fd, 0);
      } finally {
        fs.closeSync(fd);
      }
    }
  } finally {
    fs.closeSync(cgroupFd);
  }
}
