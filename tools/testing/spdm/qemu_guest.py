# SPDX-License-Identifier: GPL-2.0-only
"""Boot the kspdm test kernel in QEMU with a busybox initramfs.

Shared by the integration harness and the demo: building the initramfs
(busybox, keyctl and its libraries, our modules, files), starting QEMU
(TCG), stopping it once the guest says it is done, and scanning the
serial log for kernel reports (KASAN, UBSAN, lockdep, oops, kmemleak).

The guest's /init runs a shell script given by the caller between a
common prelude (mounts, helper functions) and a common epilogue (kmemleak
scan, "KSPDM-DONE").  Helpers the script can use:

    check NAME EXPECTED ACTUAL     KSPDM-CHECK ok|fail line
    check_grep NAME PATTERN TEXT   ok if TEXT matches the ERE PATTERN
    wait_done PATH [SECS]          wait until PATH/state is final
"""

import gzip
import os
import re
import shutil
import subprocess
import tempfile
import time

BUSYBOX = '/bin/busybox'
KEYCTL = '/usr/bin/keyctl'

TIMESTAMP = re.compile(r'\[\s*\d+\.\d+\]\s?')
ANSI = re.compile(r'\x1b(\[[0-9;?]*[A-Za-z]|[()][A-Za-z0-9]|[A-Za-z=>])')
KERNEL_BAD = re.compile(
    r'BUG: KASAN|UBSAN:|WARNING: possible|BUG: |WARNING: CPU|Kernel panic'
    r'|Oops|general protection fault|INFO: task .* blocked'
    r'|kernel BUG at|WARNING: suspicious RCU usage'
    r'|WARNING: inconsistent lock state|WARNING: bad unlock balance'
    r'|WARNING: held lock freed|WARNING: lock held when returning'
    r'|WARNING: Nested lock was not taken|still has locks held!')

PRELUDE = r'''#!/bin/sh
export PATH=/bin
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t debugfs debugfs /sys/kernel/debug
# Kernel messages go to the serial console, timestamped
echo 7 > /proc/sys/kernel/printk

check() {
	if [ "$2" = "$3" ]; then
		echo "KSPDM-CHECK ok $1"
	else
		echo "KSPDM-CHECK fail $1 expected [$2] got [$3]"
	fi
}

check_grep() {
	if echo "$3" | grep -Eq -- "$2"; then
		echo "KSPDM-CHECK ok $1"
	else
		echo "KSPDM-CHECK fail $1 [$3] does not match [$2]"
	fi
}

wait_done() {
	n=0
	while [ $n -lt $((${2:-90} * 10)) ]; do
		case "$(cat "$1/state" 2>/dev/null)" in
		authenticated|failed) return 0 ;;
		esac
		sleep 0.1
		n=$((n + 1))
	done
	echo "KSPDM-CHECK fail wait:$1 state [$(cat "$1/state" 2>/dev/null)]"
	return 1
}

'''

EPILOGUE = r'''
if [ -e /sys/kernel/debug/kmemleak ]; then
	# kmemleak ignores objects younger than 5 s
	sleep 6
	echo scan > /sys/kernel/debug/kmemleak
	sleep 1
	echo scan > /sys/kernel/debug/kmemleak
	echo KSPDM-KMEMLEAK-BEGIN
	cat /sys/kernel/debug/kmemleak
	echo KSPDM-KMEMLEAK-END
fi
echo KSPDM-DONE
poweroff -f
while :; do sleep 60; done
'''


def _libs(binary):
    """The shared libraries and loader a dynamic binary needs."""
    out = subprocess.run(['ldd', binary], capture_output=True, text=True,
                         check=True).stdout
    libs = []
    for line in out.splitlines():
        m = re.search(r'(/\S+)', line)
        if m and os.path.exists(m.group(1)):
            libs.append(m.group(1))
    return libs


PYTHON = '/usr/bin/python3.11'
PYTHON_LIB = '/usr/lib/python3.11'
PYTHON_DIST = '/usr/lib/python3/dist-packages'
# What a test never imports: tests, build and GUI parts, pydoc's data
PYTHON_SKIP = {'test', 'idlelib', 'tkinter', 'turtledemo', 'ensurepip',
               'lib2to3', 'pydoc_data', 'distutils', 'venv', 'sqlite3',
               'site-packages', 'dist-packages'}


