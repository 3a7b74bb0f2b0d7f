// Owns: running the precompiled config.json schema validator and turning its errors
// into Findings that name a JSON pointer and say, in plain words, what was expected
// and what was found. Runs in: cli.
//
// The validator is ajv standalone code generated at build time
// (scripts/build-validators.js -> dist/validators/config.js): `create` runs on every
// container start and must not pay for compiling a schema or loading ajv's compiler.
import * as path from 'node:path';
import type { ErrorObject } from 'ajv';
import { RuntimeError } from '../errors';
import type { Finding } from './finding';
import { shortJson } from './load';

/** The shape of an ajv standalone validate function. */
interface CompiledValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

/** dist/src/spec/schema.js -> dist/validators/config.js */
const VALIDATOR_PATH = path.join(__dirname, '..', '..', 'validators', 'config.js');

let validator: CompiledValidator | undefined;

function loadValidator(): CompiledValidator {
  if (validator === undefined) {
    let mod: unknown;
    try {
      mod = require(VALIDATOR_PATH) as unknown;
    } catch (err) {
      throw new RuntimeError(`load config schema validator ${VALIDATOR_PATH} (run make validators)`, { cause: err });
    }
    if (typeof mod !== 'function') throw new RuntimeError(`${VALIDATOR_PATH} does not export a validate function`);
    validator = mod as CompiledValidator;
  }
  return validator;
}

/** Every shape problem in a parsed config.json, as schema findings (empty when valid). */
export function schemaFindings(value: unknown): Finding[] {
  const validate = loadValidator();
  if (validate(value)) return [];
  return toFindings(validate.errors ?? [], value);
}

// ---------------------------------------------------------------------------------
// ajv errors -> findings

/** An ajv error, or a oneOf/anyOf error with the errors of its branches gathered under it. */
interface Node {
  err: ErrorObject;
  members: Node[];
}

const COMBINATORS = new Set(['anyOf', 'oneOf']);

/** Keywords that reject the value itself at its own pointer (the branch's "gate"). */
const GATE_KEYWORDS = new Set(['type', 'enum', 'const']);

/**
 * ajv errors (allErrors mode) -> findings, one per pointer. Exported for tests, which
 * feed it errors from schemas compiled on the spot.
 */
export function toFindings(errors: readonly ErrorObject[], value: unknown): Finding[] {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const node of groupCombinators(errors)) {
    for (const f of nodeFindings(node, value)) {
      if (seen.has(f.pointer)) continue;
      seen.add(f.pointer);
      findings.push(f);
    }
  }
  return findings;
}

/**
 * ajv reports a failed anyOf/oneOf after the errors of all its branches, and those
 * errors sit at or below the combinator's own instancePath. Walking the list once with
 * a stack gathers them under the combinator so one useful branch can be reported
 * instead of every branch's complaint.
 */
function groupCombinators(errors: readonly ErrorObject[]): Node[] {
  const stack: Node[] = [];
  for (const err of errors) {
    if (COMBINATORS.has(err.keyword)) {
      const members: Node[] = [];
      while (stack.length > 0) {
        const top = stack[stack.length - 1];
        if (top === undefined || !isAtOrBelow(top.err.instancePath, err.instancePath)) break;
        members.unshift(top);
        stack.pop();
      }
      stack.push({ err, members });
    } else {
      stack.push({ err, members: [] });
    }
  }
  return stack;
}

function isAtOrBelow(pointer: string, base: string): boolean {
  return pointer === base || pointer.startsWith(`${base}/`);
}

function nodeFindings(node: Node, value: unknown): Finding[] {
  if (!COMBINATORS.has(node.err.keyword)) return [errorFinding(node.err, value)];
  return combinatorFindings(node, value);
}

function combinatorFindings(node: Node, value: unknown): Finding[] {
  const { err, members } = node;
  const pointer = err.instancePath;
  const found = foundAt(value, pointer);
  if (members.length === 0) {
    // oneOf with more than one passing branch: nothing failed, the value is ambiguous.
    return [{ pointer, rule: 'schema', severity: 'error', message: 'value matches more than one allowed shape', ...found }];
  }

  // A branch that got past its gate (right type, allowed value) and then failed deeper
  // is what the author most likely meant: report that branch, the one with the fewest
  // complaints. Branches are told apart by their schemaPath under the combinator's.
  const deep = members.filter((m) => !(m.err.instancePath === pointer && GATE_KEYWORDS.has(m.err.keyword)));
  if (deep.length > 0) {
    const byBranch = new Map<string, Node[]>();
    for (const m of deep) {
      const key = branchOf(m.err.schemaPath, err.schemaPath);
      byBranch.set(key, [...(byBranch.get(key) ?? []), m]);
    }
    let best: Node[] = [];
    for (const group of byBranch.values()) if (best.length === 0 || group.length < best.length) best = group;
    return best.flatMap((m) => nodeFindings(m, value));
  }

  // Every branch rejected the value outright: one finding listing what would do.
  const expected = [...new Set(members.map((m) => expectedOf(m.err)).filter((e): e is string => e !== undefined))];
  return [
    {
      pointer,
      rule: 'schema',
      severity: 'error',
      message: 'value does not match any allowed shape',
      ...(expected.length > 0 ? { expected: expected.join(' or ') } : {}),
      ...found,
    },
  ];
}

