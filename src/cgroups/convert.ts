// Owns: the pure conversions from the OCI (cgroup v1 shaped) resource values to their
// cgroup v2 equivalents, with runc 1.1's formulas so both runtimes write the same
// numbers. Runs in: cli.
import { RuntimeError } from '../errors';

/**
 * cpu.shares [2, 262144] -> cpu.weight [1, 10000], linearly (runc 1.1
 * ConvertCPUSharesToCgroupV2Value): 1 + ((shares - 2) * 9999) / 262142. 0 stays 0 (unset).
 * Shares below 2 (which the kernel itself raises to 2) give weight 1 instead of Go's
 * unsigned wrap-around.
 */
export function cpuSharesToWeight(shares: number): number {
  if (shares === 0) return 0;
  const s = BigInt(Math.max(2, Math.trunc(shares)));
  return Number(1n + ((s - 2n) * 9999n) / 262142n);
}

/**
 * blkio.weight [10, 1000] -> io.weight [1, 10000] (runc ConvertBlkIOToIOWeightValue):
 * 1 + (weight - 10) * 9999 / 990. 0 stays 0 (unset).
 */
export function blkioWeightToIoWeight(weight: number): number {
  if (weight === 0) return 0;
  const w = BigInt(Math.max(10, Math.trunc(weight)));
  return Number(1n + ((w - 10n) * 9999n) / 990n);
}

/**
 * OCI memory.swap is memory+swap (v1's memsw); v2's memory.swap.max is swap alone
 * (runc ConvertMemorySwapToCgroupV2Value). Returns the v2 swap value: 0 unset, -1 max.
 */
export function memorySwapToV2(memorySwap: number, memory: number): number {
  // As on v1: unlimited memory with swap unset means unlimited swap too.
  if (memory === -1 && memorySwap === 0) return -1;
  if (memorySwap === -1 || memorySwap === 0) return memorySwap;
  // Unlimited memory: swap is taken as is (later runc; 1.1 refused this combination).
  if (memory === -1) return memorySwap;
  if (memory === 0) throw new RuntimeError('unable to set swap limit without memory limit');
  if (memory < 0) throw new RuntimeError(`invalid memory value: ${memory}`);
  if (memorySwap < memory) throw new RuntimeError('memory+swap limit should be >= memory limit');
  return memorySwap - memory;
}
