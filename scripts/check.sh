#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# `make check`: everything kspdm's tests need, from a fresh Debian 12
# machine to the last line "N passed, N failed".
#
#  1. install the Debian packages the build and the tests use, and QEMU 10
#     from bookworm-backports (its NVMe device has spdm_port)
#  2. prepare (or reuse) the cached Linux 6.12 test kernel
#  3. check that the netlink code generated from the YNL spec is up to date,
#     and replay the committed test vectors through the generator's
#     independent checker (that generator is not re-run: its keys are random)
#  4. build the modules with W=1 and sparse, failing on any warning
#  5. run checkpatch --strict on drivers/ and include/
#  6. build spdmctl with -Wall -Wextra, failing on any warning
#  7. boot the test kernel in QEMU and run every KUnit suite
#  8. run the integration scenarios in QEMU (PCIe DOE and MCTP with the
#     responder emulator, netlink through spdmctl and the YNL CLI)
#
# The last line sums up both test runs as "N passed, N failed".  Exits
# non-zero on any failure.

set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

log() { echo "check: $*" >&2; }

scripts/install-deps.sh

kdir=$(scripts/prepare-kernel.sh | tail -n 1)
log "kernel tree: $kdir"

log "checking the generated netlink code against its YNL spec"
KSRC="$kdir" scripts/ynl-regen.sh --check

log "checking the committed test vectors"
/usr/bin/python3 tools/testing/spdm/gen_vectors.py --selftest >&2

log "checking the responder emulator against its own requester"
/usr/bin/python3 tools/testing/spdm/responder.py --selftest | tail -n 1 >&2

log "checking how make bench reads guest logs"
/usr/bin/python3 tools/testing/spdm/bench.py --selftest >/dev/null

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

log "building spdmctl with -Wall -Wextra"
make -s -C tools/spdm clean
if ! make -C tools/spdm >"$build_log" 2>&1; then
	cat "$build_log" >&2
	log "spdmctl does not build"
	exit 1
fi
if grep -E 'warning:|error:' "$build_log" >&2; then
	log "spdmctl has warnings"
	exit 1
fi

log "testing spdmctl's evidence and verify on the host"
if ! /usr/bin/python3 tools/testing/spdm/evidence_test.py \
	--spdmctl tools/spdm/spdmctl >"$build_log" 2>&1; then
	cat "$build_log" >&2
	log "evidence_test.py failed"
	exit 1
fi
tail -n 1 "$build_log" >&2

log "running KUnit in QEMU"
rc=0
# spdm_kunit.ko needs spdm_mctp.ko when the kernel has MCTP
mods=(drivers/spdm/spdm.ko)
[ ! -f drivers/spdm/spdm_mctp.ko ] || mods+=(drivers/spdm/spdm_mctp.ko)
/usr/bin/python3 tools/testing/spdm/run_kunit.py --kdir "$kdir" \
	"${mods[@]}" drivers/spdm/spdm_kunit.ko | tee "$build_log" || rc=1
kunit=$(tail -n 1 "$build_log")

log "running the integration scenarios in QEMU"
/usr/bin/python3 tools/testing/spdm/integration.py --kdir "$kdir" \
	--modules drivers/spdm | tee "$build_log" || rc=1
integration=$(tail -n 1 "$build_log")

read -r kp _ kf _ <<<"$kunit"
read -r ip _ if_ _ <<<"$integration"
[[ "$kp$kf$ip$if_" =~ ^[0-9]+$ ]] || { kp=0; kf=1; ip=0; if_=0; rc=1; }
echo "KUnit: $kunit; integration: $integration"
echo "$((kp + ip)) passed, $((kf + if_)) failed"
exit $rc
