#!/usr/bin/env bash
# demo.sh: the main job. Checks the example bundle, then runs a container in it that
# prints its hostname, its PID and `id`, and deletes it afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
bundle=build/example-bundle
runts=$PWD/bin/runts
root=$(mktemp -d /tmp/runts-demo-root.XXXXXX)
id=demo-$$
trap '"$runts" --root "$root" delete --force "$id" >/dev/null 2>&1 || true; rm -rf "$root"' EXIT
echo "+ runts check --bundle $bundle"
"$runts" check --bundle "$bundle"
cfg=$(mktemp -d /tmp/runts-demo-bundle.XXXXXX)
trap '"$runts" --root "$root" delete --force "$id" >/dev/null 2>&1 || true; rm -rf "$root" "$cfg"' EXIT
# A copy of the config with a non-interactive command; the rootfs is shared.
node -e '
  const fs = require("fs");
  const [src, dst, rootfs] = process.argv.slice(1);
  const c = JSON.parse(fs.readFileSync(src, "utf8"));
  c.root.path = rootfs;
  c.process.terminal = false;
  c.process.args = ["sh", "-c", "echo hostname: $(hostname); echo pid: $$; id"];
  fs.writeFileSync(dst, JSON.stringify(c, null, 2));
' "$bundle/config.json" "$cfg/config.json" "$PWD/$bundle/rootfs"
echo "+ runts run $id"
"$runts" --root "$root" run --bundle "$cfg" "$id" </dev/null
