// Owns: linux.resources.memory -> memory controller writes, v1 and v2. Pure. Runs in: cli.
//
// runc 1.1 semantics: unset and 0 leave a value alone, -1 is unlimited. Kernel memory
// (kernel, kernelTCP) is ignored — the kernel deprecated those limits and runc 1.1
// ignores them with a warning (the caller warns). useHierarchy is ignored too: runc
// never maps it, and kernels since 5.x refuse to turn hierarchy off anyway.
import { ConfigError } from '../../errors';
import type { LinuxResources } from '../../spec/types';
import { memorySwapToV2 } from '../convert';
import { int, isSet, v2Limit, type CgroupWrite } from './write';

export interface MemoryV1Context {
  /** memory.limit_in_bytes as it is now; unknown means unlimited (a new cgroup) */
  currentLimit?: bigint;
}

export function toV1(res: LinuxResources, ctx: MemoryV1Context = {}): CgroupWrite[] {
  const m = res.memory;
  if (m === undefined) return [];
  const out: CgroupWrite[] = [];
  const limit = m.limit ?? 0;
  let swap = m.swap ?? 0;
  let swapOptional = false;
  // Unlimited memory with swap unset lifts memsw too, where the kernel has swap accounting.
  if (limit === -1 && swap === 0) {
    swap = -1;
    swapOptional = true;
  }
  const memWrite: CgroupWrite | undefined = isSet(limit) ? { file: 'memory.limit_in_bytes', value: int(limit) } : undefined;
  const swapWrite: CgroupWrite | undefined = isSet(swap)
    ? { file: 'memory.memsw.limit_in_bytes', value: int(swap), ...(swapOptional ? { optional: true as const } : {}) }
    : undefined;
  // The kernel keeps memory.limit <= memsw.limit at every step: when raising, memsw
  // goes first; when lowering, memory goes first (runc setMemoryAndSwap).
  const current = ctx.currentLimit ?? 2n ** 63n - 1n;
  const swapFirst = memWrite !== undefined && swapWrite !== undefined && (swap === -1 || current < BigInt(int(swap)));
  if (swapFirst) out.push(swapWrite, memWrite);
  else {
    if (memWrite !== undefined) out.push(memWrite);
    if (swapWrite !== undefined) out.push(swapWrite);
  }
  if (isSet(m.reservation)) out.push({ file: 'memory.soft_limit_in_bytes', value: int(m.reservation) });
  if (m.disableOOMKiller === true) out.push({ file: 'memory.oom_control', value: '1' });
  if (m.swappiness !== undefined && m.swappiness !== -1) {
    if (m.swappiness < 0 || m.swappiness > 100) {
      throw new ConfigError(`invalid memory swappiness ${m.swappiness}: the valid range is 0-100`, '/linux/resources/memory/swappiness');
    }
    out.push({ file: 'memory.swappiness', value: int(m.swappiness) });
  }
  return out;
}

/** v2 (runc fs2 setMemory): swap.max first, then max, then low; swappiness and oom_control have no v2 file. */
export function toV2(res: LinuxResources): CgroupWrite[] {
  const m = res.memory;
  if (m === undefined) return [];
  const limit = m.limit ?? 0;
  const swap = m.swap ?? 0;
  if (!isSet(limit) && !isSet(swap) && !isSet(m.reservation)) return [];
  const out: CgroupWrite[] = [];
  const swapV2 = memorySwapToV2(swap, limit);
  let swapStr = v2Limit(swapV2);
  // memory == swap: no swap at all, which v2 spells "0".
  if (swapStr === '' && swapV2 === 0 && swap > 0) swapStr = '0';
  // Without swap accounting there is no memory.swap.max; "max" and "0" are then moot.
  if (swapStr !== '') out.push({ file: 'memory.swap.max', value: swapStr, ...(swapStr === 'max' || swapStr === '0' ? { optional: true as const } : {}) });
  const max = v2Limit(limit);
  if (max !== '') out.push({ file: 'memory.max', value: max });
  const low = v2Limit(m.reservation);
  if (low !== '') out.push({ file: 'memory.low', value: low });
  return out;
}
