#!/usr/bin/env bash
# Checks the Dockerfile's runtime stage without a Docker engine: a Debian
# bookworm root filesystem (debootstrap, as root) with what the runtime stage
# installs (ca-certificates, user 10001), the stripped release binary, and
# `seam demo` run in it as that non-root user.
#
# Usage (as root): scripts/runtime-image-check.sh [ROOTFS_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=${1:-$(mktemp -d)}
command -v debootstrap >/dev/null || apt-get install -y debootstrap
cargo build --release --locked -p seam-cli
[ -x "$ROOT/bin/sh" ] || debootstrap --variant=minbase bookworm "$ROOT" http://deb.debian.org/debian
chroot "$ROOT" /bin/sh -c 'apt-get update -qq && apt-get install -y -qq --no-install-recommends ca-certificates >/dev/null
  id -u 10001 >/dev/null 2>&1 || useradd --uid 10001 --create-home --shell /usr/sbin/nologin seam
  mkdir -p /work && chown 10001 /work'
install -m 755 target/release/seam "$ROOT/usr/local/bin/seam"
strip "$ROOT/usr/local/bin/seam"
chroot --userspec=10001:10001 "$ROOT" /bin/sh -c 'cd /work && seam demo'
echo "runtime stage OK: seam demo passed as uid 10001 in $ROOT"
