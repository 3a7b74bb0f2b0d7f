// Owns: the shape of one problem found in a bundle, shared by the JSON reader, the
// schema check and the semantic checks. Runs in: cli.
import { ConfigError } from '../errors';

export type Severity = 'error' | 'warning';

export interface Finding {
  /** JSON pointer of the offending field ('' for the document, '/linux/namespaces/2/type') */
  pointer: string;
  /** short rule id, e.g. 'json-syntax', 'schema', 'namespace-duplicate' */
  rule: string;
  severity: Severity;
  /** what is wrong, lower-case, no final period */
  message: string;
  expected?: string;
  found?: string;
  /** for json-syntax: 1-based position in config.json */
  line?: number;
  column?: number;
}

/** A finding; expected/found only when given (exactOptionalPropertyTypes). */
export function finding(severity: Severity, rule: string, pointer: string, message: string, expected?: string, found?: string): Finding {
  const f: Finding = { pointer, rule, severity, message };
  if (expected !== undefined) f.expected = expected;
  if (found !== undefined) f.found = found;
  return f;
}

/** A config value as a finding's `found`: JSON where it has a JSON form. */
export const showValue = (v: unknown): string => JSON.stringify(v) ?? String(v);

/** One finding as one line: `/linux/namespaces/2/type: unknown namespace type (expected …, found "foo")`. */
export function renderFinding(f: Finding): string {
  // Bundle-level problems (no config.json, no bundle dir) keep runc's exact text.
  if (f.rule === 'bundle') return f.message;
  const where = f.line !== undefined ? `config.json:${f.line}:${f.column ?? 0}` : f.pointer === '' ? 'config.json' : f.pointer;
  const detail: string[] = [];
  if (f.expected !== undefined) detail.push(`expected ${f.expected}`);
  if (f.found !== undefined) detail.push(`found ${f.found}`);
  return `${where}: ${f.message}${detail.length > 0 ? ` (${detail.join(', ')})` : ''}`;
}

/** The first error finding as the ConfigError that create/run fail with. */
export function findingError(f: Finding): ConfigError {
  return new ConfigError(renderFinding(f), f.pointer);
}
