#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
#
# gen_vectors.py - generate the KUnit test vectors of the kspdm SPDM requester
#
# The generator creates certificates and keys, plays the SPDM responder and
# models the kspdm requester (DMTF DSP0274 1.0 - 1.3) so that every request
# byte the requester will send is known in advance.  The result is written as
# C data (struct spdm_test_flow, spdm_test_chain and spdm_test_sig tables, see
# drivers/spdm/tests/spdm_test_vectors.h) into
# tools/testing/spdm/vectors/spdm_vectors.inc.
#
# Keys, signatures and responder nonces are random, so every run produces
# different bytes; the structure of every flow (number and kind of steps,
# expected results) is fixed.  The output is committed.
#
# Usage:
#   gen_vectors.py [-o PATH]              regenerate the vectors
#   gen_vectors.py --selftest [-o PATH]   replay an existing vector file
#                                         through an independent verifier
#
# Only the Python standard library and python3-cryptography (>= 38) are used.

import argparse
import os
import re
import struct
import sys
import time

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.asymmetric.utils import \
    encode_dss_signature

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from spdm_model import (  # noqa: E402  (after the path set-up)
    ALGORITHMS, ASYM_BY_BIT, ASYMS, CAP_CERT, CAP_CHAL, CAP_MEAS_NO_SIG,
    CAP_MEAS_SIG, CAP_MEL, CAPABILITIES, CERT_HDR_LEN, CERTIFICATE,
    CHALLENGE, CHALLENGE_AUTH, CHALLENGE_AUTH_CONTEXT, CONTEXT_LEN, DIGESTS,
    ERR_BUSY, ERR_INVALID_REQUEST, ERR_LARGE_RESPONSE, ERR_REQUEST_RESYNCH,
    ERR_RESPONSE_NOT_READY, ERR_RESPONSE_TOO_LARGE, ERR_UNSUPPORTED_REQUEST,
    ERROR, GET_CAPABILITIES, GET_CERTIFICATE, GET_DIGESTS,
    GET_MEASUREMENT_EXTENSION_LOG, GET_MEASUREMENTS, GET_VERSION,
    HASH_BY_BIT, HASHES, INTER_USAGE, KEYTYPES, LEAF_USAGE,
    MEAS_CHANGED_NO, MEAS_CHANGED_YES, MEAS_INDEX_DEVICE_MODE,
    MEAS_INDEX_MANIFEST, MEAS_OP_ALL, MEAS_OP_COUNT, MEAS_RAW_BIT_STREAM,
    MEAS_REQ_NEW, MEAS_REQ_RAW, MEAS_REQ_SIG, MEAS_TYPE_DEVICE_MODE,
    MEAS_TYPE_FIRMWARE, MEAS_TYPE_HW_CONFIG, MEAS_TYPE_INFORMATIONAL,
    MEAS_TYPE_MANIFEST, MEAS_TYPE_ROM, MEAS_TYPE_SVN, MEAS_TYPE_VERSION,
    MEASUREMENT_EXTENSION_LOG, MEASUREMENTS, MEASUREMENTS_CONTEXT,
    MEL_RSP_HDR_LEN, NEGOTIATE_ALGORITHMS, NONCE_LEN, RESPOND_IF_READY,
    ROOT_USAGE, VERSION, ChainSet, bits_of, der_size, der_split,
    encode_algorithms, encode_capabilities, encode_certificate,
    encode_challenge, encode_challenge_auth, encode_digests, encode_error,
    encode_get_capabilities, encode_get_certificate,
    encode_get_measurements, encode_get_mel, encode_measurement_block,
    encode_measurements, encode_mel, encode_mel_response,
    encode_negotiate_algorithms, encode_version, issue, key_usage,
    measurements_nonce_pos, signed_message, signing_prefix, spdm_chain, u16,
    u24, u32)

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, 'vectors', 'spdm_vectors.inc')

# ---------------------------------------------------------------------------
# SPDM protocol constants (DSP0274); the shared ones are in spdm_model.py
# ---------------------------------------------------------------------------

# Short names, used for C array names and step comments.
CODE_NAMES = {
    GET_VERSION: ('GET_VERSION', 'get_version'),
    VERSION: ('VERSION', 'version'),
    GET_CAPABILITIES: ('GET_CAPABILITIES', 'get_caps'),
    CAPABILITIES: ('CAPABILITIES', 'caps'),
    NEGOTIATE_ALGORITHMS: ('NEGOTIATE_ALGORITHMS', 'neg_algs'),
    ALGORITHMS: ('ALGORITHMS', 'algs'),
    GET_DIGESTS: ('GET_DIGESTS', 'get_digests'),
    DIGESTS: ('DIGESTS', 'digests'),
    GET_CERTIFICATE: ('GET_CERTIFICATE', 'get_certificate'),
    CERTIFICATE: ('CERTIFICATE', 'certificate'),
    CHALLENGE: ('CHALLENGE', 'challenge'),
    CHALLENGE_AUTH: ('CHALLENGE_AUTH', 'challenge_auth'),
    RESPOND_IF_READY: ('RESPOND_IF_READY', 'respond_if_ready'),
    GET_MEASUREMENTS: ('GET_MEASUREMENTS', 'get_meas'),
    MEASUREMENTS: ('MEASUREMENTS', 'meas'),
    GET_MEASUREMENT_EXTENSION_LOG: ('GET_MEL', 'get_mel'),
    MEASUREMENT_EXTENSION_LOG: ('MEL', 'mel'),
    ERROR: ('ERROR', 'error'),
}

ERROR_NAMES = {
    ERR_INVALID_REQUEST: 'InvalidRequest',
    ERR_BUSY: 'Busy',
    ERR_UNSUPPORTED_REQUEST: 'UnsupportedRequest',
    ERR_RESPONSE_TOO_LARGE: 'ResponseTooLarge',
    ERR_LARGE_RESPONSE: 'LargeResponse',
    ERR_RESPONSE_NOT_READY: 'ResponseNotReady',
    ERR_REQUEST_RESYNCH: 'RequestResynch',
}

RESPONDER_CT_EXPONENT = 12
RDT_EXPONENT = 1            # ResponseNotReady wait: 2^1 us

# What the requester offers in NEGOTIATE_ALGORITHMS.
REQ_BASE_ASYM = 0x000001FF
REQ_BASE_HASH = 0x0000003F

MAX_SENDS = 4               # a request is sent at most 4 times (Busy)
MAX_RESYNCH = 2             # restarts allowed per spdm_authenticate()

# ---------------------------------------------------------------------------
# Suites and key material
# ---------------------------------------------------------------------------


class Suite:
    """An (asym, hash) pair a flow negotiates, plus its transport size."""

    def __init__(self, asym, hash_name, transport_max):
        self.asym = ASYMS[asym]
        self.hash = HASHES[hash_name]
        self.transport_max = transport_max
        self.name = '%s_%s' % (asym, hash_name)


SUITES = {s.name: s for s in (
    # ECDSA chains are ~1.5 KiB: 1024 forces several GET_CERTIFICATE.
    Suite('ecdsa_p256', 'sha256', 1024),
    Suite('ecdsa_p384', 'sha384', 1024),
    Suite('rsassa_3072', 'sha384', 4096),
    Suite('rsapss_3072', 'sha384', 4096),
)}


class Material:
    """All keys and certificates of one generator run (nothing is cached)."""

    def __init__(self):
        self.sets = {}

    def chain_set(self, keytype):
        if keytype not in self.sets:
            self.sets[keytype] = ChainSet(KEYTYPES[keytype])
        return self.sets[keytype]


# ---------------------------------------------------------------------------
# Responder model
# ---------------------------------------------------------------------------


class Fault:
    """Misbehaviour for the @nth request (0-based, per phase) with @code.

    Exactly one of: @error (answer with an ERROR message), @drop (answer
    nothing), @mutate (a function applied to the normal response), or for
    MEASUREMENTS @presign (a function applied to the response before it is
    signed and added to L1/L2, so that it is the only problem:
    presign(body, request, responder) -> body).
    """

    def __init__(self, code, nth=0, *, error=None, data=0, ext=b'',
                 drop=False, mutate=None, presign=None, note=''):
        self.code = code
        self.nth = nth
        self.error = error
        self.data = data
        self.ext = ext
        self.drop = drop
        self.mutate = mutate
        self.presign = presign
        self.note = note            # shown in the step comment


def busy(code, nth=0):
    return Fault(code, nth, error=ERR_BUSY)


def not_ready(code, nth, req_code, token, rdtm):
    return Fault(code, nth, error=ERR_RESPONSE_NOT_READY,
                 ext=bytes([RDT_EXPONENT, req_code, token, rdtm]))


def resynch(code, nth=0):
    return Fault(code, nth, error=ERR_REQUEST_RESYNCH)


def error_rsp(code, err, data, nth=0):
    return Fault(code, nth, error=err, data=data)


def no_response(code, nth=0):
    return Fault(code, nth, drop=True)


def mutate(code, fn, note, nth=0):
    return Fault(code, nth, mutate=fn, note=note)


def presign(fn, note, nth=0):
    return Fault(GET_MEASUREMENTS, nth, presign=fn, note=note)


# Response mutations
def xor_byte(pos, val):
    def fn(rsp):
        b = bytearray(rsp)
        b[pos] ^= val
        return bytes(b)
    return fn


def set_byte(pos, val):
    def fn(rsp):
        b = bytearray(rsp)
        b[pos] = val
        return bytes(b)
    return fn


def set_u32(pos, val):
    def fn(rsp):
        b = bytearray(rsp)
        struct.pack_into('<I', b, pos, val)
        return bytes(b)
    return fn


def truncate(n):
    return lambda rsp: rsp[:n]


def add_u16(pos, delta):
    def fn(rsp):
        b = bytearray(rsp)
        struct.pack_into('<H', b, pos, u16(b, pos) + delta)
        return bytes(b)
    return fn


class Slot:
    """A provisioned certificate slot: chain object plus leaf key."""

    def __init__(self, certs, h):
        self.certs = certs
        self.chain = spdm_chain([c.der for c in certs], h)
        self.digest = h(self.chain)
        self.key = certs[-1].key


class Meas:
    """A measurement the responder model holds: DMTF type @mtype (without
    the raw bit stream bit), reported as a digest of @value unless @raw or
    raw bit streams are requested."""

    def __init__(self, index, mtype, value, raw=False):
        self.index = index
        self.mtype = mtype
        self.value = value
        self.raw = raw

    def block(self, h, raw_requested):
        if self.raw or raw_requested:
            return encode_measurement_block(
                self.index, self.mtype | MEAS_RAW_BIT_STREAM, self.value)
        return encode_measurement_block(self.index, self.mtype,
                                        h(self.value))


FIRMWARE = b'kspdm model firmware 1.0.0'
FIRMWARE_UPDATED = b'kspdm model firmware 1.0.1'


def meas_set(kind, v):
    """The measurements of a modelled device.

    'contiguous': indices 1..N; 'full': also the manifest (0xFD) and the
    device mode (0xFE); 'sparse': indices 1, 2, 5, 0xFD and 0xFE, which
    kspdm's one-index-at-a-time fallback has to probe for; 'none': no
    measurement at all.
    """
    if kind == 'none':
        return []
    if kind == 'sparse':
        return [m for m in meas_set('full', v)
                if m.index in (1, 2, 5, MEAS_INDEX_MANIFEST,
                               MEAS_INDEX_DEVICE_MODE)]
    blocks = [
        Meas(1, MEAS_TYPE_ROM, b'kspdm model immutable ROM'),
        Meas(2, MEAS_TYPE_FIRMWARE, FIRMWARE),
        Meas(3, MEAS_TYPE_HW_CONFIG, b'kspdm model hardware configuration'),
        Meas(4, MEAS_TYPE_VERSION, b'1.0.0', raw=True),
        Meas(5, MEAS_TYPE_SVN, struct.pack('<Q', 3), raw=True),
    ]
    if v >= 0x13:
        blocks.append(Meas(6, MEAS_TYPE_INFORMATIONAL,
                           b'kspdm model informational', raw=True))
    if kind == 'full':
        blocks += [
            Meas(MEAS_INDEX_MANIFEST, MEAS_TYPE_MANIFEST,
                 b'kspdm model measurement manifest'),
            # Normal operational mode; no debug mode is or was active
            Meas(MEAS_INDEX_DEVICE_MODE, MEAS_TYPE_DEVICE_MODE,
                 struct.pack('<IIII', 0x4, 0x4, 0x1f, 0x0), raw=True),
        ]
    return blocks


def mel_of(blocks, size):
    """A measurement extension log of at least @size bytes: one entry per
    measurement (its raw value), then informational entries."""
    entries = [(n + 1, m.index, m.mtype | MEAS_RAW_BIT_STREAM, m.value)
               for n, m in enumerate(blocks)]
    while len(encode_mel(entries)) < size:
        n = len(entries) + 1
        entries.append((n, 1, MEAS_TYPE_INFORMATIONAL | MEAS_RAW_BIT_STREAM,
                        b'kspdm model log entry %03d ' % n + bytes(
                            (n * 7 + i) & 0xFF for i in range(64))))
    return encode_mel(entries)


class ErrorAnswer(Exception):
    """The responder model answers with ERROR @code."""

    def __init__(self, code, data=0, ext=b''):
        super().__init__(code)
        self.code = code
        self.data = data
        self.ext = ext


