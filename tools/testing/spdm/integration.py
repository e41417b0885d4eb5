#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""End-to-end tests of kspdm in QEMU: PCIe devices authenticated over DOE.

Each scenario boots the test kernel once with QEMU's emulated NVMe
devices, each wired by spdm_port to its own responder emulator
(responder.py) or to an external responder, loads the modules, and checks
what sysfs and the kernel log show.  Every check prints a line; the last
line is "N passed, N failed" and the exit status is non-zero on any
failure, kernel report (KASAN, UBSAN, lockdep, oops) or kmemleak leak.

    integration.py --kdir DIR --modules DIR [--scenario NAME]...
    integration.py --kdir DIR --modules DIR --responder-port N --root-cert F
    integration.py --kdir DIR --modules DIR --demo
"""

import argparse
import ast
import base64
import hashlib
import json
import re
import os
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import qemu_guest  # noqa: E402
import spdm_model  # noqa: E402
from cryptography import x509  # noqa: E402

PYTHON = '/usr/bin/python3'
FIRST_SLOT = 0x10       # PCI device number of the first NVMe device


class Device:
    """One NVMe function and the responder behind its spdm_port."""

    def __init__(self, name, args=(), trusted=True, port=None, root=None):
        self.name = name
        self.args = list(args)
        self.trusted = trusted
        self.port = port            # external responder's port
        self.root = root            # external responder's root (DER file)
        self.proc = None
        self.cert_dir = None
        self.index = None

    @property
    def bdf(self):
        return f'0000:00:{FIRST_SLOT + self.index:02x}.0'

    @property
    def sysfs(self):
        return f'/sys/class/spdm/{self.bdf}'

    def start(self, workdir):
        if self.port:
            return
        self.cert_dir = os.path.join(workdir, f'certs-{self.name}')
        log = open(os.path.join(workdir, f'responder-{self.name}.log'), 'w')
        self.proc = subprocess.Popen(
            [PYTHON, os.path.join(HERE, 'responder.py'), '--port', '0',
             '--cert-dir', self.cert_dir, '-q'] + self.args,
            stdout=subprocess.PIPE, stderr=log, text=True)
        line = self.proc.stdout.readline()
        while line and not line.startswith('listening on'):
            line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f'responder {self.name} did not start '
                               f'(see {log.name})')
        self.port = int(line.rsplit(':', 1)[1])

    def qemu_args(self, work):
        """The NVMe function at its fixed address, wired to the port."""
        i = self.index
        disk = os.path.join(work, f'disk{i}.img')
        with open(disk, 'wb') as f:
            f.truncate(1 << 20)
        return ['-drive', f'file={disk},if=none,id=nvm{i},format=raw',
                '-device', f'nvme,serial=kspdm{i},drive=nvm{i},'
                           f'addr=0x{FIRST_SLOT + i:x},spdm_port={self.port}']

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def root_der(self):
        return self.root or os.path.join(self.cert_dir, 'root.der')

    def guest_files(self, work):
        return {}

    def certs_sha256(self):
        """SHA-256 of the chain's certificates, as sysfs shows them."""
        with open(os.path.join(self.cert_dir, 'chain.der'), 'rb') as f:
            chain = f.read()
        hlen = len(chain) - len(self._der_certs(chain))
        return hashlib.sha256(chain[hlen:]).hexdigest()

    @staticmethod
    def _der_certs(chain):
        # Length u16, Reserved u16, RootHash, then certificates starting
        # with a SEQUENCE tag; RootHash sizes are 32, 48 or 64.
        for h in (32, 48, 64):
            if chain[4 + h:4 + h + 2] == b'\x30\x82':
                return chain[4 + h:]
        raise ValueError('cannot find the certificates in chain.der')


class MctpLink(Device):
    """A serial line (DSP0253) to a responder answering for many EIDs.

    The guest sees it as ttyS<1 + n>; mctp-setup (built here, statically)
    attaches the MCTP line discipline, the local EID and the routes.
    """

    def __init__(self, name, eids, args=(), serial=0):
        super().__init__(name, ['--transport', 'mctp-serial', '--eids', eids]
                         + list(args))
        self.serial = serial

    @property
    def tty(self):
        return f'ttyS{1 + self.serial}'

    def qemu_args(self, work):
        return ['-chardev', f'socket,id=mctp{self.serial},host=127.0.0.1,'
                            f'port={self.port}',
                '-device', f'isa-serial,chardev=mctp{self.serial},'
                           f'index={1 + self.serial}']

    def guest_files(self, work):
        binary = os.path.join(work, 'mctp-setup')
        if not os.path.exists(binary):
            subprocess.run(['gcc', '-static', '-O2', '-Wall', '-Wextra',
                            '-Werror', '-o', binary,
                            os.path.join(HERE, 'mctp-setup.c')], check=True)
        return {'/bin/mctp-setup': binary}


class Scenario:
    """A guest script and the devices it runs against."""

    def __init__(self, name, devices, script, modules=('spdm', 'spdm_pci'),
                 extra_modules=(), binaries=None, files=None, python=False,
                 post=None, qemu_args=()):
        self.name = name
        self.devices = devices
        self.script = script
        self.modules = modules
        self.extra_modules = extra_modules
        self.binaries = binaries or (lambda work: {})
        self.files = files or (lambda work, args: {})
        self.python = python
        # post(result) -> [(ok, name, detail)]: checks made on the host
        # from what the guest printed
        self.post = post
        self.qemu_args = list(qemu_args)     # further QEMU options


def sh_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"


def trust_roots(devices):
    lines = []
    for d in devices:
        if d.trusted:
            lines.append(f'keyctl padd asymmetric "" %:.spdm '
                         f'< /certs/{d.name}.der > /dev/null')
    return '\n'.join(lines) + '\n'


ALGS = {
    'p256': ('ecdsa-p256', 'sha256', 'ecdsa-p256', 'sha256'),
    'p384': ('ecdsa-p384', 'sha384', 'ecdsa-p384', 'sha384'),
    'rsa3072': ('rsassa-3072', 'sha384', 'rsassa3072', 'sha384'),
}


def scenario_matrix():
    """SPDM 1.1, 1.2, 1.3 x ECDSA P-256, P-384, RSASSA-3072: all succeed;
    echo re; unload and reload with the devices present; two vendors whose
    roots share a name."""
    devs = []
    for ver in ('1.1', '1.2', '1.3'):
        for alg, (asym, hash_, _, _) in ALGS.items():
            devs.append(Device(f'v{ver.replace(".", "")}-{alg}',
                               ['--versions', ver, '--asym', asym,
                                '--hash', hash_]))
    # Roots with one name (and serial) but keys of their own, both trusted:
    # each chain is anchored at its own root, found by key identifier, with
    # four signatures verified (root, two links, CHALLENGE_AUTH) and none
    # wasted on the other root
    twins = [Device(f'twin-{x}', ['--ca-name', 'kspdm twin vendor'])
             for x in 'ab']

    def script():
        s = 'insmod /modules/spdm.ko\n' + trust_roots(devs + twins)
        s += 'insmod /modules/spdm_pci.ko\n'
        for d in twins:
            p = d.sysfs
            s += f'''wait_done {p}
check {d.name}:authenticated 1 "$(cat {p}/authenticated)"
check {d.name}:verifies "verifies 4" "$(grep verifies /sys/kernel/debug/spdm/{d.bdf}/stats)"
'''
        for d in devs:
            ver = d.args[1]
            _, _, asym, hash_ = ALGS[d.name.split('-', 1)[1]]
            p = d.sysfs
            s += f'''wait_done {p}
check {d.name}:authenticated 1 "$(cat {p}/authenticated)"
check {d.name}:state authenticated "$(cat {p}/state)"
check {d.name}:error none "$(cat {p}/error)"
check {d.name}:version {ver} "$(cat {p}/version)"
check {d.name}:asym_algo {asym} "$(cat {p}/asym_algo)"
check {d.name}:hash_algo {hash_} "$(cat {p}/hash_algo)"
check {d.name}:transport doe "$(cat {p}/transport)"
check {d.name}:slots 0 "$(cat {p}/slots)"
check_grep {d.name}:capabilities "CERT CHAL" "$(cat {p}/capabilities)"
check {d.name}:slot0 {d.certs_sha256()} "$(sha256sum < {p}/certificates/slot0 | cut -d' ' -f1)"
check {d.name}:parent-link {d.bdf} "$(basename $(readlink {p}/device))"
check {d.name}:in-parent yes "$([ -d /sys/bus/pci/devices/{d.bdf}/spdm/{d.bdf} ] && echo yes)"
'''
        d = devs[0]
        s += f'''echo re > {d.sysfs}/authenticated
check re:status 0 "$?"
check re:authenticated 1 "$(cat {d.sysfs}/authenticated)"
check_grep re:logged "^2$|^[3-9]$" "$(dmesg | grep -c '{d.bdf}: SPDM: authenticated')"
echo bogus > {d.sysfs}/authenticated 2>/dev/null
check re:bogus-refused 1 "$?"
rmmod spdm_pci
check unload:gone no "$([ -e {d.sysfs} ] && echo yes || echo no)"
insmod /modules/spdm_pci.ko
'''
        for d in devs:
            s += f'''wait_done {d.sysfs}
check reload:{d.name} 1 "$(cat {d.sysfs}/authenticated)"
'''
        s += 'rmmod spdm_pci\nrmmod spdm\n'
        return s
    return Scenario('matrix', devs + twins, script)


