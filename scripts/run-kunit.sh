#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Boot a built Linux tree under QEMU (TCG), load out-of-tree KUnit test
# modules, collect their KTAP results from debugfs plus a kmemleak report,
# and summarise.
#
# Usage: scripts/run-kunit.sh --kdir DIR [--timeout SECS] [--log FILE]
#                             [--verbose] MODULE.ko...
#
#   --kdir DIR      built kernel tree (needs DIR/arch/x86/boot/bzImage)
#   --timeout SECS  kill QEMU after SECS seconds (default 900)
#   --log FILE      write the guest's serial output to FILE
#                   (default: a new temporary file, whose path is printed)
#   --verbose       also copy the serial output to stdout while it runs
#   MODULE.ko...    modules built against DIR, in load order
#
# Summary lines on stdout: one "FAIL: suite.case[.param]" per failing test,
# one "suite: P passed, F failed, S skipped" per suite, one "ERROR: ..." per
# other problem (crash, timeout, insmod/rmmod failure, KASAN/UBSAN/lockdep
# report, kmemleak leak, ...), and last "N passed, N failed".
# The exit status is 0 only if nothing failed; 2 means bad usage.

set -euo pipefail

prog=${0##*/}

usage() {
	echo "Usage: $prog --kdir DIR [--timeout SECS] [--log FILE] [--verbose] MODULE.ko..." >&2
	exit 2
}

say() { echo "$prog: $*" >&2; }
die() { say "$*"; exit 2; }

kdir=
timeout_s=900
log=
verbose=0
modules=()

while [ $# -gt 0 ]; do
	case "$1" in
	--kdir) [ $# -ge 2 ] || usage; kdir=$2; shift 2 ;;
	--kdir=*) kdir=${1#*=}; shift ;;
	--timeout) [ $# -ge 2 ] || usage; timeout_s=$2; shift 2 ;;
	--timeout=*) timeout_s=${1#*=}; shift ;;
	--log) [ $# -ge 2 ] || usage; log=$2; shift 2 ;;
	--log=*) log=${1#*=}; shift ;;
	--verbose|-v) verbose=1; shift ;;
	-h|--help) usage ;;
	--) shift; modules+=("$@"); break ;;
	-*) say "unknown option: $1"; usage ;;
	*) modules+=("$1"); shift ;;
	esac
done

[ -n "$kdir" ] || usage
[ ${#modules[@]} -gt 0 ] || usage
[[ "$timeout_s" =~ ^[1-9][0-9]*$ ]] || die "--timeout wants a positive number of seconds"
bzimage=$kdir/arch/x86/boot/bzImage
[ -f "$bzimage" ] || die "no kernel image at $bzimage"

# Module file names must be unique: they are copied into one directory.
declare -A seen=()
for m in "${modules[@]}"; do
	[ -f "$m" ] || die "no such module: $m"
	case "$m" in *.ko) ;; *) die "not a .ko file: $m" ;; esac
	b=${m##*/}
	[ -z "${seen[$b]:-}" ] || die "module file name given twice: $b"
	seen[$b]=1
done

# --- host tools ------------------------------------------------------------

pkg_installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'
}

need_pkg() {	# need_pkg PACKAGE [FILE]: install PACKAGE unless FILE exists
	if [ -n "${2:-}" ] && [ -x "$2" ]; then
		return 0
	fi
	pkg_installed "$1" && return 0
	say "installing $1"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >&2
}

# Debian's "busybox" package also ships a (dynamic) /bin/busybox, so look
# for the static package itself.
need_pkg busybox-static
need_pkg qemu-system-x86 "$(command -v qemu-system-x86_64 || true)"
need_pkg cpio "$(command -v cpio || true)"
python=/usr/bin/python3
need_pkg python3-minimal "$python"

