// Owns: `create` (and the create half of `run`) — validate the bundle, make the state
// dir, cgroups and exec fifo, start the native init, let the setup process build the
// rootfs, and leave PID 1 blocked on the exec fifo. Every step that makes something
// pushes its undo, so a failure at any stage leaves nothing behind. Runs in: cli.
import * as fs from 'node:fs';
import * as os from 'node:os';
import { CgroupManager } from '../cgroups/manager';
import { ChildError, exitCodeOf, RuntimeError, UsageError } from '../errors';
import { debugFor, warn } from '../log';
import { renderFinding } from '../spec/finding';
import { assertBundleValid } from '../spec/check';
import { normalizeSpec, type ContainerConfig } from '../spec/normalize';
import { resolveBundle } from '../spec/load';
import { SPEC_VERSION } from '../spec/types';
import { spawnInit, type InitHandle } from '../process/spawn-native';
import { runSetup, setupSocketPair } from '../process/setup-channel';
import { handOverListener, toAgentHandover } from '../security/seccomp-agent';
import { createExecFifo, execFifoPath } from './exec-fifo';
import { hookStateJson } from './hook-state';
import { runHooks } from '../hooks/run';
import { assertValidId } from './id';
import { buildInitRequest } from './init-request';
import { checkTerminal, openConsoleChannel, type ConsoleChannel } from '../process/terminal';
import { procStartTime } from './liveness';
import { writePidFile } from './pid-file';
import { withLock } from './lock';
import { absoluteSources, buildSetupPlan } from './setup-plan';
import { planIdmapSources, prepareIdmapSources, sendIdmapSources } from './idmap-mounts';
import { createStateDir, nowRfc3339Nano, removeStateDir, writeState, type ContainerState } from './state-store';
import { UndoStack } from './undo';

const debug = debugFor('container');

export interface CreateOptions {
  root: string;
  id: string;
  bundle: string | undefined;
  consoleSocket: string | undefined;
  pidFile: string | undefined;
  noPivot: boolean;
  noNewKeyring: boolean;
  preserveFds: number;
  systemdCgroup: boolean;
  /** --rootless: 'auto' (the default) means rootless when the caller is not root, as in runc */
  rootless?: 'true' | 'false' | 'auto';
  /** 'run': the native parent stays to wait for PID 1 and exits with its status */
  mode: 'create' | 'run';
}

export interface CreatedContainer {
  state: ContainerState;
  init: InitHandle;
  /** the pty master, when process.terminal is set and there is no --console-socket (run relays it) */
  console?: number;
}

/** The caller's user name, or runc's "#<uid>" when the uid has no passwd entry (rootless callers may not). */
function ownerName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return `#${process.geteuid?.() ?? 0}`;
  }
}

/** runc's shouldUseRootlessCgroupManager, for the cgroupfs driver. */
export function isRootless(flag: 'true' | 'false' | 'auto' | undefined, euid = process.geteuid?.() ?? 0): boolean {
  if (flag === 'true') return true;
  if (flag === 'false') return false;
  return euid !== 0;
}

export async function createContainer(o: CreateOptions): Promise<CreatedContainer> {
  assertValidId(o.id);
  if (o.systemdCgroup) {
    throw new UsageError('--systemd-cgroup: the systemd cgroup driver is not supported yet');
  }
  const bundle = resolveBundle(o.bundle);
  const { spec, warnings } = assertBundleValid(bundle, { systemdCgroup: o.systemdCgroup });
  for (const w of warnings) warn(renderFinding(w));
  // runc's rules, before anything exists: create (and run -d) detach, so a terminal
  // needs a console socket to send its master to; `run` relays it itself.
  checkTerminal({ detach: o.mode === 'create', terminal: spec.process?.terminal === true, consoleSocket: o.consoleSocket });
  const config = normalizeSpec(spec, bundle, o.id);

  const undo = new UndoStack();
  createStateDir(o.root, o.id);
  undo.push('remove state dir', () => removeStateDir(o.root, o.id));
  try {
    return await withLock(o.root, o.id, () => createLocked(o, config, undo));
  } catch (err) {
    throw await undo.unwind(err);
  }
}

/** How far create got: decides the layers runc puts in front of the cause. */
interface Progress {
  phase: 'prepare' | 'start' | 'init';
}

async function createLocked(o: CreateOptions, config: ContainerConfig, undo: UndoStack): Promise<CreatedContainer> {
  const progress: Progress = { phase: 'prepare' };
  try {
    return await buildContainer(o, config, undo, progress);
  } catch (err) {
    throw startFailure(err, progress.phase);
  }
}

/**
 * runc's layers (libcontainer process_linux.go), which shims and users read: once the
 * init is asked for, "unable to start container process: "; once it runs the
 * container's setup, also "error during container init: " — except for the final
 * PATH lookup, which runc reports without it ("exec: \"x\": executable file not found").
 */
function startFailure(err: unknown, phase: Progress['phase']): unknown {
  if (phase === 'prepare') return err;
  const lookup = err instanceof ChildError && err.message.startsWith('exec: ');
  const cause = phase === 'init' && !lookup ? new RuntimeError('error during container init', { cause: err }) : err;
  const e = new RuntimeError('unable to start container process', { cause });
  e.exitCode = exitCodeOf(err);
  return e;
}

