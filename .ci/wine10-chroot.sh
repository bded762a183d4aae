#!/usr/bin/env bash
# Builds (once) a Debian trixie chroot with Wine 10 (wine, wine64) in it, for the
# differential suite's Wine 10 run. Usage: .ci/wine10-chroot.sh [DIR]
# DIR defaults to $IOCP_SIM_WINE10_ROOT, else /var/cache/iocp-sim/trixie-wine10.
# A finished chroot (DIR/.iocp-sim-ready) is reused as it is. To rebuild,
# first `umount DIR/proc DIR/dev` (.ci/wine10-run bind-mounts the host's /dev
# there: deleting DIR with it mounted would delete the host's device nodes),
# then delete DIR.
# Needs root and debootstrap (apt-get install debootstrap). Prints the
# chroot's wine64 version at the end. .ci/wine10-run runs wine in it. Uses the Debian mirror of the host's apt sources.
set -euo pipefail
root="${1:-${IOCP_SIM_WINE10_ROOT:-/var/cache/iocp-sim/trixie-wine10}}"
if [ -f "$root/.iocp-sim-ready" ]; then
    echo "wine10 chroot: reusing $root ($(cat "$root/.iocp-sim-ready"))"
    exit 0
fi
# The host's Debian mirror (first .../debian URI or deb line in its apt sources).
mirror=$(grep -rhoE 'https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null \
    | head -n1 | tr -d ' ' || true)
mirror="${mirror:-http://deb.debian.org/debian}"
echo "wine10 chroot: building $root from $mirror (trixie)"
for m in proc dev; do
    if mountpoint -q "$root.partial/$m"; then umount "$root.partial/$m"; fi
done
rm -rf "$root.partial"
mkdir -p "$(dirname "$root")"
debootstrap --variant=minbase trixie "$root.partial" "$mirror"
chroot "$root.partial" /usr/bin/env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends wine wine64
chroot "$root.partial" apt-get clean
version="wine64 $(chroot "$root.partial" dpkg-query -W -f='${Version}' wine64)"
echo "$version" > "$root.partial/.iocp-sim-ready"
mv "$root.partial" "$root"
echo "wine10 chroot: ready in $root ($version)"
