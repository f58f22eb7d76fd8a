#!/bin/sh
# A local stand-in for the public node:20-bookworm-slim image, from Debian packages alone
# (no image registry needed): Debian 12 minbase plus this machine's Node 20 (Debian 12's own
# nodejs is 18), with npm, npx and Node's headers where the official image has them, and the
# certificate authorities this machine adds (/usr/local/share/ca-certificates: e.g. the CA of a
# TLS-inspecting egress proxy), so that npm and apt inside the build reach what the host reaches.
# Usage: scripts/image-base.sh OUT.tar   (needs root and mmdebstrap; used by test-image.sh)
set -eu
out=$1
node=$(command -v node)
node_root=$(dirname "$(dirname "$(readlink -f "$node")")")
[ "$("$node" -p 'process.versions.node.split(".")[0]')" = 20 ] || {
  echo "image-base: needs Node 20 on this machine" >&2
  exit 1
}
mmdebstrap --variant=minbase --include=ca-certificates,libstdc++6 \
  --customize-hook="cp -a '$(readlink -f "$node")' \"\$1/usr/local/bin/node\"" \
  --customize-hook="mkdir -p \"\$1/usr/local/lib/node_modules\" \"\$1/usr/local/include\" && cp -a '$node_root/lib/node_modules/npm' \"\$1/usr/local/lib/node_modules/\"" \
  --customize-hook="cp -a '$node_root/include/node' \"\$1/usr/local/include/\"" \
  --customize-hook="ln -s ../lib/node_modules/npm/bin/npm-cli.js \"\$1/usr/local/bin/npm\" && ln -s ../lib/node_modules/npm/bin/npx-cli.js \"\$1/usr/local/bin/npx\"" \
  --customize-hook="cp -a /usr/local/share/ca-certificates/. \"\$1/usr/local/share/ca-certificates/\" && chroot \"\$1\" update-ca-certificates" \
  --customize-hook="chroot \"\$1\" /usr/local/bin/node --version" \
  bookworm "$out"
