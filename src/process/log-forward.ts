// Owns: forwarding the native init's JSON log lines ({"level","msg"}) into src/log.ts.
// Runs in: cli.
//
// Logs travel apart from errors (runc libcontainer/logs/logs.go): a broken or
// non-JSON line is forwarded as text, never turned into a failure; errors come as
// SYNC_ERROR on the sync socket.
import * as net from 'node:net';
import type { Readable } from 'node:stream';
import { log, type LogLevel } from '../log';

const LEVELS: ReadonlySet<string> = new Set(['debug', 'info', 'warning', 'error', 'fatal']);
/** Lines longer than this are cut: the native side never writes more than ~8 KiB. */
const MAX_LINE = 64 * 1024;

export type LogSink = (level: LogLevel, msg: string) => void;

/** One line -> level and message; anything that is not our JSON shape is a warning. */
export function parseLogLine(line: string): { level: LogLevel; msg: string } {
  try {
    const v = JSON.parse(line) as unknown;
    if (typeof v === 'object' && v !== null) {
      const { level, msg } = v as { level?: unknown; msg?: unknown };
      if (typeof level === 'string' && LEVELS.has(level) && typeof msg === 'string') {
        return { level: level as LogLevel, msg: `runts-init: ${msg}` };
      }
    }
  } catch {
    // fall through: forwarded as text
  }
  return { level: 'warning', msg: `runts-init: ${line}` };
}

/**
 * Read lines from `stream` until EOF and hand each to `sink` (log() by default).
 * Resolves when every writer has closed its end.
 */
export function forwardLogs(stream: Readable, sink: LogSink = log): Promise<void> {
  return new Promise<void>((resolve) => {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (line.length > 0) {
          const { level, msg } = parseLogLine(line);
          sink(level, msg);
        }
      }
      if (pending.length > MAX_LINE) {
        sink('warning', `runts-init: ${pending.slice(0, 200)}... (log line cut at ${MAX_LINE} bytes)`);
        pending = '';
      }
    });
    const done = (): void => {
      if (pending.length > 0) {
        const { level, msg } = parseLogLine(pending);
        sink(level, msg);
        pending = '';
      }
      resolve();
    };
    stream.on('end', done);
    stream.on('close', done);
    stream.on('error', done);
  });
}

/** forwardLogs over a stream fd (our end of the log socket); owns and closes the fd. */
export function forwardLogFd(fd: number, sink: LogSink = log): { done: Promise<void>; close(): void } {
  const sock = new net.Socket({ fd, readable: true, writable: false });
  return { done: forwardLogs(sock, sink), close: () => sock.destroy() };
}
