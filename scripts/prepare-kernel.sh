#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Prepare the Linux 6.12 tree that kspdm builds and tests against.
#
# The tree comes from Debian's linux-source-6.12 package, is configured from
# scripts/kernel.config on top of allnoconfig, built once, and cached outside
# the repository under $KSPDM_CACHE (default /var/cache/kspdm), keyed by the
# package version and a hash of the configuration fragment.  A later run with
# the same version and fragment only prints the cached path.
#
# Usage: scripts/prepare-kernel.sh [--flavour bench] [--print]
#   --flavour bench  the benchmark kernel: kernel.config without its debugging
#                    options (scripts/kernel-bench.config), cached apart.
#   --print          print the directory the tree would live in, build
#                    nothing.
# On success the last line on stdout is the tree's path.

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
flavour=test
print=
while [ $# -gt 0 ]; do
	case "$1" in
	--print) print=1 ;;
	--flavour)
		[ $# -ge 2 ] || { echo "prepare-kernel: --flavour wants a name" >&2; exit 2; }
		flavour=$2
		shift
		;;
	*) echo "prepare-kernel: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done
cache=${KSPDM_CACHE:-/var/cache/kspdm}
pkg=linux-source-6.12
tarball=/usr/src/$pkg.tar.xz

log() { echo "prepare-kernel: $*" >&2; }

need_pkg() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'
}

if ! need_pkg "$pkg"; then
	if [ -n "$print" ]; then
		log "$pkg is not installed"
		exit 1
	fi
	log "installing $pkg"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >&2
fi

# The configuration fragment of the flavour
fragment() {
	case "$flavour" in
	test) cat "$here/kernel.config" ;;
	bench)
		# the options kernel-bench.config sets replace those of the base
		sets=$(sed -nE 's/^(# )?(CONFIG_[A-Za-z0-9_]+)[= ].*/\2/p' \
			"$here/kernel-bench.config")
		grep -vwF -f <(echo "$sets") "$here/kernel.config"
		cat "$here/kernel-bench.config"
		;;
	*) echo "prepare-kernel: unknown flavour $flavour" >&2; exit 2 ;;
	esac
}

frag_text=$(fragment)
version=$(dpkg-query -W -f='${Version}' "$pkg")
# Bump when the way the tree is built changes, so caches are rebuilt.
tree_format=1
hash=$( (echo "format $tree_format"; echo "$frag_text") | sha256sum | cut -c1-12)
tree="$cache/linux-$version-$hash"

if [ -n "$print" ]; then
	echo "$tree"
	exit 0
fi

if [ -f "$tree/.kspdm-ready" ]; then
	echo "$tree"
	exit 0
fi

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
if [ -f "$tree/.kspdm-ready" ]; then
	echo "$tree"
	exit 0
fi

log "building $pkg $version (config $hash) in $tree"
rm -rf "$tree" "$tree.tmp"
mkdir -p "$tree.tmp"
tar -C "$tree.tmp" -xf "$tarball" --strip-components=1
frag="$tree.tmp/kspdm.config"
echo "$frag_text" >"$frag"

jobs=$(nproc)
(
	cd "$tree.tmp"
	make -s allnoconfig KCONFIG_ALLCONFIG="$frag" >&2
	make -s olddefconfig >&2
	missing=0
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=y|CONFIG_*=m)
			grep -qx "$line" .config && continue
			;;
		"# CONFIG_"*" is not set")
			sym=${line#\# }
			sym=${sym%% *}
			grep -Eq "^$sym=(y|m)$" .config || continue
			;;
		*) continue ;;
		esac
		log "option not applied: $line"
		missing=1
	done <"$frag"
	[ "$missing" = 0 ] || { log "configuration incomplete"; exit 1; }
	make -s -j"$jobs" bzImage modules >&2
)
mv "$tree.tmp" "$tree"
touch "$tree/.kspdm-ready"
log "ready: $tree"
echo "$tree"