async function buildContainer(o: CreateOptions, config: ContainerConfig, undo: UndoStack, progress: Progress): Promise<CreatedContainer> {
  createExecFifo(o.root, o.id);

  const cgroups = CgroupManager.plan(config.cgroupsPath, o.id, { rootless: isRootless(o.rootless) });
  const state: ContainerState = {
    ociVersion: config.spec.ociVersion ?? SPEC_VERSION,
    id: o.id,
    bundle: config.bundle,
    rootfs: config.rootfs,
    created: nowRfc3339Nano(),
    owner: ownerName(),
    annotations: config.spec.annotations ?? {},
    pid: 0,
    initStartTime: 0,
    paused: false,
    cgroupPaths: cgroups.paths(),
    config,
  };

  const madeCgroups = cgroups.create();
  undo.push('remove cgroups', () => cgroups.destroy(madeCgroups));
  state.cgroupPaths = cgroups.paths();
  // Recorded (pid 0, so "stopped") as soon as there is something to clean up: if this
  // process dies half-way, `delete --force` still finds the cgroups to remove.
  writeState(o.root, state);

  // process.terminal: connect the console socket now (a bad path fails before the init
  // exists); without one, `run` gets the master back over a socketpair of ours.
  let consoleChannel: ConsoleChannel | undefined;
  if (config.spec.process?.terminal === true) {
    const channel = openConsoleChannel(o.consoleSocket);
    consoleChannel = channel;
    undo.push('close console socket', () => channel.close());
  }
  // Idmapped bind mounts are made on the host, before the init exists (idmap-mounts.ts).
  const idmaps = await prepareIdmapSources(planIdmapSources(absoluteSources(config.spec.mounts ?? [], config.bundle), config.spec.linux));
  undo.push('close id-mapped mount sources', () => idmaps.close());
  const [cliEnd, setupEnd] = setupSocketPair();
  progress.phase = 'start';
  const init = await spawnInit(
    buildInitRequest(config, {
      mode: o.mode,
      execFifoPath: execFifoPath(o.root, o.id),
      setupSocketFd: setupEnd,
      noNewKeyring: o.noNewKeyring,
      noPivot: o.noPivot,
      preserveFds: o.preserveFds,
      stateJson: hookStateJson({ ...state }, 'created'),
      ...(consoleChannel !== undefined ? { consoleSocketFd: consoleChannel.nativeFd } : {}),
    }),
    {},
  ).finally(() => {
    fs.closeSync(setupEnd);
    consoleChannel?.closeNative();
  });
  undo.push('kill init', () => init.kill());
  debug('init pid %d', init.initPid);

  state.pid = init.initPid;
  state.initStartTime = procStartTime(init.initPid) ?? 0;
  // A v1 cpu cgroup without a realtime budget refuses a SCHED_FIFO/RR task, and the init
  // sets its process.scheduler itself: the budget goes in before the join (runc, too,
  // writes rt_period/rt_runtime before adding the pid). The other limits come after setup.
  const cpu = config.spec.linux?.resources?.cpu;
  if (cpu?.realtimePeriod || cpu?.realtimeRuntime) {
    const rt: NonNullable<typeof cpu> = {};
    if (cpu.realtimePeriod !== undefined) rt.realtimePeriod = cpu.realtimePeriod;
    if (cpu.realtimeRuntime !== undefined) rt.realtimeRuntime = cpu.realtimeRuntime;
    cgroups.set({ cpu: rt });
  }
  // The cgroup join happens before the init runs anything of the container's, so that
  // every process it forks (setup included) is accounted and limited from the start.
  cgroups.apply(init.initPid);
  state.cgroupPaths = cgroups.paths();
  const oom = config.spec.process?.oomScoreAdj;
  if (oom !== undefined) fs.writeFileSync(`/proc/${init.initPid}/oom_score_adj`, String(oom));
  // Rewritten with the pid before the setup runs, so `delete --force` can kill a half-made container.
  writeState(o.root, state);
  await init.go();
  progress.phase = 'init';

  const hooks = config.spec.hooks ?? {};
  try {
    sendIdmapSources(cliEnd, idmaps);
  } finally {
    idmaps.close();
  }
  await runSetup(cliEnd, buildSetupPlan(config, { noPivot: o.noPivot, cgroupDirs: cgroups.mountDirs(), stateJson: hookStateJson(state, 'creating') }), {
    runHooks: async () => {
      const creating = hookStateJson(state, 'creating');
      await runHooks('prestart', hooks.prestart, creating);
      await runHooks('createRuntime', hooks.createRuntime, creating);
    },
  });
  // SCMP_ACT_NOTIFY: init loaded its filter and waits until the agent has the listener.
  const agent = toAgentHandover(config.spec.linux?.seccomp);
  if (agent !== undefined) await init.seccompListener((pid, fd) => handOverListener(agent, pid, fd, hookStateJson(state, 'creating')));
  await init.ready();
  // Limits go in once setup (a Node process, ~40 MB and a dozen threads) has exited and
  // init waits on the exec fifo: a container's pids or memory limit would otherwise
  // strangle our own setup. Nothing of the container's process has run yet, and a
  // value the kernel refuses fails create naming the file and the value.
  cgroups.set(config.spec.linux?.resources ?? {}, { linuxDevices: config.spec.linux?.devices ?? [] });
  // Sent before SYNC_READY, so it is already queued: this does not block.
  const master = consoleChannel !== undefined && o.consoleSocket === undefined ? consoleChannel.receive() : undefined;
  consoleChannel?.close();

  if (o.pidFile !== undefined) writePidFile(o.pidFile, init.initPid);
  undo.commit();
  return master === undefined ? { state, init } : { state, init, console: master };
}

