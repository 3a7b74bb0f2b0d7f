// Owns: `run` — create + start, and in the foreground stay until PID 1 exits, relaying
// signals and returning its exit status, then delete (unless --keep). Runs in: cli.
import type { RunCliOptions } from '../cli/commands/run';
import { createContainer } from './create';
import { deleteContainer } from './delete';
import { startContainer } from './start';
import { relayTerminal } from '../process/terminal';

/** What runc's signal handler forwards to the container's init (signals.go). */
const FORWARDED: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'];

export async function runContainer(o: RunCliOptions): Promise<number> {
  if (o.detach) {
    await createContainer({ ...o, mode: 'create' });
    try {
      await startContainer(o.root, o.id);
    } catch (err) {
      await deleteContainer(o.root, o.id, true).catch(() => undefined);
      throw err;
    }
    return 0;
  }

  const { state, init, console: master } = await createContainer({ ...o, mode: 'run' });
  const forward = (sig: NodeJS.Signals): void => {
    // With a terminal of ours, a window change is a resize of the pty (relayTerminal),
    // which the kernel turns into SIGWINCH for the process group using it.
    if (sig === 'SIGWINCH' && master !== undefined) return;
    try {
      process.kill(state.pid, sig);
    } catch {
      // PID 1 is already gone: its exit status is on its way.
    }
  };
  for (const sig of FORWARDED) process.on(sig, forward);
  // Relaying from before start, so that the first output and the window size are there.
  const relay = master === undefined ? undefined : relayTerminal(master);
  try {
    try {
      await startContainer(o.root, o.id);
    } catch (err) {
      await deleteContainer(o.root, o.id, true).catch(() => undefined);
      throw err;
    }
    const status = await init.exited;
    await relay?.finish();
    if (!o.keep) await deleteContainer(o.root, o.id, true);
    return status;
  } finally {
    await relay?.finish();
    for (const sig of FORWARDED) process.off(sig, forward);
  }
}
