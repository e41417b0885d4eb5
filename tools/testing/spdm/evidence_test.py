#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
#
# evidence_test.py - spdmctl's measurement evidence, tested on the host
#
# No kernel and no QEMU: the SPDM model of this directory (responder.py's
# Device, driven by its TestRequester) takes signed measurements for SPDM
# 1.1, 1.2 and 1.3 with ECDSA P-256 and P-384, RSASSA-3072 and
# RSASSA-PSS-3072, and the transcript it signed becomes an evidence file
# (tools/spdm/EVIDENCE.md) as kspdm would return it:
#
#   * all blocks in one signed request, and one index;
#   * L1/L2 over a count request, unsigned one-index requests and a
#     final signed one (what kspdm falls back to for large logs);
#   * raw bit streams (1.2+), and a second slot.
#
# "spdmctl verify FILE --ca ROOT --nonce NONCE" must accept every file and
# reject (exit status 1, never a signal) each of its corruptions: every
# byte of the transcript and of the signature flipped (all of them for
# the smallest files, a sample for the others), another nonce, another
# root, changed, dropped and reordered measurement blocks, offsets out of
# range or pointing elsewhere, members missing or of the wrong type,
# and truncated JSON.  Transcripts that are wrong although correctly
# signed (signed again with the model's device key: the responder's nonce
# repeating the requester's, a second signed request, other algorithms in
# ALGORITHMS, ...) must pass the signature check and fail the transcript
# check.
#
# The netlink side is tested too, without a kernel: fakegenl.c (below) is
# LD_PRELOADed into spdmctl in place of libmnl's socket calls and answers
# meas-get and mel-get with replies built here from the same evidence.
# "spdmctl evidence" must then write the file this script built, and
# "spdmctl meas" and "spdmctl mel" must show it.
#
# Usage: evidence_test.py --spdmctl tools/spdm/spdmctl [-v] [--quick]
#                         [--only REGEX] [--wrapper CMD]
#
# --wrapper runs spdmctl under a command, e.g. "valgrind -q
# --error-exitcode=99" (an exit status of 99 or more, a signal or a
# sanitizer's report counts as a crash); --quick samples fewer
# corruptions; --only runs the cases whose name matches.  The last line
# is "N passed, N failed"; the exit status is 1 if anything failed.
#
# Only the Python standard library and python3-cryptography are used.

import argparse
import base64
import copy
import json
import os
import random
import re
import shlex
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
sys.path.insert(0, HERE)
from responder import (  # noqa: E402  (after the path set-up)
    Config, NullLogger, Provisioning, Session, TestRequester,
    unrelated_root)
from spdm_model import (  # noqa: E402
    MEASUREMENTS_CONTEXT, NONCE_LEN, der_split, signed_message,
    signing_prefix, u16, u24, version_str)

UAPI = os.path.join(REPO, 'include', 'uapi', 'linux', 'spdm.h')
HASH_INFO = '/usr/include/linux/hash_info.h'

# Names of the spec's enum meas-type, which the evidence uses
MEAS_TYPES = ['immutable-rom', 'mutable-firmware', 'hardware-config',
              'firmware-config', 'manifest', 'device-mode', 'version', 'svn',
              'hash-extend', 'informational', 'structured-manifest']
# ContentChanged -> the names of the spec's enum meas-changed
CHANGED = {0x00: 'not-supported', 0x10: 'changed', 0x20: 'unchanged'}
# responder.py's algorithm names -> kspdm's (sysfs, netlink)
KERNEL_ASYM = {'ecdsa-p256': 'ecdsa-p256', 'ecdsa-p384': 'ecdsa-p384',
               'rsassa-3072': 'rsassa3072', 'rsapss-3072': 'rsapss3072'}


def c_enums(path):
    """NAME -> value of every enumerator of the C header @path."""
    text = re.sub(r'/\*.*?\*/', '', open(path).read(), flags=re.S)
    values = {}
    for body in re.findall(r'enum\s*\w*\s*\{(.*?)\}', text, flags=re.S):
        nxt = 0
        for item in body.split(','):
            item = item.strip()
            if not item:
                continue
            name, _, expr = item.partition('=')
            name = name.strip()
            if expr.strip():
                expr = expr.strip()
                for k, v in values.items():
                    expr = re.sub(r'\b%s\b' % k, str(v), expr)
                # (N - 1) and the like, of this tree's headers
                nxt = eval(expr, {'__builtins__': {}})
            values[name] = nxt
            nxt += 1
    return values


# ---------------------------------------------------------------------------
# Evidence from the model
# ---------------------------------------------------------------------------


class EvidenceRequester(TestRequester):
    """The self test's requester, keeping what kspdm would return: the
    requests it sent and the transcript and signature it verified."""

    def __init__(self, session):
        super().__init__(session)
        self.sent = []
        self.signed = None

    def raw(self, req):
        self.sent.append(req)
        return super().raw(req)

    def verify(self, slot, transcript, sig, context):
        # Called twice per signature (the second time with a flipped
        # byte, to see whether a fault is the only problem): keep the first
        if self.signed is None:
            self.signed = (transcript, sig)
        return super().verify(slot, transcript, sig, context)


class Case:
    def __init__(self, v, asym, hname, plan, slot=0, raw=False):
        self.v = v
        self.asym = asym
        self.hname = hname
        self.plan = plan            # 'all', 'one' or 'span'
        self.slot = slot
        self.raw = raw
        self.name = 'v%s-%s-%s%s%s' % (version_str(v), asym, plan,
                                       '-raw' if raw else '',
                                       '-slot%d' % slot if slot else '')
        self.sign = None            # transcript -> signature, once taken


PROVS = {}


def provisioning(cfg, asym, slots):
    key = (asym, slots)
    if key not in PROVS:
        PROVS[key] = Provisioning(cfg)
    return PROVS[key]


