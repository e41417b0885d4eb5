#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Install a QEMU whose emulated NVMe controller can forward PCIe DOE/CMA
# traffic to an SPDM responder (-device nvme,spdm_port=N, QEMU >= 9.1).
#
# Debian 12 ships QEMU 7.2; bookworm-backports carries QEMU 10.  This script
# adds bookworm-backports as an apt source (once), installs qemu-system-x86
# from it and checks the result.  Running it again changes nothing.
#
# Usage: scripts/install-qemu.sh
# On success the last line on stdout is the path of qemu-system-x86_64.

set -euo pipefail

prog=${0##*/}
say() { echo "$prog: $*" >&2; }
die() { say "$*"; exit 1; }

min_major=10
suite=bookworm-backports
list=/etc/apt/sources.list.d/$suite.sources
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

[ "$(id -u)" = 0 ] || die "must run as root (apt-get install)"
[ -r "$keyring" ] || die "no Debian archive keyring at $keyring"

# What the binary says about itself: "QEMU emulator version 10.0.2 (...)".
qemu_major() {
	"$1" --version 2>/dev/null |
		sed -n 's/^QEMU emulator version \([0-9]*\)\..*/\1/p' | head -n1
}

has_spdm_port() {
	"$1" -device nvme,help 2>/dev/null | grep -q 'spdm_port'
}

good_qemu() {
	local q=$1 major
	[ -x "$q" ] || return 1
	major=$(qemu_major "$q")
	[ -n "$major" ] && [ "$major" -ge "$min_major" ] && has_spdm_port "$q"
}

# --- apt source ------------------------------------------------------------

want_source="Types: deb
URIs: http://deb.debian.org/debian
Suites: $suite
Components: main
Signed-By: $keyring"

updated=0
if [ ! -f "$list" ] || [ "$(cat "$list")" != "$want_source" ]; then
	say "adding $suite as $list"
	tmp=$(mktemp "$list.XXXXXX")
	printf '%s\n' "$want_source" >"$tmp"
	chmod 644 "$tmp"
	mv -f "$tmp" "$list"
	updated=1
fi

# --- install ---------------------------------------------------------------

qemu=/usr/bin/qemu-system-x86_64
if good_qemu "$qemu"; then
	say "$("$qemu" --version | head -n1) already installed"
else
	# A fresh source needs an update; an old list may also lack the
	# current backports version, so update anyway before installing.
	[ "$updated" = 1 ] || say "refreshing the package lists"
	DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
	say "installing qemu-system-x86 from $suite"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o Dpkg::Use-Pty=0 \
		-t "$suite" qemu-system-x86 >&2
fi

# --- checks ----------------------------------------------------------------

[ -x "$qemu" ] || die "no $qemu after the installation"
version=$("$qemu" --version | head -n1)
major=$(qemu_major "$qemu")
[ -n "$major" ] || die "cannot parse the version: $version"
[ "$major" -ge "$min_major" ] ||
	die "$version: need major version >= $min_major"
has_spdm_port "$qemu" ||
	die "$version: -device nvme has no spdm_port property"
say "$version, nvme has spdm_port"
echo "$qemu"