# --- initramfs -------------------------------------------------------------

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kspdm-kunit.XXXXXX")
qpid=
tailpid=
# shellcheck disable=SC2317  # invoked from the EXIT trap
cleanup() {
	if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then
		kill "$qpid" 2>/dev/null || true
		wait "$qpid" 2>/dev/null || true
	fi
	if [ -n "$tailpid" ] && kill -0 "$tailpid" 2>/dev/null; then
		kill "$tailpid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

root=$tmp/root
mkdir -p "$root"/{bin,dev,proc,sys,tmp,modules}
cp /bin/busybox "$root/bin/busybox"
for applet in $(/bin/busybox --list); do
	[ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done
ln -s bin "$root/sbin"
# The kernel opens /dev/console for init before anything is mounted; /init
# reopens it from devtmpfs anyway, so this is only nice to have.
mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null || true

for m in "${modules[@]}"; do
	cp "$m" "$root/modules/"
	echo "${m##*/}" >>"$root/modules/order"
done

cat >"$root/init" <<'EOF'
#!/bin/sh
export PATH=/bin
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t debugfs debugfs /sys/kernel/debug

uptime_s() { cut -d. -f1 /proc/uptime; }

loaded=
while read -r ko; do
	name=${ko%.ko}
	insmod "/modules/$ko"
	rc=$?
	if [ $rc -eq 0 ]; then
		loaded="$name $loaded"
	else
		echo "KSPDM-INSMOD-FAIL $name $rc"
	fi
done </modules/order
loaded_at=$(uptime_s)

for d in /sys/kernel/debug/kunit/*/; do
	[ -f "${d}results" ] || continue
	suite=$(basename "$d")
	echo "KSPDM-KTAP-BEGIN $suite"
	cat "${d}results"
	echo
	echo "KSPDM-KTAP-END $suite"
done

if [ -e /sys/kernel/debug/kmemleak ]; then
	# kmemleak does not report objects younger than 5 s: let the
	# allocations made by the tests age before scanning.
	while [ "$(uptime_s)" -lt $((loaded_at + 6)) ]; do
		sleep 1
	done
	echo scan >/sys/kernel/debug/kmemleak 2>/dev/null
	sleep 1
	echo scan >/sys/kernel/debug/kmemleak 2>/dev/null
	echo "KSPDM-KMEMLEAK-BEGIN"
	cat /sys/kernel/debug/kmemleak
	echo "KSPDM-KMEMLEAK-END"
fi

for name in $loaded; do
	rmmod "$name" || echo "KSPDM-RMMOD-FAIL $name"
done

echo "KSPDM-DONE"
poweroff -f
# Without ACPI the kernel halts instead; the host side notices.
while :; do sleep 60; done
EOF
chmod 755 "$root/init"

initrd=$tmp/initramfs.cpio.gz
(cd "$root" && find . -print0 | LC_ALL=C sort -z |
	cpio -o -H newc --null --quiet -R 0:0) | gzip -1 >"$initrd"

# --- boot ------------------------------------------------------------------

if [ -z "$log" ]; then
	log=$(mktemp "${TMPDIR:-/tmp}/kspdm-kunit-log.XXXXXX")
fi
: >"$log"
echo "serial log: $log"

# kunit.enable=1: the tree may have CONFIG_KUNIT_DEFAULT_ENABLED=n.
# printk.time=1: timestamps let the parser tell kernel messages apart from
# the KTAP text they may interleave with.
append="console=ttyS0 panic=-1 oops=panic kasan.fault=report loglevel=7"
append+=" kmemleak=on kunit.enable=1 printk.time=1"

start=$SECONDS
timeout "$timeout_s" qemu-system-x86_64 -M q35 -cpu max -smp 2 -m 2G \
	-nographic -no-reboot \
	-kernel "$bzimage" -initrd "$initrd" -append "$append" \
	</dev/null >"$log" 2>&1 &
qpid=$!
if [ "$verbose" = 1 ]; then
	tail -n +1 -f --pid="$qpid" "$log" &
	tailpid=$!
fi

# "poweroff -f" only stops QEMU if the guest kernel can power off (ACPI);
# otherwise it halts.  Once the guest is done, stop QEMU ourselves.
stopped=0
done_at=
while kill -0 "$qpid" 2>/dev/null; do
	if [ -z "$done_at" ] && grep -q 'KSPDM-DONE' "$log"; then
		done_at=$SECONDS
	fi
	if [ -n "$done_at" ] &&
	   { grep -qE 'reboot: .*(System halted|Power down)' "$log" ||
	     [ $((SECONDS - done_at)) -ge 20 ]; }; then
		sleep 1
		stopped=1
		kill "$qpid" 2>/dev/null || true
		break
	fi
	sleep 1
done
qrc=0
wait "$qpid" || qrc=$?
qpid=
if [ -n "$tailpid" ]; then
	wait "$tailpid" 2>/dev/null || true
	tailpid=
fi
elapsed=$((SECONDS - start))

if [ "$stopped" = 1 ]; then
	qstatus="stopped after the guest finished"
elif [ "$qrc" = 124 ]; then
	qstatus="timeout"
elif [ "$qrc" = 0 ]; then
	qstatus="exited"
else
	qstatus="exit status $qrc"
fi
say "QEMU ran for ${elapsed}s ($qstatus)"

# --- summary ---------------------------------------------------------------

rc=0
"$python" - "$log" "$qstatus" "$timeout_s" <<'PYEOF' || rc=$?
import re
import sys

log_path, qemu_status, timeout_s = sys.argv[1:4]

# A kernel message: "[   12.345678] text".  It may also start in the middle
# of a line that userspace was writing at the time.
TIMESTAMP = re.compile(r'\[\s*\d+\.\d+\]\s?')
ANSI = re.compile(r'\x1b(\[[0-9;?]*[A-Za-z]|[()][A-Za-z0-9]|[A-Za-z=>])')
RESULT = re.compile(r'^(\s*)(not ok|ok)\s+\d+(?:\s+-)?\s*(.*)$')
# Lines KUnit itself prints to the console: test results and diagnostics,
# which may quote anything a test says.
KTAP_ECHO = re.compile(r'^\s*(#|ok\s|not ok\s|KTAP version|1\.\.\d)')
KERNEL_BAD = re.compile(
    r'BUG: KASAN|UBSAN:|WARNING: possible|BUG: |WARNING: CPU|Kernel panic'
    r'|Oops|general protection fault|INFO: task .* blocked'
    r'|kernel BUG at|WARNING: suspicious RCU usage'
    r'|WARNING: inconsistent lock state|WARNING: bad unlock balance'
    r'|WARNING: held lock freed|WARNING: lock held when returning'
    r'|WARNING: Nested lock was not taken|still has locks held!')


class Test:
    def __init__(self, name, ok, skip, children):
        self.name, self.ok, self.skip, self.children = name, ok, skip, children


def parse_ktap(lines):
    """Build the result tree: a test's sub-results precede its own result
    line and are indented deeper.  Returns (roots, complete)."""
    stack = []          # (indent, Test) not yet claimed by a parent
    for line in lines:
        m = RESULT.match(line)
        if not m:
            continue
        indent = len(m.group(1).expandtabs(8))
        name, _, directive = m.group(3).partition('#')
        skip = directive.strip().upper().startswith('SKIP')
        children = []
        while stack and stack[-1][0] > indent:
            children.insert(0, stack.pop()[1])
        stack.append((indent, Test(name.strip(), m.group(2) == 'ok', skip,
                                   children)))
    complete = len(stack) > 0 and all(i == 0 for i, _ in stack)
    return [t for _, t in stack], complete


def leaves(test, prefix=()):
    """Yield (path, status) for the deepest results under test."""
    path = prefix + (test.name,)
    if not test.children:
        yield path, 'skip' if test.skip else 'pass' if test.ok else 'fail'
        return
    statuses = []
    for child in test.children:
        for leaf in leaves(child, path):
            statuses.append(leaf[1])
            yield leaf
    if not test.ok and not test.skip and 'fail' not in statuses:
        # e.g. a failing suite_exit: the parent failed, no sub-test did.
        yield path, 'fail'


def main():
    with open(log_path, 'rb') as f:
        text = f.read().decode('utf-8', 'replace')
    text = ANSI.sub('', text.replace('\r', ''))

    suites = []         # (name, [lines])
    kmemleak = []
    kernel_bad = []
    insmod_fail, rmmod_fail = [], []
    done = kunit_disabled = False
    section = None      # None, 'ktap' or 'kmemleak'
    carry = ''          # userspace text cut short by a kernel message

    for raw in text.split('\n'):
        m = TIMESTAMP.search(raw)
        if m:
            msg = raw[m.end():]
            if not KTAP_ECHO.match(msg) and KERNEL_BAD.search(msg):
                kernel_bad.append(msg.strip())
            if 'kunit: disabled' in msg:
                kunit_disabled = True
            carry += raw[:m.start()]
            continue
        line, carry = carry + raw, ''
        # Text cut short by a kernel message is glued to the next line; a
        # marker line may so have picked up an unrelated prefix (e.g. the
        # firmware's last words before the kernel's first message).
        k = line.find('KSPDM-')
        if k > 0:
            line = line[k:]
        word = line.strip()

        if section == 'ktap':
            if word.startswith('KSPDM-KTAP-END'):
                section = None
            else:
                suites[-1][1].append(line)
            continue
        if section == 'kmemleak':
            if word == 'KSPDM-KMEMLEAK-END':
                section = None
            else:
                kmemleak.append(line)
            continue

        if word.startswith('KSPDM-KTAP-BEGIN '):
            suites.append((word.split(None, 1)[1], []))
            section = 'ktap'
        elif word == 'KSPDM-KMEMLEAK-BEGIN':
            section = 'kmemleak'
        elif word.startswith('KSPDM-INSMOD-FAIL'):
            insmod_fail.append(word.split()[1:])
        elif word.startswith('KSPDM-RMMOD-FAIL'):
            rmmod_fail.append(word.split()[1:])
        elif word == 'KSPDM-DONE':
            done = True
        elif KERNEL_BAD.search(line):
            kernel_bad.append(word)

    errors = []
    total = {'pass': 0, 'fail': 0, 'skip': 0}
    summaries = []
    for name, lines in suites:
        roots, complete = parse_ktap(lines)
        count = {'pass': 0, 'fail': 0, 'skip': 0}
        for root in roots:
            for path, status in leaves(root):
                count[status] += 1
                if status == 'fail':
                    print('FAIL: ' + '.'.join(path))
        if not complete:
            errors.append(f'suite {name}: KTAP results incomplete or '
                          f'malformed')
        for k in count:
            total[k] += count[k]
        summaries.append(f"{name}: {count['pass']} passed, "
                         f"{count['fail']} failed, {count['skip']} skipped")
    for line in summaries:
        print(line)

    if not done:
        if qemu_status == 'timeout':
            why = f'QEMU was killed after the {timeout_s}s timeout'
        else:
            why = f'the guest crashed or hung (QEMU {qemu_status})'
        errors.append(f'no KSPDM-DONE line: {why}')
    for args in insmod_fail:
        errors.append('insmod failed: ' + ' '.join(args[:1]) +
                      (f' (status {args[1]})' if len(args) > 1 else ''))
    for args in rmmod_fail:
        errors.append('rmmod failed: ' + ' '.join(args[:1]))
    if not suites:
        hint = (' (KUnit is disabled: boot with kunit.enable=1)'
                if kunit_disabled else '')
        errors.append('no KUnit suites found in debugfs' + hint)
    shown = set()
    for msg in kernel_bad:
        if msg not in shown:
            shown.add(msg)
            errors.append('kernel log: ' + msg)
    report = [l.rstrip() for l in kmemleak if l.strip()]
    leaks = sum('unreferenced object' in l for l in report)
    if leaks:
        errors.append(f'kmemleak: {leaks} unreferenced object(s)')

    for e in errors:
        print('ERROR: ' + e)
    if leaks:
        for l in report[:60]:
            print('    ' + l)
        if len(report) > 60:
            print(f'    ... ({len(report) - 60} more lines in the log)')
    print(f"{total['pass']} passed, {total['fail']} failed")
    return 1 if errors or total['fail'] else 0


sys.exit(main())
PYEOF
exit "$rc"