def take_evidence(case):
    """Run @case against the model; returns the evidence (a dict), the
    root certificate and the requester's nonce."""
    slots = case.slot + 1
    cfg = Config(versions=[case.v], asym=case.asym, hashes=[case.hname],
                 slots=slots)
    prov = provisioning(cfg, case.asym, slots)
    case.sign = lambda data: cfg.asym.sign(
        prov.key(case.slot),
        signed_message(case.v, data, cfg.hashes[0], MEASUREMENTS_CONTEXT),
        cfg.hashes[0])
    rq = EvidenceRequester(Session(cfg, prov, NullLogger()))
    rq.connect()
    rq.digests()
    rq.certificate(case.slot)
    rq.validate(case.slot, prov.trusted_root.der)

    indices = [m.index for m in cfg.measurements]
    blocks, count = [], None
    if case.plan == 'span':
        count, _ = rq.measurements(0, raw=case.raw)
        for i in indices[:-1]:
            blocks += rq.measurements(i, raw=case.raw)[1]
        op = indices[-1]
    else:
        op = 0xFF if case.plan == 'all' else indices[0]
    rq.signed = None
    first = len(rq.sent)
    blocks += rq.measurements(op, signed=True, slot=case.slot,
                              raw=case.raw)[1]
    transcript, sig = rq.signed
    req = rq.sent[first]
    start = transcript.rfind(req)
    body = start + len(req)
    ev = {
        'format': 'kspdm-evidence',
        'format_version': 1,
        'device': '0000:%02x:00.0' % (len(case.name) % 256),
        'version': version_str(case.v),
        'slot': case.slot,
        'hash_algo': case.hname,
        'asym_algo': KERNEL_ASYM[case.asym],
        'meas_hash_algo': case.hname,
        'transcript': base64.b64encode(transcript).decode(),
        'signature': base64.b64encode(sig).decode(),
        'meas_offset': len(rq.vca) if case.v >= 0x12 else 0,
        'req_nonce_offset': start + 4,
        'rsp_nonce_offset': body + 8 + u24(transcript, body + 5),
    }
    if case.v >= 0x12:
        ev['combined_spdm_prefix'] = base64.b64encode(
            signing_prefix(case.v, MEASUREMENTS_CONTEXT)).decode()
    chain = rq.chains[case.slot]
    ev['cert_chain'] = base64.b64encode(
        b''.join(der_split(chain[4 + rq.h.size:]))).decode()
    if count:
        ev['count'] = count
    if case.v >= 0x12:
        # ContentChanged, Param2 bits 5:4 of the signed MEASUREMENTS
        ev['content_changed'] = CHANGED[transcript[body + 3] & 0x30]
    ev['measurements'] = [
        {'index': idx, 'type': MEAS_TYPES[dmtf[0] & 0x7F],
         'raw': bool(dmtf[0] & 0x80), 'value': dmtf[3:].hex()}
        for idx, _spec, dmtf in blocks]
    nonce = transcript[start + 4:start + 4 + NONCE_LEN]
    assert req[4:4 + NONCE_LEN] == nonce
    return ev, prov.trusted_root, nonce


def cases():
    out = []
    for v in (0x11, 0x12, 0x13):
        for asym, hname in (('ecdsa-p256', 'sha256'),
                            ('ecdsa-p384', 'sha384'),
                            ('rsassa-3072', 'sha384'),
                            ('rsapss-3072', 'sha384')):
            for plan in ('all', 'one', 'span'):
                out.append(Case(v, asym, hname, plan))
        out.append(Case(v, 'ecdsa-p384', 'sha384', 'all', slot=1))
    for v in (0x12, 0x13):
        out.append(Case(v, 'ecdsa-p256', 'sha256', 'all', raw=True))
        out.append(Case(v, 'rsapss-3072', 'sha384', 'span', raw=True))
    return out


# ---------------------------------------------------------------------------
# Netlink replies, as kspdm would send them
# ---------------------------------------------------------------------------

NLA_F_NESTED = 0x8000


def nla(atype, payload):
    length = 4 + len(payload)
    return struct.pack('<HH', length, atype) + payload + \
        bytes((4 - length % 4) % 4)


def nla_str(atype, text):
    return nla(atype, text.encode() + b'\0')


class Netlink:
    def __init__(self):
        e = c_enums(UAPI)
        self.e = e
        self.hash_algo = {name: c_enums(HASH_INFO)[
            'HASH_ALGO_' + name.upper().replace('-', '_')]
            for name in ('sha256', 'sha384', 'sha512')}
        self.changed = {'not-supported': e['SPDM_MEAS_CHANGED_NOT_SUPPORTED'],
                        'changed': e['SPDM_MEAS_CHANGED_CHANGED'],
                        'unchanged': e['SPDM_MEAS_CHANGED_UNCHANGED']}

    def message(self, cmd, attrs):
        payload = struct.pack('<BBH', cmd, 1, 0) + b''.join(attrs)
        return struct.pack('<IHHII', 16 + len(payload), 0x20, 0, 0, 0) + \
            payload

    def meas_reply(self, ev, frag=100):
        """meas-get's reply carrying @ev (transcript in @frag fragments)."""
        e = self.e
        a = [nla_str(e['SPDM_A_MEAS_NAME'], ev['device']),
             nla(e['SPDM_A_MEAS_VERSION'],
                 bytes([int(ev['version'][0]) << 4 | int(ev['version'][2])]))]
        if 'count' in ev:
            a.append(nla(e['SPDM_A_MEAS_COUNT'], bytes([ev['count']])))
        a += [nla(e['SPDM_A_MEAS_HASH_ALGO'],
                  struct.pack('<H', self.hash_algo[ev['hash_algo']])),
              nla_str(e['SPDM_A_MEAS_ASYM_ALGO'], ev['asym_algo']),
              nla_str(e['SPDM_A_MEAS_MEAS_HASH_ALGO'], ev['meas_hash_algo'])]
        record = b''
        for b in ev['measurements']:
            value = bytes.fromhex(b['value'])
            nest = nla(e['SPDM_A_MEAS_BLOCK_INDEX'], bytes([b['index']]))
            nest += nla(e['SPDM_A_MEAS_BLOCK_TYPE'],
                        bytes([MEAS_TYPES.index(b['type'])]))
            if b['raw']:
                nest += nla(e['SPDM_A_MEAS_BLOCK_RAW'], b'')
            nest += nla(e['SPDM_A_MEAS_BLOCK_VALUE'], value)
            a.append(nla(e['SPDM_A_MEAS_BLOCK'] | NLA_F_NESTED, nest))
            dmtf = struct.pack('<BH', MEAS_TYPES.index(b['type']) |
                               (0x80 if b['raw'] else 0), len(value)) + value
            record += struct.pack('<BBH', b['index'], 1, len(dmtf)) + dmtf
        for i in range(0, len(record), frag):
            a.append(nla(e['SPDM_A_MEAS_RECORD'], record[i:i + frag]))
        if 'signature' not in ev:
            return self.message(e['SPDM_CMD_MEAS_GET'], a)
        a.append(nla(e['SPDM_A_MEAS_SLOT'], bytes([ev['slot']])))
        if 'content_changed' in ev:
            a.append(nla(e['SPDM_A_MEAS_CONTENT_CHANGED'],
                         bytes([self.changed[ev['content_changed']]])))
        t = base64.b64decode(ev['transcript'])
        for i in range(0, len(t), frag):
            a.append(nla(e['SPDM_A_MEAS_TRANSCRIPT'], t[i:i + frag]))
        a.append(nla(e['SPDM_A_MEAS_TRANSCRIPT'],
                     base64.b64decode(ev['signature'])))
        for key, attr in (('sig', 'SIG_OFFSET'),
                          ('meas_offset', 'MEAS_OFFSET'),
                          ('req_nonce_offset', 'REQ_NONCE_OFFSET'),
                          ('rsp_nonce_offset', 'RSP_NONCE_OFFSET')):
            val = len(t) if key == 'sig' else ev[key]
            a.append(nla(e['SPDM_A_MEAS_' + attr], struct.pack('<I', val)))
        if 'combined_spdm_prefix' in ev:
            a.append(nla(e['SPDM_A_MEAS_COMBINED_SPDM_PREFIX'],
                         base64.b64decode(ev['combined_spdm_prefix'])))
        a.append(nla(e['SPDM_A_MEAS_CERT_CHAIN'],
                     base64.b64decode(ev['cert_chain'])))
        return self.message(e['SPDM_CMD_MEAS_GET'], a)

    def mel_reply(self, name, mel):
        e = self.e
        return self.message(e['SPDM_CMD_MEL_GET'],
                            [nla_str(e['SPDM_A_MEAS_NAME'], name),
                             nla(e['SPDM_A_MEAS_MEL'], mel)])

    def request_attrs(self, path):
        """{type: payload} of the request fakegenl.c recorded at @path
        (removed here), or None if there is none."""
        try:
            with open(path, 'rb') as f:
                req = f.read()
            os.unlink(path)
        except OSError:
            return None
        out, pos = {}, 20
        while pos + 4 <= len(req):
            length, atype = struct.unpack_from('<HH', req, pos)
            out[atype & 0x3FFF] = req[pos + 4:pos + length]
            pos += (length + 3) & ~3
        return out