class Responder:
    """A scripted SPDM responder (the device side of one flow).

    It answers requests like a conforming device, keeps its own transcripts
    (VCA, M1 for CHALLENGE_AUTH, L1 for MEASUREMENTS) and applies the Faults
    of the current phase.
    """

    def __init__(self, *, suite, versions, slots, dts, flags,
                 echo_nonce=False, bad_chain_hash=False, meas=(),
                 too_large_all=False, mel=None, mel_portion=None):
        self.asym = suite.asym
        self.hash = suite.hash
        self.versions = versions
        self.slots = slots
        self.dts = dts
        self.flags = flags
        self.echo_nonce = echo_nonce
        self.bad_chain_hash = bad_chain_hash
        self.meas = list(meas)
        self.too_large_all = too_large_all      # ResponseTooLarge for 0xFF
        self.mel = mel
        self.mel_portion = mel_portion          # at most this per answer
        self.changed = False        # measurements changed since signed
        self.last_nonce = None      # of the last signed response
        self.transcript = b''
        self.vca = b''
        self.l1 = b''
        self.start_phase([])

    def start_phase(self, faults):
        self.faults = {(f.code, f.nth): f for f in faults}
        self.seen = {}
        self.pending = None     # request deferred by ResponseNotReady
        self.note = ''

    def change_measurements(self):
        """The mutable firmware (index 2) is updated."""
        for m in self.meas:
            if m.index == 2:
                m.value = FIRMWARE_UPDATED
        self.changed = True

    def handle(self, req):
        """Answer @req; returns the response bytes or None (no answer)."""
        code = req[1]
        nth = self.seen.get(code, 0)
        self.seen[code] = nth + 1
        fault = self.faults.get((code, nth))
        self.note = fault.note if fault else ''
        if code == GET_VERSION:
            self.transcript = b''
            self.vca = b''
        if code not in (GET_MEASUREMENTS, RESPOND_IF_READY):
            self.l1 = b''
        if fault and fault.drop:
            return None
        if fault and fault.error is not None:
            if (fault.error == ERR_RESPONSE_NOT_READY and
                    code != RESPOND_IF_READY):
                self.pending = req      # answered by RESPOND_IF_READY
            return encode_error(req[0], fault.error, fault.data, fault.ext)
        if code == RESPOND_IF_READY:
            req, self.pending = self.pending, None
            assert req is not None, 'RESPOND_IF_READY without pending request'
        try:
            rsp = self.answer(req, fault)
        except ErrorAnswer as e:
            return encode_error(req[0], e.code, e.data, e.ext)
        if fault and fault.mutate:
            rsp = fault.mutate(rsp)
        self.transcript += req + rsp
        if req[1] in (GET_VERSION, GET_CAPABILITIES, NEGOTIATE_ALGORITHMS):
            self.vca += req + rsp
        return rsp

    def answer(self, req, fault=None):
        v, code = req[0], req[1]
        if code == GET_VERSION:
            return encode_version(self.versions)
        if code == GET_CAPABILITIES:
            return encode_capabilities(v, RESPONDER_CT_EXPONENT, self.flags,
                                       self.dts, self.dts)
        if code == NEGOTIATE_ALGORITHMS:
            assert u32(req, 8) & self.asym.bit and u32(req, 12) & self.hash.bit
            return encode_algorithms(v, 0x01, 0x00, self.hash.meas_bit,
                                     self.asym.bit, self.hash.bit)
        if code == GET_DIGESTS:
            return encode_digests(v, {s: self.slots[s].digest
                                      for s in self.slots})
        if code == GET_CERTIFICATE:
            slot, off, length = req[2] & 0xF, u16(req, 4), u16(req, 6)
            chain = self.slots[slot].chain
            portion = chain[off:off + length]
            rem = len(chain) - off - len(portion)
            return encode_certificate(v, slot, portion, rem)
        if code == CHALLENGE:
            return self.challenge_auth(req)
        if code == GET_MEASUREMENTS:
            return self.measurements(req, fault)
        if code == GET_MEASUREMENT_EXTENSION_LOG:
            return self.extension_log(req)
        raise AssertionError('unexpected request %s' % req.hex())

    def challenge_auth(self, req):
        v, slot = req[0], req[2] & 0xF
        nonce = req[4:4 + NONCE_LEN]
        chain_hash = self.slots[slot].digest
        if self.bad_chain_hash:
            chain_hash = bytes([chain_hash[0] ^ 0xFF]) + chain_hash[1:]
        self.last_nonce = nonce if self.echo_nonce else os.urandom(NONCE_LEN)
        rsp = encode_challenge_auth(
            v, slot, chain_hash, self.last_nonce,
            context=req[4 + NONCE_LEN:4 + NONCE_LEN + CONTEXT_LEN])
        m1 = self.transcript + req + rsp
        return rsp + self.sign(v, m1, self.slots[slot].key)

    def measurements(self, req, fault):
        """MEASUREMENTS (DSP0274 10.11); L1 holds every unsigned exchange
        since the last signed one, after VCA from 1.2 on."""
        v, attrs, op = req[0], req[2], req[3]
        signed = bool(attrs & MEAS_REQ_SIG)
        raw = v >= 0x12 and bool(attrs & MEAS_REQ_RAW)
        pos, slot = 4, 0
        if signed:
            pos += NONCE_LEN
            if v >= 0x11:
                slot = req[pos]
                pos += 1
        context = req[pos:pos + CONTEXT_LEN] if v >= 0x13 else b''
        assert len(req) == pos + len(context), 'GET_MEASUREMENTS length'
        param1, blocks = 0, []
        if op == MEAS_OP_COUNT:
            param1 = len(self.meas)
        elif op == MEAS_OP_ALL:
            if self.too_large_all:
                raise ErrorAnswer(ERR_RESPONSE_TOO_LARGE)
            blocks = self.meas
        else:
            blocks = [m for m in self.meas if m.index == op]
            if not blocks:
                raise ErrorAnswer(ERR_INVALID_REQUEST)
        param2 = 0
        if signed and v >= 0x11:
            param2 = slot
        if signed and v >= 0x12:
            param2 |= MEAS_CHANGED_YES if self.changed else MEAS_CHANGED_NO
        body = encode_measurements(v, param1, param2,
                                   [m.block(self.hash, raw) for m in blocks],
                                   os.urandom(NONCE_LEN), context=context)
        if fault and fault.presign:
            body = fault.presign(body, req, self)
        if not signed:
            self.l1 += req + body
            return body
        l1 = (self.vca if v >= 0x12 else b'') + self.l1 + req + body
        self.l1 = b''
        self.changed = False
        pos = measurements_nonce_pos(body)
        self.last_nonce = body[pos:pos + NONCE_LEN]
        return body + self.sign(v, l1, self.slots[slot].key,
                                MEASUREMENTS_CONTEXT)

    def extension_log(self, req):
        v, off, length = req[0], u32(req, 4), u32(req, 8)
        if self.mel is None:
            raise ErrorAnswer(ERR_UNSUPPORTED_REQUEST, req[1])
        if off >= len(self.mel) or not length:
            raise ErrorAnswer(ERR_INVALID_REQUEST)
        portion = self.mel[off:off + min(length, self.mel_portion or length)]
        return encode_mel_response(v, portion,
                                   len(self.mel) - off - len(portion))

    def sign(self, v, transcript, key, context=CHALLENGE_AUTH_CONTEXT):
        return self.asym.sign(key, signed_message(v, transcript, self.hash,
                                                  context), self.hash)


# ---------------------------------------------------------------------------
# Requester model (what kspdm sends, and how it reacts)
# ---------------------------------------------------------------------------


class Failure(Exception):
    """The requester gives up: @errno is the errno name, @why a reason tag."""

    def __init__(self, errno, why):
        super().__init__('%s (%s)' % (errno, why))
        self.errno = errno
        self.why = why


class _Resynch(Exception):
    pass


# ErrorCode -> errno, as drivers/spdm/core.c maps them (Busy, ResponseNotReady
# and RequestResynch are handled before)
ERRNO_OF_ERROR = {
    0x01: 'EINVAL', 0x02: 'ENOTCONN', 0x04: 'EBADE', 0x05: 'EREMOTEIO',
    0x06: 'EILSEQ', 0x07: 'EBADRQC', 0x08: 'EALREADY', 0x09: 'EBADSLT',
    0x0A: 'EUSERS', 0x0B: 'ENOLINK', 0x0C: 'ENETRESET', 0x0D: 'EMSGSIZE',
    0x0E: 'E2BIG', 0x0F: 'EFBIG', 0x10: 'ECOMM', 0x11: 'EACCES',
    0x41: 'ENOPROTOOPT', 0x44: 'ECANCELED', 0x45: 'ESRCH', 0xFF: 'EREMCHG',
}

# A failed check of signed measurements fails the authentication too
# (spdm_meas_untrusted() in core.c)
UNTRUSTED_ERRNOS = ('EKEYREJECTED', 'EEXIST', 'EPROTO', 'EBADMSG', 'ESTALE')

MEAS_SIZE_MAX = 1 << 20         # SPDM_MAX_MEAS_LOG
MEL_SIZE_MAX = 1 << 20          # SPDM_MAX_MEL
MEL_CHUNK = 4096                # what kspdm asks for per request
MEL_MAX_PORTIONS = 4096         # SPDM_MAX_MEL_PORTIONS
MAX_OPAQUE = 1024


class MeasLog:
    """What spdm_measure() leaves in spdm->meas, and the evidence."""

    def __init__(self):
        self.record = b''
        self.n_blocks = 0
        self.count = 0
        self.is_signed = False
        self.slot = 0
        self.content_changed = 0
        self.sig = None
        self.transcript = None      # L1/L2 without the signature
        self.meas_off = self.req_nonce_off = self.rsp_nonce_off = 0


class MeasRsp:
    """A decoded MEASUREMENTS."""

    def __init__(self, rsp):
        self.msg = rsp
        self.total = 0
        self.slot = 0
        self.content_changed = 0
        self.n_blocks = rsp[4]
        self.record = b''
        self.nonce = None
        self.context = None
        self.sig_off = len(rsp)


