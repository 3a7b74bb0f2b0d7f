// Owns: waiting for a process that is not our child to go away. Runs in: cli.
//
// The container's init is the child of the caller's subreaper (a shim) or of init,
// never of the runts process that kills it, so waitpid() is not available: poll the
// pid + start time instead (a zombie counts as gone: it runs nothing any more).
import { isAlive } from './liveness';

export async function waitForExit(pid: number, startTime: number, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let delay = 1;
  while (isAlive(pid, startTime)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 20);
  }
  return true;
}
