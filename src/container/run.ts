// Owns: `run` — create + start, and in the foreground stay until PID 1 exits, relaying
// signals and returning its exit status, then delete (unless --keep). Runs in: cli.
import type { RunCliOptions } from '../cli/commands/run';
import { createContainer } from './create';
import { deleteContainer } from './delete';
import { startContainer } from './start';
import { forwardSignals } from '../process/forward-signals';
import { relayTerminal } from '../process/terminal';

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

  const signals = forwardSignals();
  let created: Awaited<ReturnType<typeof createContainer>>;
  try {
    created = await createContainer({ ...o, mode: 'run' });
  } catch (err) {
    signals.stop();
    throw err;
  }
  const { state, init, console: master } = created;
  signals.target(state.pid, { ownTerminal: master !== undefined });
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
    signals.stop();
  }
}
