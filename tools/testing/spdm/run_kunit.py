#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Run out-of-tree KUnit test modules in the kspdm test kernel under QEMU.

    run_kunit.py --kdir DIR [--timeout SECS] [--keep] [-v] MODULE.ko...

The modules are loaded in the given order; KUnit runs their suites at
load, and the guest prints every suite's KTAP results from debugfs.
Prints one "FAIL: suite.case[.param]" line per failing test, one
"suite: P passed, F failed, S skipped" line per suite, one "ERROR: ..."
line per other problem (crash, timeout, insmod/rmmod failure, kernel
report, kmemleak leak), and last "N passed, N failed".  Exits 0 only if
nothing failed.
"""

import argparse
import os
import re
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import qemu_guest  # noqa: E402

RESULT = re.compile(r'^(\s*)(not ok|ok)\s+\d+(?:\s+-)?\s*(.*)$')

SCRIPT = r'''
loaded=
for ko in $(cat /modules/order); do
	name=${ko%.ko}
	if insmod "/modules/$ko"; then
		loaded="$name $loaded"
	else
		echo "KSPDM-CHECK fail insmod:$name"
	fi
done
for d in /sys/kernel/debug/kunit/*/; do
	[ -f "${d}results" ] || continue
	echo "KSPDM-BEGIN ktap:$(basename "$d")"
	cat "${d}results"
	echo
	echo "KSPDM-END ktap:$(basename "$d")"
done
for name in $loaded; do
	rmmod "$name" || echo "KSPDM-CHECK fail rmmod:$name"
done
'''


class Test:
    def __init__(self, name, ok, skip, children):
        self.name, self.ok, self.skip, self.children = name, ok, skip, children


def parse_ktap(lines):
    """Build the result tree: a test's sub-results precede its own result
    line and are indented deeper.  Returns (roots, complete)."""
    stack = []
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
    complete = bool(stack) and all(i == 0 for i, _ in stack)
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
        # e.g. a failing suite_exit: the parent failed, no sub-test did
        yield path, 'fail'


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument('--kdir', required=True, help='built kernel tree')
    ap.add_argument('--timeout', type=int, default=900)
    ap.add_argument('--keep', action='store_true',
                    help='keep the work directory with the serial log')
    ap.add_argument('-v', '--verbose', action='store_true',
                    help='copy the serial console to stdout')
    ap.add_argument('modules', nargs='+', help='modules, in load order')
    args = ap.parse_args()

    work = qemu_guest.workdir('kspdm-kunit-')
    try:
        order = '\n'.join(os.path.basename(m) for m in args.modules) + '\n'
        initrd = qemu_guest.build_initramfs(
            work, SCRIPT, args.modules, {'/modules/order': order.encode()})
        log_path = os.path.join(work, 'serial.log')
        status = qemu_guest.boot(args.kdir, initrd, log_path,
                                 timeout=args.timeout, verbose=args.verbose,
                                 cmdline='kunit.enable=1')
        log = qemu_guest.GuestLog(log_path)
        print(f'QEMU: {status}' + (f', serial log {log_path}'
                                   if args.keep else ''))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    errors = [f'{name}: {detail}'.strip() for ok, name, detail in log.checks
              if not ok]
    errors += log.problems()
    total = {'pass': 0, 'fail': 0, 'skip': 0}
    summaries = []
    suites = [(k[5:], v) for k, v in log.sections.items()
              if k.startswith('ktap:')]
    for name, lines in suites:
        roots, complete = parse_ktap(lines)
        count = {'pass': 0, 'fail': 0, 'skip': 0}
        for root in roots:
            for path, status in leaves(root):
                count[status] += 1
                if status == 'fail':
                    print('FAIL: ' + '.'.join(path))
        if not complete:
            errors.append(f'suite {name}: KTAP results incomplete')
        for k in count:
            total[k] += count[k]
        summaries.append(f"{name}: {count['pass']} passed, "
                         f"{count['fail']} failed, {count['skip']} skipped")
    if not suites:
        errors.append('no KUnit suites found in debugfs')
    for line in summaries:
        print(line)
    for e in errors:
        print('ERROR: ' + e)
    print(f"{total['pass']} passed, {total['fail']} failed")
    return 1 if errors or total['fail'] else 0


if __name__ == '__main__':
    sys.exit(main())
