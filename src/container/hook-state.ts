// Owns: the state JSON that hooks receive on stdin (runtime-spec "State"). Runs in: cli.
import type { Status } from '../spec/types';
import type { ContainerState } from './state-store';

export interface HookStateInput {
  ociVersion: string;
  id: string;
  pid: number;
  bundle: string;
  annotations: Record<string, string>;
}

/** runc passes the spec's State: ociVersion, id, status, pid (absent once stopped), bundle, annotations. */
export function hookStateJson(s: HookStateInput | ContainerState, status: Status): string {
  const out: Record<string, unknown> = { ociVersion: s.ociVersion, id: s.id, status };
  if (status !== 'stopped' && s.pid > 0) out['pid'] = s.pid;
  out['bundle'] = s.bundle;
  if (Object.keys(s.annotations).length > 0) out['annotations'] = s.annotations;
  return JSON.stringify(out);
}
