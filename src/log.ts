// Owns: the runtime's log output — debug namespaces for tracing and the runc-shaped
// log lines that callers read. Runs in: cli and setup.
//
// runc (logrus) writes either `time="…" level=error msg="…"` (text) or
// `{"level":"error","msg":"…","time":"…"}` (json, keys in that order). containerd
// decodes the whole --log file as JSON lines and reports the last error line, and
// podman reads it too, so a line that is not JSON breaks them: every line in the file
// goes through formatLine().
import * as fs from 'node:fs';
import { format } from 'node:util';
import type createDebug from 'debug';

export type LogFormat = 'text' | 'json';
export type LogLevel = 'debug' | 'info' | 'warning' | 'error' | 'fatal';

export interface LogConfig {
  /** Append-mode log file (`--log`); undefined means stderr. */
  file?: string | undefined;
  format: LogFormat;
  debug: boolean;
}

const config: LogConfig = { format: 'text', debug: false };

export function configureLog(next: Partial<LogConfig>): void {
  Object.assign(config, next);
  if (config.debug) {
    loadDebug().enable(['runts:*', process.env['DEBUG'] ?? ''].filter(Boolean).join(','));
  }
}

/**
 * The `debug` package is loaded only when tracing is on (--debug or DEBUG set): most
 * commands never trace, and every millisecond of start-up is paid on each call.
 */
let debugLib: typeof createDebug | undefined;
function loadDebug(): typeof createDebug {
  if (debugLib === undefined) {
    // The log line carries its own time; debug's date prefix would repeat it.
    process.env['DEBUG_HIDE_DATE'] ??= '1';
    debugLib = require('debug') as typeof createDebug;
  }
  return debugLib;
}

export function logConfig(): Readonly<LogConfig> {
  return config;
}

/** Go's time.RFC3339 ("2006-01-02T15:04:05Z07:00") in local time. */
export function rfc3339(d: Date = new Date()): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  const offMin = -d.getTimezoneOffset();
  const zone =
    offMin === 0
      ? 'Z'
      : `${offMin > 0 ? '+' : '-'}${pad(Math.floor(Math.abs(offMin) / 60))}:${pad(Math.abs(offMin) % 60)}`;
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}` +
    `T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${zone}`
  );
}

/** logrus' TextFormatter quotes a value unless it is made only of these characters. */
function logrusValue(v: string): string {
  return /^[A-Za-z0-9\-._/@^+]+$/.test(v) ? v : JSON.stringify(v);
}

export function formatLine(level: LogLevel, msg: string, fmt: LogFormat, time: Date = new Date()): string {
  if (fmt === 'json') {
    return JSON.stringify({ level, msg, time: rfc3339(time) });
  }
  return `time=${logrusValue(rfc3339(time))} level=${level} msg=${logrusValue(msg)}`;
}

function writeLine(line: string): void {
  try {
    if (config.file !== undefined) {
      fs.appendFileSync(config.file, line + '\n', { mode: 0o600 });
    } else {
      process.stderr.write(line + '\n');
    }
  } catch {
    // A log that cannot be written must not turn a success into a failure.
  }
}

export function log(level: LogLevel, msg: string): void {
  if (level === 'debug' && !config.debug) return;
  writeLine(formatLine(level, msg, config.format));
}

export const warn = (msg: string): void => log('warning', msg);
export const info = (msg: string): void => log('info', msg);

/**
 * The final error of a failing command, written the way runc's fatal() does: into the
 * log (file or stderr), and — when the log is a file — also as the bare message on
 * stderr, so a person at a terminal and a shim reading the file both see it once.
 */
export function logFatal(msg: string): void {
  writeLine(formatLine('error', msg, config.format));
  if (config.file !== undefined) process.stderr.write(msg + '\n');
}

export type DebugFn = (formatter: string, ...args: unknown[]) => void;

/**
 * A debug namespace (`runts:cgroups` …). Enabled by --debug or DEBUG=runts:*; with
 * --debug its output becomes level=debug log lines so --log files stay parseable.
 */
export function debugFor(ns: string): DebugFn {
  let d: createDebug.Debugger | undefined;
  return (formatter, ...args) => {
    if (!config.debug && process.env['DEBUG'] === undefined) return;
    if (d === undefined) {
      d = loadDebug()(`runts:${ns}`);
      d.log = (...parts: unknown[]): void => {
        if (config.debug) writeLine(formatLine('debug', format(...parts), config.format));
        else process.stderr.write(format(...parts) + '\n');
      };
    }
    d(formatter, ...args);
  };
}
