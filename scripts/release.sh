#!/usr/bin/env bash
# Builds the release binary: `seam` for x86_64 Linux, statically linked
# against musl, stripped, into dist/ with its SHA-256. Then checks it as a
# user's machine would see it: no dynamic loader or library needed (the ELF
# says static), and `seam demo` passing (and `seam demo --break` blocking)
# inside an empty root that holds nothing but the binary, /tmp and /work.
#
# Usage (as root, for chroot): scripts/release.sh [DIST_DIR]
# Installs what it needs: the musl target (rustup) and musl-gcc (Debian's
# musl-tools) for the C in mimalloc, ring and SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=x86_64-unknown-linux-musl
DIST=${1:-dist}

rustup target list --installed | grep -qx "$TARGET" || rustup target add "$TARGET"
command -v musl-gcc >/dev/null || apt-get install -y musl-tools
cargo build --release --locked --target "$TARGET" -p seam-cli

VERSION=$(target/$TARGET/release/seam --version | awk '{print $2}')
NAME="seam-$VERSION-x86_64-linux-musl"
mkdir -p "$DIST"
install -m 755 "target/$TARGET/release/seam" "$DIST/$NAME"
strip "$DIST/$NAME"
(cd "$DIST" && sha256sum "$NAME" > "$NAME.sha256")

# static: no interpreter to load it, no library to find
if ! file "$DIST/$NAME" | grep -q 'static'; then
  echo "release: $DIST/$NAME is not statically linked: $(file "$DIST/$NAME")" >&2
  exit 1
fi

# an empty root: the binary, a /tmp for the demo's files, a /work for its report
ROOT=$(mktemp -d)
trap 'rm -rf "$ROOT"' EXIT
mkdir -p "$ROOT/tmp" "$ROOT/work"
chmod 1777 "$ROOT/tmp"
install -m 755 "$DIST/$NAME" "$ROOT/seam"
chroot "$ROOT" /seam --version
chroot "$ROOT" /seam demo --report /work/report.html
[ -s "$ROOT/work/report.html" ] || { echo "release: the demo wrote no report" >&2; exit 1; }
set +e
chroot "$ROOT" /seam demo --break --report /work/broken.html > "$ROOT/work/broken.txt" 2>&1
code=$?
set -e
if [ "$code" != 1 ]; then
  cat "$ROOT/work/broken.txt" >&2
  echo "release: seam demo --break exited $code, not 1" >&2
  exit 1
fi

echo "release: $DIST/$NAME ($(du -h "$DIST/$NAME" | cut -f1), static) runs seam demo in an empty root"
cat "$DIST/$NAME.sha256"
