// The CLI's sync endpoint against a scripted peer on a socketpair (no native binary).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { ChildError } from '../../../src/errors';
import { SYNC_ERROR, SYNC_GO, SYNC_PID, SYNC_READY } from '../../../src/process/proto';
import { encodeMessage, SyncClosedError, SyncEndpoint, u32Payload } from '../../../src/process/sync';
import { socketPair } from '../../../src/sys/socket';

function pair(t: { after(fn: () => void): void }): { ep: SyncEndpoint; peer: net.Socket } {
  const [a, b] = socketPair();
  const ep = SyncEndpoint.fromFd(a);
  const peer = new net.Socket({ fd: b, readable: true, writable: true });
  t.after(() => {
    ep.close();
    peer.destroy();
  });
  return { ep, peer };
}

function errorPayload(stage: number, errno: number, msg: string): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32LE(stage, 0);
  b.writeInt32LE(errno, 4);
  return Buffer.concat([b, Buffer.from(msg)]);
}

test('expect returns the payload of the expected type, even split across reads', async (t) => {
  const { ep, peer } = pair(t);
  const msg = encodeMessage(SYNC_PID, u32Payload(4242));
  peer.write(msg.subarray(0, 3));
  setTimeout(() => peer.write(msg.subarray(3)), 20);
  const p = await ep.expect(SYNC_PID);
  assert.equal(p.readUInt32LE(0), 4242);
});

test('an unexpected type is an error naming expected and received', async (t) => {
  const { ep, peer } = pair(t);
  peer.write(encodeMessage(SYNC_READY));
  await assert.rejects(ep.expect(SYNC_PID), {
    message: 'unexpected message on the sync socket: expected SYNC_PID (67), got SYNC_READY (69)',
  });
});

test('SYNC_ERROR becomes a ChildError with stage, errno and the errno text', async (t) => {
  const { ep, peer } = pair(t);
  peer.write(encodeMessage(SYNC_ERROR, errorPayload(1, 2, 'open namespace path /x')));
  const err = await ep.expect(SYNC_PID).catch((e: unknown) => e);
  assert.ok(err instanceof ChildError);
  assert.equal(err.stage, 'child');
  assert.equal(err.errno, 2);
  assert.equal(err.message, 'open namespace path /x: no such file or directory');

  peer.write(encodeMessage(SYNC_ERROR, errorPayload(2, 0, 'setup exited with status 1')));
  await assert.rejects(ep.expect(SYNC_READY), { name: 'ChildError', stage: 'init', message: 'setup exited with status 1' });
});

test('EOF while waiting is a SyncClosedError naming what was awaited', async (t) => {
  const { ep, peer } = pair(t);
  peer.end();
  const err = await ep.expect(SYNC_READY).catch((e: unknown) => e);
  assert.ok(err instanceof SyncClosedError);
  assert.equal(err.expected, SYNC_READY);
  assert.match(err.message, /while waiting for SYNC_READY \(69\)$/);
});

test('send frames a header and payload; oversized payloads are refused', async (t) => {
  const { ep, peer } = pair(t);
  const got = new Promise<Buffer>((resolve) => peer.once('data', resolve));
  await ep.send(SYNC_GO);
  assert.deepEqual(await got, encodeMessage(SYNC_GO));
  await assert.rejects(ep.send(SYNC_GO, Buffer.alloc(65537)), { message: /exceeds 65536/ });
});

test('a second expect while one is pending is refused', async (t) => {
  const { ep, peer } = pair(t);
  const first = ep.expect(SYNC_PID);
  await assert.rejects(ep.expect(SYNC_READY), { message: 'sync: already waiting for SYNC_PID (67)' });
  peer.write(encodeMessage(SYNC_PID, u32Payload(1)));
  await first;
});