class Requester:
    """Model of kspdm's spdm_authenticate() for one device.

    Produces the exact request bytes; the chain cache (slot -> validated
    chain) lives as long as the device, i.e. across the phases of a flow.
    """

    def __init__(self, transport_max, trusted_root):
        self.transport_max = transport_max
        self.trusted_root = trusted_root        # DER or None
        self.validated = {}                     # slot -> (digest, chain)
        self.negotiated = None
        self.flags = 0
        self.vca = b''
        self.leaf_slot = None
        self.last_nonce = bytes(NONCE_LEN)
        self.meas_log = None                    # spdm->meas
        self.mel = None                         # spdm->mel
        # spdm->l1_open: the responder's L1/L2 holds unsigned
        # measurements (across the phases of a flow, like the state)
        self.l1_open = False

    def authenticate(self, link, nonce, context, slot):
        """Returns (errno name or None, reason tag or None)."""
        self.link = link
        restarts = 0
        while True:
            try:
                self._attempt(nonce, context, slot)
                return None, None
            except _Resynch:
                restarts += 1
                if restarts > MAX_RESYNCH:
                    return 'ECONNABORTED', 'resynch'
            except Failure as f:
                return f.errno, f.why

    # -- transport helpers --

    def _check_header(self, req, rsp):
        if rsp is None:
            raise Failure('ETIMEDOUT', 'no-response')
        if len(rsp) < 4:
            raise Failure('EBADMSG', 'short')
        if rsp[0] != req[0]:
            raise Failure('EPROTO', 'version-mismatch')

    def _error(self, rsp):
        """Handle an ERROR other than ResponseNotReady."""
        if rsp[2] == ERR_REQUEST_RESYNCH:
            raise _Resynch()
        if rsp[2] == ERR_BUSY:
            raise Failure('EBUSY', 'busy')
        raise Failure(ERRNO_OF_ERROR.get(rsp[2], 'EIO'), 'error-response')

    def _send(self, req):
        """Send @req until it gets an answer other than an ERROR."""
        # spdm_exchange(): any other request ends the responder's L1/L2
        if req[1] != GET_MEASUREMENTS:
            self.l1_open = False
        for _ in range(MAX_SENDS):
            rsp = self.link(req)
            self._check_header(req, rsp)
            if rsp[1] != ERROR or rsp[2] != ERR_BUSY:
                break
        else:
            raise Failure('EBUSY', 'busy')
        if rsp[1] == ERROR and rsp[2] == ERR_RESPONSE_NOT_READY:
            rsp = self._respond_if_ready(req, rsp)
        if rsp[1] == ERROR:
            self._error(rsp)
        return rsp

    def _exchange(self, req, want, min_len):
        """Send @req until it gets a real answer; append both to M1."""
        rsp = self._send(req)
        if rsp[1] != want:
            raise Failure('ENOMSG', 'unexpected-code')
        if len(rsp) < min_len:
            raise Failure('EBADMSG', 'short')
        self.m1 += req + rsp
        return rsp

    def _respond_if_ready(self, req, err):
        if len(err) < 8:
            raise Failure('EBADMSG', 'short')
        _exp, code, token, rdtm = err[4:8]
        for _ in range(rdtm):
            # (the requester sleeps 2^RDTExponent us here)
            rif = bytes([req[0], RESPOND_IF_READY, code, token])
            rsp = self.link(rif)
            self._check_header(rif, rsp)
            if rsp[1] != ERROR or rsp[2] != ERR_RESPONSE_NOT_READY:
                return rsp
            if len(rsp) < 8:
                raise Failure('EBADMSG', 'short')
            token = rsp[6]
        raise Failure('ETIME', 'not-ready')

    # -- the protocol --

    def _attempt(self, nonce, context, slot):
        self.m1 = b''
        tmax = self.transport_max

        rsp = self._exchange(bytes([0x10, GET_VERSION, 0, 0]), VERSION, 6)
        count = rsp[5]
        if len(rsp) < 6 + 2 * count:
            raise Failure('EBADMSG', 'short')
        # Entries are Major.Minor.Update.Alpha nibbles; only 1.0 - 1.3 count.
        entries = struct.unpack_from('<%dH' % count, rsp, 6)
        minors = [(e >> 8) & 0xF for e in entries
                  if (e >> 12) == 1 and ((e >> 8) & 0xF) <= 3]
        if not minors:
            raise Failure('EPROTONOSUPPORT', 'no-version')
        v = 0x10 | max(minors)

        req = encode_get_capabilities(v, dts=tmax, max_msg=tmax)
        rsp = self._exchange(req, CAPABILITIES, 20 if v >= 0x12 else 12)
        flags = u32(rsp, 8)
        if not (flags & CAP_CERT) or not (flags & CAP_CHAL):
            raise Failure('EOPNOTSUPP', 'capabilities')
        limit = min(tmax, u32(rsp, 12)) if v >= 0x12 else tmax

        req = encode_negotiate_algorithms(v, REQ_BASE_ASYM, REQ_BASE_HASH)
        rsp = self._exchange(req, ALGORITHMS, 36)
        asym_bit, hash_bit = u32(rsp, 12), u32(rsp, 16)
        if (asym_bit not in ASYM_BY_BIT or hash_bit not in HASH_BY_BIT or
                not asym_bit & REQ_BASE_ASYM or not hash_bit & REQ_BASE_HASH):
            raise Failure('EPROTO', 'algorithms')
        asym, h = ASYM_BY_BIT[asym_bit], HASH_BY_BIT[hash_bit]
        self.negotiated = (v, asym_bit, hash_bit)
        self.flags = flags
        self.vca = self.m1

        rsp = self._exchange(bytes([v, GET_DIGESTS, 0, 0]), DIGESTS, 4)
        provisioned = bits_of(rsp[3])
        if len(rsp) < 4 + h.size * len(provisioned):
            raise Failure('EBADMSG', 'short')
        digests = {s: rsp[4 + i * h.size:4 + (i + 1) * h.size]
                   for i, s in enumerate(provisioned)}

        for s in provisioned:
            if s in self.validated and self.validated[s][0] == digests[s]:
                continue
            chain = self._get_chain(v, s, limit - CERT_HDR_LEN)
            self._check_chain(chain, h)
            if h(chain) != digests[s]:
                raise Failure('ESTALE', 'digest-mismatch')
            self.validated[s] = (digests[s], chain)

        if slot not in digests:
            raise Failure('ENOENT', 'slot')
        req = encode_challenge(v, slot, 0, nonce, context)
        rsp = self._exchange(req, CHALLENGE_AUTH, 4)
        self._check_challenge_auth(v, rsp, slot, nonce, context, asym, h)
        self.leaf_slot = slot
        self.last_nonce = rsp[4 + h.size:4 + h.size + NONCE_LEN]

    def _get_chain(self, v, slot, max_portion):
        data, total = b'', None
        want = min(max_portion, 0xFFFF)
        while True:
            req = encode_get_certificate(v, slot, len(data), want)
            rsp = self._exchange(req, CERTIFICATE, CERT_HDR_LEN)
            portion, rem = u16(rsp, 4), u16(rsp, 6)
            if portion == 0 or portion > want or len(rsp) != 8 + portion:
                raise Failure('EBADMSG', 'cert-length')
            if total is None:
                total = portion + rem
            elif len(data) + portion + rem != total:
                raise Failure('EBADMSG', 'cert-length')
            data += rsp[8:]
            if rem == 0:
                return data
            want = min(max_portion, rem)

    def _check_chain(self, chain, h):
        """The parts of chain validation the flows exercise."""
        if len(chain) < 4 + h.size or u16(chain, 0) != len(chain):
            raise Failure('EBADMSG', 'chain-length')
        der = chain[4 + h.size:]
        root_len = der_size(der)
        if chain[4:4 + h.size] != h(der[:root_len]):
            raise Failure('EUCLEAN', 'root-hash')
        if self.trusted_root is None or der[:root_len] != self.trusted_root:
            raise Failure('ENOKEY', 'untrusted-root')

    def _leaf_key(self, slot):
        der = self.validated[slot][1]
        der = der[4 + HASH_BY_BIT[self.negotiated[2]].size:]
        while True:
            n = der_size(der)
            if n == len(der):
                return x509.load_der_x509_certificate(der).public_key()
            der = der[n:]

    def _check_challenge_auth(self, v, rsp, slot, nonce, context, asym, h):
        off = 4 + h.size + NONCE_LEN + 2
        if len(rsp) < off:
            raise Failure('EBADMSG', 'short')
        off += u16(rsp, off - 2)
        if v >= 0x13:
            off += CONTEXT_LEN
        if len(rsp) != off + asym.sig_len:
            raise Failure('EBADMSG', 'short')
        if rsp[2] & 0xF != slot:
            raise Failure('EPROTO', 'slot')
        if rsp[4:4 + h.size] != self.validated[slot][0]:
            raise Failure('ESTALE', 'chain-hash')
        if rsp[4 + h.size:4 + h.size + NONCE_LEN] == nonce:
            raise Failure('EEXIST', 'nonce-echo')
        if v >= 0x13 and rsp[off - CONTEXT_LEN:off] != context:
            raise Failure('EPROTO', 'context')
        m1 = self.m1[:-asym.sig_len]
        data = m1 if v < 0x12 else signing_prefix(v) + h(m1)
        if not asym.verify(self._leaf_key(slot), rsp[off:], data, h):
            raise Failure('EKEYREJECTED', 'signature')

    # -- measurements (drivers/spdm/meas.c) --

    def measure(self, link, nonce, context, ph):
        """spdm_measure_locked() on an authenticated device, for the
        measurement PhaseSpec @ph.  Returns (errno name or None, reason
        tag or None); on success self.meas_log is the new log."""
        self.link = link
        try:
            self._measure(nonce, context, ph)
            return None, None
        except _Resynch:
            return 'ECONNABORTED', 'error-response'
        except Failure as f:
            return f.errno, f.why

    def _measure(self, nonce, context, ph):
        v = self.negotiated[0]
        if not self.flags & (CAP_MEAS_SIG | CAP_MEAS_NO_SIG):
            raise Failure('EOPNOTSUPP', 'meas-cap')
        if not ph.nosig and not self.flags & CAP_MEAS_SIG:
            raise Failure('EOPNOTSUPP', 'meas-cap')
        if ph.raw and v < 0x12:
            raise Failure('EOPNOTSUPP', 'raw-version')
        if ph.new and v < 0x13:
            raise Failure('EOPNOTSUPP', 'new-version')
        args = (nonce, context, ph, self.leaf_slot)
        try:
            log = self._meas_run(*args, fallback=False)
        except Failure as f:
            # Too large for one message: one index at a time
            if f.errno not in ('EMSGSIZE', 'EFBIG') or ph.index != MEAS_OP_ALL:
                raise
            log = self._meas_run(*args, fallback=True)
        if v >= 0x13 and self.flags & CAP_MEL:
            self.mel = self._get_mel(v)
        self.meas_log = log

    @staticmethod
    def _meas_attrs(ph):
        """spdm_meas_attrs(): the request attributes, without signature."""
        return (MEAS_REQ_RAW if ph.raw else 0) | \
            (MEAS_REQ_NEW if ph.new else 0)

    def _meas_run(self, nonce, context, ph, slot, fallback):
        """spdm_meas_run(): all blocks (or one index) in one request, or
        the one-index-at-a-time fallback."""
        log = MeasLog()
        if fallback:
            self._meas_fallback(log, ph, nonce, slot, context)
        else:
            self._meas_ask(log, ph, [ph.index], nonce, slot, context)
        return log

    def _meas_reset_l1(self):
        """spdm_meas_reset_l1(): GET_DIGESTS ends the responder's L1/L2."""
        v, _, hash_bit = self.negotiated
        rsp = self._send(bytes([v, GET_DIGESTS, 0, 0]))
        if len(rsp) < 4:
            raise Failure('EBADMSG', 'digests-truncated')
        if rsp[1] != DIGESTS:
            raise Failure('ENOMSG', 'unexpected-code')
        need = 4 + HASH_BY_BIT[hash_bit].size * len(bits_of(rsp[3]))
        if len(rsp) < need:
            raise Failure('EBADMSG', 'digests-truncated')
        if len(rsp) > need:         # the test transport does not pad
            raise Failure('EBADMSG', 'digests-trailing')

    def _meas_ask(self, log, ph, ops, nonce, slot, context):
        """spdm_meas_ask(): each of @ops in turn, the last one signed
        unless @ph is unsigned, as one L1/L2 begun here (with GET_DIGESTS
        first if unsigned measurements are still in the responder's)."""
        v = self.negotiated[0]
        sign = not ph.nosig
        if self.l1_open:
            self._meas_reset_l1()
        self.l1 = self.vca if v >= 0x12 else b''
        for k, op in enumerate(ops):
            signed_now = sign and k == len(ops) - 1
            req, r = self._meas_exchange(
                self._meas_attrs(ph) | (MEAS_REQ_SIG if signed_now else 0),
                op, nonce, slot, context)
            if op == MEAS_OP_COUNT:
                log.count = r.total
            self._meas_take(log, r)
            if signed_now:
                self._meas_verify(log, req, r, nonce, context, slot)
                return
            self.l1_open = True
            self.l1 += req + r.msg

    def _meas_fallback(self, log, ph, nonce, slot, context):
        """spdm_meas_fallback(): the count (unsigned, outside the final
        L1/L2), then which indices answer, probing 1 to 0xFE unsigned
        until the count is found; then those indices as one L1/L2."""
        # the count and the probes do not ask for new measurements
        attrs = self._meas_attrs(ph) & ~MEAS_REQ_NEW
        _, r = self._meas_exchange(attrs, MEAS_OP_COUNT, nonce, slot,
                                   context)
        self.l1_open = True
        if not r.total:
            # Nothing to measure: a signed count stands for the log
            self._meas_ask(log, ph, [MEAS_OP_COUNT], nonce, slot, context)
            return
        log.count = r.total
        probe, found = MeasLog(), []
        for i in range(1, MEAS_OP_ALL):
            if len(found) >= log.count:
                break
            try:
                _, r = self._meas_exchange(attrs, i, nonce, slot, context)
            except Failure as f:
                if f.errno == 'EINVAL':     # InvalidRequest: no such index
                    continue
                raise
            self.l1_open = True
            found.append(i)
            self._meas_take(probe, r)       # checked, then discarded
        if len(found) < log.count:
            raise Failure('ENODATA', 'meas-missing-index')
        log.count = 0           # no count request in this L1/L2
        self._meas_ask(log, ph, found, nonce, slot, context)

    def _meas_exchange(self, attrs, op, nonce, slot, context):
        """spdm_meas_exchange(): one GET_MEASUREMENTS, decoded; the
        RequesterContext is checked signed or not."""
        v, asym_bit, hash_bit = self.negotiated
        signed = bool(attrs & MEAS_REQ_SIG)
        req = encode_get_measurements(v, attrs, op, nonce, slot, context)
        if not signed:
            # answered or not, the responder may have added it to L1/L2
            self.l1_open = True
        rsp = self._send(req)
        if signed:
            self.l1_open = False    # a signed response ends L1/L2
        sig_len = ASYM_BY_BIT[asym_bit].sig_len if signed else 0
        r = self._decode_measurements(v, rsp, op, signed, sig_len,
                                      HASH_BY_BIT[hash_bit].size)
        if r.context is not None and r.context != context:
            raise Failure('EPROTO', 'meas-context')
        return req, r

    @staticmethod
    def _decode_measurements(v, rsp, op, signed, sig_len, hash_len):
        """spdm_decode_measurements() and spdm_response_end()."""
        def bad(errno):
            raise Failure(errno, 'meas-truncated' if errno == 'EBADMSG'
                          else 'meas-invalid')

        if rsp[1] != MEASUREMENTS:
            raise Failure('ENOMSG', 'unexpected-code')
        if len(rsp) < 8:
            bad('EBADMSG')
        r = MeasRsp(rsp)
        record_len = u24(rsp, 5)
        if op == MEAS_OP_COUNT:
            if rsp[2] == MEAS_OP_ALL or r.n_blocks or record_len:
                bad('EPROTO')
            r.total = rsp[2]
        elif op != MEAS_OP_ALL and r.n_blocks != 1:
            bad('EPROTO')
        if signed and v >= 0x11:
            r.slot = rsp[3] & 0xF
        if signed and v >= 0x12:
            r.content_changed = rsp[3] & 0x30
            if r.content_changed == 0x30:
                bad('EPROTO')
        if len(rsp) - 8 < record_len:
            bad('EBADMSG')
        r.record = rsp[8:8 + record_len]
        err = Requester._check_record(v, r.record, op, hash_len, r.n_blocks)
        if err:
            bad(err)
        off = 8 + record_len
        if len(rsp) - off < NONCE_LEN + 2:
            bad('EBADMSG')
        r.nonce = rsp[off:off + NONCE_LEN]
        opaque = u16(rsp, off + NONCE_LEN)
        off += NONCE_LEN + 2
        if opaque > MAX_OPAQUE:
            bad('EPROTO')
        if len(rsp) - off < opaque:
            bad('EBADMSG')
        off += opaque
        if v >= 0x13:
            if len(rsp) - off < CONTEXT_LEN:
                bad('EBADMSG')
            r.context = rsp[off:off + CONTEXT_LEN]
            off += CONTEXT_LEN
        r.sig_off = off
        if signed:
            if len(rsp) - off < sig_len:
                bad('EBADMSG')
            off += sig_len
        if len(rsp) > off:          # the test transport does not pad
            raise Failure('EBADMSG', 'meas-trailing')
        return r

    @staticmethod
    def _check_record(v, rec, op, hash_len, n_blocks):
        """spdm_check_meas_record(): None or the errno name."""
        seen, off, found = set(), 0, 0
        max_type = 0x0A if v >= 0x13 else 0x07
        while off < len(rec):
            left = len(rec) - off
            if left < 4 or left - 4 < u16(rec, off + 2):
                return 'EBADMSG'
            index, spec, size = rec[off], rec[off + 1], u16(rec, off + 2)
            if index in (0, 0xFF) or spec != 0x01:
                return 'EPROTO'
            dmtf = rec[off + 4:off + 4 + size]
            if len(dmtf) < 3 or len(dmtf) - 3 < u16(dmtf, 1):
                return 'EBADMSG'
            mtype, raw, vlen = dmtf[0] & 0x7F, dmtf[0] & 0x80, u16(dmtf, 1)
            if 3 + vlen != size:
                return 'EBADMSG'
            if mtype > max_type or (not raw and vlen != hash_len):
                return 'EPROTO'
            if mtype == MEAS_TYPE_DEVICE_MODE and (not raw or vlen != 16):
                return 'EPROTO'
            if mtype == MEAS_TYPE_SVN and (not raw or vlen != 8):
                return 'EPROTO'
            if v >= 0x12 and (
                    (index == MEAS_INDEX_DEVICE_MODE and
                     mtype != MEAS_TYPE_DEVICE_MODE) or
                    (index == MEAS_INDEX_MANIFEST and
                     mtype not in (MEAS_TYPE_MANIFEST, 0x0A))):
                return 'EPROTO'
            if index in seen or op not in (MEAS_OP_ALL, MEAS_OP_COUNT) and \
                    index != op:
                return 'EPROTO'
            seen.add(index)
            off += 4 + size
            found += 1
        return None if found == n_blocks else 'EBADMSG'

    @staticmethod
    def _meas_take(log, r):
        if log.n_blocks + r.n_blocks > 255:
            raise Failure('EFBIG', 'meas-too-many')
        if len(log.record) + len(r.record) > MEAS_SIZE_MAX:
            raise Failure('EFBIG', 'meas-too-large')
        log.record += r.record
        log.n_blocks += r.n_blocks

    def _meas_verify(self, log, req, r, nonce, context, slot):
        v, asym_bit, hash_bit = self.negotiated
        asym, h = ASYM_BY_BIT[asym_bit], HASH_BY_BIT[hash_bit]
        if v >= 0x11 and r.slot != slot:
            raise Failure('EPROTO', 'meas-slot')
        if r.nonce == nonce:
            raise Failure('EEXIST', 'meas-nonce-echo')
        if r.nonce == bytes(NONCE_LEN):
            raise Failure('EEXIST', 'meas-nonce-zero')
        if r.nonce == self.last_nonce:
            raise Failure('EEXIST', 'meas-nonce-repeat')
        log.req_nonce_off = len(self.l1) + 4
        log.rsp_nonce_off = len(self.l1) + len(req) + 8 + len(r.record)
        l1 = self.l1 + req + r.msg[:r.sig_off]
        sig = r.msg[r.sig_off:]
        data = signed_message(v, l1, h, MEASUREMENTS_CONTEXT)
        if not asym.verify(self._leaf_key(slot), sig, data, h):
            raise Failure('EKEYREJECTED', 'meas-signature')
        self.last_nonce = r.nonce
        log.is_signed = True
        log.slot = slot
        log.content_changed = r.content_changed
        log.sig = sig
        log.transcript = l1
        log.meas_off = len(self.vca) if v >= 0x12 else 0

    def _get_mel(self, v):
        """spdm_get_mel(): the whole log in portions of the same Length,
        the size the first one announces kept throughout."""
        want = min(MEL_CHUNK, self.transport_max - MEL_RSP_HDR_LEN)
        mel, size = b'', 0
        for i in range(MEL_MAX_PORTIONS + 2):
            if i > MEL_MAX_PORTIONS:
                raise Failure('EPROTO', 'mel-portions')
            rsp = self._send(encode_get_mel(v, len(mel), want))
            if rsp[1] != MEASUREMENT_EXTENSION_LOG:
                raise Failure('ENOMSG', 'unexpected-code')
            if len(rsp) < MEL_RSP_HDR_LEN or \
                    len(rsp) - MEL_RSP_HDR_LEN < u32(rsp, 4):
                raise Failure('EBADMSG', 'mel-truncated')
            portion, rem = u32(rsp, 4), u32(rsp, 8)
            if not portion or portion > want or \
                    len(mel) + portion + rem > 0xFFFFFFFF:
                raise Failure('EPROTO', 'mel-invalid')
            if len(rsp) > MEL_RSP_HDR_LEN + portion:
                raise Failure('EBADMSG', 'mel-trailing')
            if not i:
                if portion + rem > MEL_SIZE_MAX:
                    raise Failure('EFBIG', 'mel-too-large')
                size = portion + rem
            elif len(mel) + portion + rem != size:
                raise Failure('EPROTO', 'mel-size-changed')
            mel += rsp[MEL_RSP_HDR_LEN:]
            if not rem:
                return mel


# ---------------------------------------------------------------------------
# Flow specifications (pure data; also read by --selftest)
# ---------------------------------------------------------------------------


def nonce_for(phase):
    return bytes((i + phase * 16) & 0xFF for i in range(NONCE_LEN))


CONTEXT = bytes(range(0xC0, 0xC8))


class PhaseSpec:
    """One spdm_authenticate() call (or, with @measure, one
    spdm_measure_keep() call): faults injected, expected outcome."""

    def __init__(self, faults=(), expect=None, why=None, slots=None, *,
                 slot=0, measure=False, index=MEAS_OP_ALL, raw=False,
                 new=False, nosig=False, keep=False, change=False):
        self.faults = list(faults)
        self.expect = expect        # errno name, None = success
        self.why = why              # reason tag the failure must have
        self.slots = slots          # {slot: leaf tag} change before phase
        self.slot = slot            # slot to challenge or to sign with
        self.measure = measure
        self.index = index          # GET_MEASUREMENTS Param2
        self.raw = raw
        self.new = new
        self.nosig = nosig
        self.keep = keep            # keep L1/L2 as evidence
        self.change = change        # the device's firmware changes before


def meas(faults=(), expect=None, why=None, **kw):
    return PhaseSpec(faults, expect, why, measure=True, **kw)


class FlowSpec:
    def __init__(self, name, version=0x12, suite='ecdsa_p256_sha256', *,
                 phases=None, versions=None, root=True, slots=None,
                 flags=CAP_CERT | CAP_CHAL | CAP_MEAS_SIG, dts=None,
                 echo_nonce=False, bad_chain_hash=False, flow_version=None,
                 meas='full', too_large_all=False, mel=False,
                 mel_portion=None):
        self.name = name
        self.version = version
        self.suite = SUITES[suite]
        self.phases = phases or [PhaseSpec()]
        self.versions = versions or [(1 << 12) | (m << 8)
                                     for m in range((version & 0xF) + 1)]
        self.root = root            # trust the chain's root, or nothing
        self.slots = slots or {0: 'leaf'}
        self.flags = flags
        self.dts = dts              # responder DataTransferSize (1.2+)
        self.echo_nonce = echo_nonce
        self.bad_chain_hash = bad_chain_hash
        self.flow_version = version if flow_version is None else flow_version
        self.meas = meas            # meas_set() kind
        self.too_large_all = too_large_all
        self.mel = mel              # MEL_CAP and a log of MEL_SIZE bytes
        if mel:
            self.flags |= CAP_MEL
        self.mel_portion = mel_portion

    def measures(self):
        return any(ph.measure for ph in self.phases)


