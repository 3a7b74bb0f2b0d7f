import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { closeFd, isCloexec, recvFds, sendFds, setCloexec, socketPair } from '../../../src/sys/socket';

test('socketPair gives two close-on-exec ends that talk to each other', () => {
  const [a, b] = socketPair();
  try {
    assert.ok(isCloexec(a) && isCloexec(b));
    fs.writeSync(a, 'ping');
    const buf = Buffer.alloc(4);
    assert.equal(fs.readSync(b, buf), 4);
    assert.equal(buf.toString(), 'ping');
    setCloexec(a, false);
    assert.equal(isCloexec(a), false);
    setCloexec(a, true);
    assert.equal(isCloexec(a), true);
  } finally {
    closeFd(a);
    closeFd(b);
  }
});

test('an fd sent with SCM_RIGHTS arrives as a new close-on-exec fd to the same file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runts-sock-'));
  const [a, b] = socketPair();
  const file = path.join(dir, 'f');
  fs.writeFileSync(file, 'hello');
  const fd = fs.openSync(file, 'r');
  try {
    assert.equal(sendFds(a, Buffer.from('x'), [fd]), 1);
    const got = recvFds(b, 16, 1);
    assert.equal(got.data.toString(), 'x');
    assert.equal(got.fds.length, 1);
    const [rfd] = got.fds;
    assert.ok(rfd !== undefined && rfd !== fd);
    assert.ok(isCloexec(rfd));
    assert.equal(fs.readlinkSync(`/proc/self/fd/${rfd}`), file);
    closeFd(rfd);

    sendFds(a, Buffer.from('no fds'), []);
    assert.deepEqual(recvFds(b, 16, 1), { data: Buffer.from('no fds'), fds: [] });
  } finally {
    fs.closeSync(fd);
    closeFd(a);
    closeFd(b);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('more fds than room is an error, and none of them leak', () => {
  const [a, b] = socketPair();
  try {
    // Three: control space for one fd is padded to eight bytes, which two would fit.
    sendFds(a, Buffer.from('x'), [0, 1, 2]);
    assert.throws(() => recvFds(b, 16, 1), { message: /MSG_CTRUNC/ });
  } finally {
    closeFd(a);
    closeFd(b);
  }
});