def _copy_with_libs(root, src, dst):
    """Copy a dynamic binary or module and the libraries it needs."""
    dst = os.path.join(root, dst.lstrip('/'))
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    shutil.copy(src, dst)
    _copy_libs(root, src)


def _copy_libs(root, binary):
    for lib in _libs(binary):
        dst = os.path.join(root, lib.lstrip('/'))
        if not os.path.exists(dst):
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copy(lib, dst)


def _add_python(root):
    """The host's Python 3 with its standard library and PyYAML, enough
    for the kernel's YNL CLI; /bin/python3 runs it."""
    _copy_with_libs(root, PYTHON, PYTHON)
    os.symlink(PYTHON, os.path.join(root, 'bin', 'python3'))

    def ignore(d, names):
        skip = {n for n in names if n in PYTHON_SKIP and d == PYTHON_LIB}
        skip |= {n for n in names if n.startswith('config-3')}
        # only the plain bytecode; optimised variants are not used
        skip |= {n for n in names if '.opt-' in n}
        return skip
    shutil.copytree(PYTHON_LIB, os.path.join(root, PYTHON_LIB.lstrip('/')),
                    ignore=ignore, symlinks=True)
    shutil.copytree(os.path.join(PYTHON_DIST, 'yaml'),
                    os.path.join(root, PYTHON_DIST.lstrip('/'), 'yaml'))
    for d in (os.path.join(PYTHON_LIB, 'lib-dynload'),
              os.path.join(PYTHON_DIST, 'yaml')):
        for n in os.listdir(d):
            if n.endswith('.so'):
                _copy_libs(root, os.path.join(d, n))


def build_initramfs(workdir, script, modules=(), files=None, binaries=None,
                    python=False):
    """Write an initramfs and return its path.

    modules: paths of .ko files, copied to /modules/<name>.ko
    files: {guest path: host path or bytes}
    binaries: {guest path: host path} of dynamic binaries, copied with
        the libraries they need
    python: add Python 3 with PyYAML (/bin/python3)
    """
    root = os.path.join(workdir, 'root')
    for d in ('bin', 'dev', 'proc', 'sys', 'tmp', 'modules', 'certs'):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    shutil.copy(BUSYBOX, os.path.join(root, 'bin', 'busybox'))
    applets = subprocess.run([BUSYBOX, '--list'], capture_output=True,
                             text=True, check=True).stdout.split()
    for a in applets:
        if a != 'busybox':
            os.symlink('busybox', os.path.join(root, 'bin', a))
    _copy_with_libs(root, KEYCTL, '/bin/keyctl')
    for m in modules:
        shutil.copy(m, os.path.join(root, 'modules', os.path.basename(m)))
    for guest, src in (binaries or {}).items():
        _copy_with_libs(root, src, guest)
    if python:
        _add_python(root)
    for guest, src in (files or {}).items():
        dst = os.path.join(root, guest.lstrip('/'))
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if isinstance(src, bytes):
            with open(dst, 'wb') as f:
                f.write(src)
        else:
            shutil.copy(src, dst)
    init = os.path.join(root, 'init')
    with open(init, 'w') as f:
        f.write(PRELUDE + script + EPILOGUE)
    os.chmod(init, 0o755)

    names = subprocess.run(['find', '.', '-print0'], cwd=root, check=True,
                           capture_output=True).stdout
    cpio = subprocess.run(['cpio', '-o', '-H', 'newc', '--null', '--quiet',
                           '-R', '0:0'], cwd=root, input=names,
                          capture_output=True, check=True).stdout
    path = os.path.join(workdir, 'initramfs.cpio.gz')
    with gzip.open(path, 'wb', compresslevel=1) as f:
        f.write(cpio)
    return path