# (device, responder arguments, trusted, ERE the error must match)
FAULTS = [
    ('untrusted', ['--fault', 'untrusted'], True,
     'no certificate is signed by a trusted root'),
    ('no-root', [], False, 'no certificate is signed by a trusted root'),
    ('bad-signature', ['--fault', 'bad-signature'], True,
     'signature does not verify'),
    ('wrong-nonce', ['--fault', 'wrong-nonce'], True, 'nonce echoes'),
    ('truncated', ['--fault', 'truncated:GET_DIGESTS'], True,
     'DIGESTS truncated'),
    ('oversized', ['--fault', 'oversized:CHALLENGE'], True,
     'CHALLENGE_AUTH'),
    ('no-response', ['--fault', 'no-response:GET_DIGESTS'], True,
     'GET_DIGESTS: transport error'),
    ('busy-always', ['--fault', 'busy-always:GET_DIGESTS'], True,
     'GET_DIGESTS: responder still Busy after 3 retries'),
    ('not-ready-always', ['--fault', 'not-ready-always:CHALLENGE'], True,
     'CHALLENGE: still not ready after [0-9]+ RESPOND_IF_READY'),
    ('wrong-identity',
     ['--pci-id', '1b36:0011:010802:02:1af4:1100'], True,
     'identity Device=11, config space has 10'),
]


def scenario_faults():
    """Every fault: a clean failure with a clear error, no oops, and a
    kernel log line naming the device.  Busy and ResponseNotReady are
    survived."""
    devs = [Device(n, a, trusted=t) for n, a, t, _ in FAULTS]
    ok = [Device('busy', ['--fault', 'busy']),
          Device('not-ready', ['--fault', 'not-ready:CHALLENGE'])]
    anon = Device('no-identity', ['--pci-id', 'none'])
    everything = devs + ok + [anon]

    def script():
        s = 'insmod /modules/spdm.ko\n' + trust_roots(everything)
        s += 'insmod /modules/spdm_pci.ko\n'
        for d, (_, _, _, err) in zip(devs, FAULTS):
            p = d.sysfs
            s += f'''wait_done {p}
check {d.name}:authenticated 0 "$(cat {p}/authenticated)"
check {d.name}:state failed "$(cat {p}/state)"
check_grep {d.name}:error {sh_quote(err)} "$(cat {p}/error)"
check_grep {d.name}:logged "SPDM: .+" "$(dmesg | grep '{d.bdf}: SPDM: ' | grep -v authenticat | head -n 1)"
'''
        for d in ok:
            s += f'''wait_done {d.sysfs}
check {d.name}:authenticated 1 "$(cat {d.sysfs}/authenticated)"
'''
        # A leaf without PCIe CMA identity: logged, or refused on demand
        p = anon.sysfs
        s += f'''wait_done {p}
check no-identity:authenticated 1 "$(cat {p}/authenticated)"
check_grep no-identity:logged "has no PCIe CMA identity" "$(dmesg | grep '{anon.bdf}: SPDM:')"
echo 1 > /sys/module/spdm_pci/parameters/require_identity
echo re > {p}/authenticated 2>/dev/null
check no-identity:re-refused 1 "$?"
check no-identity:required 0 "$(cat {p}/authenticated)"
check_grep no-identity:error "no PCIe CMA identity" "$(cat {p}/error)"
'''
        s += 'rmmod spdm_pci\nrmmod spdm\n'
        return s
    return Scenario('faults', everything, script)


def scenario_enforce():
    """policy=enforce keeps nvme off an unauthenticated device; once its
    root is trusted and "re" succeeds, nvme binds.  A trusted device binds
    at once."""
    bad = Device('enforce-untrusted', ['--versions', '1.2'], trusted=False)
    good = Device('enforce-trusted', ['--versions', '1.3'])

    def script():
        b, g = bad.sysfs, good.sysfs
        drv = '/sys/bus/pci/devices/{}/driver'
        return f'''insmod /modules/spdm.ko
{trust_roots([bad, good])}insmod /modules/spdm_pci.ko policy=enforce
check policy enforce "$(cat /sys/module/spdm_pci/parameters/policy)"
wait_done {b}
wait_done {g}
check untrusted:authenticated 0 "$(cat {b}/authenticated)"
check untrusted:override kspdm-unauthenticated "$(cat /sys/bus/pci/devices/{bad.bdf}/driver_override)"
insmod /modules/nvme-core.ko
insmod /modules/nvme.ko
sleep 2
check untrusted:no-driver none "$(basename $(readlink {drv.format(bad.bdf)}) 2>/dev/null || echo none)"
check trusted:driver nvme "$(basename $(readlink {drv.format(good.bdf)}))"
keyctl padd asymmetric "" %:.spdm < /certs/{bad.name}.der > /dev/null
echo re > {b}/authenticated
check re:status 0 "$?"
check re:authenticated 1 "$(cat {b}/authenticated)"
check re:override "(null)" "$(cat /sys/bus/pci/devices/{bad.bdf}/driver_override)"
sleep 2
check re:driver nvme "$(basename $(readlink {drv.format(bad.bdf)}))"
rmmod nvme
rmmod nvme-core
rmmod spdm_pci
rmmod spdm
'''
    return Scenario('enforce', [bad, good], script,
                    extra_modules=('drivers/nvme/host/nvme-core.ko',
                                   'drivers/nvme/host/nvme.ko'))


def uptime_cs():
    """Shell: /proc/uptime in centiseconds."""
    return "$(tr -d . < /proc/uptime | cut -d' ' -f1)"


def scenario_mctp():
    """SPDM 1.2 and 1.3 with ECDSA P-384 over two MCTP serial links:
    eight endpoints behind one link authenticated concurrently, an
    endpoint that never answers (timeout within the documented bound), an
    EID without a route, detach during an authentication, attach errors."""
    v12 = MctpLink('mctp-v12', '9-17', ['--versions', '1.2', '--asym',
                                         'ecdsa-p384', '--hash', 'sha384',
                                         '--silent-eid', '17'], serial=0)
    v13 = MctpLink('mctp-v13', '20-21', ['--versions', '1.3', '--asym',
                                          'ecdsa-p384', '--hash', 'sha384'],
                   serial=1)

    def script():
        cls = '/sys/class/spdm'
        par = '/sys/module/spdm_mctp/parameters'
        eight = ','.join(f'1:{e}' for e in range(9, 17))
        s = f'''insmod /modules/spdm.ko
{trust_roots([v12, v13])}insmod /modules/spdm_mctp.ko
mctp-setup {v12.tty} --local-eid 8 --route 9-18 > /tmp/link0
check link0:setup 0 "$?"
mctp-setup {v13.tty} --local-eid 19 --route 20-21 > /tmp/link1
check link1:setup 0 "$?"
# eight endpoints share one emulated serial line and one responder
# process: under TCG on a busy host their answers may queue for longer
# than the default allowance, which the silent-endpoint check below uses
echo 2000 > {par}/rtt_ms
echo {eight} > {par}/attach
check attach:eight 0 "$?"
'''
        for e in range(9, 17):
            p = f'{cls}/mctp-1-{e}'
            s += f'''wait_done {p}
check eid{e}:authenticated 1 "$(cat {p}/authenticated)"
check eid{e}:version 1.2 "$(cat {p}/version)"
check eid{e}:asym ecdsa-p384 "$(cat {p}/asym_algo)"
check eid{e}:transport mctp "$(cat {p}/transport)"
'''
        s += f'''echo 1:20,1:21 > {par}/attach
wait_done {cls}/mctp-1-20
wait_done {cls}/mctp-1-21
check eid20:authenticated 1 "$(cat {cls}/mctp-1-20/authenticated)"
check eid20:version 1.3 "$(cat {cls}/mctp-1-20/version)"
check eid21:authenticated 1 "$(cat {cls}/mctp-1-21/authenticated)"
echo 1:20 > {par}/attach 2>/dev/null
check attach:twice 1 "$?"
echo 1:7 > {par}/attach 2>/dev/null
check attach:reserved-eid 1 "$?"
echo 1:99 > {par}/detach 2>/dev/null
check detach:unknown 1 "$?"
echo 1:20,1:21 > {par}/detach
check detach:two 0 "$?"
check detach:gone no "$([ -e {cls}/mctp-1-20 ] && echo yes || echo no)"
echo 500 > {par}/rtt_ms
# routed, but nobody answers: GET_VERSION times out within 0.6 s
t0={uptime_cs()}
echo 1:17 > {par}/attach
wait_done {cls}/mctp-1-17
t1={uptime_cs()}
check silent:authenticated 0 "$(cat {cls}/mctp-1-17/authenticated)"
check_grep silent:error "GET_VERSION: transport error" "$(cat {cls}/mctp-1-17/error)"
check_grep silent:bound "^(0|[0-9]|[0-9][0-9]|1[0-4][0-9])$" "$((t1 - t0 - 60))"
check_grep silent:logged "mctp-1-17: SPDM: GET_VERSION: transport error \\(-110\\)" "$(dmesg | grep mctp-1-17)"
# an endpoint of another network namespace: named after it, without the
# links of the initial one, and detached when the namespace goes
unshare -n sh -c "echo 1:9 > {par}/attach && sleep 3 && ls {cls}" > /tmp/ns
check_grep netns:attached "^mctp-[0-9]+-1-9$" "$(cat /tmp/ns)"
check_grep netns:isolated "mctp-[0-9]+-1-9: SPDM: GET_VERSION: transport error \\(-113\\)" "$(dmesg)"
n=0
while ls {cls} | grep -Eq '^mctp-[0-9]+-1-9$' && [ $n -lt 20 ]; do sleep 1; n=$((n + 1)); done
check netns:gone 0 "$(ls {cls} | grep -Ec '^mctp-[0-9]+-1-9$')"
check netns:init-untouched 1 "$(cat {cls}/mctp-1-9/authenticated)"
# no route at all
echo 1:30 > {par}/attach
wait_done {cls}/mctp-1-30
check_grep unrouted:error "transport error" "$(cat {cls}/mctp-1-30/error)"
check_grep unrouted:logged "\\(-113\\)" "$(dmesg | grep mctp-1-30)"
# detach while an exchange waits for the silent endpoint
echo re > {cls}/mctp-1-17/authenticated 2>/dev/null &
sleep 0.2
t0={uptime_cs()}
echo 1:17 > {par}/detach
t1={uptime_cs()}
check detach-busy:status 0 "$?"
check_grep detach-busy:fast "^([0-9]|[1-4][0-9])$" "$((t1 - t0))"
wait
check detach-busy:gone no "$([ -e {cls}/mctp-1-17 ] && echo yes || echo no)"
rmmod spdm_mctp
check unload:gone no "$([ -e {cls}/mctp-1-9 ] && echo yes || echo no)"
# endpoints named at load
insmod /modules/spdm_mctp.ko attach=1:9,1:21
wait_done {cls}/mctp-1-9
wait_done {cls}/mctp-1-21
check load-param:eid9 1 "$(cat {cls}/mctp-1-9/authenticated)"
check load-param:eid21 1 "$(cat {cls}/mctp-1-21/authenticated)"
rmmod spdm_mctp
rmmod spdm
'''
        return s
    return Scenario('mctp', [v12, v13], script,
                    modules=('spdm', 'spdm_mctp'))


