// Owns: the CLI's end of the setup protocol (src/setup/protocol.ts has the diagram):
// send the plan, run the host hooks when setup asks, and turn setup's report into a
// result or a ChildError. Runs in: cli.
import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import { ChildError, renderError } from '../errors';
import {
  LineDecoder,
  encodeMessage,
  expectMessage,
  type CliToSetup,
  type HooksPhase,
  type SetupPlan,
  type SetupToCli,
} from '../setup/protocol';
import { socketPair } from '../sys/socket';

export interface SetupHandlers {
  /** run prestart then createRuntime hooks (host namespaces); a rejection aborts setup */
  runHooks(phase: HooksPhase): Promise<void>;
}

/**
 * [cliFd, setupFd]: the CLI keeps the first; the second goes to the native init, which
 * hands it to setup as fd 3. Both are close-on-exec. The CLI closes setupFd once the
 * init has it, so that setup's death reads as EOF here.
 */
export function setupSocketPair(): [number, number] {
  return socketPair();
}

/** Speak the protocol over `socketFd` (taken over and closed when done). */
export function runSetup(socketFd: number, plan: SetupPlan, handlers: SetupHandlers): Promise<void> {
  const sock = new net.Socket({ fd: socketFd, readable: true, writable: true });
  return runSetupOn(sock, plan, handlers).finally(() => sock.destroy());
}

/** The same over any duplex stream (tests hand it one end of their own pipe). */
export function runSetupOn(stream: Duplex, plan: SetupPlan, handlers: SetupHandlers): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const lines = new LineDecoder();
    let finished = false;
    let busy: Promise<void> = Promise.resolve();
    const finish = (err?: Error): void => {
      if (finished) return;
      finished = true;
      stream.removeAllListeners('data');
      if (err === undefined) resolve();
      else reject(err);
    };
    const send = (msg: CliToSetup): void => {
      stream.write(encodeMessage(msg));
    };

    const onMessage = async (line: string): Promise<void> => {
      const msg = expectMessage<SetupToCli>(line, ['hooks', 'done', 'error']);
      switch (msg.type) {
        case 'hooks':
          try {
            await handlers.runHooks(msg.phase);
          } catch (err) {
            send({ type: 'abort', message: renderError(err) });
            finish(err instanceof Error ? err : new Error(String(err)));
            return;
          }
          send({ type: 'hooks-done' });
          return;
        case 'done':
          finish();
          return;
        case 'error':
          finish(new ChildError('setup', msg.errno ?? 0, msg.message));
          return;
      }
    };

    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      for (const line of lines.push(chunk)) {
        // one message at a time, in order, even while a hook runs
        busy = busy.then(() => (finished ? undefined : onMessage(line))).catch((err: unknown) => {
          finish(new ChildError('setup', 0, `setup protocol: ${renderError(err)}`));
        });
      }
    });
    stream.on('end', () => {
      void busy.then(() => finish(new ChildError('setup', 0, 'setup exited without reporting')));
    });
    stream.on('error', (err) => {
      void busy.then(() => finish(new ChildError('setup', 0, `setup channel: ${err.message}`, { cause: err })));
    });
    send({ type: 'plan', plan });
  });
}
