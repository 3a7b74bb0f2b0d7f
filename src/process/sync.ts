// Owns: the CLI's end of the sync socket — framing, typed receive with an expected
// type at every read, and SYNC_ERROR -> ChildError. Runs in: cli.
//
//  CLI (this end)          [0:PARENT]        [1:CHILD]                [2:INIT]
//   |--SYNC_BOOTSTRAP------->|
//   |                        fork ------------->| setns(join...), unshare(USER)
//   |<--SYNC_USERMAP_PLS(pid)-------------------|          (only with CLONE_NEWUSER)
//   write setgroups, uid_map, gid_map
//   |--SYNC_USERMAP_ACK------------------------>| unshare(rest), clone -->|
//   |<--SYNC_PID(init pid)----------------------| exit                   |
//   join cgroups, oom_score_adj, hooks                                   |
//   |--SYNC_GO------------------------------------------------------------>| setup, creds
//   |<--SYNC_READY---------------------------------------------------------|
//   |                        create: exit 0; run: exit with init's status
//
// Join mode (exec) is the same without USERMAP and setup: SYNC_PID is the new
// process, which the CLI puts in the container's cgroups before SYNC_GO.
// Any stage may answer SYNC_ERROR {u32 stage, i32 errno, message} instead; the full
// picture, with sizes, is in native/include/runts-proto.h.
import * as net from 'node:net';
import * as os from 'node:os';
import { getSystemErrorMap } from 'node:util';
import { ChildError, RuntimeError } from '../errors';
import { RUNTS_BOOTSTRAP_MAX, RUNTS_MSG_HDR_LEN, RUNTS_MSG_MAX, SYNC_BOOTSTRAP, SYNC_ERROR, stageName, syncName } from './proto';

const LE = os.endianness() === 'LE';

export interface Message {
  type: number;
  payload: Buffer;
}

/** The sync socket was closed (or failed) while a message was expected. */
export class SyncClosedError extends RuntimeError {
  constructor(readonly expected: number, message: string) {
    super(message);
  }
}

let errorTexts: Map<number, [string, string]> | undefined;
/** libuv's text for an errno ("no such file or directory"): Go's wording, which runc prints. */
export function errnoText(errno: number): string {
  errorTexts ??= getSystemErrorMap();
  return errorTexts.get(-errno)?.[1] ?? `errno ${errno}`;
}

/** SYNC_ERROR payload -> ChildError: "<context>: <errno text>" like runc's wrapped errors. */
export function decodeError(payload: Buffer): ChildError {
  if (payload.length < 8) return new ChildError('unknown', 0, `malformed SYNC_ERROR (${payload.length} bytes)`);
  const stage = LE ? payload.readUInt32LE(0) : payload.readUInt32BE(0);
  const errno = LE ? payload.readInt32LE(4) : payload.readInt32BE(4);
  const text = payload.subarray(8).toString('utf8');
  return new ChildError(stageName(stage), errno, errno !== 0 ? `${text}: ${errnoText(errno)}` : text);
}

export function encodeMessage(type: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const hdr = Buffer.alloc(RUNTS_MSG_HDR_LEN);
  if (LE) {
    hdr.writeUInt32LE(type, 0);
    hdr.writeUInt32LE(payload.length, 4);
  } else {
    hdr.writeUInt32BE(type, 0);
    hdr.writeUInt32BE(payload.length, 4);
  }
  return Buffer.concat([hdr, payload]);
}

export function u32Payload(v: number): Buffer {
  const b = Buffer.alloc(4);
  if (LE) b.writeUInt32LE(v);
  else b.writeUInt32BE(v);
  return b;
}

export function readU32(payload: Buffer, what: string): number {
  if (payload.length !== 4) throw new RuntimeError(`${what}: payload length ${payload.length}, want 4`);
  return LE ? payload.readUInt32LE(0) : payload.readUInt32BE(0);
}

interface Waiter {
  type: number;
  resolve: (payload: Buffer) => void;
  reject: (err: Error) => void;
}