def scenario_lifecycle():
    """Re-authentication after system resume, and a device removed while
    an exchange is in flight."""
    dev = Device('resume')
    slow = Device('remove', ['--fault', 'no-response:CHALLENGE'])

    def script():
        p, q = dev.sysfs, slow.sysfs
        count = f"$(dmesg | grep -c '{dev.bdf}: SPDM: authenticated')"
        return f'''insmod /modules/spdm.ko
{trust_roots([dev, slow])}insmod /modules/spdm_pci.ko
wait_done {p}
wait_done {q}
check resume:before 1 "{count}"
echo devices > /sys/power/pm_test
echo mem > /sys/power/state
check resume:suspend 0 "$?"
n=0
while [ "{count}" -lt 2 ] && [ $n -lt 30 ]; do sleep 1; n=$((n + 1)); done
check resume:after 2 "{count}"
check resume:authenticated 1 "$(cat {p}/authenticated)"
# CHALLENGE gets no answer: DOE waits 1 s per try, remove meanwhile
(echo re > {q}/authenticated; echo "re-status $?" > /tmp/re) &
sleep 0.3
echo 1 > /sys/bus/pci/devices/{slow.bdf}/remove
wait
check remove:gone no "$([ -e {q} ] && echo yes || echo no)"
check remove:pci-gone no "$([ -e /sys/bus/pci/devices/{slow.bdf} ] && echo yes || echo no)"
check_grep remove:re-failed "re-status [1-9]" "$(cat /tmp/re)"
rmmod spdm_pci
rmmod spdm
'''
    return Scenario('lifecycle', [dev, slow], script)


REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
NONCE = bytes(range(0x40, 0x60)).hex()
NONCE2 = bytes(range(0xa0, 0xc0)).hex()


def build_spdmctl(work):
    """spdmctl, built with its own Makefile, warnings as errors."""
    out = os.path.join(work, 'spdmctl-build')
    os.makedirs(out, exist_ok=True)
    subprocess.run(['make', '-s', '-C', out, '-f',
                    os.path.join(REPO, 'tools/spdm/Makefile'),
                    'CFLAGS=-O2 -Werror'], check=True)
    return {'/bin/spdmctl': os.path.join(out, 'spdmctl')}


def ynl_files(work, args):
    """The kernel's YNL CLI, our spec, and a copy of the spec that lies
    about the type of 'slot' (u32), to send a wrong-typed attribute."""
    import yaml
    ynl = os.path.join(args.kdir, 'tools/net/ynl')
    spec = os.path.join(REPO, 'Documentation/netlink/specs/spdm.yaml')
    files = {'/ynl/cli.py': os.path.join(ynl, 'cli.py'),
             '/ynl/spdm.yaml': spec}
    for n in os.listdir(os.path.join(ynl, 'lib')):
        if n.endswith('.py'):
            files[f'/ynl/lib/{n}'] = os.path.join(ynl, 'lib', n)
    with open(spec) as f:
        wrong = yaml.safe_load(f)
    for aset in wrong['attribute-sets']:
        for a in aset['attributes']:
            if aset['name'] == 'dev' and a['name'] == 'slot':
                a['type'] = 'u32'
                a.pop('checks', None)
    # YNL insists on the SPDX line, which the round trip drops
    files['/ynl/spdm-wrong.yaml'] = (
        '# SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR '
        'BSD-3-Clause)\n' + yaml.safe_dump(wrong)).encode()
    files['/ynl/ynl_listen.py'] = os.path.join(HERE, 'ynl_listen.py')
    return files


def json_lines(result, section):
    """The JSON documents of a section, one a line."""
    out = []
    for line in result.sections.get(section, []):
        line = line.strip()
        if line.startswith(('{', '[')):
            try:
                out.append(json.loads(line))
            except ValueError:
                out.append({'unparsable': line})
    return out


def ynl_docs(result, section):
    """What the YNL CLI printed: a JSON (or Python) literal a line."""
    out = []
    for line in result.sections.get(section, []):
        line = line.strip()
        if not line:
            continue
        try:
            out.append(json.loads(line))
        except ValueError:
            try:
                out.append(ast.literal_eval(line))
            except (ValueError, SyntaxError):
                pass
    return out


def sig_nonce(event, which):
    """A nonce of a YNL-decoded sig event, in hex."""
    t = ''.join(event.get('transcript', []))
    off = event.get(f'{which}-nonce-offset', 0)
    return t[2 * off:2 * off + 64]


def chain_certs(dev, slot):
    """The DER certificates of a device's slot, as the responder has them."""
    suffix = '' if slot == 0 else f'-slot{slot}'
    with open(os.path.join(dev.cert_dir, f'chain{suffix}.der'), 'rb') as f:
        chain = f.read()
    return spdm_model.der_split(Device._der_certs(chain))


def sig_verifies(dev, slot, transcript, sig_off, hash_name, prefix):
    """Verify a sig event with the device's leaf key, independently of the
    kernel and of spdmctl (Python's cryptography instead of OpenSSL's C
    API): (ok, why)."""
    m = spdm_model
    suffix = '' if slot == 0 else f'-slot{slot}'
    with open(os.path.join(dev.cert_dir, f'leaf{suffix}.pem'), 'rb') as f:
        leaf = x509.load_pem_x509_certificate(f.read())
    asym = m.ASYMS[dev.asym.replace('-', '_')]
    h = m.HASHES[hash_name.replace('-', '_')]
    if dev.version >= 0x12:
        if prefix != m.signing_prefix(dev.version, m.CHALLENGE_AUTH_CONTEXT):
            return False, 'the combined prefix differs'
    elif prefix:
        return False, 'a combined prefix before SPDM 1.2'
    data = m.signed_message(dev.version, transcript[:sig_off], h,
                            m.CHALLENGE_AUTH_CONTEXT)
    if not asym.verify(leaf.public_key(), transcript[sig_off:], data, h):
        return False, 'the signature does not verify'
    return True, ''


class NlDevice(Device):
    """A DOE device of the netlink scenario, knowing its algorithms."""

    def __init__(self, name, version, asym, hash_, args=()):
        super().__init__(name, ['--versions', version, '--asym', asym,
                                '--hash', hash_] + list(args))
        self.version = int(version.replace('.', ''), 16)
        self.asym = asym
        self.hash = hash_