def failing(*faults, expect, why):
    return [PhaseSpec(faults, expect, why)]


def flip_last_sig_byte():
    return mutate(CHALLENGE, xor_byte(-1, 0x01), 'last signature byte ^ 0x01')


def flow_specs():
    flows = []
    vers = (0x10, 0x11, 0x12, 0x13)
    for v in vers:
        for suite in SUITES:
            flows.append(FlowSpec('v%x_%s' % (v, suite), v, suite))

    flows += [
        FlowSpec('v13_version_14_listed', 0x13,
                 versions=[0x1000, 0x1100, 0x1200, 0x1300, 0x1400]),
        FlowSpec('no_common_version', versions=[0x0900], flow_version=0,
                 phases=failing(expect='EPROTONOSUPPORT', why='no-version')),
        FlowSpec('busy_then_ok',
                 phases=[PhaseSpec([busy(GET_CAPABILITIES)])]),
        FlowSpec('busy_exhausted', phases=failing(
            *[busy(GET_DIGESTS, i) for i in range(MAX_SENDS)],
            expect='EBUSY', why='busy')),
        FlowSpec('rnr_then_ok', phases=[PhaseSpec(
            [not_ready(CHALLENGE, 0, CHALLENGE, 0x5A, 3)])]),
        FlowSpec('rnr_exhausted', phases=failing(
            not_ready(CHALLENGE, 0, CHALLENGE, 0x5A, 2),
            not_ready(RESPOND_IF_READY, 0, CHALLENGE, 0x5B, 2),
            not_ready(RESPOND_IF_READY, 1, CHALLENGE, 0x5C, 2),
            expect='ETIME', why='not-ready')),
        FlowSpec('resynch_then_ok',
                 phases=[PhaseSpec([resynch(GET_DIGESTS)])]),
        FlowSpec('resynch_exhausted', phases=failing(
            *[resynch(GET_DIGESTS, i) for i in range(MAX_RESYNCH + 1)],
            expect='ECONNABORTED', why='resynch')),
        FlowSpec('nonce_echo', echo_nonce=True, phases=failing(
            expect='EEXIST', why='nonce-echo')),
        FlowSpec('bad_signature', phases=failing(
            flip_last_sig_byte(), expect='EKEYREJECTED', why='signature')),
        FlowSpec('bad_signature_p384_v13', 0x13, 'ecdsa_p384_sha384',
                 phases=failing(flip_last_sig_byte(), expect='EKEYREJECTED',
                                why='signature')),
        FlowSpec('bad_signature_rsapss_v12', 0x12, 'rsapss_3072_sha384',
                 phases=failing(flip_last_sig_byte(), expect='EKEYREJECTED',
                                why='signature')),
        FlowSpec('wrong_cert_chain_hash', bad_chain_hash=True, phases=failing(
            expect='ESTALE', why='chain-hash')),
        FlowSpec('unexpected_response_code', phases=failing(
            mutate(GET_DIGESTS, set_byte(1, CERTIFICATE),
                   'DIGESTS body with code 0x02'),
            expect='ENOMSG', why='unexpected-code')),
        FlowSpec('short_response', phases=failing(
            mutate(GET_CAPABILITIES, truncate(10), 'cut to 10 bytes'),
            expect='EBADMSG', why='short')),
        FlowSpec('wrong_response_version', phases=failing(
            mutate(GET_DIGESTS, set_byte(0, 0x11), 'SPDMVersion 0x11'),
            expect='EPROTO', why='version-mismatch')),
        FlowSpec('error_unsupported_request', phases=failing(
            error_rsp(GET_DIGESTS, ERR_UNSUPPORTED_REQUEST, GET_DIGESTS),
            expect='EBADRQC', why='error-response')),
        FlowSpec('no_response', phases=failing(
            no_response(GET_DIGESTS), expect='ETIMEDOUT', why='no-response')),
        FlowSpec('untrusted_root', root=False, phases=failing(
            expect='ENOKEY', why='untrusted-root')),
        FlowSpec('digest_mismatch', phases=failing(
            mutate(GET_DIGESTS, xor_byte(4, 0xFF), 'digest[0] ^ 0xff'),
            expect='ESTALE', why='digest-mismatch')),
        FlowSpec('cert_length_inconsistent', phases=failing(
            mutate(GET_CERTIFICATE, add_u16(6, 16), 'RemainderLength + 16',
                   nth=1),
            expect='EBADMSG', why='cert-length')),
        FlowSpec('two_slots', slots={0: 'leaf', 1: 'leaf2'}),
        FlowSpec('missing_chal_cap', flags=CAP_CERT, phases=failing(
            expect='EOPNOTSUPP', why='capabilities')),
        FlowSpec('alg_two_hashes', phases=failing(
            mutate(NEGOTIATE_ALGORITHMS, set_u32(16, 0x3), 'BaseHashSel 0x3'),
            expect='EPROTO', why='algorithms')),
        FlowSpec('reauth_cached', phases=[PhaseSpec(), PhaseSpec()]),
        FlowSpec('reauth_changed_chain',
                 phases=[PhaseSpec(), PhaseSpec(slots={0: 'leaf3'})]),
        FlowSpec('v10_ecdsa_p256_rnr_busy', 0x10, phases=[PhaseSpec([
            busy(NEGOTIATE_ALGORITHMS),
            not_ready(GET_CERTIFICATE, 0, GET_CERTIFICATE, 0x5A, 3)])]),
    ]
    return flows + meas_flow_specs()


# MEASUREMENTS edits for presign(): fn(bytearray, request, responder)
def body_edit(fn):
    def edit(body, req, responder):
        b = bytearray(body)
        fn(b, req, responder)
        return bytes(b)
    return edit


def put_u24(b, pos, val):
    b[pos:pos + 3] = val.to_bytes(3, 'little')


def last_block(b):
    """Offset of the last block in the record of MEASUREMENTS @b."""
    off, end, last = 8, 8 + u24(b, 5), None
    while off < end:
        last = off
        off += 4 + u16(b, off + 2)
    return last


def meas_nonce(kind):
    def fn(b, req, responder):
        pos = measurements_nonce_pos(b)
        b[pos:pos + NONCE_LEN] = {
            'echo': lambda: req[4:4 + NONCE_LEN],
            'zero': lambda: bytes(NONCE_LEN),
            'repeat': lambda: responder.last_nonce}[kind]()
    return body_edit(fn)


def grow_last_block(b, req, responder):
    pos = last_block(b)
    struct.pack_into('<H', b, pos + 2, u16(b, pos + 2) + 4)
    struct.pack_into('<H', b, pos + 5, u16(b, pos + 5) + 4)


def mel_empty_portion(rsp):
    """Nothing in the portion, everything still to come."""
    return struct.pack('<4BII', *rsp[:4], 0, u32(rsp, 4) + u32(rsp, 8))


def mel_remainder(fn):
    """RemainderLength changed to fn(PortionLength, RemainderLength)."""
    def edit(rsp):
        b = bytearray(rsp)
        struct.pack_into('<I', b, 8, fn(u32(rsp, 4), u32(rsp, 8)))
        return bytes(b)
    return edit


MEAS_SUITES = ('ecdsa_p256_sha256', 'rsapss_3072_sha384')
MEL_SIZE = 2600             # several portions at 1024 bytes per message


def meas_failing(name, *faults, expect, why, version=0x12,
                 suite='ecdsa_p256_sha256', **kw):
    """An authentication, then one spdm_measure() that fails."""
    ph_kw = {k: kw.pop(k) for k in ('index', 'raw', 'new', 'nosig')
             if k in kw}
    return FlowSpec(name, version, suite, phases=[
        PhaseSpec(), meas(faults, expect, why, **ph_kw)], **kw)


def meas_flow_specs():
    flows = []
    # Every version and suite: all blocks (signed, evidence kept), one
    # index, the device mode, raw bit streams, new measurements, unsigned;
    # the one-index-at-a-time fallback on a device whose indices are 1..N
    # (the count, each index probed, GET_DIGESTS, then the indices again
    # as one L1/L2, the last one signed).
    #
    # A conforming responder signs the next MEASUREMENTS over L1/L2
    # including the unsigned exchanges before it: kspdm ends L1/L2 with
    # GET_DIGESTS first (the *_nosig_then_signed flows).
    for v in (0x10, 0x11, 0x12, 0x13):
        for suite in MEAS_SUITES:
            tag = 'v%x_%s' % (v, suite)
            phases = [PhaseSpec(), meas(keep=True), meas(index=2),
                      meas(index=MEAS_INDEX_DEVICE_MODE, keep=True)]
            if v >= 0x12:
                phases.append(meas(raw=True, keep=True))
            if v >= 0x13:
                phases.append(meas(new=True))
            phases.append(meas(nosig=True))
            flows.append(FlowSpec('meas_' + tag, v, suite, phases=phases))
            if v >= 0x11:
                flows.append(FlowSpec(
                    'meas_%s_fallback' % tag, v, suite, meas='contiguous',
                    too_large_all=True, phases=[PhaseSpec(), meas(keep=True)]))
    for suite, portion in zip(MEAS_SUITES, (None, 1000)):
        flows.append(FlowSpec('meas_v13_%s_mel' % suite, 0x13, suite,
                              mel=True, mel_portion=portion,
                              phases=[PhaseSpec(), meas(keep=True)]))

    # Unsigned measurements, then signed ones: the signed call begins with
    # GET_DIGESTS, which ends the responder's L1/L2, and so does the second
    # unsigned call.  After the extension log (1.3, MEL_CAP) or a new
    # authentication the responder's L1/L2 is empty already.
    for v in (0x10, 0x11, 0x12, 0x13):
        flows.append(FlowSpec('meas_v%x_nosig_then_signed' % v, v, phases=[
            PhaseSpec(), meas(nosig=True), meas(nosig=True, index=2),
            meas(keep=True)]))
    flows += [
        FlowSpec('meas_v13_mel_nosig_then_signed', 0x13, mel=True, phases=[
            PhaseSpec(), meas(nosig=True), meas(keep=True)]),
        FlowSpec('meas_nosig_reauth_signed', phases=[
            PhaseSpec(), meas(nosig=True), PhaseSpec(), meas(keep=True)]),
        # The responder answered an unsigned request (and keeps it in its
        # L1/L2) but the answer was refused: the next signed call must
        # still end L1/L2 first
        FlowSpec('meas_nosig_refused_then_signed', phases=[
            PhaseSpec(),
            meas([mutate(GET_MEASUREMENTS, set_byte(1, CERTIFICATE),
                         'response code CERTIFICATE')],
                 expect='ENOMSG', why='unexpected-code', nosig=True),
            meas(keep=True)]),
    ]

    too_large = error_rsp(GET_MEASUREMENTS, ERR_RESPONSE_TOO_LARGE, 0)
    flows += [
        # Fallback variants: no index at all (after GET_DIGESTS a signed
        # count stands for the log), unsigned, LargeResponse with raw and
        # new measurements, indices that are not 1..N (the manifest and
        # the device mode are counted; sparse indices), an unsigned
        # measurement before it
        FlowSpec('meas_fallback_empty', meas='none', phases=[
            PhaseSpec(), meas([too_large], keep=True)]),
        FlowSpec('meas_v13_fallback_full', 0x13, too_large_all=True,
                 phases=[PhaseSpec(), meas(keep=True)]),
        FlowSpec('meas_fallback_sparse', meas='sparse', too_large_all=True,
                 phases=[PhaseSpec(), meas(keep=True)]),
        FlowSpec('meas_v13_fallback_sparse_nosig_first', 0x13, meas='sparse',
                 too_large_all=True, phases=[
                     PhaseSpec(), meas(index=5, nosig=True),
                     meas(keep=True)]),
        FlowSpec('meas_fallback_nosig', meas='contiguous', phases=[
            PhaseSpec(), meas([too_large], nosig=True)]),
        FlowSpec('meas_v13_fallback_large_response', 0x13, meas='contiguous',
                 phases=[PhaseSpec(), meas([error_rsp(
                     GET_MEASUREMENTS, ERR_LARGE_RESPONSE, 0)], raw=True,
                     new=True, keep=True)]),
        FlowSpec('meas_busy_rnr', phases=[PhaseSpec(), meas([
            busy(GET_MEASUREMENTS, 0),
            not_ready(GET_MEASUREMENTS, 1, GET_MEASUREMENTS, 0x33, 2)])]),
        # Signed by the key of slot 1, the slot authenticated last
        FlowSpec('meas_slot1', slots={0: 'leaf', 1: 'leaf2'}, phases=[
            PhaseSpec(slot=1), meas(slot=1, keep=True)]),
        # The firmware changes between two logs
        FlowSpec('meas_content_changed', phases=[
            PhaseSpec(), meas(), meas(change=True, keep=True)]),
        # An index the device lacks; the device stays authenticated
        FlowSpec('meas_index_absent', phases=[
            PhaseSpec(), meas(index=0x42, expect='EINVAL',
                              why='error-response'), meas()]),

        # Malformed responses, correctly signed
        meas_failing('meas_record_len_beyond_data', presign(
            body_edit(lambda b, q, r: put_u24(b, 5, 0xFFFFFF)),
            'MeasurementRecordLength 0xffffff'),
            expect='EBADMSG', why='meas-truncated'),
        meas_failing('meas_record_len_short', presign(
            body_edit(lambda b, q, r: put_u24(b, 5, u24(b, 5) - 1)),
            'MeasurementRecordLength - 1'),
            expect='EBADMSG', why='meas-truncated'),
        meas_failing('meas_block_size_mismatch', presign(
            body_edit(lambda b, q, r: struct.pack_into(
                '<H', b, 13, u16(b, 13) - 1)),
            'first DMTF value size - 1'),
            expect='EBADMSG', why='meas-truncated'),
        meas_failing('meas_last_block_overrun', presign(
            body_edit(grow_last_block), 'last block 4 bytes longer'),
            expect='EBADMSG', why='meas-truncated'),
        meas_failing('meas_num_blocks_mismatch', presign(
            body_edit(lambda b, q, r: b.__setitem__(4, b[4] + 1)),
            'NumberOfBlocks + 1'),
            expect='EBADMSG', why='meas-truncated'),
        meas_failing('meas_trailing_bytes', mutate(
            GET_MEASUREMENTS, lambda rsp: rsp + b'\0', 'one byte more'),
            expect='EBADMSG', why='meas-trailing'),
        meas_failing('meas_content_changed_reserved', presign(
            body_edit(lambda b, q, r: b.__setitem__(3, b[3] | 0x30)),
            'ContentChanged 11b'),
            expect='EPROTO', why='meas-invalid'),
        meas_failing('meas_wrong_index', presign(
            body_edit(lambda b, q, r: b.__setitem__(8, 3)), 'block index 3'),
            expect='EPROTO', why='meas-invalid', index=2),
        # Nonces, slot, context and signature
        meas_failing('meas_nonce_echo', presign(
            meas_nonce('echo'), 'nonce echoes the request'),
            expect='EEXIST', why='meas-nonce-echo'),
        meas_failing('meas_nonce_zero', presign(
            meas_nonce('zero'), 'nonce all zeros'),
            expect='EEXIST', why='meas-nonce-zero'),
        meas_failing('meas_nonce_repeat', presign(
            meas_nonce('repeat'), 'CHALLENGE_AUTH nonce again'),
            expect='EEXIST', why='meas-nonce-repeat'),
        meas_failing('meas_v11_wrong_slot', presign(
            body_edit(lambda b, q, r: b.__setitem__(3, 1)), 'Param2 slot 1'),
            expect='EPROTO', why='meas-slot', version=0x11),
        meas_failing('meas_wrong_slot', presign(
            body_edit(lambda b, q, r: b.__setitem__(3, b[3] | 1)),
            'Param2 slot 1'),
            expect='EPROTO', why='meas-slot'),
        meas_failing('meas_v13_context_not_echoed', presign(
            body_edit(lambda b, q, r: b.__setitem__(-1, b[-1] ^ 0xFF)),
            'RequesterContext[7] ^ 0xff'),
            expect='EPROTO', why='meas-context', version=0x13),
        meas_failing('meas_bad_signature', mutate(
            GET_MEASUREMENTS, xor_byte(-1, 0x01), 'last signature byte ^ 1'),
            expect='EKEYREJECTED', why='meas-signature'),
        meas_failing('meas_bad_signature_rsapss_v13', mutate(
            GET_MEASUREMENTS, xor_byte(-1, 0x01), 'last signature byte ^ 1'),
            expect='EKEYREJECTED', why='meas-signature', version=0x13,
            suite='rsapss_3072_sha384'),
        meas_failing('meas_v10_bad_signature', mutate(
            GET_MEASUREMENTS, xor_byte(-1, 0x01), 'last signature byte ^ 1'),
            expect='EKEYREJECTED', why='meas-signature', version=0x10),
        # Fallback: the count promises an index that is not there; every
        # index up to 0xFE is probed
        meas_failing('meas_fallback_missing_index', presign(
            body_edit(lambda b, q, r: b.__setitem__(2, b[2] + 1)),
            'count + 1', nth=1),
            expect='ENODATA', why='meas-missing-index', meas='contiguous',
            too_large_all=True),
        meas_failing('meas_fallback_sparse_count_high', presign(
            body_edit(lambda b, q, r: b.__setitem__(2, b[2] + 1)),
            'count + 1', nth=1),
            expect='ENODATA', why='meas-missing-index', meas='sparse',
            too_large_all=True),
        # RequesterContext is checked on unsigned MEASUREMENTS too: one
        # index, and a probe of the fallback
        meas_failing('meas_v13_nosig_context_not_echoed', presign(
            body_edit(lambda b, q, r: b.__setitem__(-1, b[-1] ^ 0xFF)),
            'RequesterContext[7] ^ 0xff'),
            expect='EPROTO', why='meas-context', version=0x13, index=2,
            nosig=True),
        meas_failing('meas_v13_fallback_probe_context', presign(
            body_edit(lambda b, q, r: b.__setitem__(-1, b[-1] ^ 0xFF)),
            'RequesterContext[7] ^ 0xff', nth=3),
            expect='EPROTO', why='meas-context', version=0x13,
            meas='sparse', too_large_all=True),
        # What the negotiated version cannot do is not asked for
        meas_failing('meas_v11_raw_refused', expect='EOPNOTSUPP',
                     why='raw-version', version=0x11, raw=True),
        meas_failing('meas_v12_new_refused', expect='EOPNOTSUPP',
                     why='new-version', new=True),
        # An empty MEL portion with the whole log remaining
        meas_failing('meas_v13_mel_empty_portion', mutate(
            GET_MEASUREMENT_EXTENSION_LOG, mel_empty_portion,
            'PortionLength 0'),
            expect='EPROTO', why='mel-invalid', version=0x13, mel=True),
        # The log must keep the size its first portion announced: a
        # second portion announces more, or ends the log early
        meas_failing('meas_v13_mel_size_changed', mutate(
            GET_MEASUREMENT_EXTENSION_LOG,
            mel_remainder(lambda portion, rem: rem + 1),
            'RemainderLength + 1', nth=1),
            expect='EPROTO', why='mel-size-changed', version=0x13,
            mel=True),
        meas_failing('meas_v13_mel_ends_early', mutate(
            GET_MEASUREMENT_EXTENSION_LOG,
            mel_remainder(lambda portion, rem: 0), 'RemainderLength 0',
            nth=1),
            expect='EPROTO', why='mel-size-changed', version=0x13,
            mel=True),
        # A first portion that announces more than SPDM_MAX_MEL; the
        # responder stays authenticated and measures again
        FlowSpec('meas_v13_mel_too_large', 0x13, mel=True, phases=[
            PhaseSpec(), meas([mutate(
                GET_MEASUREMENT_EXTENSION_LOG,
                mel_remainder(lambda portion, rem: MEL_SIZE_MAX + 1 -
                              portion),
                'log of 1 MiB + 1')],
                expect='EFBIG', why='mel-too-large'), meas()]),
    ]
    return flows


