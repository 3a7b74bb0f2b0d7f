// Owns: finding and reading <bundle>/config.json, and turning every way that can go
// wrong (no bundle, no file, unreadable, not JSON, not an object) into a Finding with
// a position a person can jump to. Runs in: cli.
//
// Nothing here throws for bad user input: `runts check` wants every problem as data,
// and create/run turn the first error finding into a ConfigError.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Finding } from './finding';

export const CONFIG_FILE = 'config.json';

export interface LoadedConfig {
  /** absolute bundle directory, as given (symlinks not resolved) */
  bundle: string;
  /** absolute path of config.json */
  path: string;
  text: string;
  /** the parsed document; always a plain JSON object */
  value: unknown;
}

/**
 * The bundle directory as an absolute path. runc treats a missing or empty --bundle as
 * the current directory and chdirs into it without resolving symlinks, so the state's
 * `bundle` field keeps the path the caller used; realpath would change what shims see.
 */
export function resolveBundle(bundle: string | undefined): string {
  return path.resolve(bundle === undefined || bundle === '' ? process.cwd() : bundle);
}

export function readConfig(bundle: string): { loaded?: LoadedConfig; findings: Finding[] } {
  const dir = resolveBundle(bundle);

  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch (err) {
    // runc's wording: it chdirs into the bundle first.
    return fail('bundle', `chdir ${dir}: ${describeFsError(err)}`);
  }
  if (!st.isDirectory()) return fail('bundle', `chdir ${dir}: not a directory`);

  const file = path.join(dir, CONFIG_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (isErrnoException(err) && err.code === 'ENOENT') {
      return fail('bundle', `JSON specification file ${CONFIG_FILE} not found`);
    }
    return fail('bundle', `read ${file}: ${describeFsError(err)}`);
  }

  const parsed = parseJson(text);
  if (!parsed.ok) return { findings: [parsed.finding] };

  const value = parsed.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const at = positionOf(text, firstNonWhitespace(text));
    return {
      findings: [
        {
          pointer: '',
          rule: 'json-syntax',
          severity: 'error',
          message: 'top-level value must be a JSON object',
          expected: 'type object',
          found: shortJson(value),
          ...at,
        },
      ],
    };
  }

  return { loaded: { bundle: dir, path: file, text, value }, findings: [] };
}

function fail(rule: string, message: string): { findings: Finding[] } {
  return { findings: [{ pointer: '', rule, severity: 'error', message }] };
}

type ParseResult = { ok: true; value: unknown } | { ok: false; finding: Finding };

/** JSON.parse, with a failure turned into a json-syntax Finding carrying line and column. */
export function parseJson(text: string): ParseResult {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    const raw = err instanceof Error ? err.message : String(err);
    const offset = syntaxErrorOffset(raw, text);
    const message = text.charCodeAt(0) === 0xfeff ? 'file starts with a byte order mark (not allowed in JSON)' : describeSyntaxError(raw);
    return {
      ok: false,
      finding: { pointer: '', rule: 'json-syntax', severity: 'error', message, ...positionOf(text, offset) },
    };
  }
}

/**
 * Where the parse failed. V8 says "at position N" for most errors; "Unexpected end of
 * JSON input" means the end; for the "Unexpected token 'x', "..." is not valid JSON"
 * form (Node 20) it gives no offset, so the text is scanned to find it.
 */
function syntaxErrorOffset(message: string, text: string): number {
  const m = /at position (\d+)/.exec(message);
  if (m !== null) return Math.min(Number(m[1]), text.length);
  if (/Unexpected end of JSON input/i.test(message)) return text.length;
  return scanForSyntaxError(text);
}

/** V8's text without its offset and quoted excerpt, in the project's lower-case style. */
function describeSyntaxError(message: string): string {
  const token = /^Unexpected token '(.*?)', ".*" is not valid JSON$/s.exec(message);
  let m =
    token !== null
      ? `Unexpected token '${visible(token[1] ?? '')}'`
      : message.replace(/\s*(?:in JSON )?at position \d+.*$/s, '').replace(/\s*\(line \d+ column \d+\)$/, '');
  if (m === '') m = 'invalid JSON';
  return `invalid JSON: ${m.charAt(0).toLowerCase()}${m.slice(1)}`;
}

/** A stray newline or tab quoted in a one-line message would break the line: escape it. */
function visible(token: string): string {
  const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
  return token.replace(/[\u0000-\u001f\u007f\ufeff]/g, (c) => named[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** 1-based line and column of a UTF-16 offset; lines end at \n (a \r before it is whitespace). */
export function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.max(0, Math.min(offset, text.length));
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

function firstNonWhitespace(text: string): number {
  const m = /[^ \t\r\n]/.exec(text);
  return m === null ? 0 : m.index;
}

/**
 * The offset of the first character a JSON parser must reject, or text.length when the
 * text ends too early. Only used when V8's message carries no position, so it favours
 * being small and obviously right over speed.
 */
export function scanForSyntaxError(text: string): number {
  let i = 0;
  const n = text.length;
  class Stop {
    constructor(readonly at: number) {}
  }
  const ws = (): void => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const expect = (ch: string): void => {
    if (i >= n || text[i] !== ch) throw new Stop(i);
    i++;
  };
  const literal = (word: string): void => {
    for (const ch of word) expect(ch);
  };
  const str = (): void => {
    expect('"');
    for (;;) {
      if (i >= n) throw new Stop(i);
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c < 0x20) throw new Stop(i);
      if (c === 0x5c) {
        i++;
        if (i >= n) throw new Stop(i);
        const e = text[i] ?? '';
        if ('"\\/bfnrt'.includes(e)) i++;
        else if (e === 'u') {
          i++;
          for (let k = 0; k < 4; k++) {
            if (i >= n || !/[0-9a-fA-F]/.test(text[i] ?? '')) throw new Stop(i);
            i++;
          }
        } else throw new Stop(i);
      } else i++;
    }
  };
  const digits = (): void => {
    if (i >= n || !/[0-9]/.test(text[i] ?? '')) throw new Stop(i);
    while (i < n && /[0-9]/.test(text[i] ?? '')) i++;
  };
  const num = (): void => {
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else digits();
    if (text[i] === '.') {
      i++;
      digits();
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      digits();
    }
  };
  const value = (): void => {
    ws();
    if (i >= n) throw new Stop(i);
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        str();
        ws();
        expect(':');
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        expect('}');
        return;
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        expect(']');
        return;
      }
    } else if (c === '"') str();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) num();
    else throw new Stop(i);
  };
  try {
    value();
    ws();
    return i < n ? i : n;
  } catch (e) {
    if (e instanceof Stop) return e.at;
    throw e;
  }
}

/** A JSON value as short text for `found` in a finding. */
export function shortJson(value: unknown, max = 60): string {
  let s: string;
  try {
    s = JSON.stringify(value) ?? String(value);
  } catch {
    s = String(value);
  }
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function isErrnoException(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string';
}

/** "no such file or directory" from Node's "ENOENT: no such file or directory, stat '/x'". */
function describeFsError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const m = /^[A-Z0-9]+: (.*?), \w+(?: '.*')?$/s.exec(err.message);
  if (m?.[1] !== undefined) return m[1];
  return isErrnoException(err) && err.code !== undefined ? err.code : err.message;
}