def scenario_netlink():
    """The generic netlink family through spdmctl and through the kernel's
    own YNL CLI with our spec: every operation, refusals for an
    unprivileged caller, extended ACKs for malformed requests, and the
    monitor and sig groups, whose signatures are verified again in
    userspace (by spdmctl with OpenSSL in the guest, in Python on the
    host)."""
    devs = [NlDevice('nl-v12-p384', '1.2', 'ecdsa-p384', 'sha384',
                     ['--slots', '2']),
            NlDevice('nl-v11-rsa', '1.1', 'rsassa-3072', 'sha384'),
            NlDevice('nl-v13-pss', '1.3', 'rsapss-2048', 'sha256'),
            NlDevice('nl-badsig', '1.2', 'ecdsa-p256', 'sha256',
                     ['--fault', 'bad-signature'])]
    link = MctpLink('nl-mctp', '9-10', ['--versions', '1.3'])
    good, bad = devs[:3], devs[3]
    everything = devs + [link]
    ynl = ('python3 /ynl/cli.py --spec /ynl/spdm.yaml --no-schema '
           '--output-json')
    ynlw = ynl.replace('spdm.yaml', 'spdm-wrong.yaml')

    def script():
        a = devs[0]
        A, Ap = a.bdf, a.sysfs
        s = f'''as_nobody() {{
	python3 -c 'import os, sys
os.setgroups([]); os.setgid(65534); os.setuid(65534)
os.execvp(sys.argv[1], sys.argv[1:])' "$@"
}}
without_net_raw() {{
	python3 -c 'import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
# PR_CAPBSET_DROP of CAP_NET_RAW: root keeps all but that one after exec
if libc.prctl(24, 13, 0, 0, 0):
    sys.exit("prctl: " + os.strerror(ctypes.get_errno()))
os.execvp(sys.argv[1], sys.argv[1:])' "$@"
}}
section() {{
	echo "KSPDM-BEGIN $1"
	cat "$2"
	echo
	echo "KSPDM-END $1"
}}
wait_file() {{
	n=0
	while [ ! -e "$1" ] && [ $n -lt 60 ]; do
		sleep 0.5
		n=$((n + 1))
	done
}}
listen() {{
	rm -f /tmp/ready
	python3 /ynl/ynl_listen.py --ynl /ynl --spec /ynl/spdm.yaml \
		--ready /tmp/ready "$@" &
	lis=$!
	wait_file /tmp/ready
}}
wait_pid() {{
	n=0
	while kill -0 "$1" 2>/dev/null && [ $n -lt 60 ]; do
		sleep 0.5
		n=$((n + 1))
	done
	kill "$1" 2>/dev/null
}}
insmod /modules/spdm.ko
{trust_roots(everything)}insmod /modules/spdm_mctp.ko
mctp-setup {link.tty} --local-eid 8 --route 9-10 > /dev/null
check link:setup 0 "$?"
spdmctl -j monitor > /tmp/mon-load 2>&1 &
mon=$!
sleep 1
insmod /modules/spdm_pci.ko
'''
        for d in devs:
            s += f'wait_done {d.sysfs}\n'
        s += f'''sleep 1
kill $mon
section monitor-load /tmp/mon-load

# --- spdmctl ---
spdmctl dev > /tmp/out 2>&1
check spdmctl:dev:status 0 "$?"
section spdmctl-dev /tmp/out
spdmctl -j dev > /tmp/out 2>&1
check spdmctl:dev-json:status 0 "$?"
section spdmctl-dev-json /tmp/out
spdmctl -j dev show {A} > /tmp/out 2>&1
check spdmctl:dev-one:status 0 "$?"
section spdmctl-dev-one /tmp/out
spdmctl d s nosuch > /tmp/out 2>&1
check spdmctl:dev-unknown:status 1 "$?"
check_grep spdmctl:dev-unknown:extack "no such SPDM responder \\(attribute name\\): No such device" "$(cat /tmp/out)"
spdmctl -j monitor --count 3 > /tmp/mon-auth 2>&1 &
mon=$!
sleep 1
spdmctl -j auth {A} --slot 1 --nonce {NONCE} > /tmp/out 2>&1
check spdmctl:auth:status 0 "$?"
section spdmctl-auth /tmp/out
wait_pid $mon
section monitor-auth /tmp/mon-auth
spdmctl auth {bad.bdf} > /tmp/out 2>&1
check spdmctl:auth-bad:status 1 "$?"
check_grep spdmctl:auth-bad:reason "^spdmctl: authentication of {bad.bdf}: .*signature does not verify.*: Key was rejected by service$" "$(cat /tmp/out)"
spdmctl auth {A} --slot 5 > /tmp/out 2>&1
check spdmctl:auth-empty-slot:status 1 "$?"
section spdmctl-auth-empty-slot /tmp/out
spdmctl auth {A} --slot 8 > /tmp/out 2>&1
check spdmctl:auth-slot-range 2 "$?"
spdmctl auth {A} --nonce 0011 > /tmp/out 2>&1
check spdmctl:auth-short-nonce 2 "$?"
spdmctl auth > /tmp/out 2>&1
check spdmctl:auth-no-dev 2 "$?"
spdmctl frobnicate > /tmp/out 2>&1
check spdmctl:unknown-command 2 "$?"
spdmctl cert {A} --der -o /tmp/a0.der
check spdmctl:cert-der:status 0 "$?"
check spdmctl:cert-der:slot0 "$(sha256sum < {Ap}/certificates/slot0 | cut -d' ' -f1)" "$(sha256sum < /tmp/a0.der | cut -d' ' -f1)"
spdmctl cert {A} --slot 1 --der -o /tmp/a1.der
check spdmctl:cert-der:slot1 "$(sha256sum < {Ap}/certificates/slot1 | cut -d' ' -f1)" "$(sha256sum < /tmp/a1.der | cut -d' ' -f1)"
spdmctl cert {A} --slot 1 > /tmp/out 2>&1
check spdmctl:cert-pem:status 0 "$?"
section spdmctl-cert-pem /tmp/out
spdmctl -j cert {A} > /tmp/out 2>&1
check spdmctl:cert-json:status 0 "$?"
section spdmctl-cert-json /tmp/out
spdmctl cert {A} --slot 3 > /tmp/out 2>&1
check spdmctl:cert-empty-slot:status 1 "$?"
check_grep spdmctl:cert-empty-slot:extack "no certificate chain in that slot" "$(cat /tmp/out)"
spdmctl attach mctp 1 9 > /tmp/out 2>&1
check spdmctl:attach:status 0 "$?"
check spdmctl:attach:name mctp-1-9 "$(cat /tmp/out)"
wait_done /sys/class/spdm/mctp-1-9
check spdmctl:attach:authenticated 1 "$(cat /sys/class/spdm/mctp-1-9/authenticated)"
# CAP_NET_ADMIN without CAP_NET_RAW may authenticate an MCTP endpoint too
check spdmctl:no-net-raw:caps 000001ffffffdfff "$(without_net_raw grep CapEff /proc/self/status | cut -f2)"
without_net_raw spdmctl auth mctp-1-9 > /tmp/out 2>&1
check spdmctl:no-net-raw:auth 0 "$?"
section spdmctl-no-net-raw /tmp/out
spdmctl attach mctp 1 9 > /tmp/out 2>&1
check spdmctl:attach-twice:status 1 "$?"
check_grep spdmctl:attach-twice:extack "already attached" "$(cat /tmp/out)"
spdmctl attach mctp 1 256 > /tmp/out 2>&1
check spdmctl:attach-eid-range 2 "$?"
spdmctl detach mctp-1-9 > /tmp/out 2>&1
check spdmctl:detach:status 0 "$?"
check spdmctl:detach:gone no "$([ -e /sys/class/spdm/mctp-1-9 ] && echo yes || echo no)"
spdmctl detach mctp-1-9 > /tmp/out 2>&1
check spdmctl:detach-unknown:status 1 "$?"
# an unprivileged caller reads, but may not authenticate, attach, detach
as_nobody spdmctl dev show {A} > /tmp/out 2>&1
check spdmctl:nobody:dev 0 "$?"
as_nobody spdmctl cert {A} > /tmp/out 2>&1
check spdmctl:nobody:cert 0 "$?"
as_nobody spdmctl auth {A} > /tmp/out 2>&1
check spdmctl:nobody:auth 1 "$?"
check_grep spdmctl:nobody:auth-reason "Operation not permitted" "$(cat /tmp/out)"
as_nobody spdmctl attach mctp 1 10 > /tmp/out 2>&1
check spdmctl:nobody:attach 1 "$?"
check_grep spdmctl:nobody:attach-reason "Operation not permitted" "$(cat /tmp/out)"
as_nobody spdmctl detach {A} > /tmp/out 2>&1
check spdmctl:nobody:detach 1 "$?"
check spdmctl:nobody:no-attach no "$([ -e /sys/class/spdm/mctp-1-10 ] && echo yes || echo no)"

# --- the kernel's YNL CLI with our spec ---
{ynl} --dump dev-get > /tmp/out 2>&1
check ynl:dump:status 0 "$?"
section ynl-dump /tmp/out
{ynl} --do dev-get --json '{{"name": "{A}"}}' > /tmp/out 2>&1
check ynl:dev-get:status 0 "$?"
section ynl-dev-get /tmp/out
listen --group monitor --group sig --count 3 > /tmp/ntf 2>&1
{ynl} --do authenticate --json '{{"name": "{A}", "slot": 0, "nonce": "{NONCE2}"}}' > /tmp/out 2>&1
check ynl:authenticate:status 0 "$?"
section ynl-auth /tmp/out
wait_pid $lis
section ynl-auth-ntf /tmp/ntf
listen --group sig --count {len(good)} > /tmp/ntf 2>&1
'''
        for d in good:
            s += f'''{ynl} --do authenticate --json '{{"name": "{d.bdf}"}}' > /tmp/out 2>&1
check ynl:sig:{d.name}:status 0 "$?"
'''
        s += f'''wait_pid $lis
section ynl-sig /tmp/ntf
{ynl} --do cert-get --json '{{"name": "{A}", "slot": 1}}' > /tmp/out 2>&1
check ynl:cert-get:status 0 "$?"
section ynl-cert-get /tmp/out
{ynl} --do attach --json '{{"mctp-net": 1, "mctp-eid": 10}}' > /tmp/out 2>&1
check ynl:attach:status 0 "$?"
section ynl-attach /tmp/out
wait_done /sys/class/spdm/mctp-1-10
check ynl:attach:authenticated 1 "$(cat /sys/class/spdm/mctp-1-10/authenticated)"
{ynl} --do detach --json '{{"name": "mctp-1-10"}}' > /tmp/out 2>&1
check ynl:detach:status 0 "$?"
check ynl:detach:gone no "$([ -e /sys/class/spdm/mctp-1-10 ] && echo yes || echo no)"
{ynl} --do authenticate --json '{{"name": "{bad.bdf}"}}' > /tmp/out 2>&1
check ynl:auth-bad:status 1 "$?"
check_grep ynl:auth-bad:extack "'msg': .CHALLENGE_AUTH signature does not verify" "$(cat /tmp/out)"
# malformed: missing, oversized, out-of-range and wrong-typed attributes
{ynl} --do authenticate --json '{{}}' > /tmp/out 2>&1
check ynl:missing:status 1 "$?"
check_grep ynl:missing:extack "'miss-type': 'name'" "$(cat /tmp/out)"
{ynl} --do attach --json '{{"mctp-net": 1}}' > /tmp/out 2>&1
check ynl:missing-eid:status 1 "$?"
check_grep ynl:missing-eid:extack "'miss-type': 'mctp-eid'" "$(cat /tmp/out)"
{ynl} --do dev-get --json '{{"name": "{"x" * 100}"}}' > /tmp/out 2>&1
check ynl:oversized-name:status 1 "$?"
check_grep ynl:oversized-name:extack "'bad-attr': '.name'" "$(cat /tmp/out)"
{ynl} --do authenticate --json '{{"name": "{A}", "nonce": "{NONCE}00"}}' > /tmp/out 2>&1
check ynl:oversized-nonce:status 1 "$?"
check_grep ynl:oversized-nonce:extack "'bad-attr': '.nonce'" "$(cat /tmp/out)"
{ynl} --do authenticate --json '{{"name": "{A}", "slot": 9}}' > /tmp/out 2>&1
check ynl:slot-range:status 1 "$?"
check_grep ynl:slot-range:extack "'bad-attr': '.slot'" "$(cat /tmp/out)"
{ynlw} --do authenticate --json '{{"name": "{A}", "slot": 1}}' > /tmp/out 2>&1
check ynl:wrong-type:status 1 "$?"
check_grep ynl:wrong-type:extack "'bad-attr': '.slot'" "$(cat /tmp/out)"
section ynl-wrong-type /tmp/out
check ynl:still-authenticated 1 "$(cat {Ap}/authenticated)"
as_nobody {ynl} --do authenticate --json '{{"name": "{A}"}}' > /tmp/out 2>&1
check ynl:nobody:auth 1 "$?"
check_grep ynl:nobody:auth-reason "Operation not permitted" "$(cat /tmp/out)"
as_nobody {ynl} --do dev-get --json '{{"name": "{A}"}}' > /tmp/out 2>&1
check ynl:nobody:dev-get 0 "$?"
rmmod spdm_pci
rmmod spdm_mctp
rmmod spdm
'''
        return s

    return Scenario('netlink', everything, script,
                    modules=('spdm', 'spdm_pci', 'spdm_mctp'),
                    binaries=build_spdmctl, files=ynl_files, python=True,
                    post=lambda result: netlink_post(result, devs))