# Chain validation cases: (name, asym, hash, builder, expect, why).
# Builders take the Material and return (chain object, trusted root Cert).

def chain_good(keytype, hash_name):
    def build(mat):
        cs = mat.chain_set(keytype)
        return spdm_chain([c.der for c in cs.certs()], HASHES[hash_name]), \
            cs.root
    return build


def chain_untrusted(mat):
    chain, _ = chain_good('p256', 'sha256')(mat)
    return chain, None


def chain_wrong_root(mat):
    chain, _ = chain_good('p256', 'sha256')(mat)
    other = issue('kspdm test other root p256', KEYTYPES['p256'].generate(),
                  ca=True, usage=ROOT_USAGE)
    return chain, other


def chain_wrong_root_hash(mat):
    chain, root = chain_good('p256', 'sha256')(mat)
    return xor_byte(4, 0xFF)(chain), root


def chain_intermediate_not_ca(mat):
    cs = mat.chain_set('p256')
    inter = issue('kspdm test intermediate p256', cs.inter.key, cs.root,
                  ca=False, usage=INTER_USAGE)
    return spdm_chain([cs.root.der, inter.der, cs.leaf().der],
                      HASHES['sha256']), cs.root


def chain_leaf_no_ds(mat):
    cs = mat.chain_set('p256')
    leaf = issue('kspdm test leaf p256', cs.leaf().key, cs.inter, ca=False,
                 usage=key_usage(key_encipherment=True))
    return spdm_chain([cs.root.der, cs.inter.der, leaf.der],
                      HASHES['sha256']), cs.root


def chain_too_long(mat):
    cs = mat.chain_set('p256')
    kt = KEYTYPES['p256']
    certs, parent = [cs.root], cs.root
    for i in range(9):
        parent = issue('kspdm test intermediate %d p256' % (i + 1),
                       kt.generate(), parent, ca=True, usage=INTER_USAGE)
        certs.append(parent)
    certs.append(issue('kspdm test deep leaf p256', kt.generate(), parent,
                       ca=False, usage=LEAF_USAGE))
    assert len(certs) == 11
    return spdm_chain([c.der for c in certs], HASHES['sha256']), cs.root


def garbage_der(n):
    """@n bytes that start like a DER SEQUENCE but are not a certificate."""
    filler = bytes((0xA5 + 0x3B * i) & 0xFF for i in range(n - 4))
    return bytes([0x30, 0x82]) + struct.pack('>H', n - 4) + filler


def chain_garbage(mat):
    cs = mat.chain_set('p256')
    leaf = cs.leaf().der
    return spdm_chain([cs.root.der, cs.inter.der, garbage_der(len(leaf))],
                      HASHES['sha256']), cs.root


def chain_length_mismatch(mat):
    cs = mat.chain_set('p256')
    return spdm_chain([c.der for c in cs.certs()], HASHES['sha256'],
                      length_delta=1), cs.root


def chain_broken_link(mat):
    cs = mat.chain_set('p256')
    rogue = KEYTYPES['p256'].generate()
    leaf = issue('kspdm test leaf p256', cs.leaf().key, cs.inter, ca=False,
                 usage=LEAF_USAGE, signer=rogue)
    return spdm_chain([cs.root.der, cs.inter.der, leaf.der],
                      HASHES['sha256']), cs.root


CHAIN_CASES = [
    ('good_p256', 'ecdsa_p256', 'sha256', chain_good('p256', 'sha256'),
     None, None),
    ('good_rsa3072', 'rsassa_3072', 'sha384', chain_good('rsa3072', 'sha384'),
     None, None),
    ('good_p384', 'ecdsa_p384', 'sha384', chain_good('p384', 'sha384'),
     None, None),
    ('untrusted_root', 'ecdsa_p256', 'sha256', chain_untrusted,
     'ENOKEY', 'untrusted-root'),
    ('wrong_root_trusted', 'ecdsa_p256', 'sha256', chain_wrong_root,
     'ENOKEY', 'untrusted-root'),
    ('wrong_root_hash', 'ecdsa_p256', 'sha256', chain_wrong_root_hash,
     'EUCLEAN', 'root-hash'),
    ('intermediate_not_ca', 'ecdsa_p256', 'sha256', chain_intermediate_not_ca,
     'EPERM', 'not-ca'),
    ('leaf_no_digital_signature', 'ecdsa_p256', 'sha256', chain_leaf_no_ds,
     'EPERM', 'key-usage'),
    ('leaf_wrong_key_type', 'ecdsa_p384', 'sha256',
     chain_good('p256', 'sha256'), 'EPERM', 'key-type'),
    ('too_long', 'ecdsa_p256', 'sha256', chain_too_long, 'ELOOP', 'too-long'),
    ('garbage_der', 'ecdsa_p256', 'sha256', chain_garbage, 'EBADMSG', 'parse'),
    ('length_mismatch', 'ecdsa_p256', 'sha256', chain_length_mismatch,
     'EBADMSG', 'length'),
    ('broken_link', 'ecdsa_p256', 'sha256', chain_broken_link,
     'EKEYREJECTED', 'signature'),
]

# Signature known-answer tests: (name, asym, hash).
SIG_MESSAGE = b'kspdm signature known-answer test message'
SIG_CASES = [
    ('ecdsa_p256_sha256', 'ecdsa_p256', 'sha256'),
    ('ecdsa_p384_sha384', 'ecdsa_p384', 'sha384'),
    ('ecdsa_p521_sha512', 'ecdsa_p521', 'sha512'),
    ('rsassa_2048_sha256', 'rsassa_2048', 'sha256'),
    ('rsassa_3072_sha384', 'rsassa_3072', 'sha384'),
    ('rsassa_4096_sha512', 'rsassa_4096', 'sha512'),
    ('rsapss_2048_sha256', 'rsapss_2048', 'sha256'),
    ('rsapss_3072_sha384', 'rsapss_3072', 'sha384'),
    ('rsapss_4096_sha512', 'rsapss_4096', 'sha512'),
    ('ecdsa_p256_sha3_256', 'ecdsa_p256', 'sha3_256'),
    ('rsassa_3072_sha3_384', 'rsassa_3072', 'sha3_384'),
]

# ---------------------------------------------------------------------------
# Running flows
# ---------------------------------------------------------------------------


class Step:
    def __init__(self, req, rsp, note):
        self.req = req
        self.rsp = rsp
        self.note = note


class Link:
    """Transport between the two models; records every exchange."""

    def __init__(self, responder, transport_max):
        self.responder = responder
        self.transport_max = transport_max
        self.steps = []

    def __call__(self, req):
        rsp = self.responder.handle(req)
        # The test transport cannot carry more (the flow is wrong)
        assert rsp is None or len(rsp) <= self.transport_max, \
            '%d-byte response' % len(rsp)
        self.steps.append(Step(req, rsp, self.responder.note))
        return rsp


class PhaseResult:
    def __init__(self, nonce, steps, spec, why=None, requester=None):
        self.nonce = nonce
        self.context = CONTEXT
        self.slot = spec.slot
        self.steps = steps
        self.expect = spec.expect
        self.spec = spec
        self.why = why
        self.l1_open = requester.l1_open
        self.log = self.mel = None
        if spec.measure and spec.expect is None:
            self.log = requester.meas_log
            self.mel = requester.mel


class FlowResult:
    def __init__(self, spec, root, phases):
        self.name = spec.name
        self.transport_max = spec.suite.transport_max
        self.root = root
        self.version = spec.flow_version
        self.asym = spec.suite.asym.bit if spec.flow_version else 0
        self.hash = spec.suite.hash.bit if spec.flow_version else 0
        self.phases = phases


def run_flow(spec, mat):
    suite = spec.suite
    cs = mat.chain_set(suite.asym.keytype.name)

    def slots_of(tags):
        return {s: Slot(cs.certs(tag), suite.hash) for s, tag in tags.items()}

    blocks = meas_set(spec.meas, spec.version)
    responder = Responder(suite=suite, versions=spec.versions,
                          slots=slots_of(spec.slots),
                          dts=spec.dts or suite.transport_max,
                          flags=spec.flags, echo_nonce=spec.echo_nonce,
                          bad_chain_hash=spec.bad_chain_hash, meas=blocks,
                          too_large_all=spec.too_large_all,
                          mel=mel_of(blocks, MEL_SIZE) if spec.mel else None,
                          mel_portion=spec.mel_portion)
    root = cs.root.der if spec.root else None
    requester = Requester(suite.transport_max, root)
    phases = []
    authenticated = False
    for k, ph in enumerate(spec.phases):
        if ph.slots:
            responder.slots = slots_of(ph.slots)
        if ph.change:
            responder.change_measurements()
        responder.start_phase(ph.faults)
        link = Link(responder, suite.transport_max)
        if ph.measure:
            # Measured without a new authentication: the slot must be the
            # one authenticated last and the device still trusted
            assert authenticated and requester.leaf_slot == ph.slot, \
                '%s phase %d: not authenticated' % (spec.name, k)
            errno, why = requester.measure(link, nonce_for(k), CONTEXT, ph)
            authenticated = errno not in UNTRUSTED_ERRNOS
        else:
            errno, why = requester.authenticate(link, nonce_for(k), CONTEXT,
                                                ph.slot)
            authenticated = errno is None
        if (errno, why) != (ph.expect, ph.why):
            raise AssertionError('%s phase %d: model says %s/%s, spec %s/%s' %
                                 (spec.name, k, errno, why, ph.expect, ph.why))
        if errno is None:
            assert requester.negotiated == (spec.version, suite.asym.bit,
                                            suite.hash.bit), spec.name
        phases.append(PhaseResult(nonce_for(k), link.steps, ph, why,
                                  requester))
    return FlowResult(spec, root, phases)


class ChainResult:
    def __init__(self, name, asym, hash_name, chain, root, expect):
        self.name = name
        self.asym = ASYMS[asym].bit
        self.hash = HASHES[hash_name].bit
        self.chain = chain
        self.root = root
        self.expect = expect


class SigResult:
    def __init__(self, name, asym, hash_name, cert, digest, sig):
        self.name = name
        self.asym = ASYMS[asym].bit
        self.hash = HASHES[hash_name].bit
        self.cert = cert
        self.digest = digest
        self.sig = sig


def build_chains(mat):
    out = []
    for name, asym, hash_name, build, expect, _why in CHAIN_CASES:
        chain, root = build(mat)
        out.append(ChainResult(name, asym, hash_name, chain,
                               root.der if root else None, expect))
    return out


def build_sigs():
    certs = {}
    out = []
    for name, asym_name, hash_name in SIG_CASES:
        asym, h = ASYMS[asym_name], HASHES[hash_name]
        kt = asym.keytype.name
        if kt not in certs:
            certs[kt] = issue('kspdm test signature %s' % kt,
                              KEYTYPES[kt].generate(), ca=False,
                              usage=LEAF_USAGE)
        digest = h(SIG_MESSAGE)
        sig = asym.sign(certs[kt].key, digest, h, prehashed=True)
        out.append(SigResult(name, asym_name, hash_name, certs[kt].der,
                             digest, sig))
    return out


# ---------------------------------------------------------------------------
# C emitter
# ---------------------------------------------------------------------------


def describe(msg):
    """A short human description of an SPDM message, for comments."""
    if msg is None:
        return 'no response'
    if len(msg) < 2:
        return '%d bytes' % len(msg)
    code = msg[1]
    name = CODE_NAMES.get(code, ('code 0x%02x' % code,))[0]
    if len(msg) < 4:
        return name
    if code == ERROR:
        name += ' ' + ERROR_NAMES.get(msg[2], '0x%02x' % msg[2])
        if msg[2] == ERR_RESPONSE_NOT_READY and len(msg) >= 8:
            name += ' token 0x%02x RDTM %d' % (msg[6], msg[7])
    elif code == GET_CERTIFICATE and len(msg) >= 8:
        name += ' %d @%d +%d' % (msg[2], u16(msg, 4), u16(msg, 6))
    elif code == CERTIFICATE and len(msg) >= 8:
        name += ' +%d, %d left' % (u16(msg, 4), u16(msg, 6))
    elif code == RESPOND_IF_READY:
        name += ' 0x%02x' % msg[3]
    elif code == GET_MEASUREMENTS:
        name += ' 0x%02x %s' % (msg[2], {MEAS_OP_COUNT: 'count',
                                         MEAS_OP_ALL: 'all'}.get(
                                             msg[3], 'index %d' % msg[3]))
    elif code == MEASUREMENTS and len(msg) >= 8:
        name += ' %d blocks' % msg[4] if msg[4] or not msg[2] else \
            ' count %d' % msg[2]
    elif code == GET_MEASUREMENT_EXTENSION_LOG and len(msg) >= 12:
        name += ' @%d +%d' % (u32(msg, 4), u32(msg, 8))
    elif code == MEASUREMENT_EXTENSION_LOG and len(msg) >= 12:
        name += ' +%d, %d left' % (u32(msg, 4), u32(msg, 8))
    return name


