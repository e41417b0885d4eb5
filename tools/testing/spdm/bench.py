#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""kspdm benchmarks in QEMU (make bench): what an authentication costs and
how it scales.  Documentation/spdm-bench.rst explains every figure.

    bench.py --kdir DIR --modules DIR [--json FILE] [--runs N]

Each figure is measured inside the guest, from the kernel's own counters
(debugfs spdm/<responder>/stats: requests, SPDM bytes each way, time
waiting for the responder, time in crypto, time of the call) and from
/proc (uptime, meminfo).  The host only starts the guests and the
responder emulators and prints a table; --json writes the same figures.
"""

import argparse
import json
import os
import re
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import integration  # noqa: E402
from integration import Device, MctpLink, Scenario  # noqa: E402

# A leaf padded with a private extension turns the ~2 KB chain into ~8 KB
CHAINS = {'2k': ['--leaf-padding', '450'],
          '8k': ['--leaf-padding', '6600']}
VERSIONS = ('1.2', '1.3')
ALG = ['--asym', 'ecdsa-p384', '--hash', 'sha384']
SCALE = (1, 8, 32, 128)
MEM_DEVICES = 128
MEM_ROUNDS = 5
# The operations run with QEMU counting instructions: the guest clock then
# advances 1 ns per instruction while a CPU runs (and with real time while
# all are idle), so CPU figures are instruction counts, free of host load
ICOUNT = ['-icount', 'shift=0,sleep=on']

GUEST_HELPERS = r'''
# kernel messages stay in dmesg: on the console they would cut the lines
# the host parses
dmesg -n 1
stats() {
	# stats NAME KIND: the counters of a responder, one "BENCH" line
	echo "BENCH stats $1 $2 $(tr '\n' ' ' < /sys/kernel/debug/spdm/$1/stats)"
}
reset() {
	echo 0 > /sys/kernel/debug/spdm/$1/stats
}
cpu_ticks() {
	# busy and idle ticks of all CPUs (/proc/stat)
	head -n 1 /proc/stat | {
		read -r _ user nice sys idle iowait irq softirq steal _
		echo "$((user + nice + sys + irq + softirq + steal)) $((idle + iowait))"
	}
}
uptime_cs() {
	tr -d . < /proc/uptime | cut -d' ' -f1
}
meminfo() {
	# the kernel memory that devices hold: unreclaimable slab and vmalloc
	echo "BENCH mem $1 $(grep -E '^(SUnreclaim|VmallocUsed):' /proc/meminfo | tr -s ' ' | tr '\n' ' ')"
}
wait_all() {
	# wait_all N: until N responders under /sys/class/spdm are final
	n=0
	while [ $n -lt 1200 ]; do
		done=0
		for d in /sys/class/spdm/mctp-*; do
			case "$(cat $d/state 2>/dev/null)" in
			authenticated|failed) done=$((done + 1)) ;;
			esac
		done
		if [ $done -ge $1 ]; then
			# why any failed
			for d in /sys/class/spdm/mctp-*; do
				[ "$(cat $d/state)" = failed ] &&
					echo "BENCH failed ${d##*/} $(cat $d/error)"
			done
			return 0
		fi
		sleep 0.1
		n=$((n + 1))
	done
	echo "KSPDM-CHECK fail wait_all:$1 only $done final"
}
'''


def meas_cmd(name):
    """Signed measurements of all blocks through spdmctl."""
    return f'spdmctl meas {name} > /dev/null || echo "KSPDM-CHECK fail meas:{name}"\n'


def per_device(name, runs, first_auth_cmd=None):
    """Guest shell: the size of the chain, then @runs re-authentications
    and @runs signed measurements of all blocks, each with its
    counters."""
    s = f'''echo "BENCH chain {name} $(wc -c < /sys/class/spdm/{name}/certificates/slot0)"
check {name}:authenticated 1 "$(cat /sys/class/spdm/{name}/authenticated)"
i=0
while [ $i -lt {runs} ]; do
	reset {name}
	echo re > /sys/class/spdm/{name}/authenticated
	stats {name} reauth
	i=$((i + 1))
done
i=0
while [ $i -lt {runs} ]; do
	reset {name}
	{meas_cmd(name).strip()}
	stats {name} meas
	i=$((i + 1))
done
'''
    return s


def scenario_doe(runs):
    devs = []
    for v in VERSIONS:
        for c, extra in CHAINS.items():
            devs.append(Device(f'doe-{v}-{c}',
                               ['--versions', v] + ALG + extra))

    def script():
        s = GUEST_HELPERS + 'insmod /modules/spdm.ko\n'
        s += integration.trust_roots(devs) + 'insmod /modules/spdm_pci.ko\n'
        # the first authentications run in parallel: all done before any
        # figure is taken
        for d in devs:
            s += f'wait_done {d.sysfs}\n'
        for d in devs:
            s += f'echo "BENCH device {d.bdf} {d.name}"\n'
            s += per_device(d.bdf, runs)
            # first authentications, one device at a time: removed and
            # found again, the function gets a new SPDM state
            s += f'''i=0
while [ $i -lt {runs} ]; do
	echo 1 > /sys/bus/pci/devices/{d.bdf}/remove
	echo 1 > /sys/bus/pci/rescan
	wait_done {d.sysfs}
	stats {d.bdf} full
	i=$((i + 1))
done
'''
        # memory: the functions found again by a new spdm_pci
        s += 'echo "BENCH devices doe %d"\n' % len(devs)
        for keep in (0, 1):
            s += f'echo {keep} > /sys/module/spdm/parameters/keep_transcript\n'
            for r in range(MEM_ROUNDS):
                s += f'''rmmod spdm_pci
sleep 2
meminfo doe-before-{keep}-{r}
insmod /modules/spdm_pci.ko
'''
                for d in devs:
                    s += f'wait_done {d.sysfs}\n'
                s += f'sleep 2\nmeminfo doe-after-{keep}-{r}\n'
        s += 'rmmod spdm_pci\nrmmod spdm\n'
        return s
    return Scenario('bench-doe', devs, script,
                    binaries=integration.build_spdmctl, qemu_args=ICOUNT)


MCTP_CONFIGS = [(v, c) for v in VERSIONS for c in CHAINS]


def scenario_mctp(runs, configs=MCTP_CONFIGS[:3], name='bench-mctp'):
    """One MCTP endpoint per configuration, each behind a serial line of
    its own (the guest has three free serial ports)."""
    links = [MctpLink(f'mctp-{v}-{c}', str(9 + i),
                      ['--versions', v] + ALG + CHAINS[c], serial=i)
             for i, (v, c) in enumerate(configs)]

    def script():
        par = '/sys/module/spdm_mctp/parameters'
        s = GUEST_HELPERS + 'insmod /modules/spdm.ko\n'
        s += integration.trust_roots(links) + 'insmod /modules/spdm_mctp.ko\n'
        for i, link in enumerate(links):
            eid = 9 + i
            s += (f'mctp-setup {link.tty} --local-eid {100 + i} '
                  f'--route {eid} > /dev/null\n')
        for i, link in enumerate(links):
            eid = 9 + i
            dev = f'mctp-1-{eid}'
            s += f'''echo 1:{eid} > {par}/attach
wait_done /sys/class/spdm/{dev}
echo "BENCH device {dev} {link.name}"
'''
            s += per_device(dev, runs)
            s += f'''i=0
while [ $i -lt {runs} ]; do
	echo 1:{eid} > {par}/detach
	echo 1:{eid} > {par}/attach
	wait_done /sys/class/spdm/{dev}
	stats {dev} full
	i=$((i + 1))
done
echo 1:{eid} > {par}/detach
'''
        s += 'rmmod spdm_mctp\nrmmod spdm\n'
        return s
    return Scenario(name, links, script, modules=('spdm', 'spdm_mctp'),
                    binaries=integration.build_spdmctl, qemu_args=ICOUNT)


def scenario_mctp2(runs):
    """The fourth MCTP configuration."""
    return scenario_mctp(runs, MCTP_CONFIGS[3:], 'bench-mctp2')


def scenario_scale(runs):
    """Up to 128 endpoints behind one serial line and one responder, and
    the memory each holds."""
    many = MctpLink('scale', f'20-{19 + max(SCALE)}',
                    ['--versions', '1.3'] + ALG)

    def script():
        par = '/sys/module/spdm_mctp/parameters'
        s = GUEST_HELPERS + 'insmod /modules/spdm.ko\n'
        s += integration.trust_roots([many])
        s += 'insmod /modules/spdm_mctp.ko\n'
        s += (f'mctp-setup {many.tty} --local-eid 10 '
              f'--route 20-{19 + max(SCALE)} > /dev/null\n')
        s += f'''# many endpoints behind one line and one responder: they queue there
echo 5000 > {par}/rtt_ms
'''
        for n in SCALE:
            eids = ','.join(f'1:{e}' for e in range(20, 20 + n))
            s += f'''c0=$(cpu_ticks)
t0=$(uptime_cs)
echo {eids} > {par}/attach
wait_all {n}
t1=$(uptime_cs)
c1=$(cpu_ticks)
echo "BENCH scale {n} $((t1 - t0)) $(cat /sys/class/spdm/mctp-*/authenticated | grep -c 1) $c0 $c1"
echo {eids} > {par}/detach
sleep 1
'''
        eids = ','.join(f'1:{e}' for e in range(20, 20 + MEM_DEVICES))
        s += f'echo "BENCH devices mctp {MEM_DEVICES}"\n'
        # once for nothing, so that every cache has its slabs
        s += f'''echo {eids} > {par}/attach
wait_all {MEM_DEVICES}
echo {eids} > {par}/detach
'''
        for keep in (0, 1):
            s += f'echo {keep} > /sys/module/spdm/parameters/keep_transcript\n'
            for r in range(MEM_ROUNDS):
                s += f'''sleep 2
meminfo mctp-before-{keep}-{r}
echo {eids} > {par}/attach
wait_all {MEM_DEVICES}
check mem-{keep}-{r}:authenticated {MEM_DEVICES} "$(cat /sys/class/spdm/mctp-*/authenticated | grep -c 1)"
sleep 2
meminfo mctp-after-{keep}-{r}
echo {eids} > {par}/detach
'''
        s += 'rmmod spdm_mctp\nrmmod spdm\n'
        return s
    return Scenario('bench-scale', [many], script,
                    modules=('spdm', 'spdm_mctp'),
                    binaries=integration.build_spdmctl)


SCENARIOS = {'doe': scenario_doe, 'mctp': scenario_mctp,
             'mctp2': scenario_mctp2, 'scale': scenario_scale}
STATS = re.compile(r'BENCH stats (\S+) (\S+) (.*)')


def parse(result):
    """{device label: {kind: [counters]}}, scale, mem."""
    names = {}
    runs = {}
    scale = {}
    mem = {}
    chains = {}
    for line in result.lines:
        # a line may follow output that did not end its own
        k = line.find('BENCH ')
        if k < 0:
            continue
        line = line[k:].strip()
        m = re.match(r'BENCH device (\S+) (\S+)', line)
        if m:
            names[m.group(1)] = m.group(2)
            continue
        m = STATS.match(line)
        if m:
            words = m.group(3).split()
            counters = {words[i]: int(words[i + 1])
                        for i in range(0, len(words) - 1, 2)}
            runs.setdefault(m.group(1), {}).setdefault(
                m.group(2), []).append(counters)
            continue
        m = re.match(r'BENCH scale (\d+) (\d+) (\d+) (\d+) (\d+) '
                     r'(\d+) (\d+)', line)
        if m:
            busy = int(m.group(6)) - int(m.group(4))
            idle = int(m.group(7)) - int(m.group(5))
            scale[int(m.group(1))] = {
                'wall_s': int(m.group(2)) / 100,
                'authenticated': int(m.group(3)),
                'guest_cpu_busy_pct': round(100 * busy / (busy + idle))
                if busy + idle else None}
            continue
        m = re.match(r'BENCH chain (\S+) (\d+)', line)
        if m:
            chains[m.group(1)] = int(m.group(2))
            continue
        m = re.match(r'BENCH devices (\S+) (\d+)', line)
        if m:
            mem.setdefault('devices', {})[m.group(1)] = int(m.group(2))
            continue
        m = re.match(r'BENCH mem (\S+) (.*)', line)
        if m:
            w = m.group(2).replace(':', '').split()
            mem[m.group(1)] = {w[i]: int(w[i + 1])
                               for i in range(0, len(w) - 2, 3)}
    for k, size in chains.items():
        runs.setdefault(k, {})['chain'] = size
    # a device without its label is reported under its kernel name
    return {names.get(k, 'unlabelled ' + k): v for k, v in runs.items()}, \
        scale, mem


def summarise(kind_runs):
    """Wire figures of the first sample, CPU medians over all."""
    first = kind_runs[0]
    own = [r['call_ns'] - r['wait_ns'] for r in kind_runs]
    crypto = [r['crypto_ns'] for r in kind_runs]
    return {
        'round_trips': first['requests'],
        'tx_bytes': first['tx_bytes'],
        'rx_bytes': first['rx_bytes'],
        'verifies': first['verifies'],
        'samples': len(kind_runs),
        'cpu_us_median': round(statistics.median(own) / 1000, 1),
        'crypto_us_median': round(statistics.median(crypto) / 1000, 1),
        'other_us_median': round(statistics.median(
            [o - c for o, c in zip(own, crypto)]) / 1000, 1),
        'wall_ms_median': round(statistics.median(
            [r['call_ns'] for r in kind_runs]) / 1e6, 1),
    }


OPERATIONS = (('full', 'first authentication'),
              ('reauth', 're-authentication, chain unchanged'),
              ('meas', 'signed measurements, all blocks'))

METHODS = {
    'operations': 'debugfs spdm/<device>/stats around each operation, in '
    'the guest: requests (round trips, retries included) and SPDM bytes '
    'each way and signatures verified (sigs) from the first sample; CPU = '
    'call time minus time waiting '
    'for the responder (transport included), crypto = time hashing, '
    'verifying signatures and validating chains, other = CPU - crypto, '
    'each the median of all samples, in microseconds of the guest clock '
    'under QEMU -icount shift=0 (1 ns per instruction: thousands of '
    'instructions); chain = SPDM certificate chain object of slot 0',
    'scale': 'guest /proc/uptime from writing the endpoints to spdm_mctp '
    'attach until every one is authenticated or failed; one responder '
    'process answers for all of them over one serial line; busy = share '
    'of the guest CPUs\' ticks (/proc/stat) not idle in that time',
    'memory': 'guest /proc/meminfo before attaching and after '
    'authenticating N devices, divided by N, median of rounds: slab = '
    'SUnreclaim (large kmalloc included), vmalloc = VmallocUsed; MCTP '
    'after one round that warms the caches, DOE as spdm_pci finds the '
    'functions again',
}


def report_operations(ops, figures, problems):
    print(f'{"configuration":13} {"operation":35} {"chain":>5} '
          f'{"trips":>5} {"tx B":>5} {"rx B":>5} {"sigs":>4} '
          f'{"CPU us":>7} {"crypto":>7} {"other":>6} {"n":>3}')
    for label in sorted(ops):
        if label.startswith('unlabelled '):
            problems.append(f'{label}: the guest did not name it')
        chain = ops[label].get('chain')
        if chain is None:
            problems.append(f'{label}: chain size not seen')
            continue
        # certificates/slot0 holds the certificates; the SPDM object adds
        # Length, Reserved and the SHA-384 root hash
        chain += 4 + 48
        figures['operations'].setdefault(label, {})['chain_bytes'] = chain
        for kind, title in OPERATIONS:
            samples = ops[label].get(kind)
            if not samples:
                problems.append(f'{label}: no {kind} samples')
                continue
            f = summarise(samples)
            figures['operations'][label][kind] = f
            print(f'{label:13} {title:35} {chain:5} {f["round_trips"]:5} '
                  f'{f["tx_bytes"]:5} {f["rx_bytes"]:5} {f["verifies"]:4} '
                  f'{f["cpu_us_median"]:7.0f} {f["crypto_us_median"]:7.0f} '
                  f'{f["other_us_median"]:6.0f} {f["samples"]:3}')


def report_scale(scale, figures, problems):
    one = scale.get(1, {}).get('wall_s')
    print(f'{"MCTP endpoints":>14} {"wall s":>7} {"ratio to 1":>10} '
          f'{"authenticated":>13} {"guest CPUs busy":>15}')
    for n in SCALE:
        s = scale.get(n)
        if not s:
            problems.append(f'scale {n}: not measured')
            continue
        s['ratio_to_one'] = round(s['wall_s'] / one, 2) if one else None
        figures['scale'][str(n)] = s
        print(f'{n:14} {s["wall_s"]:7.2f} {s["ratio_to_one"]!s:>10} '
              f'{s["authenticated"]:13} '
              f'{str(s["guest_cpu_busy_pct"]) + " %":>15}')
        if s['authenticated'] != n:
            problems.append(f'scale {n}: only {s["authenticated"]} '
                            'authenticated')


def report_memory(mem, figures, problems, ran):
    devices = mem.get('devices', {})
    print(f'{"kernel memory per authenticated device, KiB":44} '
          f'{"total":>6} {"slab":>6} {"vmalloc":>7}  rounds')
    for transport, keep in (('mctp', 0), ('mctp', 1), ('doe', 0), ('doe', 1)):
        n = devices.get(transport)
        if not n:
            if {'mctp': 'scale', 'doe': 'doe'}[transport] in ran:
                problems.append(f'memory {transport}: not measured')
            continue
        rounds = []
        for r in range(MEM_ROUNDS):
            b = mem.get(f'{transport}-before-{keep}-{r}')
            a = mem.get(f'{transport}-after-{keep}-{r}')
            if not b or not a or set(a) != set(b) or len(a) != 2:
                problems.append(f'memory {transport} keep_transcript={keep} '
                                f'round {r}: not measured')
                continue
            d = {k: (a[k] - b[k]) / n for k in a}
            rounds.append({'slab': d['SUnreclaim'],
                           'vmalloc': d['VmallocUsed']})
        if not rounds:
            continue

        def med(key):
            return round(statistics.median(r[key] for r in rounds), 1)
        f = {'devices': n,
             'kib_per_device': round(statistics.median(
                 r['slab'] + r['vmalloc'] for r in rounds), 1),
             'rounds_kib': [round(r['slab'] + r['vmalloc'], 1)
                            for r in rounds],
             'slab_kib_per_device': med('slab'),
             'vmalloc_kib_per_device': med('vmalloc')}
        name = f'{transport} keep_transcript={keep}'
        figures['memory'][name] = f
        print(f'{name + " (%d devices)" % n:44} '
              f'{f["kib_per_device"]:6.1f} {f["slab_kib_per_device"]:6.1f} '
              f'{f["vmalloc_kib_per_device"]:7.1f}  '
              + ' '.join(str(x) for x in f['rounds_kib']))


class _Log:
    """What parse() reads of a guest log."""

    def __init__(self, lines):
        self.lines = lines


def selftest():
    """Parse and summarise a made-up guest log (make check)."""
    counters = 'requests {} tx_bytes {} rx_bytes {} wait_ns {} ' \
        'crypto_ns {} verifies 4 calls 1 call_ns {}'
    lines = ['BENCH device mctp-1-9 mctp-1.2-2k',
             # after output that did not end its line
             '# BENCH chain mctp-1-9 1934',
             'BENCH devices mctp 4']
    for i, crypto in enumerate((5000, 7000, 6000)):
        lines.append('BENCH stats mctp-1-9 full ' + counters.format(
            6, 104, 2292, 1000, crypto * 1000, (crypto + 1000 + i) * 1000))
    lines.append('BENCH stats mctp-1-10 meas ' +
                 counters.format(1, 37, 516, 10, 20, 40))
    lines.append('BENCH scale 8 250 8 100 300 250 350')
    for r in range(MEM_ROUNDS):
        lines += [f'BENCH mem mctp-before-0-{r} SUnreclaim: 1000 kB '
                  'VmallocUsed: 10 kB',
                  f'BENCH mem mctp-after-0-{r} SUnreclaim: {1040 + r} kB '
                  'VmallocUsed: 14 kB']
    ops, scale, mem = parse(_Log(lines))
    figures = {'operations': {}, 'scale': {}, 'memory': {}}
    problems = []
    report_operations(ops, figures, problems)
    report_scale(scale, figures, problems)
    report_memory(mem, figures, problems, ['scale'])
    full = figures['operations']['mctp-1.2-2k']['full']
    want = [
        (full['round_trips'], 6), (full['rx_bytes'], 2292),
        (full['verifies'], 4),
        (full['samples'], 3), (full['crypto_us_median'], 6000),
        (full['other_us_median'], 1000.0),
        (full['cpu_us_median'], 7001.0),
        (figures['operations']['mctp-1.2-2k']['chain_bytes'], 1934 + 52),
        (figures['scale']['8']['wall_s'], 2.5),
        (figures['scale']['8']['guest_cpu_busy_pct'], 75),
        # the median round adds 40 + MEM_ROUNDS // 2 KiB of slab, 4 of
        # vmalloc, for 4 devices
        (figures['memory']['mctp keep_transcript=0']['kib_per_device'],
         round((44 + MEM_ROUNDS // 2) / 4, 1)),
        (sorted(problems), sorted([
            'unlabelled mctp-1-10: the guest did not name it',
            'unlabelled mctp-1-10: chain size not seen',
            'scale 1: not measured', 'scale 32: not measured',
            'scale 128: not measured',
            'mctp-1.2-2k: no reauth samples',
            'mctp-1.2-2k: no meas samples'] +
            [f'memory mctp keep_transcript=1 round {r}: not measured'
             for r in range(MEM_ROUNDS)]))]
    bad = [(got, exp) for got, exp in want if got != exp]
    for got, exp in bad:
        print(f'bench selftest: got {got!r}, want {exp!r}')
    print(f'bench selftest: {len(want) - len(bad)} passed, {len(bad)} failed')
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument('--kdir',
                    help='kernel tree (make bench: the bench flavour)')
    ap.add_argument('--modules',
                    help='directory with spdm.ko, spdm_pci.ko, spdm_mctp.ko')
    ap.add_argument('--selftest', action='store_true',
                    help='check the parsing of guest logs, run nothing')
    ap.add_argument('--json', default='bench.json',
                    help='where to write the figures (default %(default)s)')
    ap.add_argument('--runs', type=int, default=15,
                    help='samples per operation (default %(default)s)')
    ap.add_argument('--only', action='append', choices=SCENARIOS,
                    help='run only this scenario (repeatable)')
    integration.add_guest_args(ap, 1800)
    args = ap.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    if args.selftest:
        return selftest()
    if not args.kdir or not args.modules:
        ap.error('--kdir and --modules are needed')
    if args.runs < 1:
        ap.error('--runs wants at least 1')

    ops, scale, mem = {}, {}, {}
    problems = []
    for name in args.only or SCENARIOS:
        sc = SCENARIOS[name](args.runs)
        start = time.monotonic()
        result = integration.run(sc, args)
        print(f'{sc.name}: {time.monotonic() - start:.0f} s')
        problems += [f'{sc.name}: {p}' for p in result.problems()]
        problems += [f'{sc.name}: {n} {d}' for ok, n, d in result.checks
                     if not ok]
        r, s, m = parse(result)
        ops.update(r)
        scale.update(s)
        mem.setdefault('devices', {}).update(m.pop('devices', {}))
        mem.update(m)

    figures = {'method': METHODS, 'runs': args.runs,
               'operations': {}, 'scale': {}, 'memory': {}}
    print()
    if ops:
        report_operations(ops, figures, problems)
        print()
    if 'scale' in (args.only or SCENARIOS):
        report_scale(scale, figures, problems)
        print()
    if mem.get('devices'):
        report_memory(mem, figures, problems, args.only or SCENARIOS)

    with open(args.json, 'w') as f:
        json.dump(figures, f, indent=2, sort_keys=True)
    print(f'\nfigures written to {args.json}')
    for p in problems:
        print(f'ERROR: {p}')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
