// Owns: the stdout of `state` and `list`, byte for byte what runc prints, because
// shims and scripts parse it. Runs in: cli.
//
// runc prints through Go's encoding/json and text/tabwriter, so this file carries the
// small parts of both that show: map keys sorted, '<' '>' '&' U+2028 U+2029 escaped,
// \b and \f written as \u0008 \u000c (Go before 1.22, which Debian's runc is built
// with), nil slices as null, and tabwriter's column padding.
import type { Status } from '../spec/types';

/** runc's containerState (runc/list.go), the object `state` and `list -f json` print. */
export interface ContainerStateOutput {
  ociVersion: string;
  id: string;
  /** 0 once the container has stopped */
  pid: number;
  status: Status;
  bundle: string;
  rootfs: string;
  created: string;
  /** omitted when empty (`omitempty`) */
  annotations?: Record<string, string>;
  /** `state` prints ""; `list` the name of the state dir's owner */
  owner: string;
}

/** A JSON value whose object keys keep the order they were added in (a JS object would not for "1"). */
export type GoJson = string | number | boolean | null | GoJson[] | Map<string, GoJson>;

function goString(s: string): string {
  return JSON.stringify(s).replace(/\\\\|\\b|\\f|[<>&\u2028\u2029]/g, (m) => {
    switch (m) {
      case '\\b':
        return '\\u0008';
      case '\\f':
        return '\\u000c';
      case '\\\\':
        return m;
      default:
        return `\\u${m.charCodeAt(0).toString(16).padStart(4, '0')}`;
    }
  });
}

/** Go's json.Marshal (indent undefined) or json.MarshalIndent(v, "", indent). */
export function goMarshal(v: GoJson, indent?: string, depth = 0): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return goString(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  const items: string[] = Array.isArray(v)
    ? v.map((x) => goMarshal(x, indent, depth + 1))
    : [...v].map(([k, x]) => `${goString(k)}:${indent === undefined ? '' : ' '}${goMarshal(x, indent, depth + 1)}`);
  const [open, close] = Array.isArray(v) ? ['[', ']'] : ['{', '}'];
  if (items.length === 0) return open + close;
  if (indent === undefined) return open + items.join(',') + close;
  const inner = '\n' + indent.repeat(depth + 1);
  return open + inner + items.join(',' + inner) + '\n' + indent.repeat(depth) + close;
}

/** A Go map[string]string: keys in byte order. */
function goMap(m: Record<string, string>): Map<string, GoJson> {
  const keys = Object.keys(m).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return new Map(keys.map((k) => [k, m[k] ?? '']));
}

function stateJson(s: ContainerStateOutput): Map<string, GoJson> {
  const m = new Map<string, GoJson>([
    ['ociVersion', s.ociVersion],
    ['id', s.id],
    ['pid', s.pid],
    ['status', s.status],
    ['bundle', s.bundle],
    ['rootfs', s.rootfs],
    ['created', s.created],
  ]);
  if (s.annotations !== undefined && Object.keys(s.annotations).length > 0) m.set('annotations', goMap(s.annotations));
  m.set('owner', s.owner);
  return m;
}

/** `runc state`: json.MarshalIndent(cs, "", "  ") written without a trailing newline. */
export function renderState(s: ContainerStateOutput): string {
  return goMarshal(stateJson(s), '  ');
}

/** `runc list -f json`: json.NewEncoder(os.Stdout).Encode(list); an empty list is a nil slice. */
export function renderListJson(list: readonly ContainerStateOutput[]): string {
  return (list.length === 0 ? 'null' : goMarshal(list.map(stateJson))) + '\n';
}

/** `runc list -q` */
export function renderListQuiet(list: readonly ContainerStateOutput[]): string {
  return list.map((s) => s.id + '\n').join('');
}

/**
 * Go's text/tabwriter with runc's settings (minwidth 12, tabwidth 1, padding 3,
 * padchar ' ', no flags) for rows whose cells are all terminated by a tab except the
 * last: each such column is as wide as its widest cell plus the padding, at least
 * minwidth. Widths count code points, as tabwriter counts runes.
 */
export function tabwrite(rows: readonly (readonly string[])[], minwidth = 12, padding = 3): string {
  const width = (s: string): number => [...s].length;
  const cols = Math.max(0, ...rows.map((r) => r.length - 1));
  const widths: number[] = [];
  for (let c = 0; c < cols; c++) {
    let w = minwidth;
    for (const r of rows) {
      if (c < r.length - 1) w = Math.max(w, width(r[c] ?? '') + padding);
    }
    widths.push(w);
  }
  return rows
    .map((r) =>
      r.map((cell, c) => (c < r.length - 1 ? cell + ' '.repeat((widths[c] ?? 0) - width(cell)) : cell)).join('') + '\n',
    )
    .join('');
}

/** `runc list` (table): CREATED is printed as stored, RFC3339Nano in UTC. */
export function renderListTable(list: readonly ContainerStateOutput[]): string {
  const rows = [['ID', 'PID', 'STATUS', 'BUNDLE', 'CREATED', 'OWNER']];
  for (const s of list) rows.push([s.id, String(s.pid), s.status, s.bundle, s.created, s.owner]);
  return tabwrite(rows);
}

/** The printed view of a stored state: pid 0 once stopped, as runc. */
export function toStateOutput(
  s: { ociVersion: string; id: string; pid: number; bundle: string; rootfs: string; created: string; annotations: Record<string, string> },
  status: Status,
  owner: string,
): ContainerStateOutput {
  const out: ContainerStateOutput = {
    ociVersion: s.ociVersion,
    id: s.id,
    pid: status === 'stopped' ? 0 : s.pid,
    status,
    bundle: s.bundle,
    rootfs: s.rootfs,
    created: s.created,
    owner,
  };
  if (Object.keys(s.annotations).length > 0) out.annotations = s.annotations;
  return out;
}