class CWriter:
    """Collects byte arrays (deduplicated by content) and tables."""

    SECTIONS = ('Certificates', 'Requester nonces and context',
                'SPDM messages', 'Measurement logs', 'Certificate chains',
                'Signature KATs')

    def __init__(self):
        self.by_data = {}
        self.names = set()
        self.arrays = {s: [] for s in self.SECTIONS}
        self.counters = {}
        self.tables = []

    def array(self, data, section, name=None, kind=None):
        """Register @data; returns the C name holding it."""
        if data in self.by_data:
            return self.by_data[data]
        if name is None:
            n = self.counters.get(kind, 0)
            self.counters[kind] = n + 1
            name = 'tv_%s_%d' % (kind, n)
        assert name not in self.names, name
        self.names.add(name)
        self.by_data[data] = name
        self.arrays[section].append((name, data))
        return name

    def message(self, msg):
        kind = CODE_NAMES.get(msg[1], (None, 'msg'))[1] if len(msg) > 1 \
            else 'msg'
        return self.array(msg, 'SPDM messages', kind=kind)

    def table(self, ctype, name, body):
        self.tables.append('static const struct %s %s[] = {\n%s};\n' %
                           (ctype, name, body))

    @staticmethod
    def bytes_text(name, data):
        lines = ['static const u8 %s[] = {' % name]
        for i in range(0, len(data), 12):
            lines.append('\t' + ' '.join('0x%02x,' % b
                                         for b in data[i:i + 12]))
        lines.append('};')
        return '\n'.join(lines) + '\n'

    @staticmethod
    def block(fields):
        return '\t{\n' + ''.join('\t\t.%s = %s,\n' % f for f in fields) + \
            '\t},\n'

    def text(self):
        out = [HEADER]
        for section in self.SECTIONS:
            if not self.arrays[section]:
                continue
            out.append('/* %s */\n\n' % section)
            out.extend(self.bytes_text(n, d) + '\n'
                       for n, d in self.arrays[section])
        out.extend(t + '\n' for t in self.tables)
        out.append(FOOTER)
        return ''.join(out)


HEADER = '''\
/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kspdm KUnit test vectors.
 *
 * Generated by tools/testing/spdm/gen_vectors.py -- do not edit.
 * Regenerate with: /usr/bin/python3 tools/testing/spdm/gen_vectors.py
 *
 * Included after drivers/spdm/tests/spdm_test_vectors.h.  Byte arrays are
 * shared between flows when their contents are identical.
 */

#define SPDM_TV_STEP(q, r) \\
	{ .req = (q), .req_len = sizeof(q), .rsp = (r), .rsp_len = sizeof(r) }
#define SPDM_TV_STEP_NORSP(q) { .req = (q), .req_len = sizeof(q) }
#define SPDM_TV_COUNT(a) (sizeof(a) / sizeof((a)[0]))

'''

FOOTER = '''\
#undef SPDM_TV_STEP
#undef SPDM_TV_STEP_NORSP
#undef SPDM_TV_COUNT
'''


def c_errno(errno):
    return '-' + errno if errno else '0'


def c_bool(b):
    return 'true' if b else 'false'


# What spdm->error contains after a measurement phase fails, by reason tag
MEAS_ERRORS = {
    'meas-truncated': 'MEASUREMENTS truncated or inconsistent',
    'meas-invalid': 'MEASUREMENTS holds an invalid value',
    'meas-trailing': 'MEASUREMENTS followed by',
    'meas-slot': 'MEASUREMENTS signed by slot',
    'meas-nonce-echo': "MEASUREMENTS nonce echoes the requester's nonce",
    'meas-nonce-zero': 'MEASUREMENTS nonce is all zeros',
    'meas-nonce-repeat': 'MEASUREMENTS nonce repeats the previous one',
    'meas-context': 'MEASUREMENTS RequesterContext differs from the request',
    'meas-signature': 'MEASUREMENTS signature does not verify',
    'meas-missing-index': 'measurement indices answer',
    'error-response': 'GET_MEASUREMENTS: responder returned ERROR',
    'raw-version': 'raw bit streams need SPDM 1.2',
    'new-version': 'new measurements need SPDM 1.3',
    'mel-invalid': 'MEASUREMENT_EXTENSION_LOG holds an invalid value',
    'mel-size-changed': 'MEASUREMENT_EXTENSION_LOG changes its size',
    'mel-too-large': 'measurement extension log larger than',
    'unexpected-code': 'instead of MEASUREMENTS',
}


def meas_fields(w, ph):
    """The measurement fields of a phase: what is asked, and what the
    state must hold afterwards."""
    sp = ph.spec
    fields = [('kind', 'SPDM_TEST_MEASURE'), ('index', '0x%02x' % sp.index),
              ('raw', c_bool(sp.raw)), ('new_meas', c_bool(sp.new)),
              ('nosig', c_bool(sp.nosig)), ('keep', c_bool(sp.keep))]
    if sp.expect:
        return fields + [('error', '"%s"' % MEAS_ERRORS[ph.why]),
                         ('untrusted',
                          c_bool(sp.expect in UNTRUSTED_ERRNOS))]
    log = ph.log
    fields += [('n_blocks', '%d' % log.n_blocks),
               ('count', '%d' % log.count),
               ('is_signed', c_bool(log.is_signed)),
               ('content_changed', '0x%02x' % log.content_changed)]

    def data(name, blob, kind):
        if blob:
            a = w.array(blob, 'Measurement logs', kind=kind)
            fields.extend([(name, a), (name + '_len', 'sizeof(%s)' % a)])

    data('record', log.record, 'record')
    if sp.keep and log.is_signed:
        data('l1', log.transcript, 'l1')
        fields += [('meas_off', '%d' % log.meas_off),
                   ('req_nonce_off', '%d' % log.req_nonce_off),
                   ('rsp_nonce_off', '%d' % log.rsp_nonce_off)]
    data('mel', ph.mel, 'mel_log')
    return fields


def step_comment(step):
    text = '%s -> %s' % (describe(step.req), describe(step.rsp))
    if step.note:
        text += ' [%s]' % step.note
    return '\t/* %s */\n' % text


def emit(flows, chains, sigs):
    w = CWriter()
    # Names for the well-known arrays first.
    for f in flows:
        if f.root:
            cn = x509.load_der_x509_certificate(f.root).subject
            tag = cn.rfc4514_string().split()[-1]
            w.array(f.root, 'Certificates', name='tv_der_%s_root' % tag)
    for k in range(max(len(f.phases) for f in flows)):
        w.array(nonce_for(k), 'Requester nonces and context',
                name='tv_nonce_%d' % k)
    w.array(CONTEXT, 'Requester nonces and context', name='tv_context')

    flow_blocks = []
    for f in flows:
        base = 'tv_flow_%s' % f.name
        phase_blocks = []
        for k, ph in enumerate(f.phases):
            body = ''
            for st in ph.steps:
                q = w.message(st.req)
                body += step_comment(st)
                if st.rsp is None:
                    body += '\tSPDM_TV_STEP_NORSP(%s),\n' % q
                else:
                    r = w.message(st.rsp)
                    body += '\tSPDM_TV_STEP(%s, %s),\n' % (q, r)
            steps = '%s_p%d_steps' % (base, k)
            if ph.steps:
                w.table('spdm_test_step', steps, body)
                step_fields = [('steps', steps),
                               ('n_steps', 'SPDM_TV_COUNT(%s)' % steps)]
            else:
                step_fields = [('steps', 'NULL'), ('n_steps', '0')]
            fields = [
                ('nonce', w.array(ph.nonce, 'Requester nonces and context')),
                ('context', w.array(ph.context,
                                    'Requester nonces and context')),
                ('slot', '%d' % ph.slot)] + step_fields + [
                ('expect', c_errno(ph.expect))]
            if ph.l1_open:
                fields.append(('l1_open', 'true'))
            if ph.spec.measure:
                fields += meas_fields(w, ph)
            phase_blocks.append(w.block(fields))
        w.table('spdm_test_phase', base + '_phases', ''.join(phase_blocks))
        fields = [('name', '"%s"' % f.name),
                  ('transport_max', '%d' % f.transport_max)]
        if f.root:
            r = w.array(f.root, 'Certificates')
            fields += [('root', r), ('root_len', 'sizeof(%s)' % r)]
        fields += [('version', '0x%02x' % f.version),
                   ('asym', '0x%08x' % f.asym),
                   ('hash', '0x%08x' % f.hash),
                   ('phases', base + '_phases'),
                   ('n_phases', 'SPDM_TV_COUNT(%s_phases)' % base)]
        flow_blocks.append(w.block(fields))
    w.table('spdm_test_flow', 'spdm_test_flows', ''.join(flow_blocks))

    chain_blocks = []
    for c in chains:
        a = w.array(c.chain, 'Certificate chains', name='tv_chain_' + c.name)
        fields = [('name', '"%s"' % c.name), ('hash', '0x%08x' % c.hash),
                  ('asym', '0x%08x' % c.asym), ('chain', a),
                  ('chain_len', 'sizeof(%s)' % a)]
        if c.root:
            r = w.array(c.root, 'Certificates',
                        name='tv_der_chain_%s_root' % c.name)
            fields += [('root', r), ('root_len', 'sizeof(%s)' % r)]
        fields.append(('expect', c_errno(c.expect)))
        chain_blocks.append(w.block(fields))
    w.table('spdm_test_chain', 'spdm_test_chains', ''.join(chain_blocks))

    sig_blocks = []
    for s in sigs:
        kt = ASYM_BY_BIT[s.asym].keytype.name
        cert = w.array(s.cert, 'Signature KATs', name='tv_der_sig_%s' % kt)
        dig = w.array(s.digest, 'Signature KATs',
                      name='tv_sig_%s_digest' % s.name)
        sig = w.array(s.sig, 'Signature KATs', name='tv_sig_%s' % s.name)
        sig_blocks.append(w.block([
            ('name', '"%s"' % s.name), ('asym', '0x%08x' % s.asym),
            ('hash', '0x%08x' % s.hash), ('cert', cert),
            ('cert_len', 'sizeof(%s)' % cert), ('digest', dig),
            ('digest_len', 'sizeof(%s)' % dig), ('sig', sig),
            ('sig_len', 'sizeof(%s)' % sig)]))
    w.table('spdm_test_sig', 'spdm_test_sigs', ''.join(sig_blocks))

    text = w.text()
    for i, line in enumerate(text.split('\n'), 1):
        assert len(line.expandtabs(8)) <= 100, 'line %d too long: %s' % (
            i, line)
    return text


def generate(path):
    mat = Material()
    flows = [run_flow(spec, mat) for spec in flow_specs()]
    chains = build_chains(mat)
    sigs = build_sigs()
    text = emit(flows, chains, sigs)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        f.write(text)
    os.replace(tmp, path)
    return flows, chains, sigs


# ---------------------------------------------------------------------------
# Self test: parse the emitted file and replay it independently
# ---------------------------------------------------------------------------
#
# Nothing below uses the models above: the file is read back as C text, and
# a separately written requester replays every phase step by step, checking
# each request byte for byte, rebuilding M1, validating certificate chains
# fully with python-cryptography and verifying the signatures.


class SelftestError(Exception):
    pass


def parse_inc(text):
    """Read the arrays and tables of a generated .inc back into Python."""
    arrays = {}
    for m in re.finditer(r'static const u8 (\w+)\[\] = \{\n(.*?)\};',
                         text, re.S):
        arrays[m.group(1)] = bytes(int(x, 16) for x in
                                   re.findall(r'0x([0-9a-f]{2}),',
                                              m.group(2)))
    tables = {}

    def value(raw):
        if raw.startswith('"'):
            return raw.strip('"')
        if raw in ('true', 'false'):
            return raw == 'true'
        if raw == 'NULL':
            return None
        if raw.startswith('SPDM_TEST_'):
            return raw
        if re.fullmatch(r'-E[A-Z]+', raw):
            return raw[1:]
        if re.fullmatch(r'0x[0-9a-f]+|\d+', raw):
            return int(raw, 0)
        m = re.fullmatch(r'sizeof\((\w+)\)', raw)
        if m:
            return len(arrays[m.group(1)])
        m = re.fullmatch(r'SPDM_TV_COUNT\((\w+)\)', raw)
        if m:
            return len(tables[m.group(1)])
        if raw in arrays:
            return arrays[raw]
        return tables[raw]

    for m in re.finditer(r'static const struct (\w+) (\w+)\[\] = \{\n'
                         r'(.*?)\n\};', text, re.S):
        ctype, name, body = m.groups()
        entries = []
        if ctype == 'spdm_test_step':
            for s in re.finditer(r'SPDM_TV_STEP(?:_NORSP)?\((\w+)'
                                 r'(?:, (\w+))?\)', body):
                entries.append((arrays[s.group(1)],
                                arrays[s.group(2)] if s.group(2) else None))
        else:
            for blk in re.finditer(r'\t\{\n(.*?)\n\t\},', body, re.S):
                fields = dict(re.findall(r'^\t\t\.(\w+) = (.*),$',
                                         blk.group(1), re.M))
                entry = {k: value(v) for k, v in fields.items()}
                if entry.get('expect') == 0:
                    entry['expect'] = None          # success
                for k, v in fields.items():
                    # "x_len = sizeof(y)" must describe "x = y".
                    sm = re.fullmatch(r'sizeof\((\w+)\)', v)
                    if k.endswith('_len') and sm:
                        if fields.get(k[:-4]) != sm.group(1):
                            raise SelftestError('%s: %s mismatch' % (name, k))
                entries.append(entry)
        tables[name] = entries
    return arrays, tables


class Verdict(Exception):
    """The replayed requester stops with @errno for reason @why."""

    def __init__(self, errno, why, **info):
        super().__init__(errno)
        self.errno = errno
        self.why = why
        self.info = info


class ReplayMismatch(SelftestError):
    pass


class RestartAtVersion(Exception):
    pass


def verify_cert_sig(cert, issuer_pub):
    try:
        if isinstance(issuer_pub, ec.EllipticCurvePublicKey):
            issuer_pub.verify(cert.signature, cert.tbs_certificate_bytes,
                              ec.ECDSA(cert.signature_hash_algorithm))
        else:
            issuer_pub.verify(cert.signature, cert.tbs_certificate_bytes,
                              padding.PKCS1v15(),
                              cert.signature_hash_algorithm)
    except InvalidSignature:
        return False
    return True


def ext_value(cert, cls):
    try:
        return cert.extensions.get_extension_for_class(cls).value
    except x509.ExtensionNotFound:
        return None


CHAIN_MAX_CERTS = 10


