// Owns: `events` — a container's statistics, once or every interval, and its OOM
// notifications, as the JSON lines runc prints; the stream ends when the container
// stops or its cgroups go away. Runs in: cli.
import { RuntimeError, renderError } from '../errors';
import { CgroupManager } from '../cgroups/manager';
import { watchOom, type OomWatcher } from '../cgroups/oom';
import { statsJson, type CgroupStats } from '../cgroups/stats';
import { warn } from '../log';
import { isAlive } from './liveness';
import { readState } from './state-store';
import { currentStatus } from './status';

export type ContainerEvent = { type: 'stats'; id: string; data: CgroupStats } | { type: 'oom'; id: string };

export interface EventsOptions {
  /** print the stats once and return */
  stats: boolean;
  /** between two stats events */
  intervalMs: number;
  /** how often the init is checked for having exited (default 100 ms) */
  livenessMs?: number;
}

/** One line of output: runc's types.Event through json.Encoder (data omitted when nil). */
export function renderEvent(e: ContainerEvent): string {
  const head = `{"type":${JSON.stringify(e.type)},"id":${JSON.stringify(e.id)}`;
  return (e.type === 'stats' ? `${head},"data":${statsJson(e.data)}}` : `${head}}`) + '\n';
}

/** setTimeout/setInterval take a signed 32-bit delay; a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export async function streamEvents(root: string, id: string, opts: EventsOptions, emit: (e: ContainerEvent) => void): Promise<void> {
  const state = readState(root, id);
  if (!(opts.intervalMs > 0)) throw new RuntimeError('duration interval must be greater than 0');
  if (currentStatus(root, state) === 'stopped') throw new RuntimeError(`container with id ${id} is not running`);
  const cgroups = CgroupManager.fromPaths(state.cgroupPaths);
  if (opts.stats) {
    emit({ type: 'stats', id, data: cgroups.stats() });
    return;
  }

  await new Promise<void>((resolve, reject) => {
    let done = false;
    let watcher: OomWatcher | undefined;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearInterval(statsTimer);
      clearInterval(liveTimer);
      // An OOM kill is often what stopped the init: give a notification already on
      // its way a moment to arrive, then report one the kernel counted but we missed.
      setTimeout(() => {
        try {
          if (watcher !== undefined && watcher.unreported() > 0) emit({ type: 'oom', id });
          watcher?.close();
          resolve();
        } catch (err) {
          reject(err);
        }
      }, 50);
    };
    const statsTimer = setInterval(() => {
      try {
        emit({ type: 'stats', id, data: cgroups.stats() });
      } catch (err) {
        // runc logs and keeps going: the next tick may work (or the container stops).
        warn(renderError(err));
      }
    }, Math.min(opts.intervalMs, MAX_TIMER_MS));
    const liveTimer = setInterval(() => {
      if (!isAlive(state.pid, state.initStartTime)) finish();
    }, opts.livenessMs ?? 100);
    try {
      watcher = watchOom(cgroups.dirs, { onOom: () => emit({ type: 'oom', id }), onGone: finish });
    } catch (err) {
      clearInterval(statsTimer);
      clearInterval(liveTimer);
      done = true;
      reject(err);
    }
  });
}