def make_mel(entries):
    """A DMTF measurement extension log of (mel index, measurement index,
    type, raw, value) entries."""
    body = b''
    for mel_index, index, mtype, raw, value in entries:
        body += struct.pack('<IB3x', mel_index, index)
        body += struct.pack('<BH', mtype | (0x80 if raw else 0),
                            len(value)) + value
    return struct.pack('<II8x', len(entries), len(body)) + body


FAKEGENL_C = r'''
// SPDX-License-Identifier: GPL-2.0-only
/*
 * A stand-in for kspdm's genetlink family "spdm", LD_PRELOADed into
 * spdmctl in place of libmnl's socket calls.  CTRL_CMD_GETFAMILY gets a
 * family id; any other request is written to $FAKEGENL_REQ and answered
 * with the messages of the file $FAKEGENL_REPLY (their seq and portid set
 * here), or with the error $FAKEGENL_ERRNO and the extended ACK message
 * $FAKEGENL_EXTACK blaming the first attribute, then an ACK.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <libmnl/libmnl.h>

#define FAKE_FAMILY	0x20
#define FAKE_PORTID	4242

struct mnl_socket {
	char q[1 << 22];
	size_t len;
};

struct mnl_socket *mnl_socket_open(int bus)
{
	(void)bus;
	return calloc(1, sizeof(struct mnl_socket));
}

int mnl_socket_bind(struct mnl_socket *nl, unsigned int groups, pid_t pid)
{
	(void)nl;
	(void)groups;
	(void)pid;
	return 0;
}

unsigned int mnl_socket_get_portid(const struct mnl_socket *nl)
{
	(void)nl;
	return FAKE_PORTID;
}

int mnl_socket_setsockopt(const struct mnl_socket *nl, int type, void *buf,
			  socklen_t len)
{
	(void)nl;
	(void)type;
	(void)buf;
	(void)len;
	return 0;
}

int mnl_socket_close(struct mnl_socket *nl)
{
	free(nl);
	return 0;
}

static void put(struct mnl_socket *nl, const void *msg, size_t len)
{
	if (nl->len + len <= sizeof(nl->q)) {
		memcpy(nl->q + nl->len, msg, len);
		nl->len += len;
	}
}

static void ack(struct mnl_socket *nl, const struct nlmsghdr *req, int err,
		const char *extack)
{
	char buf[1024];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlmsgerr *e;

	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_seq = req->nlmsg_seq;
	nlh->nlmsg_pid = FAKE_PORTID;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = -err;
	e->msg = *req;
	if (err && extack) {
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS | NLM_F_CAPPED;
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, extack);
		mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS,
				 NLMSG_HDRLEN + GENL_HDRLEN);
	}
	put(nl, nlh, nlh->nlmsg_len);
}

ssize_t mnl_socket_sendto(const struct mnl_socket *cnl, const void *buf,
			  size_t len)
{
	struct mnl_socket *nl = (struct mnl_socket *)cnl;
	const struct nlmsghdr *req = buf;
	const char *path, *err;
	char reply[256];
	FILE *f;

	if (req->nlmsg_type == GENL_ID_CTRL) {
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(reply);
		struct genlmsghdr *g;

		nlh->nlmsg_type = GENL_ID_CTRL;
		nlh->nlmsg_seq = req->nlmsg_seq;
		nlh->nlmsg_pid = FAKE_PORTID;
		g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
		g->cmd = CTRL_CMD_NEWFAMILY;
		mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, FAKE_FAMILY);
		put(nl, nlh, nlh->nlmsg_len);
		ack(nl, req, 0, NULL);
		return len;
	}
	path = getenv("FAKEGENL_REQ");
	if (path && (f = fopen(path, "wb"))) {
		fwrite(buf, 1, len, f);
		fclose(f);
	}
	err = getenv("FAKEGENL_ERRNO");
	if (err) {
		ack(nl, req, atoi(err), getenv("FAKEGENL_EXTACK"));
		return len;
	}
	path = getenv("FAKEGENL_REPLY");
	if (path && (f = fopen(path, "rb"))) {
		size_t off = nl->len;

		nl->len += fread(nl->q + nl->len, 1, sizeof(nl->q) - nl->len,
				 f);
		fclose(f);
		while (off + NLMSG_HDRLEN <= nl->len) {
			struct nlmsghdr *nlh = (void *)(nl->q + off);

			if (nlh->nlmsg_len < NLMSG_HDRLEN)
				break;
			nlh->nlmsg_seq = req->nlmsg_seq;
			nlh->nlmsg_pid = FAKE_PORTID;
			off += NLMSG_ALIGN(nlh->nlmsg_len);
		}
	}
	ack(nl, req, 0, NULL);
	return len;
}

ssize_t mnl_socket_recvfrom(const struct mnl_socket *cnl, void *buf,
			    size_t size)
{
	struct mnl_socket *nl = (struct mnl_socket *)cnl;
	size_t n = nl->len < size ? nl->len : size;

	if (!n) {
		errno = EAGAIN;
		return -1;
	}
	memcpy(buf, nl->q, n);
	memmove(nl->q, nl->q + n, nl->len - n);
	nl->len -= n;
	return n;
}
'''


# ---------------------------------------------------------------------------
# Running spdmctl
# ---------------------------------------------------------------------------


class Runner:
    def __init__(self, spdmctl, wrapper, verbose):
        self.cmd = shlex.split(wrapper or '') + [spdmctl]
        self.verbose = verbose
        self.passed = 0
        self.failures = []
        self.runs = 0

    def run(self, args, env=None):
        self.runs += 1
        full = dict(os.environ, **(env or {}))
        p = subprocess.run(self.cmd + [str(a) for a in args], env=full,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=300)
        return (p.returncode, p.stdout.decode(errors='replace'),
                p.stderr.decode(errors='replace'))

    def check(self, cond, what, detail=''):
        if cond:
            self.passed += 1
            if self.verbose:
                print('ok: %s' % what)
        else:
            self.failures.append(what)
            print('FAIL: %s%s' % (what, '\n' + detail if detail else ''),
                  file=sys.stderr)
        return cond

    def expect(self, args, want, what, env=None, out_has=None):
        """Run spdmctl; it must exit with @want, by itself (no signal, no
        sanitizer or valgrind report)."""
        rc, out, err = self.run(args, env)
        crashed = rc < 0 or rc >= 99 or 'Sanitizer' in err or \
            'runtime error:' in err
        detail = '  $ %s\n  exit %s%s\n%s%s' % (
            ' '.join(shlex.quote(str(a)) for a in args), rc,
            ' (signal %s)' % signal.Signals(-rc).name if rc < 0 else '',
            out[-1500:], err[-1500:])
        ok = rc == want and not crashed
        if ok and out_has is not None:
            ok = out_has in out
        self.check(ok, what, detail)
        return rc, out, err