def validate_chain(chain, hash_bit, asym_bit, root_der):
    """Independent full validation; returns the leaf public key.

    Raises Verdict with the errno the requester is expected to report.
    """
    h = HASH_BY_BIT[hash_bit]
    if len(chain) < 4 + h.size or u16(chain, 0) != len(chain) or \
            u16(chain, 2) != 0:
        raise Verdict('EBADMSG', 'length')
    try:
        ders = der_split(chain[4 + h.size:])
    except ValueError:
        raise Verdict('EBADMSG', 'parse')
    if len(ders) > CHAIN_MAX_CERTS:
        raise Verdict('ELOOP', 'too-long')
    try:
        certs = [x509.load_der_x509_certificate(d) for d in ders]
        for c in certs:
            c.extensions        # force extension parsing
    except ValueError:
        raise Verdict('EBADMSG', 'parse')
    if chain[4:4 + h.size] != h(ders[0]):
        raise Verdict('EUCLEAN', 'root-hash')
    if root_der is None or ders[0] != root_der:
        raise Verdict('ENOKEY', 'untrusted-root')
    if not verify_cert_sig(certs[0], certs[0].public_key()):
        raise SelftestError('trusted root is not self-signed')
    for parent, child in zip(certs, certs[1:]):
        bc = ext_value(parent, x509.BasicConstraints)
        ku = ext_value(parent, x509.KeyUsage)
        if not bc or not bc.ca or not ku or not ku.key_cert_sign:
            raise Verdict('EPERM', 'not-ca')
        if child.issuer != parent.subject:
            raise Verdict('EKEYREJECTED', 'issuer-name')
        if not verify_cert_sig(child, parent.public_key()):
            raise Verdict('EKEYREJECTED', 'signature')
    leaf = certs[-1]
    ku = ext_value(leaf, x509.KeyUsage)
    if not ku or not ku.digital_signature:
        raise Verdict('EPERM', 'key-usage')
    if not ASYM_BY_BIT[asym_bit].keytype.fits(leaf.public_key()):
        raise Verdict('EPERM', 'key-type')
    return leaf.public_key()


def spdm_verify(asym_bit, hash_bit, pub, sig, message):
    """Verify an SPDM-encoded signature over @message (hashed here)."""
    h = HASH_BY_BIT[hash_bit].algo()
    if asym_bit in (0x10, 0x80, 0x100):
        half = {0x10: 32, 0x80: 48, 0x100: 66}[asym_bit]
        if len(sig) != 2 * half:
            return False
        der = encode_dss_signature(int.from_bytes(sig[:half], 'big'),
                                   int.from_bytes(sig[half:], 'big'))
        args = (der, message, ec.ECDSA(h))
    else:
        if len(sig) != pub.key_size // 8:
            return False
        pss = asym_bit in (0x02, 0x08, 0x40)
        pad = padding.PSS(padding.MGF1(h), h.digest_size) if pss \
            else padding.PKCS1v15()
        args = (sig, message, pad, h)
    try:
        pub.verify(*args)
    except InvalidSignature:
        return False
    return True


class Replay:
    """Replays one phase of a parsed flow, consuming its steps in order."""

    SIG_SIZES = {0x01: 256, 0x02: 256, 0x04: 384, 0x08: 384, 0x10: 64,
                 0x20: 512, 0x40: 512, 0x80: 96, 0x100: 132}

    def __init__(self, flow, phase, known, dev=None):
        self.flow = flow
        self.phase = phase
        self.steps = phase['steps'] or []
        self.pos = 0
        self.known = known          # slot -> (chain, leaf key), per flow
        self.dev = {} if dev is None else dev   # the authenticated device
        self.ver = None

    def take(self, req):
        """The response to @req; the recorded request must equal it."""
        # A request other than GET_MEASUREMENTS (RESPOND_IF_READY goes on
        # with one) ends the responder's L1/L2 (DSP0274 10.11)
        if req[1] not in (0xE0, 0xFF):
            self.dev['l1_open'] = False
        if self.pos >= len(self.steps):
            raise ReplayMismatch('missing step for %s' % req.hex())
        got, rsp = self.steps[self.pos]
        if got != req:
            raise ReplayMismatch('step %d: expected %s, recorded %s' %
                                 (self.pos, req.hex(), got.hex()))
        self.pos += 1
        return rsp

    def send(self, req, code, need):
        """One request with Busy / ResponseNotReady / RequestResynch."""
        sends = 0
        while True:
            rsp = self.take(req)
            sends += 1
            self.header(req[0], rsp)
            if rsp[1] == ERROR and rsp[2] == ERR_BUSY:
                if sends == MAX_SENDS:
                    raise Verdict('EBUSY', 'busy')
                continue
            break
        if rsp[1] == ERROR and rsp[2] == ERR_RESPONSE_NOT_READY:
            rsp = self.poll(req, rsp)
        if rsp[1] == ERROR:
            if rsp[2] == ERR_REQUEST_RESYNCH:
                raise RestartAtVersion()
            raise Verdict('EBADRQC' if rsp[2] == ERR_UNSUPPORTED_REQUEST
                          else 'EIO', 'error-response')
        if rsp[1] != code:
            raise Verdict('ENOMSG', 'unexpected-code')
        if len(rsp) < need:
            raise Verdict('EBADMSG', 'short')
        self.m1.append(req)
        self.m1.append(rsp)
        return rsp

    def header(self, ver, rsp):
        if rsp is None:
            raise Verdict('ETIMEDOUT', 'no-response')
        if len(rsp) < 4:
            raise Verdict('EBADMSG', 'short')
        if rsp[0] != ver:
            raise Verdict('EPROTO', 'version-mismatch')

    def poll(self, req, err):
        rdt_exp, code, token, tries = err[4], err[5], err[6], err[7]
        if code != req[1] or rdt_exp != RDT_EXPONENT:
            raise SelftestError('odd ResponseNotReady %s' % err.hex())
        while tries:
            tries -= 1
            rsp = self.take(bytes([req[0], 0xFF, code, token]))
            self.header(req[0], rsp)
            if not (rsp[1] == ERROR and rsp[2] == ERR_RESPONSE_NOT_READY):
                return rsp
            token = rsp[6]
        raise Verdict('ETIME', 'not-ready')

    def run(self):
        restarts = 0
        while True:
            try:
                return self.attempt()
            except RestartAtVersion:
                restarts += 1
                if restarts == MAX_RESYNCH + 1:
                    raise Verdict('ECONNABORTED', 'resynch')

    def attempt(self):
        self.m1 = []
        tmax = self.flow['transport_max']
        rsp = self.send(bytes.fromhex('10840000'), VERSION, 6)
        entries = [u16(rsp, 6 + 2 * i) for i in range(rsp[5])]
        ok = [e >> 8 for e in entries if 0x10 <= (e >> 8) <= 0x13]
        if not ok:
            raise Verdict('EPROTONOSUPPORT', 'no-version')
        v = self.ver = max(ok)

        req = bytearray([v, 0xE1, 0, 0])
        if v > 0x10:
            req += bytes(8)
        if v > 0x11:
            req += tmax.to_bytes(4, 'little') * 2
        caps = self.send(bytes(req), CAPABILITIES, 20 if v > 0x11 else 12)
        if u32(caps, 8) & (CAP_CERT | CAP_CHAL) != CAP_CERT | CAP_CHAL:
            raise Verdict('EOPNOTSUPP', 'capabilities')
        flags = u32(caps, 8)
        window = min(tmax, u32(caps, 12)) if v > 0x11 else tmax

        req = bytes([v, 0xE3, 0, 0, 32, 0, 1, 0, 0xFF, 1, 0, 0, 0x3F, 0, 0,
                     0]) + bytes(16)
        algs = self.send(req, ALGORITHMS, 36)
        asym, hsel = u32(algs, 12), u32(algs, 16)
        if bin(asym).count('1') != 1 or asym > 0x100 or \
                bin(hsel).count('1') != 1 or hsel > 0x20:
            raise Verdict('EPROTO', 'algorithms')
        self.asym, self.hash = asym, hsel
        h = HASH_BY_BIT[hsel]
        vca = b''.join(self.m1)

        dig = self.send(bytes([v, 0x81, 0, 0]), DIGESTS, 4)
        mask = dig[3]
        if v >= 0x13 and dig[2] != mask:
            raise SelftestError('1.3 DIGESTS Param1 != Param2')
        slots = [s for s in range(8) if mask >> s & 1]
        if len(dig) < 4 + len(slots) * h.size:
            raise Verdict('EBADMSG', 'short')
        digest = {s: dig[4 + i * h.size:4 + (i + 1) * h.size]
                  for i, s in enumerate(slots)}

        for s in slots:
            if s in self.known and h(self.known[s][0]) == digest[s]:
                continue
            chain = self.fetch(v, s, window - 8)
            try:
                key = validate_chain(chain, hsel, asym, self.flow.get('root'))
            except Verdict as vd:
                vd.info['chain_ok'] = False
                raise
            if h(chain) != digest[s]:
                raise Verdict('ESTALE', 'digest-mismatch',
                              only_first_byte=h(chain)[1:] == digest[s][1:])
            self.known[s] = (chain, key)

        slot = self.phase['slot']
        req = bytes([v, 0x83, slot, 0]) + self.phase['nonce']
        if v >= 0x13:
            req += self.phase['context']
        auth = self.send(req, CHALLENGE_AUTH, 4)
        info = self.check_auth(v, auth, slot, h)
        # What measurements of this device start from
        self.dev.clear()
        self.dev.update(ver=v, asym=asym, hash=hsel, flags=flags, vca=vca,
                        slot=slot, key=self.known[slot][1], l1_open=False,
                        nonce=auth[4 + h.size:4 + h.size + 32])
        return info

    def fetch(self, v, slot, max_portion):
        got, total = bytearray(), None
        length = min(max_portion, 0xFFFF)
        while True:
            req = bytes([v, 0x82, slot, 0]) + struct.pack('<HH', len(got),
                                                          length)
            rsp = self.send(req, CERTIFICATE, 8)
            plen, rem = struct.unpack_from('<HH', rsp, 4)
            if not 0 < plen <= length or len(rsp) != 8 + plen:
                raise Verdict('EBADMSG', 'cert-length')
            if total is None:
                total = plen + rem
            if len(got) + plen + rem != total:
                raise Verdict('EBADMSG', 'cert-length')
            got += rsp[8:]
            if not rem:
                return bytes(got)
            length = min(max_portion, rem)

    def check_auth(self, v, auth, slot, h):
        sig_len = self.SIG_SIZES[self.asym]
        pos = 4 + h.size + 32
        opaque = u16(auth, pos)
        pos += 2 + opaque + (8 if v >= 0x13 else 0)
        if len(auth) != pos + sig_len:
            raise Verdict('EBADMSG', 'short')
        body, sig = auth[:pos], auth[pos:]
        # M1: everything so far, CHALLENGE_AUTH without its signature.
        m1 = b''.join(self.m1[:-1]) + body
        if v >= 0x12:
            ver = b'dmtf-spdm-v1.%d.*' % (v & 0xF)
            ctx = b'responder-challenge_auth signing'
            signed = ver * 4 + ctx.rjust(36, b'\0') + h(m1)
        else:
            signed = m1
        chain, key = self.known[slot]
        sig_ok = spdm_verify(self.asym, self.hash, key, sig, signed)
        fixed = sig[:-1] + bytes([sig[-1] ^ 1])
        info = dict(sig_ok=sig_ok,
                    sig_fixable=spdm_verify(self.asym, self.hash, key, fixed,
                                            signed))
        if auth[2] != slot or auth[3] != 1 << slot:
            raise SelftestError('CHALLENGE_AUTH params %02x %02x' %
                                (auth[2], auth[3]))
        if auth[4:4 + h.size] != h(chain):
            raise Verdict('ESTALE', 'chain-hash', **info)
        if auth[4 + h.size:4 + h.size + 32] == self.phase['nonce']:
            raise Verdict('EEXIST', 'nonce-echo', **info)
        if v >= 0x13 and auth[pos - 8:pos] != self.phase['context']:
            raise Verdict('EPROTO', 'context', **info)
        if not sig_ok:
            raise Verdict('EKEYREJECTED', 'signature', **info)
        return info


# ERRORs the measurement flows meet, and the errno each becomes
MEAS_REPLAY_ERRORS = {0x01: 'EINVAL', 0x07: 'EBADRQC', 0x0D: 'EMSGSIZE',
                      0x0F: 'EFBIG'}
# DMTF measurement value types: (highest version of the type's absence,
# fixed raw size or None)
DMTF_TYPES = {0: (0, None), 1: (0, None), 2: (0, None), 3: (0, None),
              4: (0, None), 5: (0, 16), 6: (0, None), 7: (0, 8),
              8: (0x12, None), 9: (0x12, None), 10: (0x12, None)}


