// Owns: the device rules as cgroup v1 devices.allow / devices.deny writes. Pure. Runs in: cli.
//
// A new v1 cgroup inherits its parent's list, usually "a *:* rwm". runc's devices
// emulator starts every container from "deny all", so the first write is always
// "a" to devices.deny (once: a spec that begins with its own deny-all is not doubled),
// then every rule in order — later rules win, as the kernel applies them one by one.
import { isDenyAll, ruleString, type DeviceRule } from './resources/devices';
import type { CgroupWrite } from './resources/write';

export function toV1(rules: readonly DeviceRule[]): CgroupWrite[] {
  const out: CgroupWrite[] = [{ file: 'devices.deny', value: 'a' }];
  rules.forEach((r, i) => {
    if (i === 0 && isDenyAll(r)) return;
    out.push({ file: r.allow ? 'devices.allow' : 'devices.deny', value: ruleString(r) });
  });
  return out;
}