def b64(data):
    return base64.b64encode(data).decode()


def unb64(text):
    return base64.b64decode(text)


class Files:
    """Scratch files; names unique per write."""

    def __init__(self, root):
        self.root = root
        self.n = 0

    def write(self, data, suffix='.json'):
        self.n += 1
        path = os.path.join(self.root, 'f%05d%s' % (self.n, suffix))
        with open(path, 'wb') as f:
            f.write(data if isinstance(data, bytes) else data.encode())
        return path

    def json(self, obj):
        return self.write(json.dumps(obj, indent=1))


# ---------------------------------------------------------------------------
# verify
# ---------------------------------------------------------------------------


def positions(length, exhaustive, rng, sample):
    if exhaustive:
        return range(length)
    pos = {0, length - 1}
    pos.update(rng.randrange(length) for _ in range(sample))
    return sorted(pos)


def wrong_types(value):
    """Values of other JSON types than @value's."""
    out = [None, True, 1.5, [], {}]
    if not isinstance(value, str):
        out.append('1')
    if not isinstance(value, int) or isinstance(value, bool):
        out.append(1)
    return [o for o in out if type(o) is not type(value)]


def test_verify(r, files, case, ev, root, nonce, other_root, exhaustive,
                rng, quick):
    """verify on @ev and its corruptions.  @exhaustive: flip every byte
    of the transcript and signature ('flips') and cut the JSON at every
    byte ('cuts') rather than at a sample."""
    name = case.name
    good = files.json(ev)
    ca = files.write(root.pem(), '.pem')
    ca_der = files.write(root.der, '.der')
    nonce_hex = nonce.hex()

    def ok(obj, what, *extra):
        path = obj if isinstance(obj, str) else files.json(obj)
        return r.expect(['verify', path, '--ca', ca, '--nonce', nonce_hex] +
                        list(extra), 0, '%s: %s' % (name, what))

    def bad(obj, what, *extra, ca_file=None, nonce_text=None):
        path = obj if isinstance(obj, str) else files.json(obj)
        return r.expect(['verify', path, '--ca', ca_file or ca, '--nonce',
                         nonce_text or nonce_hex] + list(extra), 1,
                        '%s: rejects %s' % (name, what))

    # It verifies, whichever way the trust anchor is given
    rc, out, _ = ok(good, 'verifies')
    r.check(out.rstrip().endswith('verdict: verified'),
            '%s: verdict line' % name, out)
    ok(good, 'verifies (DER --ca)')
    r.expect(['verify', good, '--ca', ca_der], 0,
             '%s: verifies with a DER --ca, no --nonce' % name,
             out_has='nonce: skipped')
    r.expect(['verify', good], 0, '%s: verifies without --ca' % name,
             out_has='NOT checked against a trusted root')
    bundle = files.write(other_root.pem() + root.pem(), '.pem')
    r.expect(['verify', good, '--ca', bundle], 0,
             '%s: verifies with a --ca of several roots' % name)
    certs = [c for c in der_split(unb64(ev['cert_chain']))]
    inter = files.write(certs[1], '.der')
    r.expect(['verify', good, '--ca', inter], 0,
             '%s: verifies with a trusted intermediate' % name)
    rc, out, _ = r.expect(['-j', 'verify', good, '--ca', ca, '--nonce',
                           nonce_hex], 0, '%s: verify -j' % name)
    try:
        res = json.loads(out)
        r.check(res['verified'] and res['root_trusted'] and
                res['nonce_checked'] and len(res['checks']) == 6 and
                all(c['result'] == 'ok' for c in res['checks']),
                '%s: verify -j says verified' % name, out)
    except (ValueError, KeyError, TypeError) as e:
        r.check(False, '%s: verify -j prints JSON' % name, '%s\n%s' % (e, out))

    # The chain may omit the root when --ca holds it
    ev2 = copy.deepcopy(ev)
    ev2['cert_chain'] = b64(b''.join(certs[1:]))
    ok(ev2, 'verifies without the root in the chain')
    r.expect(['verify', files.json(ev2)], 1,
             '%s: rejects a first certificate that is not self-signed '
             'without --ca' % name)

    # Trust and freshness
    bad(good, 'another root', ca_file=files.write(other_root.pem(), '.pem'))
    other = bytearray(nonce)
    other[rng.randrange(len(other))] ^= 1 << rng.randrange(8)
    bad(good, 'another nonce', nonce_text=bytes(other).hex())

    # Every byte of the transcript and of the signature
    t = unb64(ev['transcript'])
    s = unb64(ev['signature'])
    for key, data, few, many in (('transcript', t, 6, 24),
                                 ('signature', s, 4, 8)):
        for i in positions(len(data), 'flips' in exhaustive, rng,
                           few if quick else many):
            ev2 = copy.deepcopy(ev)
            mod = bytearray(data)
            mod[i] ^= 1 << rng.randrange(8)
            ev2[key] = b64(bytes(mod))
            bad(ev2, '%s byte %d flipped' % (key, i))
    # Cut short or longer
    for key, data in (('transcript', t), ('signature', s)):
        ev2 = copy.deepcopy(ev)
        ev2[key] = b64(data[:-1])
        bad(ev2, '%s one byte short' % key)
        ev2[key] = b64(data + b'\0')
        bad(ev2, '%s one byte longer' % key)

    # The measurement list
    blocks = ev['measurements']
    for i in range(len(blocks)) if not quick else [0, len(blocks) - 1]:
        b = blocks[i]
        for what, change in (
                ('value', lambda b: b.update(
                    value='%x' % (int(b['value'][0], 16) ^ 1) +
                    b['value'][1:])),
                ('type', lambda b: b.update(type=MEAS_TYPES[
                    (MEAS_TYPES.index(b['type']) + 1) % len(MEAS_TYPES)])),
                ('raw', lambda b: b.update(raw=not b['raw'])),
                ('index', lambda b: b.update(index=b['index'] % 254 + 1)),
                ('value length', lambda b: b.update(value=b['value'] + '00'))):
            ev2 = copy.deepcopy(ev)
            change(ev2['measurements'][i])
            bad(ev2, 'block %d with another %s' % (i, what))
        ev2 = copy.deepcopy(ev)
        del ev2['measurements'][i]
        bad(ev2, 'block %d dropped' % i)
        ev2 = copy.deepcopy(ev)
        ev2['measurements'].insert(i, copy.deepcopy(b))
        bad(ev2, 'block %d twice' % i)
    if len(blocks) > 1:
        ev2 = copy.deepcopy(ev)
        m = ev2['measurements']
        m[0], m[1] = m[1], m[0]
        bad(ev2, 'blocks reordered')
        ev2['measurements'] = list(reversed(blocks))
        bad(ev2, 'blocks reversed')
    ev2 = copy.deepcopy(ev)
    ev2['measurements'] = []
    bad(ev2, 'no blocks')
    ev2 = copy.deepcopy(ev)
    ev2['measurements'][0]['value'] = ev2['measurements'][0]['value'].upper()
    ok(ev2, 'verifies with upper-case hex')

    # Offsets out of range or pointing elsewhere
    for key in ('meas_offset', 'req_nonce_offset', 'rsp_nonce_offset'):
        for val in (ev[key] + 1, ev[key] - 1, len(t), len(t) - 31,
                    len(t) + 1000, 2 ** 32, 2 ** 64, -1, -2 ** 63):
            ev2 = copy.deepcopy(ev)
            ev2[key] = val
            bad(ev2, '%s %d' % (key, val))

    # Every member: missing, of another type
    optional = ('count', 'content_changed')
    for key in ev:
        ev2 = copy.deepcopy(ev)
        del ev2[key]
        if key in optional:
            ok(ev2, 'verifies without %s' % key)
        else:
            bad(ev2, 'no %s' % key)
        for val in wrong_types(ev[key]):
            ev2 = copy.deepcopy(ev)
            ev2[key] = val
            bad(ev2, '%s of type %s' % (key, type(val).__name__))
    for key in ('index', 'type', 'raw', 'value'):
        ev2 = copy.deepcopy(ev)
        del ev2['measurements'][0][key]
        bad(ev2, 'a block without %s' % key)
        for val in wrong_types(ev['measurements'][0][key]):
            ev2 = copy.deepcopy(ev)
            ev2['measurements'][0][key] = val
            bad(ev2, 'a block whose %s is of type %s' %
                (key, type(val).__name__))
    ev2 = copy.deepcopy(ev)
    ev2['extra'] = 1
    bad(ev2, 'an unknown member')
    ev2 = copy.deepcopy(ev)
    ev2['measurements'][0]['extra'] = 1
    bad(ev2, 'an unknown member of a block')
    ev2 = copy.deepcopy(ev)
    ev2['measurements'].append(7)
    bad(ev2, 'a block that is not an object')

    # Members whose value lies
    v = ev['version']
    lies = [('format', 'kspdm-evidence2'), ('format_version', 2),
            ('format_version', 0), ('device', ''), ('device', 'a\nb'),
            ('device', 'x' * 65), ('device', 'dev\u00e9'),
            ('device', 'a\u0000b'),
            ('version', '1.%d' % ((int(v[2]) + 1) % 4)), ('version', '1.4'),
            ('version', '2.0'), ('version', '1.2 '),
            ('slot', ev['slot'] + 1), ('slot', 8), ('slot', -1),
            ('hash_algo', 'sha512' if ev['hash_algo'] != 'sha512'
             else 'sha256'), ('hash_algo', 'md5'),
            ('meas_hash_algo', 'raw'), ('meas_hash_algo', 'sha512'),
            ('meas_hash_algo', 'sha1'),
            ('asym_algo', {'ecdsa-p256': 'ecdsa-p384', 'ecdsa-p384':
                           'ecdsa-p521', 'rsassa3072': 'rsapss3072',
                           'rsapss3072': 'rsassa3072'}[ev['asym_algo']]),
            ('asym_algo', 'eddsa-ed25519'),
            ('count', ev.get('count', 0) + 1), ('count', 255),
            ('content_changed', 'changed'
             if ev.get('content_changed') != 'changed' else 'unchanged'),
            ('content_changed', 'maybe')]
    for key, val in lies:
        ev2 = copy.deepcopy(ev)
        ev2[key] = val
        bad(ev2, '%s %r' % (key, val))
    # The prefix: another version's or context's, or where it has no place
    ev2 = copy.deepcopy(ev)
    if case.v >= 0x12:
        for what, prefix in (
                ('of another version', signing_prefix(
                    0x12 if case.v == 0x13 else 0x13, MEASUREMENTS_CONTEXT)),
                ('of CHALLENGE_AUTH', signing_prefix(case.v)),
                ('cut short', signing_prefix(case.v,
                                             MEASUREMENTS_CONTEXT)[:-1])):
            ev2['combined_spdm_prefix'] = b64(prefix)
            bad(ev2, 'a combined prefix %s' % what)
    else:
        ev2['combined_spdm_prefix'] = b64(signing_prefix(
            0x12, MEASUREMENTS_CONTEXT))
        bad(ev2, 'a combined prefix before SPDM 1.2')
        ev2 = copy.deepcopy(ev)
        ev2['content_changed'] = 'not-supported'
        bad(ev2, 'content_changed before SPDM 1.2')

    # base64 that is not quite
    for what, key, text in (
            ('a bad character', 'transcript', '!' + ev['transcript'][1:]),
            ('a line break', 'transcript',
             ev['transcript'][:8] + '\n' + ev['transcript'][8:]),
            ('no padding', 'signature',
             ev['signature'].rstrip('=') + 'A' * (ev['signature'][-1] != '=')),
            ('padding inside', 'transcript', 'AA==' + ev['transcript'])):
        ev2 = copy.deepcopy(ev)
        ev2[key] = text
        bad(ev2, 'base64 with %s' % what)
    # Unused bits set: the same bytes to a lenient decoder
    alphabet = ('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
                '0123456789+/')
    for key in ('transcript', 'cert_chain', 'signature'):
        enc = ev[key]
        body = enc.rstrip('=')
        if body == enc:
            continue
        enc2 = body[:-1] + alphabet[alphabet.index(body[-1]) ^ 1] + \
            enc[len(body):]
        assert unb64(enc2) == unb64(enc)
        ev2 = copy.deepcopy(ev)
        ev2[key] = enc2
        bad(ev2, 'non-canonical base64 (unused bits set) in %s' % key)
        break

    # The chain
    ev2 = copy.deepcopy(ev)
    ev2['cert_chain'] = b64(b''.join(certs[:-1]))
    bad(ev2, 'a chain without its leaf')
    ev2['cert_chain'] = b64(unb64(ev['cert_chain'])[:-1])
    bad(ev2, 'a truncated chain')
    ev2['cert_chain'] = b64(unb64(ev['cert_chain']) + b'\x30\x00')
    bad(ev2, 'a chain with garbage after the leaf')
    ev2['cert_chain'] = b64(b''.join([certs[0], certs[2], certs[1]]))
    bad(ev2, 'a chain out of order')
    ev2['cert_chain'] = b64(b''.join(certs[:2] + [other_root.der]))
    bad(ev2, 'a chain whose leaf is another key')

    # The JSON itself
    text = open(good, 'rb').read()
    cuts = range(len(text) - 1) if 'cuts' in exhaustive else \
        sorted({rng.randrange(len(text) - 1)
                for _ in range(6 if quick else 20)} |
               {0, 1, len(text) // 2, len(text) - 3})
    for n in cuts:
        cut = text[:n]
        if cut.strip() and json_complete(cut):
            continue
        bad(files.write(cut), 'JSON truncated to %d bytes' % n)


def test_resigned(r, files, case, ev, root, nonce):
    """Transcripts that are wrong although correctly signed (the model's
    device key signs them again): the transcript check must catch them."""
    name = case.name
    ca = files.write(root.der, '.der')
    t = unb64(ev['transcript'])
    mo, rq_off, rs_off = (ev['meas_offset'], ev['req_nonce_offset'],
                          ev['rsp_nonce_offset'])
    last_req = rq_off - 4
    req_len = 4 + NONCE_LEN + 1 + (8 if case.v >= 0x13 else 0)
    last_rsp = last_req + req_len

    def resign(what, transcript, want=1, check='transcript', **changes):
        ev2 = copy.deepcopy(ev)
        ev2['transcript'] = b64(transcript)
        ev2['signature'] = b64(case.sign(transcript))
        ev2.update(changes)
        rc, out, _ = r.expect(['verify', files.json(ev2), '--ca', ca,
                               '--nonce', nonce.hex()], want,
                              '%s: %s %s' % (name, 'accepts' if not want
                                             else 'rejects', what))
        if want:
            r.check(('signature: ok' in out and '%s: FAIL' % check in out),
                    '%s: %s: signed, but the %s check fails' %
                    (name, what, check), out)

    resign('the transcript signed again', t, want=0)
    echo = t[:rs_off] + t[rq_off:rq_off + NONCE_LEN] + t[rs_off + NONCE_LEN:]
    resign('a responder nonce that repeats the requester\'s', echo)
    zero = t[:rs_off] + bytes(NONCE_LEN) + t[rs_off + NONCE_LEN:]
    resign('an all-zero responder nonce', zero)
    resign('bytes after the signed MEASUREMENTS', t + b'\0')
    # The signed exchange twice: a signed request that is not the last
    pair = t[last_req:]
    resign('two signed requests', t + pair)
    # The last request unsigned, as are all of them
    unsigned = t[:last_req] + bytes([t[last_req], t[last_req + 1],
                                     t[last_req + 2] & ~1, t[last_req + 3]])
    if case.v >= 0x13:
        unsigned += t[last_req + req_len - 8:last_req + req_len]
    shorter = len(t) - len(unsigned) - len(t[last_rsp:])
    resign('no signed request', unsigned + t[last_rsp:],
           req_nonce_offset=0, rsp_nonce_offset=rs_off - shorter)
    # A reserved attribute bit, and another slot asked for
    bit = bytearray(t)
    bit[last_req + 2] |= 0x40
    resign('a reserved GET_MEASUREMENTS attribute', bytes(bit))
    other = bytearray(t)
    other[last_req + 4 + NONCE_LEN] = 3
    resign('a request for another slot', bytes(other))
    other = bytearray(t)
    other[last_rsp + 3] ^= 1
    resign('a response naming another slot', bytes(other))
    other = bytearray(t)
    other[last_req] ^= 1
    resign('a request of another version', bytes(other))
    if case.v >= 0x13:
        other = bytearray(t)
        other[last_req + req_len - 1] ^= 1
        resign('a RequesterContext that is not echoed', bytes(other))
    if case.v >= 0x12:
        # Without VCA, or VCA of something else
        resign('L1/L2 without VCA', t[mo:], meas_offset=0,
               req_nonce_offset=rq_off - mo, rsp_nonce_offset=rs_off - mo)
        # VERSION, GET_CAPABILITIES, CAPABILITIES, NEGOTIATE_ALGORITHMS
        algs = 4 + 6 + 2 * t[4 + 5] + 20 + 20
        algs += u16(t, algs + 4)
        for what, off, val in (('BaseAsymSel', 12, 0x200),
                               ('BaseHashSel', 16, 0x20),
                               ('MeasurementHashAlgo', 8, 0x40)):
            other = bytearray(t)
            other[algs + off:algs + off + 4] = struct.pack('<I', val)
            resign('ALGORITHMS selecting another %s' % what, bytes(other))
        other = bytearray(t)
        other[0] = 0x11
        resign('a GET_VERSION of 1.1', bytes(other))
    else:
        resign('a meas_offset where 1.1 has no VCA', t, meas_offset=4)
    # The count, changed in the transcript and in the file alike
    if 'count' in ev:
        # TotalNumberOfMeasurementIndices: Param1 of the first response
        other = bytearray(t)
        other[mo + 4 + (8 if case.v >= 0x13 else 0) + 2] += 1
        resign('a count response that says otherwise', bytes(other))


def json_complete(data):
    try:
        json.loads(data)
        return True
    except ValueError:
        return False


def test_verify_files(r, files):
    """verify's handling of files that are not evidence at all."""
    for what, data in (('an empty file', b''), ('white space', b' \n'),
                       ('a JSON number', b'1'), ('a JSON array', b'[]'),
                       ('an empty object', b'{}'), ('null', b'null'),
                       ('garbage', bytes(range(256)) * 4),
                       ('NUL bytes', b'{"format"\0: 1}'),
                       ('two objects', b'{} {}'),
                       ('trailing garbage', b'{}x'),
                       ('invalid UTF-8', b'{"device": "\xff"}'),
                       ('deep nesting', b'[' * 100000 + b']' * 100000),
                       ('a huge number', b'{"format_version": ' +
                        b'9' * 5000 + b'}'),
                       ('single quotes', b"{'format': 1}"),
                       ('a trailing comma', b'{"format": 1,}')):
        r.expect(['verify', files.write(data)], 1,
                 'verify rejects %s' % what)
    r.expect(['verify', os.path.join(files.root, 'no-such-file')], 1,
             'verify: a file that does not exist')
    r.expect(['verify', files.root], 1, 'verify: a directory')
    big = files.write(b' ' * (64 * 1024 * 1024 + 1))
    r.expect(['verify', big], 1, 'verify: a file over 64 MiB')
    os.unlink(big)
    r.expect(['verify'], 2, 'verify: no file is a usage error')
    r.expect(['verify', 'a', 'b'], 2, 'verify: two files are a usage error')
    r.expect(['verify', 'a', '--nonce', '12'], 2,
             'verify: a short --nonce is a usage error')
    r.expect(['verify', 'a', '--nonce'], 2,
             'verify: --nonce without value is a usage error')
    r.expect(['verify', 'a', '--ca'], 2,
             'verify: --ca without value is a usage error')
    r.expect(['verify', 'a', '--bogus'], 2,
             'verify: an unknown option is a usage error')


# ---------------------------------------------------------------------------
# meas, evidence and mel against the fake genetlink family
# ---------------------------------------------------------------------------


def build_fakegenl(work):
    src = os.path.join(work, 'fakegenl.c')
    lib = os.path.join(work, 'fakegenl.so')
    with open(src, 'w') as f:
        f.write(FAKEGENL_C)
    cc = os.environ.get('CC', 'cc')
    p = subprocess.run([cc, '-shared', '-fPIC', '-O2', '-Wall', '-Wextra',
                        '-Werror', '-o', lib, src], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    if p.returncode:
        print(p.stdout.decode(), file=sys.stderr)
        return None
    return lib


def test_netlink(r, files, nl, lib, case, ev, root, nonce):
    name = case.name
    reply = files.write(nl.meas_reply(ev), '.nl')
    req = os.path.join(files.root, 'request.nl')
    env = {'LD_PRELOAD': lib, 'FAKEGENL_REPLY': reply, 'FAKEGENL_REQ': req,
           # an ASan build must not insist on being first
           'ASAN_OPTIONS': os.environ.get('ASAN_OPTIONS', '') +
           ':verify_asan_link_order=0'}
    e = nl.e
    dev = ev['device']
    out = os.path.join(files.root, 'evidence-%s.json' % name)

    # evidence writes exactly the file the model made, and it verifies
    args = ['evidence', dev, '--nonce', nonce.hex(), '-o', out]
    if case.slot:
        args += ['--slot', case.slot]
    if case.raw:
        args += ['--raw']
    if case.plan == 'one':
        args += ['--index', ev['measurements'][0]['index']]
    r.expect(args, 0, '%s: evidence' % name, env)
    attrs = nl.request_attrs(req) or {}
    r.check(attrs.get(e['SPDM_A_MEAS_NAME']) == dev.encode() + b'\0' and
            attrs.get(e['SPDM_A_MEAS_NONCE']) == nonce and
            e['SPDM_A_MEAS_UNSIGNED'] not in attrs and
            (e['SPDM_A_MEAS_RAW'] in attrs) == case.raw and
            attrs.get(e['SPDM_A_MEAS_SLOT']) ==
            (bytes([case.slot]) if case.slot else None) and
            attrs.get(e['SPDM_A_MEAS_INDEX']) ==
            (bytes([ev['measurements'][0]['index']])
             if case.plan == 'one' else None),
            '%s: the meas-get request of evidence' % name, repr(attrs))
    try:
        written = json.load(open(out))
    except (OSError, ValueError) as err:
        written = str(err)
    r.check(written == ev, '%s: evidence writes the evidence' % name,
            '%s\n%s' % (written, ev))
    r.expect(['verify', out, '--ca', files.write(root.der, '.der'),
              '--nonce', nonce.hex()], 0, '%s: evidence verifies' % name)
    r.expect(['evidence', dev, '--nonce', bytes(32).hex(), '-o', out + '2'],
             1, '%s: evidence refuses a transcript without its nonce' % name,
             env)
    r.check(not os.path.exists(out + '2'),
            '%s: no file after a failure' % name)

    # meas shows it; -j is the evidence
    rc, text, _ = r.expect(['meas', dev], 0, '%s: meas' % name, env)
    r.check(('signed by slot %d' % case.slot) in text and
            all(b['value'][:32] in text for b in ev['measurements']),
            '%s: meas shows the blocks' % name, text)
    if case.v >= 0x12:
        r.check('content-changed ' + ev['content_changed'] in text,
                '%s: meas shows content-changed' % name, text)
    if any(b['type'] == 'device-mode' for b in ev['measurements']):
        r.check('operational mode: capabilities validation' in text,
                '%s: meas decodes the device mode' % name, text)
    if any(b['type'] == 'svn' and b['raw'] for b in ev['measurements']):
        r.check('(svn 1)' in text, '%s: meas decodes the SVN' % name, text)
    rc, text, _ = r.expect(['-j', 'meas', dev], 0, '%s: meas -j' % name, env)
    try:
        shown = json.loads(text)
    except ValueError as err:
        shown = str(err)
    r.check(shown == ev, '%s: meas -j prints the evidence' % name, text)


def test_netlink_errors(r, files, nl, lib, ev):
    env = {'LD_PRELOAD': lib, 'FAKEGENL_REQ': os.path.join(files.root, 'r'),
           'ASAN_OPTIONS': os.environ.get('ASAN_OPTIONS', '') +
           ':verify_asan_link_order=0'}
    e = nl.e

    def reply(data):
        return dict(env, FAKEGENL_REPLY=files.write(data, '.nl'))

    # The kernel's reason, and the attribute of the meas set it blames
    err = dict(env, FAKEGENL_ERRNO='16', FAKEGENL_EXTACK='responder is busy')
    rc, _, text = r.expect(['meas', 'dev0'], 1, 'meas: a refusal', err)
    r.check('responder is busy (attribute name)' in text,
            'meas: the extended ACK', text)
    r.expect(['evidence', 'dev0'], 1, 'evidence: a refusal', err)
    r.expect(['mel', 'dev0'], 1, 'mel: a refusal', err)

    # Unsigned measurements: no evidence
    unsigned = {k: v for k, v in ev.items() if k in (
        'format', 'format_version', 'device', 'version', 'hash_algo',
        'asym_algo', 'meas_hash_algo', 'measurements')}
    rc, text, _ = r.expect(['meas', 'dev0', '--unsigned', '--index', 'all'],
                           0, 'meas --unsigned',
                           reply(nl.meas_reply(unsigned)))
    r.check('unsigned' in text.splitlines()[0], 'meas: says unsigned', text)
    attrs = nl.request_attrs(env['FAKEGENL_REQ']) or {}
    r.check(e['SPDM_A_MEAS_UNSIGNED'] in attrs and
            e['SPDM_A_MEAS_INDEX'] not in attrs,
            'meas --unsigned: the request', repr(attrs))
    rc, text, _ = r.expect(['-j', 'meas', 'dev0', '--unsigned', '--new'], 0,
                           'meas -j --unsigned',
                           reply(nl.meas_reply(unsigned)))
    r.check(json.loads(text) == unsigned if text.strip() else False,
            'meas -j --unsigned: no evidence members', text)
    r.expect(['evidence', 'dev0'], 1, 'evidence: refuses unsigned ones',
             reply(nl.meas_reply(unsigned)))

    # Malformed replies: an error, never a crash
    good = nl.meas_reply(ev)
    blk = e['SPDM_A_MEAS_BLOCK'] | NLA_F_NESTED
    bad_replies = [
        ('no name', nl.message(e['SPDM_CMD_MEAS_GET'], [
            nla(e['SPDM_A_MEAS_VERSION'], b'\x12')])),
        ('a block without value', nl.message(e['SPDM_CMD_MEAS_GET'], [
            nla_str(e['SPDM_A_MEAS_NAME'], 'd'),
            nla(e['SPDM_A_MEAS_VERSION'], b'\x12'),
            nla(e['SPDM_A_MEAS_HASH_ALGO'], b'\x05\x00'),
            nla(blk, nla(e['SPDM_A_MEAS_BLOCK_INDEX'], b'\x01') +
                nla(e['SPDM_A_MEAS_BLOCK_TYPE'], b'\x00'))])),
        ('a block that is not a nest', nl.message(e['SPDM_CMD_MEAS_GET'], [
            nla_str(e['SPDM_A_MEAS_NAME'], 'd'),
            nla(e['SPDM_A_MEAS_VERSION'], b'\x12'),
            nla(e['SPDM_A_MEAS_HASH_ALGO'], b'\x05\x00'),
            nla(blk, b'\x01\x02\x03')])),
        ('a sig-offset past the transcript', nl.message(
            e['SPDM_CMD_MEAS_GET'], [
                nla_str(e['SPDM_A_MEAS_NAME'], 'd'),
                nla(e['SPDM_A_MEAS_VERSION'], b'\x12'),
                nla(e['SPDM_A_MEAS_HASH_ALGO'], b'\x05\x00'),
                nla(e['SPDM_A_MEAS_TRANSCRIPT'], b'abcd'),
                nla(e['SPDM_A_MEAS_SIG_OFFSET'], struct.pack('<I', 5))])),
        ('a truncated message', good[:len(good) // 2]),
        ('an attribute overrunning the message',
         good[:20] + struct.pack('<HH', 0xFFF0, 1) + good[24:]),
    ]
    for what, data in bad_replies:
        if what == 'a truncated message':
            # Cut inside the longest attribute, so that what is left is
            # not by chance a complete, shorter message
            cut, off = len(good) // 2, 20
            longest = 0
            while off + 4 <= len(good):
                alen = struct.unpack_from('<H', good, off)[0]
                if alen < 4:
                    break
                if alen > longest:
                    longest, cut = alen, off + alen // 2
                off += (alen + 3) & ~3
            data = good[:cut]
            data = struct.pack('<I', len(data)) + data[4:]
        r.expect(['meas', 'dev0'], 1, 'meas: a reply with %s' % what,
                 reply(data))
        r.expect(['-j', 'evidence', 'dev0'], 1,
                 'evidence: a reply with %s' % what, reply(data))

    # Usage errors
    for args in (['meas'], ['meas', 'd', '--index', '0'],
                 ['meas', 'd', '--index', '256'], ['meas', 'd', '--slot', '8'],
                 ['meas', 'd', '--nonce', 'xyz'],
                 ['meas', 'd', '--unsigned', '--nonce', '00' * 32],
                 ['meas', 'd', '--unsigned', '--slot', '0'],
                 ['meas', 'd', 'e'], ['evidence', 'd', '--unsigned'],
                 ['evidence', 'd', '--new'], ['evidence', 'd', '-o'],
                 ['mel'], ['mel', 'd', '-o'], ['mel', 'd', 'e']):
        r.expect(args, 2, 'usage error: %s' % ' '.join(args), env)


def test_mel(r, files, nl, lib):
    env = {'LD_PRELOAD': lib, 'FAKEGENL_REQ': os.path.join(files.root, 'r'),
           'ASAN_OPTIONS': os.environ.get('ASAN_OPTIONS', '') +
           ':verify_asan_link_order=0'}
    entries = [(0, 2, 1, False, bytes(range(48))),
               (1, 5, 6, True, b'2.0.1'),
               (7, 3, 8, False, bytes(32))]
    mel = make_mel(entries)

    def reply(data, name='mctp-1-9'):
        return dict(env, FAKEGENL_REPLY=files.write(
            nl.mel_reply(name, data), '.nl'))

    rc, text, _ = r.expect(['mel', 'mctp-1-9'], 0, 'mel', reply(mel))
    lines = text.splitlines()
    r.check(len(lines) == 5 and '3 entries' in lines[0] and
            bytes(range(48)).hex()[:64] in lines[2] and
            'version' in lines[3] and '"2.0.1"' in lines[3] and
            'hash-extend' in lines[4],
            'mel: the header and one line per entry', text)
    attrs = nl.request_attrs(env['FAKEGENL_REQ']) or {}
    r.check(attrs == {nl.e['SPDM_A_MEAS_NAME']: b'mctp-1-9\0'},
            'mel: the request', repr(attrs))
    rc, text, _ = r.expect(['-j', 'mel', 'mctp-1-9'], 0, 'mel -j', reply(mel))
    try:
        obj = json.loads(text)
        r.check(obj['name'] == 'mctp-1-9' and
                [(x['mel_index'], x['index'], x['type'], x['raw'],
                  x['value']) for x in obj['entries']] ==
                [(a, b, MEAS_TYPES[c], d, v.hex())
                 for a, b, c, d, v in entries],
                'mel -j: the entries', text)
    except (ValueError, KeyError, TypeError) as err:
        r.check(False, 'mel -j prints JSON', '%s\n%s' % (err, text))
    out = os.path.join(files.root, 'mel.bin')
    r.expect(['mel', 'mctp-1-9', '-o', out], 0, 'mel -o', reply(mel))
    r.check(os.path.exists(out) and open(out, 'rb').read() == mel,
            'mel -o writes the log as it is')
    rc, text, _ = r.expect(['mel', 'x'], 0, 'mel: an empty log',
                           reply(make_mel([])))
    r.check('0 entries' in text, 'mel: says 0 entries', text)

    body = mel[16:]
    for what, data in (
            ('a header cut short', mel[:10]),
            ('an entry cut short', mel[:-1]),
            ('bytes after the entries', mel + b'\0'),
            ('more entries than there are',
             struct.pack('<II8x', 4, len(body)) + body),
            ('fewer entries than there are',
             struct.pack('<II8x', 2, len(body)) + body),
            ('an entries length past the log',
             struct.pack('<II8x', 3, len(body) + 1) + body),
            ('a huge entries length',
             struct.pack('<II8x', 3, 0xFFFFFFFF) + body),
            ('a reserved type', make_mel([(0, 1, 0x7F, False, b'')]))):
        r.expect(['mel', 'x'], 1, 'mel: a log with %s' % what, reply(data))
        r.expect(['-j', 'mel', 'x'], 1, 'mel -j: a log with %s' % what,
                 reply(data))
    no_mel = nl.message(nl.e['SPDM_CMD_MEL_GET'],
                        [nla_str(nl.e['SPDM_A_MEAS_NAME'], 'x')])
    r.expect(['mel', 'x'], 1, 'mel: a reply without the log',
             dict(env, FAKEGENL_REPLY=files.write(no_mel, '.nl')))


# ---------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(
        description="Test spdmctl's meas, evidence, verify and mel on the "
        'host, with the SPDM model of this directory')
    ap.add_argument('--spdmctl', default=os.path.join(REPO, 'tools', 'spdm',
                                                      'spdmctl'))
    ap.add_argument('--wrapper', help='run spdmctl under this command')
    ap.add_argument('--quick', action='store_true',
                    help='sample fewer corruptions')
    ap.add_argument('--only', metavar='REGEX',
                    help='only the cases whose name matches')
    ap.add_argument('--seed', type=int, default=0x5eed)
    ap.add_argument('-v', '--verbose', action='store_true')
    args = ap.parse_args()

    start = time.monotonic()
    rng = random.Random(args.seed)
    r = Runner(os.path.abspath(args.spdmctl), args.wrapper, args.verbose)
    work = tempfile.mkdtemp(prefix='evidence-test-')
    made = []
    try:
        files = Files(work)
        nl = Netlink()
        lib = build_fakegenl(work)
        r.check(lib is not None, 'fakegenl.c builds')
        others = {}
        smallest = {}           # version: (transcript length, case name)
        for case in cases():
            if args.only and not re.search(args.only, case.name):
                continue
            ev, root, nonce = take_evidence(case)
            made.append((case, ev, root, nonce))
            size = (len(ev['transcript']), case.name)
            smallest[case.v] = min(smallest.get(case.v, size), size)
        smallest_all = min(smallest.values(), default=(0, None))[1]
        for case, ev, root, nonce in made:
            kt = Config(asym=case.asym).asym.keytype
            if kt.name not in others:
                others[kt.name] = unrelated_root(kt)
            key = kt.name
            # Every byte of the smallest file of each version
            exhaustive = set()
            if not args.quick and (len(ev['transcript']), case.name) == \
                    smallest[case.v]:
                exhaustive.add('flips')
            if not args.quick and case.name == smallest_all:
                exhaustive.add('cuts')
            test_verify(r, files, case, ev, root, nonce, others[key],
                        exhaustive, rng, args.quick)
            test_resigned(r, files, case, ev, root, nonce)
            if lib:
                test_netlink(r, files, nl, lib, case, ev, root, nonce)
        test_verify_files(r, files)
        if lib and made:
            test_netlink_errors(r, files, nl, lib, made[0][1])
        if lib:
            test_mel(r, files, nl, lib)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print('evidence_test: %d evidence files, %d runs of spdmctl, %.1fs' %
          (len(made), r.runs, time.monotonic() - start))
    print('%d passed, %d failed' % (r.passed, len(r.failures)))
    return 1 if r.failures else 0


if __name__ == '__main__':
    sys.exit(main())