def boot(kdir, initrd, log_path, qemu_args=(), timeout=600, verbose=False,
         cmdline=''):
    """Boot the kernel; return QEMU's status in words once the guest is
    done, has crashed, or the timeout passed."""
    append = ('console=ttyS0 panic=-1 oops=panic kasan.fault=report '
              'loglevel=7 kmemleak=on printk.time=1 ' + cmdline)
    cmd = ['qemu-system-x86_64', '-M', 'q35', '-cpu', 'max', '-smp', '2',
           '-m', '2G', '-nographic', '-no-reboot',
           # the console stays on COM1 even when a test adds serial ports
           '-serial', 'mon:stdio',
           '-kernel', os.path.join(kdir, 'arch/x86/boot/bzImage'),
           '-initrd', initrd, '-append', append] + list(qemu_args)
    with open(log_path, 'wb') as log:
        q = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                             stderr=subprocess.STDOUT)
    start = time.monotonic()
    done_at = None
    shown = 0
    status = None
    while status is None:
        time.sleep(0.5)
        with open(log_path, 'rb') as f:
            text = f.read().decode('utf-8', 'replace')
        if verbose:
            print(text[shown:], end='', flush=True)
            shown = len(text)
        if q.poll() is not None:
            status = f'exited ({q.returncode})'
        elif done_at is None and 'KSPDM-DONE' in text:
            done_at = time.monotonic()
        elif done_at is not None and (
                re.search(r'reboot: .*(System halted|Power down)', text) or
                time.monotonic() - done_at > 20):
            status = 'stopped after the guest finished'
        elif time.monotonic() - start > timeout:
            status = f'killed after {timeout} s'
    if q.poll() is None:
        q.terminate()
        try:
            q.wait(10)
        except subprocess.TimeoutExpired:
            q.kill()
            q.wait()
    return status


class GuestLog:
    """What a guest printed: checks, kernel reports, kmemleak, done."""

    def __init__(self, path):
        with open(path, 'rb') as f:
            text = f.read().decode('utf-8', 'replace')
        text = ANSI.sub('', text.replace('\r', ''))
        self.kernel = []        # kernel messages, without timestamps
        self.lines = []         # everything else
        self.checks = []        # (ok, name, detail)
        self.kmemleak = []
        self.sections = {}      # name -> [lines] between KSPDM-BEGIN/END
        self.done = False
        carry = ''
        section = None
        for raw in text.split('\n'):
            m = TIMESTAMP.search(raw)
            if m:
                self.kernel.append(raw[m.end():])
                carry += raw[:m.start()]
                continue
            line, carry = carry + raw, ''
            k = line.find('KSPDM-')
            if k > 0:
                line = line[k:]
            word = line.strip()
            if section is not None:
                if word == f'KSPDM-END {section}':
                    section = None
                elif section == 'kmemleak' and word == 'KSPDM-KMEMLEAK-END':
                    section = None
                elif section == 'kmemleak':
                    self.kmemleak.append(line)
                else:
                    self.sections[section].append(line)
                continue
            if word.startswith('KSPDM-CHECK '):
                parts = word.split(None, 3) + ['', '']
                self.checks.append((parts[1] == 'ok', parts[2],
                                    parts[3] if len(parts) > 3 else ''))
            elif word.startswith('KSPDM-BEGIN '):
                section = word.split(None, 1)[1]
                self.sections[section] = []
            elif word == 'KSPDM-KMEMLEAK-BEGIN':
                section = 'kmemleak'
            elif word == 'KSPDM-DONE':
                self.done = True
            else:
                self.lines.append(line)

    def problems(self):
        """Kernel reports and leaks, each a line of text."""
        out = []
        seen = set()
        for msg in self.kernel:
            if KERNEL_BAD.search(msg) and msg not in seen:
                seen.add(msg)
                out.append('kernel log: ' + msg.strip())
        leaks = sum('unreferenced object' in l for l in self.kmemleak)
        if leaks:
            report = [l.rstrip() for l in self.kmemleak if l.strip()]
            out.append(f'kmemleak: {leaks} unreferenced object(s)\n    ' +
                       '\n    '.join(report[:60]))
        if not self.done:
            out.append('the guest did not finish (no KSPDM-DONE)')
        return out


def workdir(prefix='kspdm-'):
    return tempfile.mkdtemp(prefix=prefix)
