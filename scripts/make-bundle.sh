#!/usr/bin/env bash
# make-bundle.sh DIR: a runnable OCI bundle whose rootfs is Debian's busybox-static.
# The config is `runts spec`'s default with a non-interactive command.
set -euo pipefail
dir=$1
here=$(cd "$(dirname "$0")/.." && pwd)
busybox=${BUSYBOX:-/bin/busybox}
if [ ! -x "$busybox" ] || ! "$busybox" --list >/dev/null 2>&1; then
  echo "make-bundle: $busybox not found; install Debian's busybox-static" >&2
  exit 1
fi
rm -rf "$dir"
mkdir -p "$dir/rootfs"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root}
cp "$busybox" "$dir/rootfs/bin/busybox"
for applet in $("$busybox" --list); do
  [ -e "$dir/rootfs/bin/$applet" ] || ln -s busybox "$dir/rootfs/bin/$applet"
done
echo 'root:x:0:0:root:/root:/bin/sh' > "$dir/rootfs/etc/passwd"
echo 'root:x:0:' > "$dir/rootfs/etc/group"
chmod 1777 "$dir/rootfs/tmp"
(cd "$dir" && "$here/bin/runts" spec >/dev/null 2>&1) || true
if [ ! -f "$dir/config.json" ]; then
  # `runts spec` not available yet: keep the bundle usable with a minimal config.
  cat > "$dir/config.json" <<'JSON'
{"ociVersion":"1.0.2","process":{"user":{"uid":0,"gid":0},"args":["sh"],"cwd":"/"},"root":{"path":"rootfs"}}
JSON
fi
