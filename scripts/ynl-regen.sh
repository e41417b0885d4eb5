#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Regenerate the netlink code of kspdm from its YNL spec with the kernel's
# own generator (tools/net/ynl/ynl-gen-c.py of the test kernel's tree):
#
#   Documentation/netlink/specs/spdm.yaml
#     -> include/uapi/linux/spdm.h        (uapi header)
#     -> drivers/spdm/netlink-gen.h       (kernel header)
#     -> drivers/spdm/netlink-gen.c       (policies and the family's ops)
#
# Usage: scripts/ynl-regen.sh [--check]
#   --check   regenerate into a scratch directory and fail if the
#             committed files differ (they are stale).

set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
ksrc=${KSRC:-$("$top/scripts/prepare-kernel.sh" | tail -n 1)}
gen=$ksrc/tools/net/ynl/ynl-gen-c.py
[ -f "$gen" ] || { echo "ynl-regen: no $gen" >&2; exit 1; }

check=0
[ "${1:-}" = --check ] && check=1

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The generator validates the spec against the schema two levels up.
mkdir -p "$tmp/Documentation/netlink/specs" "$tmp/out"
# ... and looks for MAINTAINERS to find the top of the tree
touch "$tmp/MAINTAINERS"
cp "$ksrc/Documentation/netlink/genetlink.yaml" "$tmp/Documentation/netlink/"
cp "$top/Documentation/netlink/specs/spdm.yaml" "$tmp/Documentation/netlink/specs/"

run() {	# run MODE --header|--source OUT
	(cd "$tmp" && /usr/bin/python3 "$gen" --mode "$1" "$2" \
		--spec Documentation/netlink/specs/spdm.yaml -o "$3") >&2
}
run uapi --header "$tmp/out/spdm.h"
run kernel --header "$tmp/out/netlink-gen.h"
run kernel --source "$tmp/out/netlink-gen.c"
# The kernel code includes its own header by this name
sed -i 's|#include "spdm-nl.h"|#include "netlink-gen.h"|' "$tmp/out/netlink-gen.c"

stale=0
for pair in "spdm.h:include/uapi/linux/spdm.h" \
	    "netlink-gen.h:drivers/spdm/netlink-gen.h" \
	    "netlink-gen.c:drivers/spdm/netlink-gen.c"; do
	new=$tmp/out/${pair%%:*}
	old=$top/${pair#*:}
	if [ "$check" = 1 ]; then
		if ! cmp -s "$new" "$old"; then
			echo "ynl-regen: ${pair#*:} is stale: run scripts/ynl-regen.sh" >&2
			stale=1
		fi
	else
		mkdir -p "$(dirname "$old")"
		cp "$new" "$old"
	fi
done
exit $stale