/**
 * One end of a sync socket. Messages arrive in order; `expect` takes the next one and
 * fails when it is not the type asked for (or is SYNC_ERROR). Only one `expect` may be
 * pending: the protocol is strictly request/answer.
 */
export class SyncEndpoint {
  private buf: Buffer = Buffer.alloc(0);
  private readonly queue: Message[] = [];
  private waiter: Waiter | undefined;
  private closedReason: string | undefined;

  constructor(private readonly sock: net.Socket) {
    sock.on('data', (chunk: Buffer) => this.onData(chunk));
    sock.on('end', () => this.onClose('the sync socket was closed'));
    sock.on('close', () => this.onClose('the sync socket was closed'));
    sock.on('error', (err) => this.onClose(`the sync socket failed: ${err.message}`));
  }

  /** Wrap a connected stream socket fd; the endpoint owns it from now on. */
  static fromFd(fd: number): SyncEndpoint {
    return new SyncEndpoint(new net.Socket({ fd, readable: true, writable: true, allowHalfOpen: true }));
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    while (this.buf.length >= RUNTS_MSG_HDR_LEN) {
      const type = LE ? this.buf.readUInt32LE(0) : this.buf.readUInt32BE(0);
      const len = LE ? this.buf.readUInt32LE(4) : this.buf.readUInt32BE(4);
      if (len > RUNTS_MSG_MAX) {
        this.fail(`message ${syncName(type)} of ${len} bytes exceeds ${RUNTS_MSG_MAX}`);
        return;
      }
      if (this.buf.length < RUNTS_MSG_HDR_LEN + len) break;
      const payload = Buffer.from(this.buf.subarray(RUNTS_MSG_HDR_LEN, RUNTS_MSG_HDR_LEN + len));
      this.buf = this.buf.subarray(RUNTS_MSG_HDR_LEN + len);
      this.queue.push({ type, payload });
    }
    this.deliver();
  }

  private fail(reason: string): void {
    this.closedReason ??= reason;
    this.sock.destroy();
    this.deliver();
  }

  private onClose(reason: string): void {
    this.closedReason ??= reason;
    this.deliver();
  }

  private deliver(): void {
    const w = this.waiter;
    if (w === undefined) return;
    const msg = this.queue.shift();
    if (msg !== undefined) {
      this.waiter = undefined;
      if (msg.type === w.type) w.resolve(msg.payload);
      else if (msg.type === SYNC_ERROR) w.reject(decodeError(msg.payload));
      else w.reject(new RuntimeError(`unexpected message on the sync socket: expected ${syncName(w.type)}, got ${syncName(msg.type)}`));
      return;
    }
    if (this.closedReason !== undefined) {
      this.waiter = undefined;
      w.reject(new SyncClosedError(w.type, `${this.closedReason} while waiting for ${syncName(w.type)}`));
    }
  }

  /** The payload of the next message, which must be of `type`. */
  expect(type: number): Promise<Buffer> {
    if (this.waiter !== undefined) {
      return Promise.reject(new RuntimeError(`sync: already waiting for ${syncName(this.waiter.type)}`));
    }
    return new Promise<Buffer>((resolve, reject) => {
      this.waiter = { type, resolve, reject };
      this.deliver();
    });
  }

  send(type: number, payload: Buffer = Buffer.alloc(0)): Promise<void> {
    const max = type === SYNC_BOOTSTRAP ? RUNTS_BOOTSTRAP_MAX : RUNTS_MSG_MAX;
    if (payload.length > max) {
      return Promise.reject(new RuntimeError(`sync: ${syncName(type)} of ${payload.length} bytes exceeds ${max}`));
    }
    if (this.sock.destroyed || !this.sock.writable) {
      return Promise.reject(new SyncClosedError(type, `the sync socket was closed before sending ${syncName(type)}`));
    }
    return new Promise<void>((resolve, reject) => {
      this.sock.write(encodeMessage(type, payload), (err) => {
        if (err) reject(new SyncClosedError(type, `send ${syncName(type)}: ${err.message}`));
        else resolve();
      });
    });
  }

  close(): void {
    this.sock.destroy();
  }
}
