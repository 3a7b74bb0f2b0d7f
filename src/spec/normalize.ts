// Owns: turning a validated spec into the ContainerConfig that everything downstream
// uses, with paths made absolute and defaults resolved. It is persisted in the state
// dir so that start, kill and delete never read the bundle again (runc's specconv,
// youki's YoukiConfig). Runs in: cli.
import * as path from 'node:path';
import { planNamespaces, type NamespacePlan } from '../container/namespaces';
import type { Spec } from './types';

export interface ContainerConfig {
  id: string;
  /** absolute bundle directory */
  bundle: string;
  /** absolute rootfs directory on the host */
  rootfs: string;
  namespaces: NamespacePlan;
  cgroupsPath: string | undefined;
  /** the validated config.json, for hooks, process and mounts */
  spec: Spec;
}

export function normalizeSpec(spec: Spec, bundle: string, id: string): ContainerConfig {
  const rootPath = spec.root?.path ?? 'rootfs';
  return {
    id,
    bundle,
    rootfs: path.resolve(bundle, rootPath),
    namespaces: planNamespaces(spec.linux?.namespaces),
    cgroupsPath: spec.linux?.cgroupsPath,
    spec,
  };
}
