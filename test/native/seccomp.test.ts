// The native side of seccomp: ATTR_SECCOMP is decoded strictly, and a program the
// kernel refuses comes back to the CLI as init's error before ready.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { RecordWriter } from '../../src/process/bootstrap';
import { ATTR_CLONE_FLAGS, ATTR_EXEC_FIFO_FD, ATTR_MODE, ATTR_PROCESS_ARG, ATTR_SECCOMP, RUNTS_MODE_CREATE, SYNC_BOOTSTRAP, SYNC_PID } from '../../src/process/proto';
import { spawnInit, type InitHandle } from '../../src/process/spawn-native';
import { setChildSubreaper } from '../../src/sys/reap';
import { requires } from '../support/requires';
import { baseRequest, destroy, makeScratch, quiet, rawInit } from './peer';


if (process.getuid?.() === 0) setChildSubreaper(true);

async function decodeError(t: { after(fn: () => void | Promise<void>): void }, payload: Buffer): Promise<unknown> {
  const { sync, exited } = rawInit(t);
  await sync.send(SYNC_BOOTSTRAP, payload);
  const err = await sync.expect(SYNC_PID).then(
    () => assert.fail('expected SYNC_ERROR'),
    (e: unknown) => e,
  );
  assert.equal(await exited, 1);
  return err;
}

const base = (): RecordWriter =>
  new RecordWriter().u32(ATTR_MODE, 'mode', RUNTS_MODE_CREATE).u32(ATTR_CLONE_FLAGS, 'flags', 0).str(ATTR_PROCESS_ARG, 'arg', '/bin/true').u32(ATTR_EXEC_FIFO_FD, 'fifo', 9);

/** BPF_RET | BPF_K with SECCOMP_RET_ALLOW: the smallest valid filter. */
const ALLOW = Buffer.from([0x06, 0, 0, 0, 0, 0, 0xff, 0x7f]);

test('ATTR_SECCOMP must be flags plus whole instructions, and appear once', async (t) => {
  const short = await decodeError(t, base().raw(ATTR_SECCOMP, Buffer.alloc(4 + 5)).toBuffer());
  assert.match(String((short as Error).message), /^bootstrap record 4 \(ATTR_SECCOMP, id 28\): length 9, want 4 \+ 8 \* \(1\.\.4096\)/);
  const empty = await decodeError(t, base().raw(ATTR_SECCOMP, Buffer.alloc(4)).toBuffer());
  assert.match(String((empty as Error).message), /ATTR_SECCOMP, id 28\): length 4/);
  const rec = Buffer.concat([Buffer.alloc(4), ALLOW]);
  const twice = await decodeError(t, base().raw(ATTR_SECCOMP, rec).raw(ATTR_SECCOMP, rec).toBuffer());
  assert.match(String((twice as Error).message), /ATTR_SECCOMP, id 28\): repeated/);
});

test('a program the kernel refuses is init\'s error before ready', { skip: requires('root') }, async (t) => {
  const s = makeScratch();
  t.after(() => s.cleanup());
  let h: InitHandle | undefined;
  t.after(() => destroy(h));
  // A jump past the end: the kernel's checker refuses it with EINVAL.
  const bad = Buffer.from([0x05, 0, 0, 0, 5, 0, 0, 0]);
  h = await spawnInit(baseRequest(s, ['/bin/true'], { seccomp: { flags: 0, filter: bad } }), quiet);
  await h.go();
  await assert.rejects(h.ready(), { name: 'ChildError', stage: 'init', errno: 22, message: /load the seccomp filter \(flags 0\)/ });
  assert.equal(await h.exited, 1);
});
