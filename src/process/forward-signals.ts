// Owns: relaying the signals a person (or a shim) sends to a foreground runts on to the
// container's process, as runc's signal handler does (signals.go). Runs in: cli.
//
// The forwarder is installed before the process exists and holds what arrives until
// its pid is known: a process can run its first instructions before we have handled
// the message that names it, and a signal sent in that gap must reach it instead of
// killing runts with the default action.

const FORWARDED: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'];

export interface SignalForwarder {
  /** From now on signals go to pid; held ones are delivered at once. */
  target(pid: number, opts?: { ownTerminal?: boolean }): void;
  stop(): void;
}

export function forwardSignals(): SignalForwarder {
  const held: NodeJS.Signals[] = [];
  let pid: number | undefined;
  let ownTerminal = false;
  const deliver = (sig: NodeJS.Signals): void => {
    // With a terminal of ours a window change is a resize of the pty (terminal.ts),
    // which the kernel turns into SIGWINCH for the process group using it.
    if (sig === 'SIGWINCH' && ownTerminal) return;
    try {
      process.kill(pid!, sig);
    } catch {
      // gone already: its exit status is on its way
    }
  };
  const onSignal = (sig: NodeJS.Signals): void => {
    if (pid === undefined) held.push(sig);
    else deliver(sig);
  };
  for (const sig of FORWARDED) process.on(sig, onSignal);
  return {
    target(p, opts = {}) {
      pid = p;
      ownTerminal = opts.ownTerminal === true;
      for (const sig of held.splice(0)) deliver(sig);
    },
    stop() {
      for (const sig of FORWARDED) process.off(sig, onSignal);
    },
  };
}
