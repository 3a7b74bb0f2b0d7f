import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { ChildError, HookError } from '../../../src/errors';
import { runSetup, setupSocketPair } from '../../../src/process/setup-channel';
import { LineDecoder, type SetupPlan } from '../../../src/setup/protocol';

const plan: SetupPlan = {
  rootfs: '/b/rootfs', readonly: false, mounts: [], devices: [], inUserNamespace: false,
  maskedPaths: [], readonlyPaths: [], noPivot: false,
  createContainerHooks: [],
  stateJson: '{"id":"c","status":"creating"}',
};

/** The setup side, scripted: each step gets the messages received so far and may reply. */
function peer(fd: number, script: (msg: { type: string }, send: (line: string) => void, end: () => void) => void): string[] {
  const seen: string[] = [];
  const sock = new net.Socket({ fd, readable: true, writable: true });
  const lines = new LineDecoder();
  sock.setEncoding('utf8');
  sock.on('data', (chunk: string) => {
    for (const l of lines.push(chunk)) {
      const msg = JSON.parse(l) as { type: string };
      seen.push(msg.type);
      script(msg, (line) => sock.write(line + '\n'), () => sock.end());
    }
  });
  sock.on('error', () => undefined);
  return seen;
}

test('plan, a hooks round trip, done', async () => {
  const [cli, setup] = setupSocketPair();
  const phases: string[] = [];
  let gotPlan: unknown;
  const seen = peer(setup, (msg, send, end) => {
    if (msg.type === 'plan') {
      gotPlan = (msg as unknown as { plan: unknown }).plan;
      send('{"type":"hooks","phase":"prestart+createRuntime"}');
    }
    if (msg.type === 'hooks-done') {
      send('{"type":"done"}');
      end();
    }
  });
  await runSetup(cli, plan, { runHooks: async (p) => void phases.push(p) });
  assert.deepEqual(gotPlan, plan);
  assert.deepEqual(phases, ['prestart+createRuntime']);
  assert.deepEqual(seen, ['plan', 'hooks-done']);
});

test('an error report becomes a ChildError of stage setup with its errno', async () => {
  const [cli, setup] = setupSocketPair();
  peer(setup, (msg, send, end) => {
    if (msg.type === 'plan') {
      send(JSON.stringify({ type: 'error', message: 'error mounting "proc" to rootfs at "/proc": mount /proc: operation not permitted', syscall: 'mount', errno: 1, path: '/proc' }));
      end();
    }
  });
  await assert.rejects(runSetup(cli, plan, { runHooks: async () => undefined }), (e: unknown) => {
    assert.ok(e instanceof ChildError);
    assert.equal(e.stage, 'setup');
    assert.equal(e.errno, 1);
    assert.match(e.message, /^error mounting "proc"/);
    return true;
  });
});

test('a failing host hook aborts setup and is the error returned', async () => {
  const [cli, setup] = setupSocketPair();
  const seen = peer(setup, (msg, send) => {
    if (msg.type === 'plan') send('{"type":"hooks","phase":"prestart+createRuntime"}');
  });
  const hookErr = new HookError('prestart', 0, 'error running prestart hook #0 (/h): exit status 1, stdout: , stderr: ');
  await assert.rejects(runSetup(cli, plan, { runHooks: async () => { throw hookErr; } }), (e) => e === hookErr);
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(seen, ['plan', 'abort']);
});

test('EOF before a report, and an unexpected message, are ChildErrors', async () => {
  {
    const [cli, setup] = setupSocketPair();
    peer(setup, (_msg, _send, end) => end());
    await assert.rejects(runSetup(cli, plan, { runHooks: async () => undefined }), /setup exited without reporting/);
  }
  {
    const [cli, setup] = setupSocketPair();
    peer(setup, (_msg, send) => send('{"type":"plan"}'));
    await assert.rejects(
      runSetup(cli, plan, { runHooks: async () => undefined }),
      (e: unknown) => e instanceof ChildError && /expected message hooks or done or error, got plan/.test(e.message),
    );
  }
});