def netlink_post(result, devs):
    """Host-side checks of what spdmctl and the YNL CLI printed."""
    checks = []
    good, bad, a = devs[:3], devs[3], devs[0]

    def check(name, ok, detail=''):
        checks.append((bool(ok), name, '' if ok else detail))

    # monitor while spdm_pci loads: each device added, a verified sig for
    # each good one, the bad one failed with its reason
    events = json_lines(result, 'monitor-load')
    for d in devs:
        mine = [e for e in events if e.get('name') == d.bdf]
        check(f'monitor-load:{d.name}:added',
              any(e.get('event') == 'added' for e in mine), str(mine)[:300])
        states = [e.get('state') for e in mine if e.get('event') == 'changed']
        want = 'failed' if d is bad else 'authenticated'
        check(f'monitor-load:{d.name}:{want}', want in states, str(states))
        sigs = [e for e in mine if e.get('event') == 'sig']
        if d is bad:
            check(f'monitor-load:{d.name}:no-sig', not sigs, str(sigs))
            reasons = [e.get('reason', '') for e in mine
                       if e.get('state') == 'failed']
            check(f'monitor-load:{d.name}:reason',
                  any('signature does not verify' in r for r in reasons),
                  str(reasons))
        else:
            check(f'monitor-load:{d.name}:sig-verified',
                  sigs and all(e.get('verified') for e in sigs),
                  str(sigs)[:300])
    # monitor during "spdmctl auth --slot 1 --nonce": the state changes and
    # the sig event carrying our nonce, verified by spdmctl
    events = json_lines(result, 'monitor-auth')
    kinds = [(e.get('event'), e.get('state')) for e in events]
    check('monitor-auth:events',
          kinds == [('changed', 'authenticating'), ('sig', None),
                    ('changed', 'authenticated')], str(kinds))
    sig = [e for e in events if e.get('event') == 'sig']
    check('monitor-auth:sig', sig and sig[0].get('verified') and
          sig[0].get('slot') == 1 and sig[0].get('req_nonce') == NONCE and
          sig[0].get('hash_algo') == 'sha384', str(sig))

    text = '\n'.join(result.sections.get('spdmctl-dev', []))
    for d in devs:
        state = 'failed' if d is bad else 'authenticated'
        check(f'spdmctl:dev:text:{d.name}',
              f'{d.bdf}: transport doe state {state}' in text, text[:400])
    listed = (json_lines(result, 'spdmctl-dev-json') or [[]])[0]
    by_name = {o.get('name'): o for o in listed if isinstance(o, dict)}
    for d in devs:
        o = by_name.get(d.bdf, {})
        if d is bad:
            ok = o.get('state') == 'failed' and \
                'signature does not verify' in o.get('error', '')
        else:
            ok = o.get('state') == 'authenticated' and \
                o.get('version') == spdm_model.version_str(d.version) and \
                o.get('hash_algo') == d.hash and \
                o.get('transport') == 'doe' and o.get('error') == 'none' and \
                o.get('parent', '').endswith('/' + d.bdf)
        check(f'spdmctl:dev-json:{d.name}', ok, str(o))
    one = (json_lines(result, 'spdmctl-dev-one') or [{}])[0]
    check('spdmctl:dev-one', isinstance(one, dict) and
          one.get('name') == a.bdf and one.get('slots') == [0, 1] and
          one.get('asym_algo') == 'ecdsa-p384', str(one))
    auth = (json_lines(result, 'spdmctl-auth') or [{}])[0]
    check('spdmctl:auth:reply', isinstance(auth, dict) and
          auth.get('state') == 'authenticated', str(auth))
    out = ' '.join(result.sections.get('spdmctl-auth-empty-slot', []))
    check('spdmctl:auth-empty-slot:reason',
          out.startswith(f'spdmctl: authentication of {a.bdf}') and
          'slot 5' in out, out)

    pem = '\n'.join(result.sections.get('spdmctl-cert-pem', []))
    ders = [base64.b64decode(''.join(b.split('-----')[0].split()))
            for b in pem.split('-----BEGIN CERTIFICATE-----')[1:]]
    check('spdmctl:cert-pem:chain', ders == chain_certs(a, 1),
          f'{len(ders)} certificates')
    cj = (json_lines(result, 'spdmctl-cert-json') or [{}])[0]
    certs = cj.get('certificates', []) if isinstance(cj, dict) else []
    want = chain_certs(a, 0)
    check('spdmctl:cert-json:der',
          [base64.b64decode(c.get('der', '')) for c in certs] == want,
          str(cj)[:300])
    check('spdmctl:cert-json:sha256',
          [c.get('sha256') for c in certs] ==
          [hashlib.sha256(c).hexdigest() for c in want], str(certs)[:300])
    leaf = x509.load_der_x509_certificate(want[-1]) if want else None
    check('spdmctl:cert-json:leaf',
          certs and leaf and
          certs[-1].get('serial') == format(leaf.serial_number, 'x')
          .rjust(2 * ((leaf.serial_number.bit_length() + 8) // 8), '0') and
          certs[-1].get('not_after') ==
          leaf.not_valid_after.strftime('%Y-%m-%dT%H:%M:%SZ'),
          str(certs[-1:])[:300])

    dump = (ynl_docs(result, 'ynl-dump') or [[]])[0]
    names = sorted(o.get('name') for o in dump if isinstance(o, dict))
    check('ynl:dump:names', names == sorted(d.bdf for d in devs), str(names))
    got = (ynl_docs(result, 'ynl-dev-get') or [{}])[0]
    check('ynl:dev-get:reply', isinstance(got, dict) and
          got.get('name') == a.bdf and got.get('state') == 'authenticated'
          and got.get('version') == 0x12 and got.get('slots') == 3 and
          got.get('hash-algo') == 'sha384', str(got))
    reply = (ynl_docs(result, 'ynl-auth') or [{}])[0]
    check('ynl:authenticate:reply', isinstance(reply, dict) and
          reply.get('name') == a.bdf and
          reply.get('state') == 'authenticated', str(reply))
    ntfs = (ynl_docs(result, 'ynl-auth-ntf') or [[]])[0]
    states = [(n.get('msg', {}).get('event'), n.get('msg', {}).get('state'))
              for n in ntfs if n.get('name') == 'dev-ntf']
    check('ynl:monitor:ntf',
          states == [('changed', 'authenticating'),
                     ('changed', 'authenticated')], str(states))
    sigs = [n.get('msg', {}) for n in ntfs if n.get('name') == 'sig']
    check('ynl:monitor:sig-nonce', len(sigs) == 1 and
          sig_nonce(sigs[0], 'req') == NONCE2, str(sigs)[:300])
    ntfs = (ynl_docs(result, 'ynl-sig') or [[]])[0]
    for d in good:
        sigs = [n.get('msg', {}) for n in ntfs if n.get('name') == 'sig'
                and n.get('msg', {}).get('device', '').endswith('/' + d.bdf)]
        if len(sigs) != 1:
            check(f'ynl:sig:{d.name}', False, str(ntfs)[:300])
            continue
        e = sigs[0]
        frags = e.get('transcript', [])
        transcript = b''.join(bytes.fromhex(f) for f in frags)
        prefix = bytes.fromhex(e.get('combined-spdm-prefix', ''))
        off = e.get('sig-offset', 0)
        rq = e.get('req-nonce-offset', 0)
        rs = e.get('rsp-nonce-offset', 0)
        check(f'ynl:sig:{d.name}:layout',
              e.get('rsp-code') == 'challenge-auth' and e.get('slot') == 0
              and e.get('device', '').endswith('/' + d.bdf) and
              e.get('hash-algo') == d.hash and frags,
              str({k: v for k, v in e.items() if k != 'transcript'}))
        check(f'ynl:sig:{d.name}:nonces',
              0 < rq and rq + 32 <= off and 0 < rs and rs + 32 <= off and
              transcript[rq:rq + 32] != transcript[rs:rs + 32],
              f'{rq} {rs} {off}')
        ok, why = sig_verifies(d, 0, transcript, off, e.get('hash-algo', ''),
                               prefix)
        check(f'ynl:sig:{d.name}:verifies', ok, why)
        # one flipped byte of the signed transcript must break it
        flipped = bytearray(transcript)
        flipped[rs] ^= 1
        ok, _ = sig_verifies(d, 0, bytes(flipped), off, d.hash, prefix)
        check(f'ynl:sig:{d.name}:flip-fails', not ok)
    got = (ynl_docs(result, 'ynl-cert-get') or [{}])[0]
    chain = bytes.fromhex(got.get('cert-chain', '')) \
        if isinstance(got, dict) else b''
    check('ynl:cert-get:chain',
          chain and spdm_model.der_split(chain) == chain_certs(a, 1),
          str(got)[:200])
    got = (ynl_docs(result, 'ynl-attach') or [{}])[0]
    check('ynl:attach:name', got == {'name': 'mctp-1-10'}, str(got))
    return checks


def scenario_measurements():
    """Signed measurements in QEMU: all blocks and one index through the
    YNL CLI with the caller's nonce (the evidence verified on the host),
    the sysfs log, measure_at_auth, a bad measurement signature, and a
    responder without measurements."""
    devs = [NlDevice('m-v12-p384', '1.2', 'ecdsa-p384', 'sha384'),
            NlDevice('m-v11-rsa', '1.1', 'rsassa-3072', 'sha384'),
            NlDevice('m-v13-pss', '1.3', 'rsapss-2048', 'sha256'),
            NlDevice('m-badsig', '1.2', 'ecdsa-p256', 'sha256',
                     ['--fault', 'bad-signature:GET_MEASUREMENTS']),
            NlDevice('m-none', '1.2', 'ecdsa-p256', 'sha256',
                     ['--meas-cap', 'none']),
            # the extension log, and a measurement that changes
            NlDevice('m-v13-mel', '1.3', 'ecdsa-p256', 'sha256',
                     ['--mel', '--fault', 'meas-change']),
            # all blocks do not fit 256 bytes: one index at a time
            NlDevice('m-fallback', '1.2', 'ecdsa-p256', 'sha256',
                     ['--dts', '256'])]
    good, bad, none = devs[:3], devs[3], devs[4]
    mel, fallback = devs[5], devs[6]
    ynl = ('python3 /ynl/cli.py --spec /ynl/spdm.yaml --no-schema '
           '--output-json')
    built = {}

    def binaries(work):
        b = build_spdmctl(work)
        built['spdmctl'] = b['/bin/spdmctl']
        return b

    def script():
        A = devs[0].bdf
        s = f'''section() {{
	echo "KSPDM-BEGIN $1"
	cat "$2"
	echo
	echo "KSPDM-END $1"
}}
insmod /modules/spdm.ko measure_at_auth=1
{trust_roots(devs)}insmod /modules/spdm_pci.ko
'''
        for d in devs:
            s += f'wait_done {d.sysfs}\n'
        for d in good:
            p = d.sysfs
            s += f'''check {d.name}:authenticated 1 "$(cat {p}/authenticated)"
check_grep {d.name}:record-present "^[1-9][0-9]+$" "$(wc -c < {p}/measurements/record)"
echo KSPDM-BEGIN sysfs-{d.name}
for f in {p}/measurements/*; do
	[ "${{f##*/}}" = record ] || [ "${{f##*/}}" = mel ] || echo "${{f##*/}} $(cat $f)"
done
echo KSPDM-END sysfs-{d.name}
{ynl} --do meas-get --json '{{"name": "{d.bdf}", "nonce": "{NONCE}"}}' > /tmp/out 2>&1
check ynl:meas:{d.name}:status 0 "$?"
section ynl-meas-{d.name} /tmp/out
{ynl} --do meas-get --json '{{"name": "{d.bdf}", "index": 2}}' > /tmp/out 2>&1
check ynl:meas-one:{d.name}:status 0 "$?"
section ynl-meas-one-{d.name} /tmp/out
'''
        s += f'''check badsig:authenticated 0 "$(cat {bad.sysfs}/authenticated)"
check_grep badsig:error "MEASUREMENTS signature does not verify" "$(cat {bad.sysfs}/error)"
check none:authenticated 1 "$(cat {none.sysfs}/authenticated)"
check none:no-record no "$([ -e {none.sysfs}/measurements/record ] && echo yes || echo no)"
{ynl} --do meas-get --json '{{"name": "{none.bdf}"}}' > /tmp/out 2>&1
check ynl:meas-none:status 1 "$?"
check_grep ynl:meas-none:extack "does not support measurements" "$(cat /tmp/out)"
check none:still-authenticated 1 "$(cat {none.sysfs}/authenticated)"
{ynl} --do meas-get --json '{{"name": "{devs[0].bdf}", "unsigned": true, "nonce": "{NONCE}"}}' > /tmp/out 2>&1
check ynl:meas-unsigned-nonce:status 1 "$?"
check_grep ynl:meas-unsigned-nonce:extack "a nonce needs signed measurements" "$(cat /tmp/out)"
{ynl} --do meas-get --json '{{"name": "{devs[0].bdf}", "unsigned": true}}' > /tmp/out 2>&1
check ynl:meas-unsigned:status 0 "$?"
section ynl-meas-unsigned /tmp/out
{ynl} --do meas-get --json '{{"name": "{devs[1].bdf}", "raw": true}}' > /tmp/out 2>&1
check ynl:meas-raw-v11:status 1 "$?"
check_grep ynl:meas-raw-v11:extack "raw bit streams need SPDM 1.2" "$(cat /tmp/out)"

# --- spdmctl: a table, evidence files that verify without the kernel ---
spdmctl meas {A} > /tmp/out 2>&1
check spdmctl:meas:status 0 "$?"
section spdmctl-meas /tmp/out
spdmctl -j meas {A} --index 5 --raw > /tmp/out 2>&1
check spdmctl:meas-raw:status 0 "$?"
section spdmctl-meas-raw /tmp/out
'''
        for d in good:
            s += f'''spdmctl evidence {d.bdf} --nonce {NONCE} -o /tmp/ev-{d.name}.json > /tmp/out 2>&1
check spdmctl:evidence:{d.name}:status 0 "$?"
spdmctl verify /tmp/ev-{d.name}.json --ca /certs/{d.name}.der --nonce {NONCE} > /tmp/out 2>&1
check spdmctl:verify:{d.name}:status 0 "$?"
section spdmctl-verify-{d.name} /tmp/out
echo KSPDM-BEGIN evidence-{d.name}
base64 /tmp/ev-{d.name}.json
echo KSPDM-END evidence-{d.name}
'''
        s += f'''spdmctl verify /tmp/ev-{good[0].name}.json --ca /certs/{good[1].name}.der --nonce {NONCE} > /tmp/out 2>&1
check spdmctl:verify:other-root 1 "$?"
spdmctl verify /tmp/ev-{good[0].name}.json --ca /certs/{good[0].name}.der --nonce {NONCE2} > /tmp/out 2>&1
check spdmctl:verify:other-nonce 1 "$?"

# --- the extension log, and a change announced on the monitor group ---
check mel:sysfs yes "$([ -e {mel.sysfs}/measurements/mel ] && echo yes)"
spdmctl mel {mel.bdf} > /tmp/out 2>&1
check spdmctl:mel:status 0 "$?"
section spdmctl-mel /tmp/out
spdmctl mel {mel.bdf} -o /tmp/mel.bin > /dev/null 2>&1
check spdmctl:mel:file "$(sha256sum < {mel.sysfs}/measurements/mel | cut -d' ' -f1)" "$(sha256sum < /tmp/mel.bin | cut -d' ' -f1)"
spdmctl -j monitor dev > /tmp/mon 2>&1 &
mon=$!
sleep 1
spdmctl meas {mel.bdf} > /dev/null 2>&1
check change:meas 0 "$?"
sleep 1
kill $mon
section monitor-change /tmp/mon
check_grep change:logged "measurement index 2 changed" "$(dmesg | grep '{mel.bdf}: SPDM:')"

# --- one index at a time ---
check fallback:authenticated 1 "$(cat {fallback.sysfs}/authenticated)"
check_grep fallback:logged "asking one at a time" "$(dmesg | grep '{fallback.bdf}: SPDM:')"
spdmctl -j meas {fallback.bdf} > /tmp/out 2>&1
check spdmctl:meas-fallback:status 0 "$?"
section spdmctl-meas-fallback /tmp/out
rmmod spdm_pci
rmmod spdm
'''
        return s

    def files(work, args):
        f = ynl_files(work, args)
        return {k: v for k, v in f.items() if 'wrong' not in k}

    return Scenario('measurements', devs, script, files=files, python=True,
                    binaries=binaries,
                    post=lambda result: measurements_post(result, devs,
                                                          built))


def meas_verifies(dev, e):
    """Verify a YNL-decoded meas-get reply as a remote verifier would:
    the signature over L1/L2 with the leaf of the chain it carries, and
    the blocks against the last MEASUREMENTS in it.  (ok, why)"""
    m = spdm_model
    t = b''.join(bytes.fromhex(f) for f in e.get('transcript', []))
    off = e.get('sig-offset', 0)
    if not t or off >= len(t):
        return False, 'no transcript'
    certs = m.der_split(bytes.fromhex(e.get('cert-chain', '')))
    leaf = x509.load_der_x509_certificate(certs[-1])
    asym = m.ASYMS[dev.asym.replace('-', '_')]
    h = m.HASHES[dev.hash.replace('-', '_')]
    prefix = bytes.fromhex(e.get('combined-spdm-prefix', ''))
    if dev.version >= 0x12:
        want = m.signing_prefix(dev.version, m.MEASUREMENTS_CONTEXT)
        if prefix != want:
            return False, 'the combined prefix differs'
    data = m.signed_message(dev.version, t[:off], h, m.MEASUREMENTS_CONTEXT)
    if not asym.verify(leaf.public_key(), t[off:], data, h):
        return False, 'the signature does not verify'
    return True, ''


def evidence_flips(spdmctl, ev, root, nonce, every):
    """Run spdmctl verify on the host on evidence @ev and on copies with
    one byte flipped (every byte if @every, else a spread of 400):
    (verifies, [offsets of flips that still verify or crashed])."""
    import subprocess
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, 'ev.json')

        def verify(data):
            with open(path, 'wb') as f:
                f.write(data)
            return subprocess.run([spdmctl, 'verify', path, '--ca', root,
                                   '--nonce', nonce],
                                  capture_output=True).returncode
        ok = verify(ev) == 0
        step = 1 if every else max(1, len(ev) // 400)
        # "device" is a label for people, covered by nothing signed
        # (EVIDENCE.md); every other byte must matter
        m = re.search(rb'"device": "([^"]*)"', ev)
        label = range(m.start(1), m.end(1)) if m else range(0)
        bad = []
        for off in range(0, len(ev), step):
            if off in label:
                continue
            flipped = bytearray(ev)
            flipped[off] ^= 0x01
            if verify(bytes(flipped)) != 1:
                bad.append(off)
        return ok, bad


def measurements_post(result, devs, built):
    import responder
    checks = []
    good, mel = devs[:3], devs[5]
    want = [m.index for m in responder.default_measurements()]

    def check(name, ok, detail=''):
        checks.append((bool(ok), name, '' if ok else detail))

    for d in good:
        lines = result.sections.get(f'sysfs-{d.name}', [])
        got = {ln.split()[0]: ln.split()[1:] for ln in lines if ln.strip()}
        check(f'sysfs:{d.name}:indices',
              sorted(got, key=int) == [str(i) for i in want], str(got))
        check(f'sysfs:{d.name}:types',
              got.get('1', [''])[0] == 'immutable-rom' and
              got.get('5', ['', ''])[:2] == ['version', 'raw'] and
              got.get('254', ['', ''])[:2] == ['device-mode', 'raw'],
              str(got))
        e = (ynl_docs(result, f'ynl-meas-{d.name}') or [{}])[0]
        if not isinstance(e, dict) or 'transcript' not in e:
            check(f'ynl:meas:{d.name}', False, str(e)[:300])
            continue
        blocks = e.get('block', [])
        check(f'ynl:meas:{d.name}:blocks',
              [b.get('index') for b in blocks] == want, str(blocks)[:300])
        t = b''.join(bytes.fromhex(f) for f in e['transcript'])
        rq = e.get('req-nonce-offset', 0)
        check(f'ynl:meas:{d.name}:nonce', t[rq:rq + 32].hex() == NONCE,
              t[rq:rq + 32].hex())
        check(f'ynl:meas:{d.name}:meas-offset',
              t[e.get('meas-offset', 0) + 1] == 0xE0 and
              (e.get('meas-offset') > 0) == (d.version >= 0x12),
              str(e.get('meas-offset')))
        ok, why = meas_verifies(d, e)
        check(f'ynl:meas:{d.name}:verifies', ok, why)
        flipped = dict(e)
        tt = bytearray(t)
        tt[e.get('rsp-nonce-offset', 0)] ^= 1
        flipped['transcript'] = [bytes(tt).hex()]
        ok, _ = meas_verifies(d, flipped)
        check(f'ynl:meas:{d.name}:flip-fails', not ok)
        one = (ynl_docs(result, f'ynl-meas-one-{d.name}') or [{}])[0]
        check(f'ynl:meas-one:{d.name}',
              isinstance(one, dict) and
              [b.get('index') for b in one.get('block', [])] == [2] and
              meas_verifies(d, one)[0], str(one)[:300])

        # the evidence file exported in the guest, checked on the host
        # with the same spdmctl: it verifies, and no flipped byte does
        text = ''.join(result.sections.get(f'evidence-{d.name}', []))
        try:
            ev = base64.b64decode(text)
        except ValueError:
            ev = b''
        spdmctl = built.get('spdmctl')
        if not ev or not spdmctl:
            check(f'evidence:{d.name}', False, 'no evidence file')
            continue
        ok, bad = evidence_flips(spdmctl, ev, d.root_der(), NONCE,
                                 every=d is good[0])
        check(f'evidence:{d.name}:verifies-on-host', ok)
        check(f'evidence:{d.name}:every-flip-fails', not bad,
              f'{len(bad)} flipped bytes still verify or crash: {bad[:10]}')
        if d is good[0] and not bad:
            print(f'measurements: evidence of {d.name}: each of its '
                  f'{len(ev)} bytes flipped (but the device label) fails '
                  'spdmctl verify')

    un = (ynl_docs(result, 'ynl-meas-unsigned') or [{}])[0]
    check('ynl:meas-unsigned', isinstance(un, dict) and
          len(un.get('block', [])) == len(want) and
          'transcript' not in un and 'slot' not in un, str(un)[:300])
    table = '\n'.join(result.sections.get('spdmctl-meas', []))
    check('spdmctl:meas:table', 'signed by slot 0' in table and
          re.search(r'\n\s*254\s+device-mode\s+raw', table), table[:500])
    raw = (json_lines(result, 'spdmctl-meas-raw') or [{}])[0]
    check('spdmctl:meas-raw', isinstance(raw, dict) and
          [(m.get('index'), m.get('raw')) for m in
           raw.get('measurements', [])] == [(5, True)], str(raw)[:300])
    text = '\n'.join(result.sections.get('spdmctl-mel', []))
    check('spdmctl:mel:table', 'measurement extension log' in text,
          text[:300])
    events = json_lines(result, 'monitor-change')
    reasons = [e.get('reason', '') for e in events
               if e.get('name') == mel.bdf]
    check('monitor:measurement-changed',
          'measurement index 2 changed' in reasons, str(reasons))
    check('monitor:content-changed',
          'responder reports changed measurements' in reasons, str(reasons))
    fb = (json_lines(result, 'spdmctl-meas-fallback') or [{}])[0]
    check('spdmctl:meas-fallback:blocks', isinstance(fb, dict) and
          [m.get('index') for m in fb.get('measurements', [])] == want,
          str(fb)[:300])
    return checks


ATTRS = ('authenticated state error version capabilities hash_algo '
         'asym_algo slots transport')


def one_device(dev, body):
    """Load the modules, trust dev's root, wait for dev, run body."""
    return (f'insmod /modules/spdm.ko\n{trust_roots([dev])}'
            f'insmod /modules/spdm_pci.ko\nwait_done {dev.sysfs}\n' + body +
            'rmmod spdm_pci\nrmmod spdm\n')


def scenario_external(port, root):
    """A responder of the user's: it must authenticate."""
    dev = Device('external', port=port, root=root)

    def script():
        p = dev.sysfs
        return one_device(dev, f'''
echo KSPDM-BEGIN show
for f in {ATTRS}; do
	echo "$f: $(cat {p}/$f)"
done
echo KSPDM-END show
check external:authenticated 1 "$(cat {p}/authenticated)"
''')
    return Scenario('external', [dev], script)


def scenario_demo():
    """What an admin sees for one device."""
    dev = Device('demo', ['--versions', '1.3', '--asym', 'ecdsa-p384',
                          '--hash', 'sha384'])

    def script():
        p = dev.sysfs
        return one_device(dev, f'''
echo KSPDM-BEGIN demo
echo "# ls {p}"
ls {p} {p}/certificates
for f in {ATTRS}; do
	echo "# cat {p}/$f"
	cat {p}/$f
done
echo KSPDM-END demo
echo KSPDM-BEGIN slot0
base64 {p}/certificates/slot0
echo KSPDM-END slot0
check demo:authenticated 1 "$(cat {p}/authenticated)"
''')
    return Scenario('demo', [dev], script)


SCENARIOS = {
    'matrix': scenario_matrix,
    'faults': scenario_faults,
    'enforce': scenario_enforce,
    'lifecycle': scenario_lifecycle,
    'mctp': scenario_mctp,
    'netlink': scenario_netlink,
    'measurements': scenario_measurements,
}


def add_guest_args(ap, timeout):
    """The options of run(): --timeout, --keep, --log-dir, --verbose."""
    ap.add_argument('--timeout', type=int, default=timeout,
                    help='seconds per guest (default %(default)s)')
    ap.add_argument('--keep', action='store_true',
                    help='keep the work directories and serial logs')
    ap.add_argument('--log-dir', help='where --keep puts serial logs')
    ap.add_argument('-v', '--verbose', action='store_true',
                    help='copy the guest console to stdout')


def run(scenario, args):
    work = qemu_guest.workdir(f'kspdm-{scenario.name}-')
    qemu_args = list(scenario.qemu_args)
    try:
        for i, d in enumerate(scenario.devices):
            d.index = i
            d.start(work)
            qemu_args += d.qemu_args(work)
        modules = [os.path.join(args.modules, m + '.ko')
                   for m in scenario.modules]
        modules += [os.path.join(args.kdir, m) for m in scenario.extra_modules]
        files = {f'/certs/{d.name}.der': d.root_der()
                 for d in scenario.devices}
        for d in scenario.devices:
            files.update(d.guest_files(work))
        files.update(scenario.files(work, args))
        initrd = qemu_guest.build_initramfs(work, scenario.script(), modules,
                                            files, scenario.binaries(work),
                                            scenario.python)
        log = os.path.join(work, 'serial.log')
        start = time.monotonic()
        status = qemu_guest.boot(args.kdir, initrd, log, qemu_args,
                                 timeout=args.timeout, verbose=args.verbose)
        took = time.monotonic() - start
        result = qemu_guest.GuestLog(log)
        if args.keep or not result.done:
            kept = os.path.join(args.log_dir or work,
                                f'{scenario.name}-serial.log')
            if kept != log:
                shutil.copy(log, kept)
            print(f'{scenario.name}: serial log {kept}')
        print(f'{scenario.name}: QEMU ran {took:.0f} s ({status})')
        if scenario.post:
            result.checks.extend(scenario.post(result))
        return result
    finally:
        for d in scenario.devices:
            d.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def report(scenario, result):
    passed = failed = 0
    for ok, name, detail in result.checks:
        if ok:
            passed += 1
        else:
            failed += 1
            print(f'FAIL: {scenario.name}.{name} {detail}')
    problems = result.problems()
    for p in problems:
        print(f'ERROR: {scenario.name}: {p}')
    if not result.checks:
        problems.append('no checks ran')
        print(f'ERROR: {scenario.name}: no checks ran')
    print(f'{scenario.name}: {passed} passed, {failed} failed')
    return passed, failed, len(problems)


def demo(args):
    scenario = scenario_demo()
    result = run(scenario, args)
    print('\n'.join(result.sections.get('demo', [])))
    der = base64.b64decode(''.join(result.sections.get('slot0', [])))
    path = os.path.join(qemu_guest.workdir('kspdm-demo-'), 'slot0')
    with open(path, 'wb') as f:
        f.write(der)
    print('# openssl storeutl -noout -certs certificates/slot0 (on the host)')
    out = subprocess.run(['openssl', 'storeutl', '-noout', '-text', '-certs',
                          path], capture_output=True, text=True)
    for line in out.stdout.splitlines():
        line = line.strip()
        if line.startswith(('Subject:', 'Issuer:', 'Public Key Algorithm',
                            'X509v3 Subject Alternative Name')) or \
                line.startswith('othername'):
            print('   ', line)
    shutil.rmtree(os.path.dirname(path), ignore_errors=True)
    _, failed, problems = report(scenario, result)
    return 1 if failed or problems else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument('--kdir', required=True, help='built kernel tree')
    ap.add_argument('--modules', required=True,
                    help='directory with spdm.ko and spdm_pci.ko')
    ap.add_argument('--scenario', action='append', choices=sorted(SCENARIOS),
                    help='run only these (default: all)')
    ap.add_argument('--responder-port', type=int,
                    help='test an external responder listening on this '
                         'port (QEMU SPDM socket protocol, DOE)')
    ap.add_argument('--root-cert', help='its root certificate (DER or PEM)')
    ap.add_argument('--demo', action='store_true',
                    help='boot one device and show what an admin sees')
    add_guest_args(ap, 600)
    args = ap.parse_args()

    if args.demo:
        return demo(args)
    if args.responder_port:
        if not args.root_cert:
            ap.error('--responder-port needs --root-cert')
        root = args.root_cert
        with open(root, 'rb') as f:
            data = f.read()
        if data.startswith(b'-----BEGIN'):
            der = subprocess.run(['openssl', 'x509', '-outform', 'DER'],
                                 input=data, capture_output=True,
                                 check=True).stdout
            root = os.path.join(qemu_guest.workdir('kspdm-root-'), 'root.der')
            with open(root, 'wb') as f:
                f.write(der)
        scenarios = [scenario_external(args.responder_port, root)]
    else:
        scenarios = [SCENARIOS[n]() for n in (args.scenario or SCENARIOS)]

    total_pass = total_fail = total_problems = 0
    for sc in scenarios:
        result = run(sc, args)
        for line in result.sections.get('show', []):
            print(f'{sc.name}: {line}')
        p, f, e = report(sc, result)
        total_pass += p
        total_fail += f
        total_problems += e
    print(f'{total_pass} passed, {total_fail + total_problems} failed')
    return 1 if total_fail or total_problems else 0


if __name__ == '__main__':
    sys.exit(main())