class MeasReplay(Replay):
    """Replays one measurement phase on the device the flow's last
    authentication left: requests rebuilt from the phase's parameters,
    responses parsed here, the signature verified over L1/L2."""

    def run(self):
        ph, dev = self.phase, self.dev
        if not dev:
            raise SelftestError('measurement before an authentication')
        v = self.ver = dev['ver']
        self.asym, self.hash = dev['asym'], dev['hash']
        self.sig_len = self.SIG_SIZES[self.asym]
        self.h = HASH_BY_BIT[self.hash]
        if ph['raw'] and v < 0x12:
            raise Verdict('EOPNOTSUPP', 'raw-version')
        if ph['new_meas'] and v < 0x13:
            raise Verdict('EOPNOTSUPP', 'new-version')
        if ph['slot'] != dev['slot']:
            raise SelftestError('measured with another slot')
        self.info = {}
        try:
            log = self.collect(one_by_one=False)
        except Verdict as vd:
            if vd.errno not in ('EMSGSIZE', 'EFBIG') or \
                    ph['index'] != 0xFF:
                raise
            log = self.collect(one_by_one=True)
        if v >= 0x13 and dev['flags'] & CAP_MEL:
            log['mel'] = self.fetch_mel()
        return log

    def meas_send(self, req):
        """@req until it is answered (Busy, ResponseNotReady)."""
        for _ in range(MAX_SENDS):
            rsp = self.take(req)
            self.header(req[0], rsp)
            if rsp[1] != ERROR or rsp[2] != ERR_BUSY:
                break
        else:
            raise Verdict('EBUSY', 'busy')
        if rsp[1] == ERROR and rsp[2] == ERR_RESPONSE_NOT_READY:
            rsp = self.poll(req, rsp)
        if rsp[1] == ERROR:
            if rsp[2] not in MEAS_REPLAY_ERRORS:
                raise SelftestError('ERROR 0x%02x' % rsp[2])
            raise Verdict(MEAS_REPLAY_ERRORS[rsp[2]], 'error-response')
        return rsp

    def ask(self, op, signed, probe=False):
        """One GET_MEASUREMENTS; returns the request and the parsed
        response, whose signature is checked against L1/L2 so far.  A
        @probe of the fallback does not ask for new measurements."""
        v, ph = self.ver, self.phase
        attrs = (0x02 if ph['raw'] else 0) | \
            (0x04 if ph['new_meas'] and not probe else 0)
        req = bytes([v, 0xE0, attrs | (0x01 if signed else 0), op])
        if signed:
            req += ph['nonce'] + (bytes([ph['slot']]) if v >= 0x11 else b'')
        if v >= 0x13:
            req += ph['context']
        if not signed:
            self.dev['l1_open'] = True      # the responder may keep it
        rsp = self.meas_send(req)
        if signed:
            self.dev['l1_open'] = False     # the responder's L1/L2 ends
        self.info = {}
        if signed and len(rsp) > self.sig_len:
            body, sig = rsp[:-self.sig_len], rsp[-self.sig_len:]
            signed_part = self.l1 + req + body
            self.info = dict(
                sig_ok=self.verify(signed_part, sig),
                sig_fixable=self.verify(signed_part,
                                        sig[:-1] + bytes([sig[-1] ^ 1])))
        m = self.parse(rsp, op, signed)
        # 1.3: every MEASUREMENTS echoes the RequesterContext, signed or not
        if m['context'] and m['context'] != ph['context']:
            raise Verdict('EPROTO', 'meas-context', **self.info)
        return req, rsp, m

    def verify(self, l1, sig):
        if self.ver >= 0x12:
            ver = b'dmtf-spdm-v1.%d.*' % (self.ver & 0xF)
            ctx = b'responder-measurements signing'
            l1 = ver * 4 + ctx.rjust(36, b'\0') + self.h(l1)
        return spdm_verify(self.asym, self.hash, self.dev['key'], sig, l1)

    def parse(self, rsp, op, signed):
        """A MEASUREMENTS: every field, or the Verdict it deserves."""
        def trunc():
            return Verdict('EBADMSG', 'meas-truncated', **self.info)

        def invalid():
            return Verdict('EPROTO', 'meas-invalid', **self.info)

        v = self.ver
        if rsp[1] != 0x60:
            raise Verdict('ENOMSG', 'unexpected-code')
        if len(rsp) < 8:
            raise trunc()
        n, rec_len = rsp[4], int.from_bytes(rsp[5:8], 'little')
        m = dict(total=0, slot=0, changed=0, n=n)
        if op == 0:
            if rsp[2] == 0xFF or n or rec_len:
                raise invalid()
            m['total'] = rsp[2]
        elif op != 0xFF and n != 1:
            raise invalid()
        if signed and v >= 0x11:
            m['slot'] = rsp[3] & 0x0F
        if signed and v >= 0x12:
            m['changed'] = rsp[3] & 0x30
            if m['changed'] == 0x30:
                raise invalid()
        end = 8 + rec_len
        if end > len(rsp):
            raise trunc()
        m['record'] = rsp[8:end]
        self.walk(m['record'], op, n, trunc, invalid)
        tail = rsp[end:]
        fixed = 32 + 2
        if len(tail) < fixed:
            raise trunc()
        m['nonce'] = tail[:32]
        opaque = struct.unpack_from('<H', tail, 32)[0]
        if opaque > 1024:
            raise invalid()
        ctx_len = 8 if v >= 0x13 else 0
        if len(tail) < fixed + opaque + ctx_len:
            raise trunc()
        m['context'] = tail[fixed + opaque:fixed + opaque + ctx_len]
        m['sig_off'] = end + fixed + opaque + ctx_len
        size = m['sig_off'] + (self.sig_len if signed else 0)
        if len(rsp) < size:
            raise trunc()
        if len(rsp) > size:
            raise Verdict('EBADMSG', 'meas-trailing')
        m['sig'] = rsp[m['sig_off']:] if signed else None
        return m

    def walk(self, record, op, n, trunc, invalid):
        """Check every measurement block of @record (DSP0274 10.11.1)."""
        v, hlen = self.ver, self.h.size
        pos, indices = 0, []
        while pos != len(record):
            hdr = record[pos:pos + 7]
            if len(hdr) < 4:
                raise trunc()
            index, spec, size = struct.unpack_from('<BBH', hdr)
            if pos + 4 + size > len(record):
                raise trunc()
            if index in (0, 0xFF) or spec != 1:
                raise invalid()
            if size < 3:
                raise trunc()
            vtype, vsize = struct.unpack_from('<BH', hdr, 4)
            if vsize + 3 != size:
                raise trunc()
            kind, raw = vtype & 0x7F, vtype >> 7
            if kind not in DMTF_TYPES or v <= DMTF_TYPES[kind][0]:
                raise invalid()
            fixed = DMTF_TYPES[kind][1]
            if (fixed and (not raw or vsize != fixed)) or \
                    (not raw and vsize != hlen):
                raise invalid()
            if v >= 0x12 and ((index == 0xFE and kind != 5) or
                              (index == 0xFD and kind not in (4, 10))):
                raise invalid()
            if index in indices or op not in (0, 0xFF) and index != op:
                raise invalid()
            indices.append(index)
            pos += 4 + size
        if len(indices) != n:
            raise trunc()

    def signed(self, req, m, log):
        """The checks of the signed response, then its signature."""
        ph, dev = self.phase, self.dev
        if self.ver >= 0x11 and m['slot'] != ph['slot']:
            raise Verdict('EPROTO', 'meas-slot', **self.info)
        if m['nonce'] == ph['nonce']:
            raise Verdict('EEXIST', 'meas-nonce-echo', **self.info)
        if not any(m['nonce']):
            raise Verdict('EEXIST', 'meas-nonce-zero', **self.info)
        if m['nonce'] == dev['nonce']:
            raise Verdict('EEXIST', 'meas-nonce-repeat', **self.info)
        if not self.info['sig_ok']:
            raise Verdict('EKEYREJECTED', 'meas-signature', **self.info)
        log.update(signed=True, changed=m['changed'], sig=m['sig'],
                   l1=self.l1 + req + self.last[:m['sig_off']],
                   req_nonce_off=len(self.l1) + 4,
                   rsp_nonce_off=len(self.l1) + len(req) + 8 +
                   len(m['record']))
        dev['nonce'] = m['nonce']

    def collect(self, one_by_one):
        """All (or one) measurements in one request; or, one by one, the
        count, then a probe of every index from 1 on until the count
        answered, then those indices again, the last one signed."""
        ph = self.phase
        if not one_by_one:
            return self.l1_run([ph['index']])
        # The count and the probes are unsigned and not kept: they stay
        # in the responder's L1/L2 until GET_DIGESTS
        _, _, m = self.ask(0, False, probe=True)
        self.dev['l1_open'] = True
        total = m['total']
        if not total:
            return self.l1_run([0])     # the count stands for the log
        answered, blocks, size = [], 0, 0
        for op in range(1, 0xFF):
            if len(answered) == total:
                break
            try:
                _, _, m = self.ask(op, False, probe=True)
            except Verdict as vd:
                if vd.errno != 'EINVAL':
                    raise
                continue            # no such index
            self.dev['l1_open'] = True
            answered.append(op)
            blocks += m['n']
            size += len(m['record'])
            if blocks > 255 or size > 1 << 20:
                raise SelftestError('probes beyond the log limits')
        if len(answered) != total:
            raise Verdict('ENODATA', 'meas-missing-index')
        return self.l1_run(answered)

    def end_l1(self):
        """GET_DIGESTS, to end an L1/L2 that unsigned measurements left."""
        rsp = self.meas_send(bytes([self.ver, 0x81, 0, 0]))
        if rsp[1] != 0x01:
            raise Verdict('ENOMSG', 'unexpected-code')
        size = 4 + bin(rsp[3]).count('1') * self.h.size
        if len(rsp) != size:
            raise Verdict('EBADMSG', 'digests-truncated')

    def l1_run(self, ops):
        """@ops as one L1/L2 of their own, the last one signed unless the
        phase is unsigned; the log they make."""
        ph = self.phase
        sign = not ph['nosig']
        if self.dev['l1_open']:
            self.end_l1()
        self.l1 = self.dev['vca'] if self.ver >= 0x12 else b''
        log = dict(record=b'', n=0, count=0, signed=False, changed=0,
                   sig=None, l1=None, meas_off=len(self.l1))
        for k, op in enumerate(ops):
            last = k == len(ops) - 1
            req, self.last, m = self.ask(op, sign and last)
            if op == 0:
                log['count'] = m['total']
            log['record'] += m['record']
            log['n'] += m['n']
            if sign and last:
                self.signed(req, m, log)
            else:
                self.l1 += req + self.last
                self.dev['l1_open'] = True
        if log['n'] > 255 or len(log['record']) > 1 << 20:
            raise SelftestError('log beyond its limits')
        return log

    def fetch_mel(self):
        """The extension log, every portion asked with the same Length;
        the size the first portion announces must hold."""
        mel, size = b'', None
        want = min(4096, self.flow['transport_max'] - 12)
        for n in range(4097):
            rsp = self.meas_send(bytes([self.ver, 0xEF, 0, 0]) +
                                 struct.pack('<II', len(mel), want))
            if rsp[1] != 0x6F:
                raise Verdict('ENOMSG', 'unexpected-code')
            if len(rsp) < 12:
                raise Verdict('EBADMSG', 'mel-truncated')
            portion, rem = struct.unpack_from('<II', rsp, 4)
            if len(rsp) < 12 + portion:
                raise Verdict('EBADMSG', 'mel-truncated')
            if not 0 < portion <= want or \
                    len(mel) + portion + rem >= 1 << 32:
                raise Verdict('EPROTO', 'mel-invalid')
            if len(rsp) > 12 + portion:
                raise Verdict('EBADMSG', 'mel-trailing')
            if size is None:
                size = portion + rem
                if size > 1 << 20:
                    raise Verdict('EFBIG', 'mel-too-large')
            elif len(mel) + portion + rem != size:
                raise Verdict('EPROTO', 'mel-size-changed')
            mel += rsp[12:]
            if not rem:
                return mel
        raise Verdict('EPROTO', 'mel-portions')


def selftest_meas(check, where, flow, phase, ps, known, dev):
    """Replay a measurement phase and compare it with what the file says
    the requester must end with."""
    check((phase['index'], phase['raw'], phase['new_meas'], phase['nosig'],
           phase['keep'], phase['slot']) ==
          (ps.index, ps.raw, ps.new, ps.nosig, ps.keep, ps.slot),
          where + ': parameters differ from the spec')
    rp = MeasReplay(flow, phase, known, dev)
    try:
        log = rp.run()
        errno, why, info = None, None, {}
    except Verdict as vd:
        errno, why, info, log = vd.errno, vd.why, vd.info, None
    except Exception as e:      # malformed data: report, go on
        check(False, '%s: %s: %s' % (where, type(e).__name__, e))
        return
    check((errno, why) == (phase['expect'], ps.why),
          '%s: replay gives %s/%s, want %s/%s' %
          (where, errno, why, phase['expect'], ps.why))
    check(rp.pos == len(rp.steps), '%s: %d unused steps' %
          (where, len(rp.steps) - rp.pos))
    if errno:
        check(phase.get('error') == MEAS_ERRORS.get(why) and
              phase.get('untrusted') == (errno in UNTRUSTED_ERRNOS),
              where + ': error text or untrusted flag')
        # The injected fault must be the only problem: the responder
        # signed what it sent
        if why == 'meas-signature':
            check(info.get('sig_fixable'), where + ': more than 1 bit off')
        elif info:
            check(info.get('sig_ok'), where + ': not correctly signed')
        return
    kept = phase['keep'] and log['signed']
    want = dict(record=phase.get('record', b''), n=phase['n_blocks'],
                count=phase['count'], signed=phase['is_signed'],
                changed=phase['content_changed'],
                l1=phase.get('l1'), mel=phase.get('mel'))
    got = dict(record=log['record'], n=log['n'], count=log['count'],
               signed=log['signed'], changed=log['changed'],
               l1=log['l1'] if kept else None, mel=log.get('mel'))
    if log.get('mel') is None and dev.get('mel') is not None:
        got['mel'] = dev['mel']             # from an earlier phase
    dev['mel'] = got['mel']
    for key in want:
        check(want[key] == got[key], '%s: %s differs' % (where, key))
    if kept:
        check((phase['meas_off'], phase['req_nonce_off'],
               phase['rsp_nonce_off']) ==
              (log['meas_off'], log['req_nonce_off'], log['rsp_nonce_off']),
              where + ': evidence offsets')
    check(log['signed'] == (not ps.nosig), where + ': signed or not')


def selftest(path):
    with open(path) as f:
        text = f.read()
    arrays, tables = parse_inc(text)
    problems = []

    def check(cond, msg):
        if not cond:
            problems.append(msg)

    check(text.startswith('/* SPDX-License-Identifier: GPL-2.0-only */\n'),
          'missing SPDX line')
    for i, line in enumerate(text.split('\n'), 1):
        check(len(line.expandtabs(8)) <= 100, 'line %d too long' % i)

    specs = {s.name: s for s in flow_specs()}
    flows = tables['spdm_test_flows']
    check([f['name'] for f in flows] == list(specs), 'flow list differs')
    for flow in flows:
        spec = specs[flow['name']]
        known, dev = {}, {}
        check(len(flow['phases']) == len(spec.phases),
              '%s: phase count' % flow['name'])
        for k, (phase, ps) in enumerate(zip(flow['phases'], spec.phases)):
            where = '%s phase %d' % (flow['name'], k)
            check(phase['expect'] == ps.expect, where + ': expect differs')
            if ps.measure:
                check(phase.get('kind') == 'SPDM_TEST_MEASURE',
                      where + ': not a measurement phase')
                selftest_meas(check, where, flow, phase, ps, known, dev)
                # Whether unsigned measurements are left in the
                # responder's L1/L2, for the next call to end
                check(phase.get('l1_open', False) == dev.get('l1_open'),
                      where + ': l1_open differs')
                continue
            check('kind' not in phase, where + ': kind of an authentication')
            rp = Replay(flow, phase, known, dev)
            try:
                info = rp.run()
                errno, why = None, None
            except Verdict as vd:
                errno, why, info = vd.errno, vd.why, vd.info
            except Exception as e:      # malformed data: report, go on
                check(False, '%s: %s: %s' % (where, type(e).__name__, e))
                continue
            check((errno, why) == (phase['expect'], ps.why),
                  '%s: replay gives %s/%s, want %s/%s' %
                  (where, errno, why, phase['expect'], ps.why))
            check(rp.pos == len(rp.steps), '%s: %d unused steps' %
                  (where, len(rp.steps) - rp.pos))
            check(phase.get('l1_open', False) == dev.get('l1_open'),
                  where + ': l1_open differs')
            if errno is None:
                check(info['sig_ok'], where + ': signature')
                check((rp.ver, rp.asym, rp.hash) ==
                      (flow['version'], flow['asym'], flow['hash']),
                      where + ': negotiated values differ from flow')
            # The injected fault must be the only problem.
            if why in ('nonce-echo', 'chain-hash'):
                check(info['sig_ok'], where + ': not correctly signed')
            if why == 'signature':
                check(info['sig_fixable'], where + ': more than 1 bit off')
            if why == 'digest-mismatch':
                check(info['only_first_byte'], where + ': digest damage')
        # ECDSA success flows must need several GET_CERTIFICATE.
        if flow['transport_max'] == 1024 and flow['phases'][0]['expect'] \
                is None:
            n = sum(1 for q, _ in flow['phases'][0]['steps'] if q[1] == 0x82)
            check(n >= 2, '%s: only %d GET_CERTIFICATE' % (flow['name'], n))

    want = {c[0]: (c[4], c[5]) for c in CHAIN_CASES}
    chains = tables['spdm_test_chains']
    check([c['name'] for c in chains] == [c[0] for c in CHAIN_CASES],
          'chain list differs')
    for c in chains:
        try:
            validate_chain(c['chain'], c['hash'], c['asym'], c.get('root'))
            got = (None, None)
        except Verdict as vd:
            got = (vd.errno, vd.why)
        check(got == want[c['name']] and c['expect'] == want[c['name']][0],
              'chain %s: replay %s, file expects %s, want %s' %
              (c['name'], got, c['expect'], want[c['name']]))

    sigs = tables['spdm_test_sigs']
    check([s['name'] for s in sigs] == [s[0] for s in SIG_CASES],
          'signature list differs')
    for s, (name, asym, hname) in zip(sigs, SIG_CASES):
        h = HASHES[hname]
        check((s['asym'], s['hash']) == (ASYMS[asym].bit, h.bit),
              'sig %s: algorithm bits' % name)
        check(s['digest'] == h(SIG_MESSAGE), 'sig %s: digest' % name)
        pub = x509.load_der_x509_certificate(s['cert']).public_key()
        check(ASYMS[asym].keytype.fits(pub), 'sig %s: key type' % name)
        check(spdm_verify(s['asym'], s['hash'], pub, s['sig'], SIG_MESSAGE),
              'sig %s: does not verify' % name)

    for p in problems:
        print('selftest: FAIL: %s' % p, file=sys.stderr)
    print('selftest: %d flows, %d chains, %d signatures: %s' %
          (len(flows), len(chains), len(sigs),
           'FAILED' if problems else 'ok'))
    return not problems


def main():
    ap = argparse.ArgumentParser(
        description='Generate (or --selftest) the kspdm KUnit test vectors.')
    ap.add_argument('-o', '--output', default=DEFAULT_OUT,
                    help='vector file (default: %(default)s)')
    ap.add_argument('--selftest', action='store_true',
                    help='verify the vector file instead of writing it')
    args = ap.parse_args()
    if args.selftest:
        return 0 if selftest(args.output) else 1
    start = time.monotonic()
    flows, chains, sigs = generate(args.output)
    print('wrote %s: %d flows, %d chains, %d signatures in %.1fs' %
          (args.output, len(flows), len(chains), len(sigs),
           time.monotonic() - start))
    return 0


if __name__ == '__main__':
    sys.exit(main())
