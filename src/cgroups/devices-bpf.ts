// Owns: the cgroup v2 device filter — the device rules compiled to a
// BPF_PROG_TYPE_CGROUP_DEVICE program, as raw instruction bytes. Pure. Runs in: cli.
//
// The shape is runc's libcontainer/cgroups/ebpf/devicefilter (after crun's ebpf.c):
// load the access type, access bits, major and minor from struct bpf_cgroup_dev_ctx,
// then one block per rule that either jumps to the next block or returns its verdict,
// and a final default verdict. Rules are emitted in reverse, so the first block to
// match is the last rule that matches — the same "later rules win" reading as v1's
// writes — and anything no rule matches is denied (runc starts from deny-all too).

import type { DeviceRule } from './resources/devices';

/** struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; } (uapi/linux/bpf.h) */
export const BPF_DEVCG_DEV_BLOCK = 1;
export const BPF_DEVCG_DEV_CHAR = 2;
export const BPF_DEVCG_ACC_MKNOD = 1;
export const BPF_DEVCG_ACC_READ = 2;
export const BPF_DEVCG_ACC_WRITE = 4;
const ACC_ALL = BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE;

/** The license string the kernel checks for GPL-only helpers (none used here); runc's. */
export const DEVICE_FILTER_LICENSE = 'Apache';

// Opcodes (uapi/linux/bpf_common.h + bpf.h): class | op | source.
const BPF_LDX_MEM_W = 0x61; // BPF_LDX | BPF_MEM | BPF_W
const BPF_ALU_AND_K = 0x54; // BPF_ALU | BPF_AND | BPF_K (32-bit)
const BPF_ALU_RSH_K = 0x74; // BPF_ALU | BPF_RSH | BPF_K
const BPF_ALU_MOV_K = 0xb4; // BPF_ALU | BPF_MOV | BPF_K
const BPF_ALU_MOV_X = 0xbc; // BPF_ALU | BPF_MOV | BPF_X
const BPF_JMP_JNE_K = 0x55; // BPF_JMP | BPF_JNE | BPF_K
const BPF_JMP_JNE_X = 0x5d; // BPF_JMP | BPF_JNE | BPF_X
const BPF_JMP_EXIT = 0x95; // BPF_JMP | BPF_EXIT

export interface BpfInsn {
  code: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
}

const insn = (code: number, dst: number, src: number, off: number, imm: number): BpfInsn => ({ code, dst, src, off, imm });

export function accessBits(access: string): number {
  let bits = 0;
  for (const ch of access) {
    if (ch === 'r') bits |= BPF_DEVCG_ACC_READ;
    else if (ch === 'w') bits |= BPF_DEVCG_ACC_WRITE;
    else if (ch === 'm') bits |= BPF_DEVCG_ACC_MKNOD;
    else throw new RangeError(`unknown device access ${JSON.stringify(ch)}`);
  }
  return bits;
}

/**
 * One b/c rule's block, its jumps still pointing at "the next block" (off = -1 placeholder,
 * patched once the block lengths are known). R2 type, R3 access, R4 major, R5 minor.
 */
function ruleBlock(r: DeviceRule): BpfInsn[] {
  const NEXT = -1;
  const out: BpfInsn[] = [insn(BPF_JMP_JNE_K, 2, 0, NEXT, r.type === 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK)];
  const bits = accessBits(r.access);
  if (bits !== ACC_ALL) {
    // Every requested bit must be granted: if ((R3 & bits) != R3) goto next.
    out.push(insn(BPF_ALU_MOV_X, 1, 3, 0, 0), insn(BPF_ALU_AND_K, 1, 0, 0, bits), insn(BPF_JMP_JNE_X, 1, 3, NEXT, 0));
  }
  if (r.major >= 0) out.push(insn(BPF_JMP_JNE_K, 4, 0, NEXT, r.major | 0));
  if (r.minor >= 0) out.push(insn(BPF_JMP_JNE_K, 5, 0, NEXT, r.minor | 0));
  out.push(insn(BPF_ALU_MOV_K, 0, 0, 0, r.allow ? 1 : 0), insn(BPF_JMP_EXIT, 0, 0, 0, 0));
  return out;
}

/** The program as instructions (what unit tests read); default deny unless a type "a" rule says otherwise. */
export function planDeviceFilter(rules: readonly DeviceRule[]): BpfInsn[] {
  const prog: BpfInsn[] = [
    // R2 <- device type: low 16 bits of access_type
    insn(BPF_LDX_MEM_W, 2, 1, 0, 0),
    insn(BPF_ALU_AND_K, 2, 0, 0, 0xffff),
    // R3 <- requested access: high 16 bits of access_type
    insn(BPF_LDX_MEM_W, 3, 1, 0, 0),
    insn(BPF_ALU_RSH_K, 3, 0, 0, 16),
    // R4 <- major, R5 <- minor
    insn(BPF_LDX_MEM_W, 4, 1, 4, 0),
    insn(BPF_LDX_MEM_W, 5, 1, 8, 0),
  ];
  let verdict = 0;
  for (const r of [...rules].reverse()) {
    // Type "a" matches every device and access (the kernel reads "a" so on v1): it
    // becomes the verdict for everything not matched so far, and the rules before it
    // can never be reached — the verifier refuses unreachable code, so they are dropped.
    if (r.type === 'a') {
      verdict = r.allow ? 1 : 0;
      break;
    }
    const block = ruleBlock(r);
    const next = prog.length + block.length;
    block.forEach((i, k) => {
      if (i.off === -1) i.off = next - (prog.length + k + 1);
    });
    prog.push(...block);
  }
  prog.push(insn(BPF_ALU_MOV_K, 0, 0, 0, verdict), insn(BPF_JMP_EXIT, 0, 0, 0, 0));
  return prog;
}

/** struct bpf_insn: u8 code; u8 dst_reg:4, src_reg:4; s16 off; s32 imm — little-endian hosts. */
export function encodeInsns(prog: readonly BpfInsn[]): Buffer {
  const buf = Buffer.alloc(prog.length * 8);
  prog.forEach((i, k) => {
    buf.writeUInt8(i.code, k * 8);
    buf.writeUInt8((i.src << 4) | i.dst, k * 8 + 1);
    buf.writeInt16LE(i.off, k * 8 + 2);
    buf.writeInt32LE(i.imm | 0, k * 8 + 4);
  });
  return buf;
}

export function deviceFilterBytes(rules: readonly DeviceRule[]): Buffer {
  return encodeInsns(planDeviceFilter(rules));
}

/** A readable listing for tests and debug output ("jne r2, 2, +5"). */
export function disassemble(prog: readonly BpfInsn[]): string[] {
  return prog.map((i) => {
    switch (i.code) {
      case BPF_LDX_MEM_W:
        return `ldxw r${i.dst}, [r${i.src}+${i.off}]`;
      case BPF_ALU_AND_K:
        return `and32 r${i.dst}, 0x${i.imm.toString(16)}`;
      case BPF_ALU_RSH_K:
        return `rsh32 r${i.dst}, ${i.imm}`;
      case BPF_ALU_MOV_K:
        return `mov32 r${i.dst}, ${i.imm}`;
      case BPF_ALU_MOV_X:
        return `mov32 r${i.dst}, r${i.src}`;
      case BPF_JMP_JNE_K:
        return `jne r${i.dst}, ${i.imm}, +${i.off}`;
      case BPF_JMP_JNE_X:
        return `jne r${i.dst}, r${i.src}, +${i.off}`;
      case BPF_JMP_EXIT:
        return 'exit';
      default:
        return `op 0x${i.code.toString(16)}`;
    }
  });
}
