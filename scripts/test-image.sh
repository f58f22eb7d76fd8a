#!/bin/sh
# npm run test:image — builds the container image and runs the server and the audit from it.
# Slow (10–30 minutes) and needs root, podman, mmdebstrap, iproute2 and the Debian mirror and
# npm registry (the image build installs packages); not part of npm test. Steps:
#   1. a base image from Debian packages with this machine's Node 20 (scripts/image-base.sh),
#      imported with podman: no image registry needed;
#   2. podman build --isolation=chroot with that base as NODE_IMAGE (no OCI runtime needed);
#   3. the image's root filesystem exported and unpacked;
#   4. in a new network namespace (loopback only), chrooted into it as the image's user:
#      plenum serve, its health check, and plenum audit (Chromium included) against it;
#   5. Plenum's install step in the image, which has no C toolchain: one line, success.
# PLENUM_IMAGE_WORK (default /var/tmp/plenum-image) keeps the base between runs.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
work=${PLENUM_IMAGE_WORK:-/var/tmp/plenum-image}
ns=plenum-image-$$
fs=$work/rootfs
mkdir -p "$work"
log() { printf 'test:image: %s\n' "$*" >&2; }

server=
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  for m in "$fs/dev/shm" "$fs/dev" "$fs/proc" "$fs/tmp"; do
    mountpoint -q "$m" 2>/dev/null && umount -l "$m"
  done
  ip netns delete "$ns" 2>/dev/null || true
}
trap cleanup EXIT
# An interrupted run stops here (dash would go on after the handler otherwise).
trap 'exit 130' INT TERM

if ! podman image exists localhost/plenum-base:node20; then
  [ -f "$work/base.tar" ] || { log "base image (mmdebstrap)"; "$root/scripts/image-base.sh" "$work/base.tar"; }
  # Node reads only its own CA list; the base's system list includes this machine's additions.
  podman import --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
    "$work/base.tar" localhost/plenum-base:node20
fi

log "podman build"
podman build --isolation=chroot --build-arg NODE_IMAGE=localhost/plenum-base:node20 \
  -t localhost/plenum:test "$root"

log "exporting the root filesystem"
# Never remove a tree that still has /dev or /proc mounted into it (a killed earlier run).
if grep -q " $fs/" /proc/mounts; then
  log "FAIL: mounts left under $fs (umount -R it first)"
  exit 1
fi
rm -rf "$fs" && mkdir -p "$fs"
container=$(podman create localhost/plenum:test)
podman export "$container" | tar -x -C "$fs"
podman rm "$container" >/dev/null

# What the container runtime would provide: /proc, /dev, a writable /tmp and data volume.
mount -t proc proc "$fs/proc"
mount --rbind /dev "$fs/dev"
mount -t tmpfs tmpfs "$fs/tmp"
data=$fs/var/lib/plenum
chown "$(chroot "$fs" id -u plenum):$(chroot "$fs" id -g plenum)" "$data"
ip netns add "$ns"
ip netns exec "$ns" ip link set lo up

# The image's ENV, CMD and USER, as the Dockerfile sets them; HOST on loopback in the namespace.
in_image() {
  ip netns exec "$ns" chroot --userspec=plenum:plenum "$fs" /usr/bin/env -i \
    PATH=/usr/local/bin:/usr/bin:/bin HOME=/var/lib/plenum NODE_ENV=production \
    PLENUM_HOST=127.0.0.1 PLENUM_PORT=8080 PLENUM_DATA_DIR=/var/lib/plenum \
    PLENUM_CHROMIUM=/usr/bin/chromium PLENUM_LOG_LEVEL=warn "$@"
}

log "plenum serve in the image (netns $ns, no route out)"
in_image sh -c 'cd /app && exec node bin/plenum.js serve' >"$work/serve.log" 2>&1 &
server=$!
ready=
for _ in $(seq 1 90); do
  if in_image sh -c 'cd /app && node deploy/healthcheck.mjs'; then ready=1; break; fi
  sleep 1
done
[ -n "$ready" ] || { cat "$work/serve.log"; log "FAIL: the server did not become ready"; exit 1; }
log "health check: ready"
grep -q "native media helpers not built" "$work/serve.log" && { cat "$work/serve.log"; log "FAIL: the native helpers are missing from the image"; exit 1; }

log "plenum audit in the image"
status=0
in_image sh -c 'cd /app && node bin/plenum.js audit --format json' >"$work/audit.json" 2>"$work/audit.log" || status=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  for (const f of r.findings) console.log(`${f.id.padEnd(4)} ${f.status.padEnd(6)} ${f.reason}`);
  const t6 = r.findings.find((f) => f.id === "T6");
  const l4 = r.findings.find((f) => f.id === "L4");
  if (!l4.evidence.some((e) => /browser: \d+ requests/.test(e))) throw new Error("Chromium did not run a call");
  console.log(`T6 evidence: ${t6.evidence.join("; ")}`);
' "$work/audit.json"
log "audit exit status $status (1 = something red); report in $work/audit.json"

# RUN-2 where it matters: the image has no C toolchain. npm's install step for Plenum there
# must say in one line that the native helpers were not built, and succeed. (A whole npm ci
# without a toolchain also needs better-sqlite3's prebuilt binary, downloaded from GitHub by
# its own install step; that is not checked here.)
log "Plenum's install step without a C toolchain (in the image)"
rm -rf "$fs/tmp/ci" && mkdir -p "$fs/tmp/ci/scripts"
cp "$root/package.json" "$root/binding.gyp" "$fs/tmp/ci/"
cp "$root/scripts/build-native.mjs" "$fs/tmp/ci/scripts/"
chown -R "$(chroot "$fs" id -u plenum):$(chroot "$fs" id -g plenum)" "$fs/tmp/ci"
chroot --userspec=plenum:plenum "$fs" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin \
  HOME=/tmp/ci sh -c 'cd /tmp/ci && npm run install' >"$work/install.log" 2>&1 \
  || { cat "$work/install.log"; log "FAIL: the install step failed without a toolchain"; exit 1; }
grep "Plenum: native media helpers not built" "$work/install.log" \
  || { cat "$work/install.log"; log "FAIL: no notice about the native helpers"; exit 1; }
[ ! -e "$fs/tmp/ci/build" ] || { log "FAIL: a build was attempted"; exit 1; }
log "OK"
