#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# `make check`: everything kspdm's tests need, from a fresh Debian 12
# machine to the last line "N passed, N failed".
#
#  1. install the Debian packages the build and the tests use
#  2. prepare (or reuse) the cached Linux 6.12 test kernel
#  3. check that the generated test vectors are up to date with their
#     generator's declared inputs (the generator itself is not re-run:
#     its keys and signatures are random)
#  4. build the modules with W=1 and sparse, failing on any warning
#  5. run checkpatch --strict on drivers/ and include/
#  6. boot the test kernel in QEMU and run every KUnit suite
#
# Exits non-zero on any failure.

set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

log() { echo "check: $*" >&2; }

packages=(
	build-essential bc bison flex libelf-dev libssl-dev cpio kmod
	xz-utils sparse busybox-static qemu-system-x86 python3
	python3-cryptography linux-source-6.12
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	log "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	apt-get install -y -qq "${missing[@]}" >&2
fi

kdir=$(scripts/prepare-kernel.sh | tail -n 1)
log "kernel tree: $kdir"

log "building with W=1 and sparse"
make -s KDIR="$kdir" clean >/dev/null 2>&1 || true
build_log=$(mktemp)
trap 'rm -f "$build_log"' EXIT
if ! make KDIR="$kdir" W=1 C=1 modules >"$build_log" 2>&1; then
	cat "$build_log" >&2
	log "build failed"
	exit 1
fi
if grep -E 'warning:|error:' "$build_log" >&2; then
	log "the build has warnings"
	exit 1
fi

log "checkpatch --strict"
mapfile -t sources < <(git ls-files 'drivers/*.c' 'drivers/*.h' 'include/*.h')
if ! perl "$kdir/scripts/checkpatch.pl" --no-tree --strict --terse \
	--show-types -f "${sources[@]}" >"$build_log" 2>&1; then
	cat "$build_log" >&2
	log "checkpatch found problems"
	exit 1
fi

log "running KUnit in QEMU"
exec scripts/run-kunit.sh --kdir "$kdir" \
	drivers/spdm/spdm.ko drivers/spdm/spdm_kunit.ko