/** "#/x/anyOf/1/type" under "#/x/anyOf" -> "1"; errors from a $ref'd schema get "?". */
function branchOf(schemaPath: string, combinatorPath: string): string {
  if (!schemaPath.startsWith(`${combinatorPath}/`)) return '?';
  return schemaPath.slice(combinatorPath.length + 1).split('/')[0] ?? '?';
}

/**
 * Plain words for the schema's patterns, keyed by the pattern itself: ajv's schemaPath
 * is relative to whichever compiled function reported the error, so it cannot name the
 * field reliably, but the pattern text can. test/unit/spec/schema.test.ts checks that
 * every pattern in schemas/config.schema.json has an entry here.
 */
export const PATTERN_WORDS: ReadonlyMap<string, { message: string; expected: string }> = new Map([
  [
    '^(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)(-[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?(\\+[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?$',
    { message: 'invalid ociVersion', expected: 'a SemVer 2.0 version such as "1.3.0"' },
  ],
  ['^/', { message: 'path must be absolute', expected: 'a path starting with "/"' }],
  ['^RLIMIT_[A-Z]+$', { message: 'invalid rlimit type', expected: 'a name such as "RLIMIT_NOFILE"' }],
  ['^[0-9, -]*$', { message: 'invalid CPU or node list', expected: 'a list such as "0-3,7"' }],
  ['^[rwm]*$', { message: 'invalid device access', expected: 'a combination of "r", "w" and "m"' }],
  ['^MB:[^\\n]*$', { message: 'invalid memory bandwidth schema', expected: 'a single line starting with "MB:"' }],
]);

function patternWords(err: ErrorObject): { message: string; expected: string } | undefined {
  if (err.keyword !== 'pattern') return undefined;
  return PATTERN_WORDS.get(String((err.params as Record<string, unknown>)['pattern']));
}

function errorFinding(err: ErrorObject, value: unknown): Finding {
  const params = err.params as Record<string, unknown>;
  const base = { rule: 'schema', severity: 'error' as const };

  if (err.keyword === 'required') {
    const missing = String(params['missingProperty']);
    return { ...base, pointer: `${err.instancePath}/${escapePointer(missing)}`, message: 'required field is missing' };
  }

  const pointer = err.instancePath;
  const found = foundAt(value, pointer);
  const expected = expectedOf(err);
  const withExpected = expected === undefined ? {} : { expected };
  return { ...base, pointer, message: messageOf(err), ...withExpected, ...found };
}

function messageOf(err: ErrorObject): string {
  const params = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'type':
      return 'wrong type';
    case 'enum':
      return 'value is not one of the allowed values';
    case 'const':
      return 'value is not the allowed value';
    case 'pattern':
      return patternWords(err)?.message ?? 'value does not match the required pattern';
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return 'number out of range';
    case 'multipleOf':
      return 'number is not an allowed multiple';
    case 'minItems':
      return 'too few items';
    case 'maxItems':
      return 'too many items';
    case 'uniqueItems':
      return 'items must be unique';
    case 'minLength':
      return 'string too short';
    case 'maxLength':
      return 'string too long';
    case 'minProperties':
      return 'too few fields';
    case 'maxProperties':
      return 'too many fields';
    case 'additionalProperties':
      return `unknown field ${JSON.stringify(params['additionalProperty'])}`;
    case 'propertyNames':
      return 'invalid field name';
    case 'format':
      return `not a valid ${String(params['format'])}`;
    case 'not':
      return 'value is not allowed here';
    default:
      return err.message ?? `fails the ${err.keyword} rule`;
  }
}

function expectedOf(err: ErrorObject): string | undefined {
  const params = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'type': {
      const t = params['type'];
      return `type ${Array.isArray(t) ? t.join(' or ') : String(t)}`;
    }
    case 'enum': {
      const allowed = params['allowedValues'];
      return Array.isArray(allowed) ? `one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}` : undefined;
    }
    case 'const':
      return JSON.stringify(params['allowedValue']);
    case 'pattern':
      return patternWords(err)?.expected ?? `a value matching ${String(params['pattern'])}`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `a number ${String(params['comparison'])} ${String(params['limit'])}`;
    case 'multipleOf':
      return `a multiple of ${String(params['multipleOf'])}`;
    case 'minItems':
      return `at least ${String(params['limit'])} item(s)`;
    case 'maxItems':
      return `at most ${String(params['limit'])} item(s)`;
    case 'minLength':
      return `at least ${String(params['limit'])} character(s)`;
    case 'maxLength':
      return `at most ${String(params['limit'])} character(s)`;
    default:
      return undefined;
  }
}

function foundAt(root: unknown, pointer: string): { found?: string } {
  const v = valueAt(root, pointer);
  return v.present ? { found: shortJson(v.value) } : {};
}

/** The value a JSON pointer names inside a parsed document (RFC 6901). */
export function valueAt(root: unknown, pointer: string): { present: boolean; value?: unknown } {
  if (pointer === '') return { present: true, value: root };
  let cur: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) {
      const idx = Number(key);
      if (!Number.isInteger(idx) || idx < 0 || idx >= cur.length) return { present: false };
      cur = cur[idx] as unknown;
    } else if (cur !== null && typeof cur === 'object' && Object.prototype.hasOwnProperty.call(cur, key)) {
      cur = (cur as Record<string, unknown>)[key];
    } else {
      return { present: false };
    }
  }
  return { present: true, value: cur };
}

function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}
