#!/usr/bin/env bash
# setup.sh: install what runts needs on a fresh Debian machine of this kind (as root):
# busybox-static (test and demo rootfs), runc (the reference, for differential tests),
# libseccomp2, gcc and make; the real clients test/clients/ drives (containerd with ctr
# and containerd-shim-runc-v2, podman with conmon, docker.io); then the locked npm
# dependencies. Installing the clients starts no daemon here (no systemd): the tests
# start their own on temp sockets.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
need=()
for pkg in busybox-static runc libseccomp2 gcc make containerd podman conmon docker.io; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}" >&2
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
