#!/usr/bin/env bash
# Builds the browser's lesson engine, the WebAssembly module that
# `export --html` and `course --html` embed in their pages, reproducibly:
# Debian trixie's rustc 1.85 (the crates' rust-version) and lld's wasm-ld, in
# a chroot built once with debootstrap, over a copy of the sources at a fixed
# path, with the lockfile, no debug info and the paths remapped.
#
#   .ci/wasm-build.sh           rebuild the committed asset (after a change to
#                               any code the module compiles: the model,
#                               narrate, lessons, scenarios, views::web ...)
#   .ci/wasm-build.sh --check   rebuild into a scratch file and fail if its
#                               bytes differ from the committed asset (CI)
#
# Needs root and debootstrap (apt-get install debootstrap). The chroot is
# $IOCP_SIM_WASM_ROOT, else /var/cache/iocp-sim/trixie-wasm; a finished one
# (DIR/.iocp-sim-ready, naming its packages) is reused. To rebuild it, first
# `umount DIR/proc` if it is mounted, then delete DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
asset=src/views/web/engine.wasm
toolchain=src/views/web/engine.toolchain
root="${IOCP_SIM_WASM_ROOT:-/var/cache/iocp-sim/trixie-wasm}"
packages="rustc cargo libstd-rust-dev-wasm32 lld ca-certificates"
check=0
case "${1:-}" in
    --check) check=1 ;;
    "") ;;
    *) echo "usage: .ci/wasm-build.sh [--check]" >&2; exit 2 ;;
esac

# The chroot, built once.
if [ ! -f "$root/.iocp-sim-ready" ] || [ "$(head -n1 "$root/.iocp-sim-ready")" != "$packages" ]; then
    mirror=$(grep -rhoE 'https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null \
        | head -n1 | tr -d ' ' || true)
    mirror="${mirror:-http://deb.debian.org/debian}"
    echo "wasm chroot: building $root from $mirror (trixie)"
    if mountpoint -q "$root.partial/proc"; then umount "$root.partial/proc"; fi
    rm -rf "$root.partial"
    mkdir -p "$(dirname "$root")"
    debootstrap --variant=minbase trixie "$root.partial" "$mirror"
    # shellcheck disable=SC2086
    chroot "$root.partial" /usr/bin/env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends $packages
    chroot "$root.partial" apt-get clean
    printf '%s\n%s\n' "$packages" "$(chroot "$root.partial" rustc -V)" > "$root.partial/.iocp-sim-ready"
    if [ -d "$root" ]; then
        if mountpoint -q "$root/proc"; then umount "$root/proc"; fi
        rm -rf "$root"
    fi
    mv "$root.partial" "$root"
    echo "wasm chroot: ready in $root"
fi

# The sources, copied to a fixed path (/build/src) so that nothing of the
# host's paths reaches the module: every file git tracks or would track.
build="$root/build"
rm -rf "$build/src"
mkdir -p "$build/src" "$build/cargo-home" "$build/target"
git ls-files -z --cached --others --exclude-standard \
    | while IFS= read -r -d '' f; do if [ -e "$f" ]; then printf '%s\0' "$f"; fi; done \
    | tar --null -T - -cf - | tar -C "$build/src" -xf -
# The network as the host sees it: its name servers, and the certificate
# authorities it trusts (crates.io may be reached through a proxy of the
# host's own).
cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
cp -L /etc/ssl/certs/ca-certificates.crt "$build/host-ca.crt"
cleanup() { if mountpoint -q "$root/proc"; then umount "$root/proc"; fi; }
trap cleanup EXIT
mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"

# The build: the lockfile, the wasm profile (Cargo.toml: no debug info, one
# codegen unit, LTO), paths remapped, nothing from the host's environment.
chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/bin:/bin \
    CARGO_HOME=/build/cargo-home CARGO_TARGET_DIR=/build/target CARGO_HTTP_CAINFO=/build/host-ca.crt \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=wasm-ld \
    RUSTFLAGS="--remap-path-prefix=/build/src=/iocp-sim --remap-path-prefix=/build/cargo-home=/cargo" \
    sh -c 'cd /build/src && cargo build --quiet --locked --profile wasm --target wasm32-unknown-unknown -p iocp-wasm'
built="$build/target/wasm32-unknown-unknown/wasm/iocp_wasm.wasm"
tools="$(chroot "$root" sh -c 'rustc -V; cargo -V; wasm-ld --version; dpkg-query -W -f="\${Package} \${Version}\n" rustc cargo libstd-rust-dev-wasm32 lld')"

if [ $check = 0 ]; then
    cp "$built" "$asset"
    printf '%s\n' "$tools" > "$toolchain"
    echo "wasm: wrote $asset ($(stat -c %s "$asset") bytes, sha256 $(sha256sum "$asset" | cut -c1-16)); commit it with $toolchain"
    exit 0
fi
if [ "$(cat "$toolchain" 2>/dev/null)" != "$tools" ]; then
    echo "wasm: the toolchain differs from the one recorded in $toolchain:" >&2
    diff <(cat "$toolchain" 2>/dev/null) <(printf '%s\n' "$tools") >&2 || true
fi
if cmp -s "$built" "$asset"; then
    echo "wasm: $asset is what its sources build ($(stat -c %s "$asset") bytes, sha256 $(sha256sum "$asset" | cut -c1-16))"
    exit 0
fi
echo "wasm: $asset is NOT what its sources build (committed $(stat -c %s "$asset" 2>/dev/null || echo 0) bytes, built $(stat -c %s "$built") bytes)." >&2
echo "wasm: a change to code the module compiles (the model, narrate, scenario, runner, views, lesson...) changes its bytes:" >&2
echo "wasm: run \`sudo .ci/wasm-build.sh\` and commit $asset and $toolchain." >&2
exit 1
