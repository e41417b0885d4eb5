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
import base64
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import qemu_guest  # noqa: E402

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
                 extra_modules=()):
        self.name = name
        self.devices = devices
        self.script = script
        self.modules = modules
        self.extra_modules = extra_modules


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
    echo re; unload and reload with the devices present."""
    devs = []
    for ver in ('1.1', '1.2', '1.3'):
        for alg, (asym, hash_, _, _) in ALGS.items():
            devs.append(Device(f'v{ver.replace(".", "")}-{alg}',
                               ['--versions', ver, '--asym', asym,
                                '--hash', hash_]))

    def script():
        s = 'insmod /modules/spdm.ko\n' + trust_roots(devs)
        s += 'insmod /modules/spdm_pci.ko\n'
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
    return Scenario('matrix', devs, script)


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
}


def run(scenario, args):
    work = qemu_guest.workdir(f'kspdm-{scenario.name}-')
    qemu_args = []
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
        initrd = qemu_guest.build_initramfs(work, scenario.script(), modules,
                                            files)
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
    ap.add_argument('--timeout', type=int, default=600)
    ap.add_argument('--keep', action='store_true',
                    help='keep the work directories and serial logs')
    ap.add_argument('--log-dir', help='where to keep serial logs')
    ap.add_argument('-v', '--verbose', action='store_true',
                    help='copy the serial console to stdout')
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
