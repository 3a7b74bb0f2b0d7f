// Owns: the validation pipeline shared by `runts check` (report everything) and
// create/run (stop at the first error): read config.json, schema, semantic rules.
// Runs in: cli.
import { RuntimeError } from '../errors';
import { findingError, type Finding } from './finding';
import { readConfig, resolveBundle } from './load';
import { schemaFindings } from './schema';
import type { Spec } from './types';
import { semanticFindings, type HostProbes } from './validate';

export interface CheckOptions {
  systemdCgroup: boolean;
  /** host probes for the semantic rules (tests); the real host by default */
  host?: Partial<HostProbes>;
}

export interface CheckResult {
  /** the parsed config, when it could be parsed at all */
  spec?: Spec;
  bundle: string;
  findings: Finding[];
}

const isError = (f: Finding): boolean => f.severity === 'error';

/**
 * A semantic finding about a field the schema already rejected says the same thing
 * twice (an unknown seccomp action, an unknown namespace type): keep the schema's.
 */
function notCoveredBySchema(schema: readonly Finding[]): (f: Finding) => boolean {
  const bad = schema.filter(isError).map((f) => f.pointer);
  return (f) => !bad.some((p) => p !== '' && (f.pointer === p || f.pointer.startsWith(`${p}/`)));
}

export function checkBundle(bundle: string | undefined, opts: CheckOptions): CheckResult {
  let dir: string;
  try {
    dir = resolveBundle(bundle);
  } catch (err) {
    if (!(err instanceof RuntimeError)) throw err;
    const f: Finding = { pointer: '', rule: 'bundle', severity: 'error', message: err.message };
    return { bundle: bundle ?? process.cwd(), findings: [f] };
  }
  const read = readConfig(dir);
  if (read.loaded === undefined || read.findings.some(isError)) return { bundle: dir, findings: read.findings };
  const value = read.loaded.value;
  const schema = schemaFindings(value);
  // The schema guarantees an object only when it reported nothing about the root;
  // rules read every field defensively, but they need an object to start from.
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { bundle: dir, findings: [...read.findings, ...schema] };
  }
  const spec = value as Spec;
  const semantic = semanticFindings(spec, dir, opts.host ?? {}, { systemdCgroup: opts.systemdCgroup });
  return { spec, bundle: dir, findings: [...read.findings, ...schema, ...semantic.filter(notCoveredBySchema(schema))] };
}

/**
 * For create/run: the valid spec and its warnings, or the first error as the single
 * ConfigError runc-style callers expect (one line naming the field).
 */
export function assertBundleValid(bundle: string | undefined, opts: CheckOptions): { spec: Spec; bundle: string; warnings: Finding[] } {
  const res = checkBundle(bundle, opts);
  const first = res.findings.find(isError);
  if (first !== undefined) throw findingError(first);
  if (res.spec === undefined) throw findingError({ pointer: '', rule: 'json-syntax', severity: 'error', message: 'config.json could not be read' });
  return { spec: res.spec, bundle: res.bundle, warnings: res.findings.filter((f) => !isError(f)) };
}
