#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Install the Debian packages kspdm's build and tests need, then QEMU 10
# from bookworm-backports (scripts/install-qemu.sh).  Idempotent.

set -euo pipefail

cd "$(dirname "$0")/.."

packages=(
	build-essential bc bison flex libelf-dev libssl-dev cpio kmod
	xz-utils sparse busybox-static python3 python3-cryptography
	keyutils openssl python3-yaml python3-jsonschema linux-source-6.12
	pkg-config libmnl-dev libjson-c-dev
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "install-deps: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	apt-get install -y -qq "${missing[@]}" >&2
fi

scripts/install-qemu.sh >/dev/null
