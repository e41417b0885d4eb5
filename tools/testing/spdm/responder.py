#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
#
# responder.py - an SPDM responder (DMTF DSP0274 1.0 - 1.3) for QEMU
#
# QEMU's emulated NVMe controller with "spdm_port=N" connects at start-up to
# a responder listening on 127.0.0.1:N and forwards every PCIe DOE data
# object the guest writes to its CMA mailbox.  This program is that
# responder: it answers the authentication and measurement requests of a
# kernel requester, so the requester can be tested end to end.
#
# Socket protocol (QEMU backends/spdm-socket.c, the DMTF spdm-emu protocol):
# every frame, both ways, is
#
#     command u32 BE | transport_type u32 BE | size u32 BE | payload
#
# command 0x0001 NORMAL carries a transport message, 0xFFFE SHUTDOWN ends
# the connection, 0xDEAD TEST is a liveness check (answered with TEST
# "Server Hello!"), 0xFFFD CONTINUE is ignored.  QEMU 10.0 sends nothing at
# connect time; for every DOE object it sends one NORMAL frame and blocks
# until the NORMAL answer arrives (with the BQL held: no answer at all
# freezes the guest).  An empty answer makes QEMU drop the object, and the
# guest's DOE request times out.  QEMU reads at most 0x1200 payload bytes;
# longer answers desynchronise the stream, so responses are kept shorter.
#
# Transport types: 2 PCI_DOE (QEMU's NVMe), 1 MCTP and 0 NONE.  A DOE
# payload is a whole data object: VendorID u16 LE (0x0001) | type u8 (1 =
# CMA/SPDM) | reserved u8 | Length u32 LE in dwords including the 8-byte
# header, then the SPDM message zero-padded to a dword.  An MCTP payload is
# the message type byte (0x05 SPDM) and the message.
#
# --transport mctp-serial: the TCP connection is instead a raw serial line
# carrying MCTP (DSP0236) packets in DSP0253 frames, as the Linux
# mctp-serial line discipline sends them; QEMU connects to us as a client:
#
#     -serial mon:stdio -chardev socket,id=m0,host=127.0.0.1,port=N
#     -device isa-serial,chardev=m0,index=1         (the guest's ttyS1)
#
# (-device isa-serial turns QEMU's default serial port off, hence the
# explicit -serial for the console, and without index=1 the device would
# take COM1.)  In the guest, "mctp-setup ttyS1 --local-eid 8 --route 9-16"
# (mctp-setup.c) attaches the line discipline and routes.  We answer as
# every EID of --eids, each an independent SPDM device with its own leaf
# key (under one shared root and intermediate CA unless --no-shared-root);
# responses are fragmented to --mtu payload bytes per packet.  Requests
# to --silent-eid EIDs, secured SPDM (type 0x06: no sessions here) and
# other message types are dropped without an answer; see "MCTP over a
# serial line" below for the framing details.
#
# Usage (see --help):
#   responder.py --port 2323 --cert-dir /tmp/spdm [--versions 1.2,1.3]
#                [--asym ecdsa-p384] [--hash sha384] [--fault busy:GET_DIGESTS]
#                [--mel] [--fault meas-change] [--dts 256]
#   responder.py --transport mctp-serial --eids 9-16 --port 0 \
#                --cert-dir /tmp/spdm     # DIR/root.der, DIR/eid-<N>/...
#   responder.py --selftest
#
# Only the Python standard library and python3-cryptography (>= 38) are used.

import argparse
import json
import os
import random
import signal
import socket
import struct
import sys
import tempfile
import time

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from spdm_model import (  # noqa: E402  (after the path set-up)
    ALGORITHMS, ASYMS, CAP_CERT, CAP_CHAL, CAP_MEAS_NO_SIG, CAP_MEAS_SIG,
    CAP_MEL, CAPABILITIES, CERT_HDR_LEN, CERTIFICATE, CHALLENGE,
    CHALLENGE_AUTH, CHALLENGE_AUTH_CONTEXT, CONTEXT_LEN, DIGESTS, ERR_BUSY,
    ERR_INVALID_REQUEST, ERR_RESPONSE_NOT_READY, ERR_RESPONSE_TOO_LARGE,
    ERR_UNEXPECTED_REQUEST, ERR_UNSUPPORTED_REQUEST, ERR_VERSION_MISMATCH,
    ERROR, GET_CAPABILITIES, GET_CERTIFICATE, GET_DIGESTS,
    GET_MEASUREMENT_EXTENSION_LOG, GET_MEASUREMENTS, GET_VERSION,
    HASH_BY_BIT, HASHES, MEAS_CHANGED_NO, MEAS_CHANGED_YES,
    MEAS_INDEX_DEVICE_MODE, MEAS_INDEX_MANIFEST, MEAS_RAW_BIT_STREAM,
    MEAS_SPEC_DMTF, MEAS_TYPE_DEVICE_MODE, MEAS_TYPE_FIRMWARE,
    MEAS_TYPE_FW_CONFIG, MEAS_TYPE_HW_CONFIG, MEAS_TYPE_MANIFEST,
    MEAS_TYPE_ROM, MEAS_TYPE_SVN, MEAS_TYPE_VERSION,
    MEASUREMENT_EXTENSION_LOG, MEASUREMENTS, MEASUREMENTS_CONTEXT,
    MEL_HDR_LEN, MEL_RSP_HDR_LEN, MIN_DATA_TRANSFER_SIZE,
    NEGOTIATE_ALGORITHMS, NONCE_LEN, RESPOND_IF_READY, ROOT_USAGE, VERSION,
    ChainSet, bits_of, cma_identity, cma_identity_of, cma_san, der_split,
    encode_algorithms, encode_capabilities, encode_certificate,
    encode_challenge, encode_challenge_auth, encode_digests, encode_error,
    encode_get_capabilities, encode_get_certificate,
    encode_get_measurements, encode_get_mel, encode_measurement_block,
    encode_measurements, encode_mel, encode_mel_response,
    encode_negotiate_algorithms, encode_version, issue, signed_message,
    spdm_chain, u16, u24, u32, version_entry, version_str)

# ---------------------------------------------------------------------------
# Socket protocol and transports
# ---------------------------------------------------------------------------

CMD_NORMAL = 0x0001
CMD_CONTINUE = 0xFFFD
CMD_SHUTDOWN = 0xFFFE
CMD_TEST = 0xDEAD
CMD_NAMES = {CMD_NORMAL: 'NORMAL', CMD_CONTINUE: 'CONTINUE',
             CMD_SHUTDOWN: 'SHUTDOWN', CMD_TEST: 'TEST'}

TRANSPORT_NONE = 0
TRANSPORT_MCTP = 1
TRANSPORT_PCI_DOE = 2
TRANSPORT_NAMES = {TRANSPORT_NONE: 'none', TRANSPORT_MCTP: 'mctp',
                   TRANSPORT_PCI_DOE: 'doe'}

QEMU_MAX_PAYLOAD = 0x1200       # SPDM_SOCKET_MAX_MESSAGE_BUFFER_SIZE
FRAME_MAX = 1 << 20             # sanity limit for what we accept
TEST_REPLY = b'Server Hello!'

DOE_VENDOR_PCI_SIG = 0x0001
DOE_TYPE_CMA = 1
DOE_TYPE_SECURED_CMA = 2
DOE_HDR_LEN = 8

MCTP_TYPE_SPDM = 0x05
MCTP_TYPE_SECURED_SPDM = 0x06

# The largest SPDM message that fits QEMU's buffer in a DOE object.
MAX_MESSAGE = QEMU_MAX_PAYLOAD - DOE_HDR_LEN


class TransportError(Exception):
    pass


def encode_frame(command, transport, payload=b''):
    return struct.pack('>III', command, transport, len(payload)) + payload


class FrameReader:
    """Splits a byte stream into (command, transport_type, payload)."""

    def __init__(self):
        self.buf = b''

    def feed(self, data):
        self.buf += data
        frames = []
        while len(self.buf) >= 12:
            cmd, ttype, size = struct.unpack_from('>III', self.buf)
            if size > FRAME_MAX:
                raise TransportError('frame of %d bytes' % size)
            if len(self.buf) < 12 + size:
                break
            frames.append((cmd, ttype, self.buf[12:12 + size]))
            self.buf = self.buf[12 + size:]
        return frames


def doe_encode(msg, obj_type=DOE_TYPE_CMA, extra_dwords=0):
    """A DOE data object carrying @msg; @extra_dwords inflates Length."""
    padded = msg + bytes(-len(msg) % 4)
    length = (DOE_HDR_LEN + len(padded)) // 4 + extra_dwords
    return struct.pack('<HBBI', DOE_VENDOR_PCI_SIG, obj_type, 0,
                       length) + padded


def doe_decode(obj):
    """(type, payload) of the DOE object @obj; payload keeps its padding."""
    if len(obj) < DOE_HDR_LEN or len(obj) % 4:
        raise TransportError('DOE object of %d bytes' % len(obj))
    vendor, obj_type, _res, length = struct.unpack_from('<HBBI', obj)
    length &= 0x3FFFF
    if vendor != DOE_VENDOR_PCI_SIG:
        raise TransportError('DOE vendor 0x%04x' % vendor)
    if length * 4 != len(obj):
        raise TransportError('DOE Length %d dwords, object %d bytes' %
                             (length, len(obj)))
    return obj_type, obj[DOE_HDR_LEN:]


# ---------------------------------------------------------------------------
# MCTP over a serial line: DSP0236 packets in DSP0253 frames
# ---------------------------------------------------------------------------
#
# With --transport mctp-serial the TCP connection is a raw serial line
# (QEMU "-chardev socket,host=127.0.0.1,port=N" behind an isa-serial UART)
# and the guest drives it with the Linux mctp-serial line discipline.  The
# framing follows what Linux 6.12 (drivers/net/mctp/mctp-serial.c) sends and
# accepts, which is how this reads DSP0253:
#
#     0x7E | revision 0x01 | count N | N packet bytes | FCS hi | FCS lo | 0x7E
#
# * N is the length of the MCTP packet before escaping.  Packet bytes 0x7E
#   and 0x7D go on the wire as 0x7D, byte ^ 0x20.  The revision, the count
#   and the FCS are sent unescaped: a receiver walks the frame by the count.
# * FCS: the RFC 1662 CRC-16 (reflected polynomial 0x8408, initial value
#   0xFFFF) over revision, count and the unescaped packet, sent most
#   significant byte first and not complemented (as Linux does; RFC 1662
#   itself complements it and sends the low byte first).
# * Every frame has its own opening and closing flag.  Linux sends at most
#   68-byte packets (its netdev MTU is fixed at 68: the 4-byte header and
#   the 64-byte DSP0236 baseline payload) and drops a received frame whose
#   count is above 74.  Worse, after such a header error (also a wrong
#   revision or a missing end flag; not a bad FCS) the 6.12 receiver does
#   not resynchronise, because it keeps its header position: the line
#   stays dead (seen in QEMU) until the line discipline is attached again.
#   So never send those.
#
# MCTP packet (DSP0236): header version (low nibble, 1) | destination EID |
# source EID | SOM 0x80, EOM 0x40, sequence number << 4, TO 0x08, tag 0-7;
# then the payload.  The first payload byte of a message is the message
# type (bit 7 IC, integrity check): 0x05 SPDM, 0x06 secured SPDM.

MCTP_HDR_LEN = 4
MCTP_HDR_VERSION = 1
MCTP_SOM = 0x80
MCTP_EOM = 0x40
MCTP_SEQ_SHIFT = 4
MCTP_TO = 0x08
MCTP_TAG_MASK = 0x07
MCTP_BASELINE_MTU = 64
MCTP_EID_MIN, MCTP_EID_MAX = 8, 254     # unicast EIDs
MCTP_MAX_MESSAGE = 64 * 1024            # reassembly limit

SERIAL_FLAG = 0x7E
SERIAL_ESC = 0x7D
SERIAL_REVISION = 0x01
SERIAL_MAX_MTU = 0xFF - MCTP_HDR_LEN    # the count is one byte
LINUX_SERIAL_MAX_COUNT = 74             # MCTP_SERIAL_FRAME_MTU in 6.12
LINUX_SERIAL_MAX_MTU = LINUX_SERIAL_MAX_COUNT - MCTP_HDR_LEN


def _fcs_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x8408 if c & 1 else c >> 1
        table.append(c)
    return table


FCS_TABLE = _fcs_table()


def fcs16(data, fcs=0xFFFF):
    """RFC 1662 FCS-16 register after @data (not complemented)."""
    for b in data:
        fcs = (fcs >> 8) ^ FCS_TABLE[(fcs ^ b) & 0xFF]
    return fcs


def serial_frame(packet):
    """The DSP0253 frame carrying the MCTP packet @packet."""
    if not 0 < len(packet) <= 0xFF:
        raise ValueError('MCTP packet of %d bytes' % len(packet))
    head = bytes([SERIAL_REVISION, len(packet)])
    fcs = fcs16(head + packet)
    body = packet.replace(b'\x7d', b'\x7d\x5d').replace(b'\x7e', b'\x7d\x5e')
    return b'\x7e' + head + body + struct.pack('>H', fcs) + b'\x7e'


class SerialDeframer:
    """Splits the serial byte stream into MCTP packets.

    Count-driven like Linux, but resynchronises on flags: a flag where a
    packet byte is due aborts the frame and opens the next one, a closing
    flag may double as the next opening flag, and bytes outside frames are
    skipped.  Damaged frames are counted in @errors and dropped.
    """

    def __init__(self, max_count=0xFF):
        self.max_count = max_count
        self.state = 'hunt'
        self.count = 0
        self.buf = bytearray()
        self.fcs = 0
        self.errors = {}

    def _error(self, what, state='hunt'):
        self.errors[what] = self.errors.get(what, 0) + 1
        self.state = state

    def feed(self, data):
        packets = []
        for c in data:
            st = self.state
            if st == 'hunt':
                if c == SERIAL_FLAG:
                    self.state = 'revision'
                else:
                    self.errors['junk'] = self.errors.get('junk', 0) + 1
            elif st == 'revision':
                if c == SERIAL_REVISION:
                    self.state = 'count'
                elif c != SERIAL_FLAG:           # repeated flags are fine
                    self._error('revision')
            elif st == 'count':
                if c > self.max_count:
                    self._error('count')
                else:
                    self.count = c
                    self.buf = bytearray()
                    self.state = 'data' if c else 'fcs-hi'
            elif st in ('data', 'escape'):
                if c == SERIAL_FLAG:
                    self._error('aborted', 'revision')
                    continue
                if st == 'data' and c == SERIAL_ESC:
                    self.state = 'escape'
                    continue
                self.buf.append(c ^ 0x20 if st == 'escape' else c)
                self.state = 'fcs-hi' if len(self.buf) == self.count \
                    else 'data'
            elif st == 'fcs-hi':
                self.fcs = c << 8
                self.state = 'fcs-lo'
            elif st == 'fcs-lo':
                self.fcs |= c
                self.state = 'end'
            elif st == 'end':
                if c != SERIAL_FLAG:
                    self._error('end-flag')
                    continue
                self.state = 'revision'
                want = fcs16(bytes([SERIAL_REVISION, self.count]) + self.buf)
                if self.fcs != want:
                    self._error('fcs', 'revision')
                elif not self.buf:
                    self._error('empty', 'revision')
                else:
                    packets.append(bytes(self.buf))
        return packets


def mctp_packets(dst, src, tag, owner, msg, mtu):
    """@msg cut into MCTP packets of at most @mtu payload bytes."""
    chunks = [msg[i:i + mtu] for i in range(0, len(msg), mtu)] or [b'']
    out = []
    for i, chunk in enumerate(chunks):
        flags = ((MCTP_SOM if i == 0 else 0) |
                 (MCTP_EOM if i == len(chunks) - 1 else 0) |
                 ((i & 3) << MCTP_SEQ_SHIFT) | (MCTP_TO if owner else 0) |
                 (tag & MCTP_TAG_MASK))
        out.append(bytes([MCTP_HDR_VERSION, dst, src, flags]) + chunk)
    return out


def mctp_header(packet):
    """(dst, src, SOM, EOM, seq, TO, tag) of @packet."""
    f = packet[3]
    return (packet[1], packet[2], bool(f & MCTP_SOM), bool(f & MCTP_EOM),
            (f >> MCTP_SEQ_SHIFT) & 3, bool(f & MCTP_TO), f & MCTP_TAG_MASK)


class MctpReassembler:
    """Reassembles MCTP messages from packets (DSP0236 8.8).

    Messages are kept apart by (source, destination, tag, TO): DSP0236
    uses (source, tag, TO) for one endpoint, and we are several.  A SOM
    packet starts a message (dropping an unfinished one with that key), the
    following packets must carry the next sequence number (modulo 4), EOM
    ends it.  Anything else is dropped and counted in @errors.
    """

    def __init__(self, max_message=MCTP_MAX_MESSAGE):
        self.max_message = max_message
        self.partial = {}
        self.errors = {}

    def _error(self, what, key=None):
        self.errors[what] = self.errors.get(what, 0) + 1
        if key is not None:
            self.partial.pop(key, None)

    def feed(self, packet):
        """(src, dst, tag, TO, message) once @packet completes one."""
        if len(packet) < MCTP_HDR_LEN:
            self._error('short packet')
            return None
        if packet[0] & 0x0F != MCTP_HDR_VERSION:
            self._error('header version')
            return None
        dst, src, som, eom, seq, to, tag = mctp_header(packet)
        key = (src, dst, tag, to)
        payload = packet[MCTP_HDR_LEN:]
        if som:
            if key in self.partial:
                self._error('restarted')
            self.partial[key] = [seq, bytearray(payload)]
        else:
            state = self.partial.get(key)
            if state is None:
                self._error('no SOM')
                return None
            if seq != (state[0] + 1) & 3:
                self._error('sequence', key)
                return None
            state[0] = seq
            state[1] += payload
        if len(self.partial[key][1]) > self.max_message:
            self._error('too long', key)
            return None
        if not eom:
            return None
        msg = bytes(self.partial.pop(key)[1])
        return src, dst, tag, to, msg


class MctpSerialSession:
    """The emulated MCTP endpoints behind one serial line.

    @provs maps each EID we answer as to its Provisioning; every EID is an
    independent SPDM device.  feed() takes bytes from the line and returns
    the bytes to send back.  Only SPDM requests (message type 0x05, TO set)
    are answered; secured SPDM (0x06: no sessions here), other message
    types, responses, messages to EIDs we do not serve and messages to
    @silent EIDs are dropped without an answer.
    """

    def __init__(self, cfg, provs, logger, mtu=MCTP_BASELINE_MTU,
                 silent=()):
        self.logger = logger
        self.mtu = mtu
        self.silent = frozenset(silent)
        self.devices = {}
        for eid, prov in provs.items():
            dev = Device(cfg, prov,
                         lambda text, eid=eid: logger.note('eid %d: %s' %
                                                           (eid, text)))
            dev.pad = 0                 # MCTP messages are not padded
            self.devices[eid] = dev
        self.deframer = SerialDeframer()
        self.reasm = MctpReassembler()
        self.stop = False               # (no in-band shutdown)
        self._seen = {}

    def _report(self):
        """Log the framing/reassembly errors that are new."""
        for what, n in list(self.deframer.errors.items()) + \
                [('mctp ' + k, v) for k, v in self.reasm.errors.items()]:
            old = self._seen.get(what, 0)
            if n != old:
                self._seen[what] = n
                self.logger.note('serial: %d %s' % (n - old, what))

    def feed(self, data):
        out = []
        for packet in self.deframer.feed(data):
            self.logger.note('packet %s' % packet.hex())
            done = self.reasm.feed(packet)
            if done:
                out += self.on_message(*done)
        self._report()
        return b''.join(out)

    on_data = feed

    def on_message(self, src, dst, tag, to, msg):
        """The frames answering one reassembled message."""
        where = 'eid %d <- %d tag %d' % (dst, src, tag)
        if not to:
            self.logger.note('%s: not a request (TO=0), dropped' % where)
            return []
        if dst in self.silent:
            self.logger.note('%s: silent EID, dropped %s' % (where,
                                                             msg.hex()))
            return []
        device = self.devices.get(dst)
        if device is None:
            self.logger.note('%s: no such endpoint, dropped' % where)
            return []
        if not msg or msg[0] != MCTP_TYPE_SPDM:
            what = 'secured SPDM (no sessions)' if msg[:1] == bytes(
                [MCTP_TYPE_SECURED_SPDM]) else 'message type %s' % (
                '0x%02x' % msg[0] if msg else 'missing')
            self.logger.note('%s: %s, dropped: %s' % (where, what,
                                                      msg.hex()))
            return []
        spdm = msg[1:]
        self.logger.message('>', spdm, who='eid %d' % dst)
        reply = device.handle(spdm)
        self.logger.message('<', reply.msg, reply.note, who='eid %d' % dst)
        if reply.msg is None:
            return []
        # "oversized" on a response without a length field: trailing bytes
        body = bytes([MCTP_TYPE_SPDM]) + reply.msg + \
            bytes(4 * reply.extra_dwords)
        return [serial_frame(p) for p in
                mctp_packets(src, dst, tag, False, body, self.mtu)]


def parse_eids(text):
    """'8,9,10' or '8-15' (or a mix) -> sorted list of unicast EIDs."""
    eids = set()
    for item in text.split(','):
        first, sep, last = item.strip().partition('-')
        try:
            lo = int(first, 0)
            hi = int(last, 0) if sep else lo
        except ValueError:
            raise ValueError('EID list %r: want e.g. 8,9,10 or 8-15' % text)
        if not MCTP_EID_MIN <= lo <= hi <= MCTP_EID_MAX:
            raise ValueError('EID list %r: EIDs are %d..%d, ranges go up' %
                             (text, MCTP_EID_MIN, MCTP_EID_MAX))
        eids.update(range(lo, hi + 1))
    return sorted(eids)


def format_eids(eids):
    """[8, 9, 10, 12] -> '8-10,12'."""
    out = []
    for e in eids:
        if out and out[-1][1] == e - 1:
            out[-1][1] = e
        else:
            out.append([e, e])
    return ','.join('%d' % a if a == b else '%d-%d' % (a, b) for a, b in out)


# ---------------------------------------------------------------------------
# Message names (logs)
# ---------------------------------------------------------------------------

REQUEST_NAMES = {
    GET_VERSION: 'GET_VERSION', GET_CAPABILITIES: 'GET_CAPABILITIES',
    NEGOTIATE_ALGORITHMS: 'NEGOTIATE_ALGORITHMS', GET_DIGESTS: 'GET_DIGESTS',
    GET_CERTIFICATE: 'GET_CERTIFICATE', CHALLENGE: 'CHALLENGE',
    GET_MEASUREMENTS: 'GET_MEASUREMENTS', RESPOND_IF_READY: 'RESPOND_IF_READY',
    0xE4: 'KEY_EXCHANGE', 0xE5: 'FINISH', 0xE6: 'PSK_EXCHANGE',
    0xE7: 'PSK_FINISH', 0xE8: 'HEARTBEAT', 0xE9: 'KEY_UPDATE',
    0xEA: 'GET_ENCAPSULATED_REQUEST', 0xEB: 'DELIVER_ENCAPSULATED_RESPONSE',
    0xEC: 'END_SESSION', 0xED: 'GET_CSR', 0xEE: 'SET_CERTIFICATE',
    0x85: 'CHUNK_SEND', 0x86: 'CHUNK_GET', 0x87: 'GET_ENDPOINT_INFO',
    0xFE: 'VENDOR_DEFINED_REQUEST',
    GET_MEASUREMENT_EXTENSION_LOG: 'GET_MEASUREMENT_EXTENSION_LOG',
}
RESPONSE_NAMES = {
    VERSION: 'VERSION', CAPABILITIES: 'CAPABILITIES',
    ALGORITHMS: 'ALGORITHMS', DIGESTS: 'DIGESTS', CERTIFICATE: 'CERTIFICATE',
    CHALLENGE_AUTH: 'CHALLENGE_AUTH', MEASUREMENTS: 'MEASUREMENTS',
    MEASUREMENT_EXTENSION_LOG: 'MEASUREMENT_EXTENSION_LOG', ERROR: 'ERROR',
}
ERROR_NAMES = {
    0x01: 'InvalidRequest', 0x03: 'Busy', 0x04: 'UnexpectedRequest',
    0x05: 'Unspecified', 0x07: 'UnsupportedRequest', 0x0D: 'ResponseTooLarge',
    0x41: 'VersionMismatch', 0x42: 'ResponseNotReady', 0x43: 'RequestResynch',
}
REQUEST_BY_NAME = {n: c for c, n in REQUEST_NAMES.items()}


def describe(msg):
    if msg is None:
        return 'no response'
    if len(msg) < 2:
        return '%d byte(s)' % len(msg)
    names = RESPONSE_NAMES if msg[1] < 0x80 else REQUEST_NAMES
    text = 'v%x %s' % (msg[0], names.get(msg[1], 'code 0x%02x' % msg[1]))
    if msg[1] == ERROR and len(msg) >= 4:
        text += ' %s data 0x%02x' % (ERROR_NAMES.get(msg[2], '0x%02x' %
                                                      msg[2]), msg[3])
    elif msg[1] in (GET_CERTIFICATE, CERTIFICATE) and len(msg) >= 8:
        text += ' slot %d %d/%d' % (msg[2] & 0xF, u16(msg, 4), u16(msg, 6))
    elif msg[1] == GET_MEASUREMENTS and len(msg) >= 4:
        text += ' attrs 0x%02x op 0x%02x' % (msg[2], msg[3])
    elif msg[1] in (GET_MEASUREMENT_EXTENSION_LOG,
                    MEASUREMENT_EXTENSION_LOG) and len(msg) >= 12:
        text += ' %d/%d' % (u32(msg, 4), u32(msg, 8))
    return text + ' (%d bytes)' % len(msg)


# ---------------------------------------------------------------------------
# Configuration: algorithms, measurements, faults
# ---------------------------------------------------------------------------

ASYM_OPTIONS = {n.replace('_', '-'): a for n, a in ASYMS.items()}
HASH_OPTIONS = {n.replace('_', '-'): h for n, h in HASHES.items()}
# Algorithms whose certificates the Linux 6.12 X.509 parser can check.
DEFAULT_ASYM = 'ecdsa-p256'
DEFAULT_HASH = 'sha256'

# What QEMU 10's emulated NVMe controller reports in config space:
# Red Hat 1b36:0010, class 010802 (NVM Express), revision 02, subsystem
# 1af4:1100 (QEMU).
DEFAULT_PCI_ID = '1b36:0010:010802:02:1af4:1100'

RESPONDER_CT_EXPONENT = 14      # CT = 2^14 us = 16 ms
RDT_EXPONENT = 10               # ResponseNotReady: wait 2^10 us = 1 ms
RDTM = 4                        # ... times this many at most
DEFAULT_DTS = 4096


class Measurement:
    """One measurement block: DMTF value @mtype, reported as a raw bit
    stream (@raw) or as a digest of @value."""

    def __init__(self, index, mtype, value, raw=False, tcb=None):
        if not 1 <= index <= 0xFE:
            raise ValueError('measurement index %d not in 1..254' % index)
        if not 0 <= mtype <= 0x7F:
            raise ValueError('measurement type %d not in 0..127' % mtype)
        self.index = index
        self.mtype = mtype
        self.value = value
        self.raw = raw
        # Part of the TCB (CHALLENGE MeasurementSummaryHashType 1)?
        self.tcb = mtype in (MEAS_TYPE_ROM, MEAS_TYPE_FIRMWARE) \
            if tcb is None else tcb

    def block(self, meas_hash, raw_requested=False):
        if self.raw or raw_requested:
            return encode_measurement_block(
                self.index, self.mtype | MEAS_RAW_BIT_STREAM, self.value)
        return encode_measurement_block(self.index, self.mtype,
                                        meas_hash(self.value))

    def copy(self):
        return Measurement(self.index, self.mtype, self.value, self.raw,
                           self.tcb)

    @staticmethod
    def from_json(obj):
        if not isinstance(obj, dict):
            raise ValueError('a measurement is a JSON object')
        unknown = set(obj) - {'index', 'type', 'value', 'raw', 'tcb'}
        if unknown:
            raise ValueError('unknown measurement keys: %s' %
                             ', '.join(sorted(unknown)))
        return Measurement(int(obj['index']), int(obj['type']),
                           bytes.fromhex(obj['value']),
                           bool(obj.get('raw', False)), obj.get('tcb'))


FIRMWARE_INDEX = 2              # what the meas-change fault updates
MANIFEST = (b'kspdm emulated device manifest: rom; firmware 1.0.0; '
            b'hardware config; firmware config; version; svn 1')


def default_measurements():
    """Digests (1 to 4) and raw bit streams (5, 6), the freeform manifest
    at 0xFD and the structured device mode at 0xFE (DSP0274 1.2+ index
    assignments).  Together, with their signature, more than 256 bytes
    (ECDSA) or 600 bytes (RSA-3072): a smaller --dts makes the requester
    ask for them one at a time."""
    return [
        Measurement(1, MEAS_TYPE_ROM, b'kspdm emulated immutable ROM'),
        Measurement(FIRMWARE_INDEX, MEAS_TYPE_FIRMWARE,
                    b'kspdm emulated firmware 1.0.0'),
        Measurement(3, MEAS_TYPE_HW_CONFIG, b'kspdm emulated hardware config'),
        Measurement(4, MEAS_TYPE_FW_CONFIG, b'kspdm emulated firmware config'),
        Measurement(5, MEAS_TYPE_VERSION, b'1.0.0', raw=True),
        Measurement(6, MEAS_TYPE_SVN, struct.pack('<Q', 1), raw=True),
        Measurement(MEAS_INDEX_MANIFEST, MEAS_TYPE_MANIFEST, MANIFEST,
                    raw=True, tcb=False),
        # Operational mode capabilities/state (validation), device mode
        # capabilities/state (none)
        Measurement(MEAS_INDEX_DEVICE_MODE, MEAS_TYPE_DEVICE_MODE,
                    struct.pack('<IIII', 0x2, 0x2, 0x0, 0x0), raw=True),
    ]


def updated_value(m):
    """The value of measurement @m after a firmware update."""
    if m.mtype == MEAS_TYPE_SVN and len(m.value) == 8:
        return struct.pack('<Q', struct.unpack('<Q', m.value)[0] + 1)
    if b'1.0.0' in m.value:
        return m.value.replace(b'1.0.0', b'1.0.1')
    return m.value + b' (updated)'


def load_measurements(path):
    with open(path) as f:
        data = json.load(f)
    if not isinstance(data, list):
        raise ValueError('%s: want a JSON list of measurement blocks' % path)
    blocks = [Measurement.from_json(o) for o in data]
    if len({b.index for b in blocks}) != len(blocks):
        raise ValueError('%s: measurement indices repeat' % path)
    return sorted(blocks, key=lambda b: b.index)


SIGNED_REQUESTS = (CHALLENGE, GET_MEASUREMENTS)
ALL_REQUESTS = (GET_VERSION, GET_CAPABILITIES, NEGOTIATE_ALGORITHMS,
                GET_DIGESTS, GET_CERTIFICATE, CHALLENGE, GET_MEASUREMENTS,
                GET_MEASUREMENT_EXTENSION_LOG)

# name: (requests it applies to by default, whether it takes a request)
FAULTS = {
    # Signature with its last byte flipped (CHALLENGE_AUTH, MEASUREMENTS).
    'bad-signature': SIGNED_REQUESTS,
    # The responder nonce repeats the requester's (correctly signed).
    'wrong-nonce': SIGNED_REQUESTS,
    # ERROR Busy once, then the real answer to the retry.
    'busy': ALL_REQUESTS,
    # ERROR Busy to every try.
    'busy-always': ALL_REQUESTS,
    # ERROR ResponseNotReady once, the answer comes via RESPOND_IF_READY.
    # The connection requests are left out by default (CT is not yet known
    # to the requester when it sends them).
    'not-ready': (GET_DIGESTS, GET_CERTIFICATE, CHALLENGE, GET_MEASUREMENTS),
    # ResponseNotReady to the request and to every RESPOND_IF_READY.
    'not-ready-always': (GET_DIGESTS, GET_CERTIFICATE, CHALLENGE,
                         GET_MEASUREMENTS),
    # After the first signed MEASUREMENTS the mutable firmware (index 2)
    # is updated: the next read differs and reports ContentChanged.
    'meas-change': (GET_MEASUREMENTS,),
    # The SPDM response cut to half its length.
    'truncated': ALL_REQUESTS,
    # A length field larger than the data that follows it.
    'oversized': ALL_REQUESTS,
    # An empty NORMAL frame: QEMU drops the DOE object, the guest times out.
    'no-response': ALL_REQUESTS,
    # No frame at all: QEMU waits forever in recv() (the guest hangs).
    'silent': ALL_REQUESTS,
    # The chain is issued under a root other than cert-dir/root.der.
    'untrusted': (),
}
# Faults that fire on every matching request rather than once.
PERSISTENT_FAULTS = ('bad-signature', 'wrong-nonce', 'busy-always',
                     'not-ready-always')


def parse_request_name(text):
    t = text.strip().upper().replace('-', '_')
    if t in REQUEST_BY_NAME:
        return REQUEST_BY_NAME[t]
    try:
        code = int(t, 16) if t.startswith('0X') else None
    except ValueError:
        code = None
    if code is None or not 0x80 <= code <= 0xFF:
        raise ValueError('unknown request %r (use e.g. GET_DIGESTS or 0x81)'
                         % text)
    return code


def parse_fault(text):
    """'NAME[:REQUEST]' -> (name, set of request codes)."""
    name, _, req = text.partition(':')
    name = name.strip().lower()
    if name not in FAULTS:
        raise ValueError('unknown fault %r (one of: %s)' %
                         (name, ', '.join(FAULTS)))
    if name == 'untrusted':
        if req:
            raise ValueError('fault "untrusted" takes no request')
        return name, frozenset()
    if name == 'meas-change' and req and \
            parse_request_name(req) != GET_MEASUREMENTS:
        raise ValueError('fault "meas-change" is about GET_MEASUREMENTS')
    codes = frozenset([parse_request_name(req)]) if req else \
        frozenset(FAULTS[name])
    if RESPOND_IF_READY in codes:
        raise ValueError('faults cannot target RESPOND_IF_READY')
    return name, codes


class Config:
    """Everything the command line sets."""

    def __init__(self, versions=(0x10, 0x11, 0x12, 0x13), asym=DEFAULT_ASYM,
                 hashes=(DEFAULT_HASH,), slots=1, pci_id=DEFAULT_PCI_ID,
                 measurements=None, faults=(), meas_cap='sig',
                 dts=DEFAULT_DTS, mel=False, leaf_padding=0, ca_name=None):
        self.versions = sorted(set(versions))
        self.asym = ASYM_OPTIONS[asym]
        self.hashes = [HASH_OPTIONS[h] for h in hashes]
        if not 1 <= slots <= 8:
            raise ValueError('--slots wants 1..8')
        self.slots = slots
        self.pci_id = parse_pci_id(pci_id)
        self.measurements = default_measurements() if measurements is None \
            else measurements
        self.faults = [parse_fault(f) if isinstance(f, str) else f
                       for f in faults]
        self.meas_cap = meas_cap
        if not MIN_DATA_TRANSFER_SIZE <= dts <= MAX_MESSAGE:
            raise ValueError('--dts wants %d..%d (QEMU reads at most %d '
                             'bytes per DOE object)' %
                             (MIN_DATA_TRANSFER_SIZE, MAX_MESSAGE,
                              QEMU_MAX_PAYLOAD))
        self.dts = dts
        self.mel = mel
        if not 0 <= leaf_padding <= MAX_LEAF_PADDING:
            raise ValueError('--leaf-padding wants 0..%d' % MAX_LEAF_PADDING)
        self.leaf_padding = leaf_padding
        self.ca_name = ca_name

    def fault_names(self):
        return {name for name, _ in self.faults}

    def flags(self, v=0x13):
        """CAPABILITIES Flags at version @v"""
        flags = CAP_CERT | CAP_CHAL
        if self.meas_cap == 'sig':
            flags |= CAP_MEAS_SIG
        elif self.meas_cap == 'nosig':
            flags |= CAP_MEAS_NO_SIG
        if self.mel and v >= 0x13 and self.meas_cap != 'none':
            flags |= CAP_MEL
        return flags


def parse_pci_id(text):
    if text == 'none':
        return None
    parts = text.split(':')
    widths = (4, 4, 6, 2, 4, 4)
    if len(parts) != 6 or any(not p or len(p) > w
                              for p, w in zip(parts, widths)):
        raise ValueError('--pci-id wants VENDOR:DEVICE:CC:REV:SSVID:SSID in '
                         'hex, e.g. %s' % DEFAULT_PCI_ID)
    return tuple(int(p, 16) for p in parts)


def parse_versions(text):
    out = []
    for item in text.split(','):
        major, _, minor = item.strip().partition('.')
        if major != '1' or minor not in ('0', '1', '2', '3'):
            raise ValueError('--versions: %r is not one of 1.0 .. 1.3' % item)
        out.append(0x10 | int(minor))
    return out


# ---------------------------------------------------------------------------
# Device identity: keys and certificate chains
# ---------------------------------------------------------------------------


# Every run of the emulator is a vendor of its own: its CA names carry a
# random tag, so that the roots of several emulated devices trusted at once
# differ in name as well as in key, as those of different vendors do
# (--ca-name sets the names instead).
CA_PREFIX = 'kspdm emulated device %s' % os.urandom(4).hex()


class Provisioning:
    """Keys and certificates of one emulated device, made per run.

    Root CA -> intermediate CA -> one leaf per slot; every leaf carries the
    PCIe CMA identity in a SAN otherName.  With the "untrusted" fault the
    chain hangs under a root other than the one offered for trust.
    """

    def __init__(self, cfg, shared=None, name='leaf'):
        """@shared: a SharedRoot whose root and intermediate CA issue our
        leaves (named @name, @name1, ...) instead of a chain of our own."""
        kt = cfg.asym.keytype
        self.kt = kt
        self.identity = cma_identity(*cfg.pci_id) if cfg.pci_id else None
        self.cs = shared.cs if shared else \
            ChainSet(kt, prefix=cfg.ca_name or CA_PREFIX)
        san = ((cma_san(self.identity), False),) if cfg.pci_id else ()
        if cfg.leaf_padding:
            san += ((padding_extension(cfg.leaf_padding), False),)
        self.leaves = [self.cs.leaf(name if s == 0 else '%s%d' % (name, s),
                                    extensions=san)
                       for s in range(cfg.slots)]
        if shared:
            self.trusted_root = shared.trusted_root
        elif 'untrusted' in cfg.fault_names():
            self.trusted_root = unrelated_root(kt)
        else:
            self.trusted_root = self.cs.root
        self._chains = {}

    def certs(self, slot):
        return [self.cs.root, self.cs.inter, self.leaves[slot]]

    def chain(self, slot, h):
        """The SPDM certificate chain object of @slot for hash @h."""
        key = (slot, h.name)
        if key not in self._chains:
            self._chains[key] = spdm_chain([c.der for c in self.certs(slot)],
                                           h)
        return self._chains[key]

    def key(self, slot):
        return self.leaves[slot].key

    def write(self, directory, h):
        """Write root.der/.pem (the root to trust), chain.der (slot 0's SPDM
        chain object for @h), leaf.pem, and the same for other slots."""
        os.makedirs(directory, exist_ok=True)
        files = {'root.der': self.trusted_root.der,
                 'root.pem': self.trusted_root.pem()}
        for s in range(len(self.leaves)):
            suffix = '' if s == 0 else '-slot%d' % s
            files['chain%s.der' % suffix] = self.chain(s, h)
            files['leaf%s.pem' % suffix] = self.leaves[s].pem()
        files['certs.pem'] = b''.join(c.pem() for c in self.certs(0))
        for name, data in files.items():
            tmp = os.path.join(directory, '.%s.tmp' % name)
            with open(tmp, 'wb') as f:
                f.write(data)
            os.replace(tmp, os.path.join(directory, name))
        return sorted(files)


# A private extension that makes a leaf as large as real ones with vendor
# data; non-critical, so a verifier skips it.  The OID is under 32473, the
# enterprise number IANA reserves for documentation (RFC 5612).
PADDING_OID = x509.ObjectIdentifier('1.3.6.1.4.1.32473.7.1')
MAX_LEAF_PADDING = 60000


def padding_extension(n):
    """A non-critical extension whose value is an OCTET STRING of @n
    bytes (DER: tag, length, content)."""
    if n < 0x80:
        head = bytes((0x04, n))
    else:
        size = n.to_bytes((n.bit_length() + 7) // 8, 'big')
        head = bytes((0x04, 0x80 | len(size))) + size
    return x509.UnrecognizedExtension(PADDING_OID,
                                      head + bytes(i & 0xFF for i in range(n)))


def unrelated_root(kt):
    return issue('kspdm unrelated root %s' % kt.name, kt.generate(), ca=True,
                 usage=ROOT_USAGE)


class SharedRoot:
    """One root and intermediate CA for several emulated devices (MCTP
    --shared-root), and the root they offer for trust."""

    def __init__(self, cfg):
        self.cs = ChainSet(cfg.asym.keytype, prefix=cfg.ca_name or CA_PREFIX)
        self.trusted_root = unrelated_root(cfg.asym.keytype) \
            if 'untrusted' in cfg.fault_names() else self.cs.root


def provision_eids(cfg, eids, shared_root=True):
    """{EID: Provisioning}: leaves named eid<N>-leaf, under one shared root
    or each under a root of its own."""
    shared = SharedRoot(cfg) if shared_root else None
    return {eid: Provisioning(cfg, shared, 'eid%d-leaf' % eid)
            for eid in eids}


def write_eid_certs(directory, provs, h, shared_root):
    """DIR/eid-<N>/ for every EID, plus DIR/root.der and DIR/root.pem
    when the EIDs share a root."""
    for eid, prov in provs.items():
        prov.write(os.path.join(directory, 'eid-%d' % eid), h)
    if shared_root and provs:
        root = next(iter(provs.values())).trusted_root
        for name, data in (('root.der', root.der), ('root.pem', root.pem())):
            tmp = os.path.join(directory, '.%s.tmp' % name)
            with open(tmp, 'wb') as f:
                f.write(data)
            os.replace(tmp, os.path.join(directory, name))


# ---------------------------------------------------------------------------
# The responder
# ---------------------------------------------------------------------------


class Reply:
    """What the device answers to one request."""

    def __init__(self, msg, note='', silent=False, extra_dwords=0):
        self.msg = msg              # None: answer nothing (empty frame)
        self.note = note            # fault annotation for the log
        self.silent = silent        # not even an empty frame
        self.extra_dwords = extra_dwords    # DOE Length inflation


class SpdmError(Exception):
    def __init__(self, code, data=0, ext=b'', version=None):
        super().__init__(ERROR_NAMES.get(code, '0x%02x' % code))
        self.code = code
        self.data = data
        self.ext = ext
        self.version = version


class Device:
    """SPDM responder state for one connection.

    Transcripts: VCA, M1 (DIGESTS/CERTIFICATE exchanges then CHALLENGE) and
    L1 (GET_MEASUREMENTS exchanges since the last signed one).  Any request
    other than GET_MEASUREMENTS (and RESPOND_IF_READY, which goes on with
    the request it answers) empties L1 as it arrives, even one answered
    with ERROR: a requester ends L1/L2 with GET_DIGESTS.  A GET_MEASUREMENTS
    empties M1; CHALLENGE_AUTH ends M1 (DSP0274 transcript rules).  An
    ERROR to GET_MEASUREMENTS (InvalidRequest for an absent index) leaves
    L1 as it was.

    The device's measurements, their extension log and what the last
    signed MEASUREMENTS reported outlive GET_VERSION.
    """

    def __init__(self, cfg, prov, log=None):
        self.cfg = cfg
        self.prov = prov
        self.log = log or (lambda text: None)
        self.fired = set()          # (fault, code) pairs used this epoch
        self.token = 0
        self.pad = 3                # transport padding allowed (DOE)
        self.measurements = [m.copy() for m in cfg.measurements]
        # Measurement extension log: (MEL index, measurement index, DMTF
        # type with the raw bit, value) for every value ever measured
        self.mel = [(n + 1, m.index, m.mtype | MEAS_RAW_BIT_STREAM, m.value)
                    for n, m in enumerate(self.measurements)]
        self.signed_values = None   # values at the last signed MEASUREMENTS
        self.fw_updated = False
        self.reset()

    def reset(self):
        self.state = None           # None, 'version', 'caps', 'algs'
        self.version = None
        self.vca = b''
        self.m1 = b''
        self.l1 = b''
        self.req_dts = None
        self.asym = None
        self.hash = None
        self.meas_hash = None
        self.pending = None         # (request, token) deferred by RNR

    # -- faults --

    def _fault(self, name, code):
        """Whether fault @name fires for request @code now."""
        for fname, codes in self.cfg.faults:
            if fname != name or code not in codes:
                continue
            if name in PERSISTENT_FAULTS:
                return True
            if (name, code) not in self.fired:
                self.fired.add((name, code))
                return True
        return False

    # -- entry point --

    def handle(self, raw):
        """Answer the SPDM request @raw (which may carry transport padding)."""
        if len(raw) < 4:
            return Reply(encode_error(0x10, ERR_INVALID_REQUEST))
        code = raw[1]
        if code != GET_VERSION:
            return self._handle(raw, code)
        # A GET_VERSION starts a new epoch for one-shot faults; those on
        # GET_VERSION itself stay used up for this one GET_VERSION, so a
        # requester that retries it gets an answer.
        used = {f for f in self.fired if f[1] == GET_VERSION}
        self.fired = set(used)
        try:
            return self._handle(raw, code)
        finally:
            self.fired -= used

    def _handle(self, raw, code):
        if code not in (GET_MEASUREMENTS, RESPOND_IF_READY):
            self.l1 = b''       # DSP0274 10.11: L1/L2 ends
        for name in ('silent', 'no-response'):
            if self._fault(name, code):
                return Reply(None, note=name, silent=name == 'silent')
        if self._fault('busy', code) or self._fault('busy-always', code):
            return Reply(encode_error(self._error_version(raw[0], code),
                                      ERR_BUSY), note='busy')
        if code == RESPOND_IF_READY:
            try:
                req = self._respond_if_ready(raw)
            except SpdmError as e:
                return Reply(self._error(raw[0], code, e))
            code = req[1]
            if self._fault('not-ready-always', code):
                return self._not_ready(req, code)
        else:
            req = raw
            if code in ALL_REQUESTS and code != GET_VERSION and \
                    (self._fault('not-ready', code) or
                     self._fault('not-ready-always', code)):
                return self._not_ready(raw, code)
        try:
            rsp, sig_len = self._answer(req)
        except SpdmError as e:
            return Reply(self._error(req[0], code, e))
        return self._mangle(code, rsp, sig_len)

    def _not_ready(self, req, code):
        """ERROR ResponseNotReady; @req is answered after RESPOND_IF_READY."""
        self.token = (self.token + 1) & 0xFF
        self.pending = (req, self.token)
        ext = bytes([RDT_EXPONENT, code, self.token, RDTM])
        return Reply(encode_error(self._error_version(req[0], code),
                                  ERR_RESPONSE_NOT_READY, 0, ext),
                     note='not-ready')

    def _error_version(self, v, code):
        if code == GET_VERSION:
            return 0x10
        if self.version is not None:
            return self.version
        return v if v in self.cfg.versions else 0x10

    def _error(self, v, code, e):
        ver = e.version if e.version is not None else \
            self._error_version(v, code)
        self.log('  -> ERROR %s' % e)
        return encode_error(ver, e.code, e.data, e.ext)

    def _respond_if_ready(self, raw):
        if len(raw) < 4 or self.pending is None:
            raise SpdmError(ERR_UNEXPECTED_REQUEST)
        req, token = self.pending
        if raw[2] != req[1] or raw[3] != token or raw[0] != req[0]:
            raise SpdmError(ERR_INVALID_REQUEST)
        self.pending = None
        return req

    def _mangle(self, code, rsp, sig_len):
        """Apply the response-modifying faults."""
        notes = []
        extra = 0
        if sig_len and self._fault('bad-signature', code):
            rsp = rsp[:-1] + bytes([rsp[-1] ^ 0x01])
            notes.append('bad-signature')
        if self._fault('oversized', code):
            rsp, extra = oversize(rsp, sig_len)
            notes.append('oversized')
        if self._fault('truncated', code):
            rsp = rsp[:max(1, len(rsp) // 2)]
            notes.append('truncated')
        return Reply(rsp, note=','.join(notes), extra_dwords=extra)

    # -- requests --

    def _answer(self, req):
        """(response, signature length) for @req, or raise SpdmError."""
        v, code = req[0], req[1]
        if code == GET_VERSION:
            return self._get_version(req), 0
        if code not in ALL_REQUESTS:
            raise SpdmError(ERR_UNSUPPORTED_REQUEST, code)
        if self.state is None:
            raise SpdmError(ERR_UNEXPECTED_REQUEST)
        if code == GET_CAPABILITIES:
            return self._get_capabilities(req), 0
        if v != self.version:
            raise SpdmError(ERR_VERSION_MISMATCH)
        if code == NEGOTIATE_ALGORITHMS:
            return self._negotiate_algorithms(req), 0
        if self.state != 'algs':
            raise SpdmError(ERR_UNEXPECTED_REQUEST)
        if code == GET_DIGESTS:
            return self._get_digests(req), 0
        if code == GET_CERTIFICATE:
            return self._get_certificate(req), 0
        if code == CHALLENGE:
            return self._challenge(req)
        if code == GET_MEASUREMENT_EXTENSION_LOG:
            return self._get_mel(req), 0
        return self._get_measurements(req)

    def _exact(self, req, length):
        """The request without transport padding; checks its size."""
        if len(req) < length or len(req) - length > self.pad or \
                any(req[length:]):
            self.log('  request is %d bytes, want %d' % (len(req), length))
            raise SpdmError(ERR_INVALID_REQUEST)
        return req[:length]

    def _limit(self):
        """The largest response the requester and we can carry."""
        limit = self.cfg.dts
        if self.version >= 0x12 and self.req_dts:
            limit = min(limit, self.req_dts)
        return limit

    def _fits(self, rsp):
        if len(rsp) > self._limit():
            self.log('  response of %d bytes > limit %d' %
                     (len(rsp), self._limit()))
            raise SpdmError(ERR_RESPONSE_TOO_LARGE, 0,
                            struct.pack('<I', len(rsp)))
        return rsp

    def _get_version(self, req):
        if req[0] != 0x10:
            raise SpdmError(ERR_VERSION_MISMATCH, version=0x10)
        req = self._exact(req, 4)
        self.reset()
        rsp = encode_version([version_entry(v) for v in self.cfg.versions])
        self.state = 'version'
        self.vca = req + rsp
        return rsp

    def _get_capabilities(self, req):
        v = req[0]
        if self.state != 'version':
            raise SpdmError(ERR_UNEXPECTED_REQUEST)
        if v not in self.cfg.versions:
            raise SpdmError(ERR_VERSION_MISMATCH, version=0x10)
        req = self._exact(req, 4 if v == 0x10 else 12 if v == 0x11 else 20)
        if v >= 0x12:
            dts, max_msg = u32(req, 12), u32(req, 16)
            if dts < MIN_DATA_TRANSFER_SIZE or max_msg < dts:
                raise SpdmError(ERR_INVALID_REQUEST)
            self.req_dts = dts
        self.version = v
        rsp = encode_capabilities(v, RESPONDER_CT_EXPONENT,
                                  self.cfg.flags(v), self.cfg.dts,
                                  self.cfg.dts)
        self.state = 'caps'
        self.vca += req + rsp
        return rsp

    def _negotiate_algorithms(self, req):
        v = req[0]
        if self.state != 'caps':
            raise SpdmError(ERR_UNEXPECTED_REQUEST)
        if len(req) < 32:
            raise SpdmError(ERR_INVALID_REQUEST)
        length = u16(req, 4)
        n_structs = req[2] if v >= 0x11 else 0
        pos = 32 + 4 * req[28] + 4 * req[29]
        structs = []
        for _ in range(n_structs):
            if pos + 4 > len(req):
                raise SpdmError(ERR_INVALID_REQUEST)
            structs.append(req[pos])
            fixed, ext = req[pos + 1] >> 4, req[pos + 1] & 0xF
            pos += 2 + fixed + 4 * ext
        if length != pos:
            raise SpdmError(ERR_INVALID_REQUEST)
        req = self._exact(req, length)
        meas_spec, other = req[6], req[7]
        asym_offer, hash_offer = u32(req, 8), u32(req, 12)
        self.asym = self.cfg.asym if asym_offer & self.cfg.asym.bit else None
        self.hash = next((h for h in self.cfg.hashes if hash_offer & h.bit),
                         None)
        if not self.asym or not self.hash:
            self.log('  no common algorithm: asym offered 0x%x, hash '
                     'offered 0x%x' % (asym_offer, hash_offer))
        meas = self.cfg.meas_cap != 'none' and meas_spec & MEAS_SPEC_DMTF \
            and self.hash
        self.meas_hash = self.hash if meas else None
        other_sel = 0
        if v >= 0x12 and other & 0x2:
            other_sel = 0x2         # opaque data format 1
        # Sessions and mutual authentication are not supported: every
        # AlgStruct the requester sent comes back with nothing selected.
        rsp = encode_algorithms(
            v, MEAS_SPEC_DMTF if meas else 0, other_sel,
            self.hash.meas_bit if meas else 0,
            self.asym.bit if self.asym else 0,
            self.hash.bit if self.hash else 0,
            [(t, 0) for t in structs])
        self.state = 'algs'
        self.vca += req + rsp
        return rsp

    def _slots(self):
        return range(len(self.prov.leaves))

    def _need_algorithms(self):
        if not self.asym or not self.hash:
            raise SpdmError(ERR_UNEXPECTED_REQUEST)

    def _get_digests(self, req):
        self._need_algorithms()
        req = self._exact(req, 4)
        rsp = self._fits(encode_digests(
            req[0], {s: self.hash(self.prov.chain(s, self.hash))
                     for s in self._slots()}))
        self.m1 += req + rsp
        return rsp

    def _get_certificate(self, req):
        self._need_algorithms()
        v = req[0]
        req = self._exact(req, 8)
        slot, offset, length = req[2] & 0xF, u16(req, 4), u16(req, 6)
        if slot not in self._slots():
            raise SpdmError(ERR_INVALID_REQUEST)
        chain = self.prov.chain(slot, self.hash)
        if v >= 0x13 and req[3] & 0x01:         # SlotSizeRequested
            rsp = encode_certificate(v, slot, b'', len(chain))
        else:
            if offset >= len(chain) or length == 0:
                raise SpdmError(ERR_INVALID_REQUEST)
            portion = chain[offset:offset +
                            min(length, self._limit() - CERT_HDR_LEN)]
            rsp = encode_certificate(v, slot, portion,
                                     len(chain) - offset - len(portion))
        self.m1 += req + rsp
        return rsp

    def _summary(self, v, kind):
        """MeasurementSummaryHash of type @kind (1 TCB, 0xFF all)."""
        blocks = [m for m in self.measurements
                  if kind == 0xFF or m.tcb]
        data = b''
        for m in blocks:
            block = m.block(self.meas_hash)
            # 1.0/1.1 hash the DMTF measurements, 1.2+ the whole blocks.
            data += block if v >= 0x12 else block[4:]
        return self.hash(data)

    def _nonce(self, code, req_nonce):
        if self._fault('wrong-nonce', code):
            return req_nonce
        return os.urandom(NONCE_LEN)

    def _sign(self, v, transcript, slot, context):
        msg = signed_message(v, transcript, self.hash, context)
        return self.asym.sign(self.prov.key(slot), msg, self.hash)

    def _challenge(self, req):
        self._need_algorithms()
        v = req[0]
        req = self._exact(req, 4 + NONCE_LEN +
                          (CONTEXT_LEN if v >= 0x13 else 0))
        slot, kind = req[2], req[3]
        if slot not in self._slots():
            raise SpdmError(ERR_INVALID_REQUEST)
        if kind not in (0, 1, 0xFF) or (kind and not self.meas_hash):
            raise SpdmError(ERR_INVALID_REQUEST)
        nonce = req[4:4 + NONCE_LEN]
        body = encode_challenge_auth(
            v, slot, self.hash(self.prov.chain(slot, self.hash)),
            self._nonce(CHALLENGE, nonce),
            self._summary(v, kind) if kind else b'',
            context=req[4 + NONCE_LEN:])
        sig = self._sign(v, self.vca + self.m1 + req + body, slot,
                         CHALLENGE_AUTH_CONTEXT)
        rsp = self._fits(body + sig)
        self.m1 = b''
        return rsp, len(sig)

    def _get_measurements(self, req):
        self._need_algorithms()
        v = req[0]
        if not self.meas_hash:
            raise SpdmError(ERR_UNSUPPORTED_REQUEST, GET_MEASUREMENTS)
        attrs, op = req[2], req[3]
        signed = bool(attrs & 0x01)
        if signed and self.cfg.meas_cap != 'sig':
            raise SpdmError(ERR_INVALID_REQUEST)
        length = 4
        if signed:
            length += NONCE_LEN + (1 if v >= 0x11 else 0)
        if v >= 0x13:
            length += CONTEXT_LEN
        req = self._exact(req, length)
        slot = req[4 + NONCE_LEN] & 0xF if signed and v >= 0x11 else 0
        if signed and slot not in self._slots():
            raise SpdmError(ERR_INVALID_REQUEST)
        raw = v >= 0x12 and bool(attrs & 0x02)
        meas = self.measurements
        if op == 0:
            param1, blocks = len(meas), []
        elif op == 0xFF:
            param1, blocks = 0, meas
        else:
            param1 = 0
            blocks = [m for m in meas if m.index == op]
            if not blocks:
                raise SpdmError(ERR_INVALID_REQUEST)
        context = req[-CONTEXT_LEN:] if v >= 0x13 else b''
        nonce = req[4:4 + NONCE_LEN] if signed else None
        param2 = 0
        if signed and v >= 0x11:
            param2 = slot
        values = [(m.index, m.value) for m in meas]
        if signed and v >= 0x12:
            # ContentChanged: against the last signed MEASUREMENTS
            param2 |= MEAS_CHANGED_YES if self.signed_values not in \
                (None, values) else MEAS_CHANGED_NO
        body = encode_measurements(
            v, param1, param2, [m.block(self.meas_hash, raw) for m in blocks],
            self._nonce(GET_MEASUREMENTS, nonce) if signed
            else os.urandom(NONCE_LEN), context=context)
        self.m1 = b''
        if not signed:
            rsp = self._fits(body)
            self.l1 += req + rsp
            return rsp, 0
        l1 = (self.vca if v >= 0x12 else b'') + self.l1 + req + body
        sig = self._sign(v, l1, slot, MEASUREMENTS_CONTEXT)
        rsp = self._fits(body + sig)
        self.l1 = b''
        self.signed_values = values
        self._firmware_update()
        return rsp, len(sig)

    def _firmware_update(self):
        """The meas-change fault: the firmware measurement changes once,
        after the first signed MEASUREMENTS, and is logged in the MEL."""
        if self.fw_updated or not any(
                name == 'meas-change' and GET_MEASUREMENTS in codes
                for name, codes in self.cfg.faults):
            return
        m = next((m for m in self.measurements
                  if m.index == FIRMWARE_INDEX), None) or \
            (self.measurements[0] if self.measurements else None)
        if m is None:
            return
        m.value = updated_value(m)
        self.mel.append((len(self.mel) + 1, m.index,
                         m.mtype | MEAS_RAW_BIT_STREAM, m.value))
        self.fw_updated = True
        self.log('  meas-change: measurement %d is now %r' %
                 (m.index, m.value))

    def _get_mel(self, req):
        """MEASUREMENT_EXTENSION_LOG (DSP0274 1.3): a portion of the DMTF
        measurement extension log, at most as long as asked and as the
        requester's DataTransferSize allows."""
        self._need_algorithms()
        v = req[0]
        if v < 0x13 or not self.cfg.flags(v) & CAP_MEL:
            raise SpdmError(ERR_UNSUPPORTED_REQUEST,
                            GET_MEASUREMENT_EXTENSION_LOG)
        req = self._exact(req, 12)
        offset, length = u32(req, 4), u32(req, 8)
        mel = encode_mel(self.mel)
        if offset >= len(mel) or not length:
            self.log('  MEL offset %d length %d: the log has %d bytes' %
                     (offset, length, len(mel)))
            raise SpdmError(ERR_INVALID_REQUEST)
        portion = mel[offset:offset +
                      min(length, self._limit() - MEL_RSP_HDR_LEN)]
        return encode_mel_response(v, portion,
                                   len(mel) - offset - len(portion))


def oversize(rsp, sig_len):
    """Make a length field of @rsp claim more than the data; returns the
    response and how many dwords to add to the DOE Length instead (for a
    response without a length field)."""
    b = bytearray(rsp)
    code = rsp[1] if len(rsp) > 1 else None
    if code == VERSION and len(b) >= 6:
        b[5] += 4                           # 8 more bytes of entries
    elif code == ALGORITHMS and len(b) >= 6:
        struct.pack_into('<H', b, 4, len(b) + 16)
    elif code == DIGESTS and len(b) >= 4:
        b[3] |= 0xFF                        # digests of every slot
    elif code == CERTIFICATE and len(b) >= 8:
        struct.pack_into('<H', b, 4, u16(b, 4) + 16)
    elif code == MEASUREMENTS and len(b) >= 8:
        b[5:8] = (u24(b, 5) + len(b)).to_bytes(3, 'little')
    elif code == MEASUREMENT_EXTENSION_LOG and len(b) >= 12:
        struct.pack_into('<I', b, 4, u32(b, 4) + 16)
    elif code == CHALLENGE_AUTH:
        # OpaqueLength sits right before the (1.3) context and signature.
        _, pos = challenge_auth_opaque_pos(rsp, sig_len)
        struct.pack_into('<H', b, pos, len(b))
    else:
        return rsp, 1                       # e.g. CAPABILITIES, ERROR
    return bytes(b), 0


def challenge_auth_opaque_pos(rsp, sig_len):
    """(OpaqueLength, its offset) of a CHALLENGE_AUTH with empty opaque."""
    pos = len(rsp) - sig_len - (CONTEXT_LEN if rsp[0] >= 0x13 else 0) - 2
    return u16(rsp, pos), pos


# ---------------------------------------------------------------------------
# Connection handling (socket-free, so that --selftest can drive it)
# ---------------------------------------------------------------------------


class Session:
    """Turns incoming frames into answers for one connection."""

    def __init__(self, cfg, prov, logger):
        self.logger = logger
        self.device = Device(cfg, prov, logger.note)
        self.stop = False

    def on_frame(self, cmd, ttype, payload):
        """Returns the frames to send back (a list of encoded frames)."""
        name = CMD_NAMES.get(cmd, '0x%04x' % cmd)
        if cmd == CMD_SHUTDOWN:
            self.logger.note('SHUTDOWN received')
            self.stop = True
            return [encode_frame(CMD_SHUTDOWN, ttype)]
        if cmd == CMD_TEST:
            self.logger.note('TEST received: %r' % payload[:64])
            return [encode_frame(CMD_TEST, ttype, TEST_REPLY)]
        if cmd != CMD_NORMAL:
            self.logger.note('ignoring command %s (%d bytes)' %
                             (name, len(payload)))
            return []
        try:
            obj_type, msg = self._unwrap(ttype, payload)
        except TransportError as e:
            self.logger.note('bad transport message: %s: %s' %
                             (e, payload.hex()))
            return [encode_frame(CMD_NORMAL, ttype)]
        if obj_type is None:            # secured messages: no sessions
            self.logger.note('secured message ignored: %s' % payload.hex())
            return [encode_frame(CMD_NORMAL, ttype)]
        self.logger.message('>', msg)
        reply = self.device.handle(msg)
        self.logger.message('<', reply.msg, reply.note)
        if reply.silent:
            return []
        if reply.msg is None:
            return [encode_frame(CMD_NORMAL, ttype)]
        out = self._wrap(ttype, obj_type, reply.msg, reply.extra_dwords)
        if len(out) > QEMU_MAX_PAYLOAD:
            self.logger.note('WARNING: %d-byte payload exceeds QEMU\'s %d' %
                             (len(out), QEMU_MAX_PAYLOAD))
        return [encode_frame(CMD_NORMAL, ttype, out)]

    @staticmethod
    def _unwrap(ttype, payload):
        if ttype == TRANSPORT_PCI_DOE:
            obj_type, msg = doe_decode(payload)
            if obj_type == DOE_TYPE_SECURED_CMA:
                return None, b''
            if obj_type != DOE_TYPE_CMA:
                raise TransportError('DOE type %d' % obj_type)
            return obj_type, msg
        if ttype == TRANSPORT_MCTP:
            if not payload:
                raise TransportError('empty MCTP message')
            if payload[0] == MCTP_TYPE_SECURED_SPDM:
                return None, b''
            if payload[0] != MCTP_TYPE_SPDM:
                raise TransportError('MCTP type 0x%02x' % payload[0])
            return payload[0], payload[1:]
        if ttype == TRANSPORT_NONE:
            return 0, payload
        raise TransportError('transport type %d' % ttype)

    @staticmethod
    def _wrap(ttype, obj_type, msg, extra_dwords):
        if ttype == TRANSPORT_PCI_DOE:
            return doe_encode(msg, obj_type, extra_dwords)
        if ttype == TRANSPORT_MCTP:
            return bytes([obj_type]) + msg
        return msg


class Logger:
    """Hex log file (--log) and one-line summaries on stderr (-v)."""

    def __init__(self, path=None, verbose=False, quiet=False):
        self.file = open(path, 'a', buffering=1) if path else None
        self.verbose = verbose
        self.quiet = quiet
        self.start = time.monotonic()

    def _stamp(self):
        return '%9.3f' % (time.monotonic() - self.start)

    def info(self, text):
        if not self.quiet:
            print('responder: %s' % text, file=sys.stderr, flush=True)
        if self.file:
            self.file.write('%s # %s\n' % (self._stamp(), text))

    def note(self, text):
        if self.verbose:
            print('responder: %s' % text, file=sys.stderr, flush=True)
        if self.file:
            self.file.write('%s # %s\n' % (self._stamp(), text))

    def message(self, direction, msg, note='', who=''):
        what = describe(msg) + (' [%s]' % note if note else '')
        if who:
            direction = '%s %s' % (who, direction)
        if self.verbose:
            print('responder: %s %s' % (direction, what), file=sys.stderr,
                  flush=True)
        if self.file:
            self.file.write('%s %s %s\n' % (self._stamp(), direction, what))
            if msg:
                self.file.write('%s %s %s\n' % (self._stamp(), direction,
                                                msg.hex()))

    def close(self):
        if self.file:
            self.file.close()
            self.file = None


class Stop(Exception):
    pass


class DoeConnection:
    """One QEMU spdm_port connection: socket-protocol frames in and out."""

    def __init__(self, cfg, prov, logger):
        self.session = Session(cfg, prov, logger)
        self.reader = FrameReader()
        self.stop = False

    def on_data(self, data):
        out = []
        for cmd, ttype, payload in self.reader.feed(data):
            out += self.session.on_frame(cmd, ttype, payload)
            if self.session.stop:
                self.stop = True
                break
        return b''.join(out)


def serve(args, cfg, logger, new_connection, what):
    """Accept connections on 127.0.0.1:--port; @new_connection() makes the
    handler (on_data(bytes) -> bytes to send, stop) of each."""
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(('127.0.0.1', args.port))
    srv.listen(1)
    port = srv.getsockname()[1]
    print('listening on 127.0.0.1:%d' % port, flush=True)
    logger.info('listening on 127.0.0.1:%d (%s; SPDM %s, %s, %s)' %
                (port, what, ','.join(version_str(v) for v in cfg.versions),
                 cfg.asym.name, ','.join(h.name for h in cfg.hashes)))
    try:
        while True:
            conn, peer = srv.accept()
            logger.info('connection from %s:%d' % peer)
            # A serial line arrives byte by byte: without these, Nagle in
            # the sender and our delayed ACKs add ~40 ms per exchange.
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            session = new_connection()
            try:
                while not session.stop:
                    data = conn.recv(65536)
                    if not data:
                        logger.info('connection closed by the peer')
                        break
                    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK,
                                    1)
                    out = session.on_data(data)
                    if out:
                        conn.sendall(out)
            except (OSError, TransportError) as e:
                logger.info('connection error: %s' % e)
            finally:
                conn.close()
            if session.stop:
                logger.info('shutting down')
                return 0
            if not args.keep_listening:
                return 0
    finally:
        srv.close()


# ---------------------------------------------------------------------------
# Self test: a requester written independently of Device, no sockets
# ---------------------------------------------------------------------------


class ReqFailure(Exception):
    """The test requester rejects a response; @why is a short tag."""

    def __init__(self, why, **info):
        super().__init__(why)
        self.why = why
        self.info = info


class DoeLink:
    """The test requester's DOE transport: socket-protocol frames."""

    def __init__(self, session):
        self.session = session

    def transfer(self, msg):
        """One DOE exchange; None when the responder answers nothing."""
        frame = encode_frame(CMD_NORMAL, TRANSPORT_PCI_DOE, doe_encode(msg))
        reader = FrameReader()
        (cmd, ttype, payload), = reader.feed(frame)
        out = b''.join(self.session.on_frame(cmd, ttype, payload))
        frames = FrameReader().feed(out)
        if not frames:
            return None
        (cmd, ttype, payload), = frames
        assert cmd == CMD_NORMAL and ttype == TRANSPORT_PCI_DOE
        if not payload:
            return None
        vendor, obj_type, _, length = struct.unpack_from('<HBBI', payload)
        if (vendor, obj_type) != (1, 1):
            raise ReqFailure('doe-header')
        if length * 4 != len(payload):
            raise ReqFailure('doe-length')
        return payload[8:]


class MctpSerialLink:
    """The test requester's MCTP transport: a serial line to an
    MctpSerialSession.  Requests go out as packets of @mtu payload bytes
    (tags 0-7 in turn, TO set), fed to the session in pieces of random
    size; every response packet's header is checked."""

    def __init__(self, session, eid, local=8, mtu=MCTP_BASELINE_MTU,
                 rng=None):
        self.session = session
        self.eid = eid
        self.local = local
        self.mtu = mtu
        self.tag = 0
        self.rng = rng
        self.packets = 0                # response packets seen

    def send(self, msg, mtype=MCTP_TYPE_SPDM, to=True, eid=None):
        """Put one message on the line; the bytes that come back."""
        tag = self.tag
        self.tag = (self.tag + 1) & MCTP_TAG_MASK
        wire = b''.join(serial_frame(p) for p in mctp_packets(
            self.eid if eid is None else eid, self.local, tag, to,
            bytes([mtype]) + msg, self.mtu))
        out = b''
        pos = 0
        while pos < len(wire):
            n = self.rng.randint(1, 100) if self.rng else len(wire)
            out += self.session.feed(wire[pos:pos + n])
            pos += n
        return tag, out

    def transfer(self, msg):
        tag, out = self.send(msg)
        deframer = SerialDeframer()
        packets = deframer.feed(out)
        if deframer.errors:
            raise ReqFailure('serial-framing', errors=deframer.errors)
        if not packets:
            return None
        reasm = MctpReassembler()
        done = None
        for i, p in enumerate(packets):
            dst, src, som, eom, seq, to, ptag = mctp_header(p)
            if (dst, src, to, ptag) != (self.local, self.eid, False, tag):
                raise ReqFailure('mctp-header', header=p[:4].hex())
            if len(p) - MCTP_HDR_LEN > self.session.mtu or \
                    (not eom and len(p) - MCTP_HDR_LEN != self.session.mtu):
                raise ReqFailure('mctp-packet-size')
            if done is not None:
                raise ReqFailure('mctp-extra-packets')
            self.packets += 1
            done = reasm.feed(p)
        if done is None or reasm.errors:
            raise ReqFailure('mctp-reassembly', errors=reasm.errors)
        msg = done[4]
        if msg[:1] != bytes([MCTP_TYPE_SPDM]):
            raise ReqFailure('mctp-type')
        return msg[1:]


class TestRequester:
    """An SPDM requester for the self test.

    It talks DOE to a Session through the frame codec, strips transport
    padding by parsing each response to its exact length, keeps its own
    VCA / M1 / L1 and verifies everything it can.
    """

    OFFER_ASYM = 0x1FF
    OFFER_HASH = 0x3F

    def __init__(self, session, trusted_root=None, dts=None, max_v=0x13,
                 offer_asym=OFFER_ASYM, offer_hash=OFFER_HASH):
        # @session: a DOE Session, or a link with transfer() (MCTP)
        self.link = session if hasattr(session, 'transfer') else \
            DoeLink(session)
        self.trusted_root = trusted_root
        self.dts = dts
        self.max_v = max_v
        self.offer_asym = offer_asym
        self.offer_hash = offer_hash
        self.busy = self.not_ready = 0
        self.chains = {}
        self.leaf_keys = {}

    def raw(self, req):
        """@req once; the (padded) response, header checked."""
        rsp = self.link.transfer(req)
        if rsp is None:
            raise ReqFailure('no-response')
        if len(rsp) < 4:
            raise ReqFailure('short')
        return rsp

    def exchange(self, req, want):
        """Send @req with Busy / ResponseNotReady handling; returns the
        padded response with code @want."""
        for _ in range(4):
            rsp = self.raw(req)
            if rsp[1] == ERROR and rsp[2] == ERR_BUSY:
                self.busy += 1
                continue
            break
        else:
            raise ReqFailure('busy')
        if rsp[1] == ERROR and rsp[2] == ERR_RESPONSE_NOT_READY:
            self.not_ready += 1
            if len(rsp) < 8 or rsp[5] != req[1]:
                raise ReqFailure('not-ready-ext')
            tries, token = rsp[7], rsp[6]
            for _ in range(tries):
                time.sleep((1 << rsp[4]) / 1e6)
                rsp = self.raw(bytes([req[0], RESPOND_IF_READY, req[1],
                                      token]))
                if not (rsp[1] == ERROR and rsp[2] == ERR_RESPONSE_NOT_READY):
                    break
            else:
                raise ReqFailure('not-ready')
        if rsp[1] == ERROR:
            raise ReqFailure('error', code=rsp[2], data=rsp[3])
        if rsp[0] != req[0]:
            raise ReqFailure('version')
        if rsp[1] != want:
            raise ReqFailure('code')
        return rsp

    @staticmethod
    def exact(rsp, length):
        """Cut @rsp to @length, allowing only zero DOE padding after it."""
        if len(rsp) < length:
            raise ReqFailure('short')
        if len(rsp) - length > 3 or any(rsp[length:]):
            raise ReqFailure('trailing')
        return rsp[:length]

    # -- the protocol --

    def connect(self):
        req = bytes([0x10, GET_VERSION, 0, 0])
        rsp = self.exchange(req, VERSION)
        if len(rsp) < 6:
            raise ReqFailure('short')
        rsp = self.exact(rsp, 6 + 2 * rsp[5])
        mine = [e >> 8 for e in struct.unpack_from('<%dH' % rsp[5], rsp, 6)
                if 0x10 <= e >> 8 <= self.max_v]
        if not mine:
            raise ReqFailure('no-version')
        v = self.v = max(mine)
        self.vca = req + rsp

        req = encode_get_capabilities(v, 10, CAP_CERT | CAP_CHAL,
                                      self.dts or 4096, self.dts or 4096)
        rsp = self.exact(self.exchange(req, CAPABILITIES),
                         20 if v >= 0x12 else 12)
        self.flags = u32(rsp, 8)
        self.rsp_dts = u32(rsp, 12) if v >= 0x12 else None
        self.vca += req + rsp

        req = encode_negotiate_algorithms(
            v, self.offer_asym, self.offer_hash,
            structs=[(4, 0x10)] if v >= 0x11 else ())   # ReqBaseAsymAlg
        rsp = self.exchange(req, ALGORITHMS)
        if len(rsp) < 6:
            raise ReqFailure('short')
        rsp = self.exact(rsp, u16(rsp, 4))
        if len(rsp) < 36:
            raise ReqFailure('short')
        self.vca += req + rsp
        self.asym_bit, self.hash_bit = u32(rsp, 12), u32(rsp, 16)
        self.meas_bit = u32(rsp, 8)
        if self.asym_bit not in [a.bit for a in ASYMS.values()] or \
                self.hash_bit not in HASH_BY_BIT:
            raise ReqFailure('algorithms')
        self.asym = next(a for a in ASYMS.values() if a.bit == self.asym_bit)
        self.h = HASH_BY_BIT[self.hash_bit]
        self.m1 = b''
        self.l1 = b''

    def digests(self):
        v, H = self.v, self.h.size
        req = bytes([v, GET_DIGESTS, 0, 0])
        rsp = self.exchange(req, DIGESTS)
        slots = bits_of(rsp[3])
        rsp = self.exact(rsp, 4 + H * len(slots))
        if v >= 0x13 and rsp[2] != rsp[3]:
            raise ReqFailure('digests-params')
        self.m1 += req + rsp
        self.l1 = b''
        return {s: rsp[4 + i * H:4 + (i + 1) * H]
                for i, s in enumerate(slots)}

    def certificate(self, slot, portion_max=None):
        v = self.v
        limit = 4096 if v < 0x12 else min(self.dts or 4096, self.rsp_dts)
        want = min(portion_max or 0xFFFF, limit - CERT_HDR_LEN)
        data, total, n = b'', None, 0
        while True:
            req = encode_get_certificate(v, slot, len(data), want)
            rsp = self.exchange(req, CERTIFICATE)
            if len(rsp) < 8:
                raise ReqFailure('short')
            plen, rem = u16(rsp, 4), u16(rsp, 6)
            if plen == 0 or plen > want:
                raise ReqFailure('cert-length')
            rsp = self.exact(rsp, 8 + plen)
            if total is None:
                total = plen + rem
            elif len(data) + plen + rem != total:
                raise ReqFailure('cert-length')
            self.m1 += req + rsp
            data += rsp[8:]
            n += 1
            if not rem:
                break
            want = min(want, rem)
        self.l1 = b''
        self.chains[slot] = data
        return data, n

    def validate(self, slot, root_der, identity=None):
        """Full chain check; stores the leaf key of @slot."""
        chain, h = self.chains[slot], self.h
        if u16(chain, 0) != len(chain) or u16(chain, 2):
            raise ReqFailure('chain-length')
        ders = der_split(chain[4 + h.size:])
        certs = [x509.load_der_x509_certificate(d) for d in ders]
        if chain[4:4 + h.size] != h(ders[0]):
            raise ReqFailure('root-hash')
        if ders[0] != root_der:
            raise ReqFailure('untrusted')
        for parent, child in zip(certs, certs[1:]):
            bc = parent.extensions.get_extension_for_class(
                x509.BasicConstraints).value
            if not bc.ca or child.issuer != parent.subject:
                raise ReqFailure('not-ca')
            pub = parent.public_key()
            try:
                if isinstance(pub, ec.EllipticCurvePublicKey):
                    pub.verify(child.signature, child.tbs_certificate_bytes,
                               ec.ECDSA(child.signature_hash_algorithm))
                else:
                    pub.verify(child.signature, child.tbs_certificate_bytes,
                               padding.PKCS1v15(),
                               child.signature_hash_algorithm)
            except InvalidSignature:
                raise ReqFailure('cert-signature')
        leaf = certs[-1]
        if not self.asym.keytype.fits(leaf.public_key()):
            raise ReqFailure('key-type')
        if identity is not None and cma_identity_of(leaf) != [identity]:
            raise ReqFailure('identity')
        self.leaf_keys[slot] = leaf.public_key()

    def verify(self, slot, transcript, sig, context):
        """Verify @sig; the 1.2+ prefix is built here independently."""
        msg = transcript
        if self.v >= 0x12:
            ver = ('dmtf-spdm-v1.%d.*' % (self.v & 0xF)).encode()
            msg = ver * 4 + context.rjust(36, b'\0') + self.h(transcript)
        return self.asym.verify(self.leaf_keys[slot], sig, msg, self.h)

    def challenge(self, slot, kind=0):
        v, H = self.v, self.h.size
        nonce = os.urandom(NONCE_LEN)
        context = os.urandom(CONTEXT_LEN)
        req = encode_challenge(v, slot, kind, nonce, context)
        rsp = self.exchange(req, CHALLENGE_AUTH)
        summary = H if kind else 0
        pos = 4 + H + NONCE_LEN + summary
        if len(rsp) < pos + 2:
            raise ReqFailure('short')
        pos += 2 + u16(rsp, pos)
        if v >= 0x13:
            pos += CONTEXT_LEN
        rsp = self.exact(rsp, pos + self.asym.sig_len)
        body, sig = rsp[:pos], rsp[pos:]
        transcript = self.vca + self.m1 + req + body
        self.m1 = b''
        self.l1 = b''
        info = dict(sig_ok=self.verify(slot, transcript, sig,
                                       CHALLENGE_AUTH_CONTEXT),
                    fixable=self.verify(slot, transcript,
                                        sig[:-1] + bytes([sig[-1] ^ 1]),
                                        CHALLENGE_AUTH_CONTEXT))
        if rsp[2] != slot or rsp[3] != 1 << slot:
            raise ReqFailure('params', **info)
        if rsp[4:4 + H] != self.h(self.chains[slot]):
            raise ReqFailure('chain-hash', **info)
        if rsp[4 + H:4 + H + NONCE_LEN] == nonce:
            raise ReqFailure('nonce-echo', **info)
        if v >= 0x13 and rsp[pos - CONTEXT_LEN:pos] != context:
            raise ReqFailure('context', **info)
        if not info['sig_ok']:
            raise ReqFailure('signature', **info)
        return rsp[4 + H + NONCE_LEN:4 + H + NONCE_LEN + summary]

    def measurements(self, op, signed=False, slot=0, raw=False):
        """Returns (Param1, [(index, spec, dmtf measurement bytes)])."""
        v = self.v
        if v < 0x11:
            slot = 0        # SPDM 1.0 has no SlotIDParam: slot 0 signs
        nonce = os.urandom(NONCE_LEN) if signed else b''
        context = os.urandom(CONTEXT_LEN)
        attrs = (0x01 if signed else 0) | (0x02 if raw else 0)
        req = encode_get_measurements(v, attrs, op, nonce, slot, context)
        rsp = self.exchange(req, MEASUREMENTS)
        if len(rsp) < 8:
            raise ReqFailure('short')
        count, rec_len = rsp[4], u24(rsp, 5)
        pos = 8 + rec_len
        if len(rsp) < pos + NONCE_LEN + 2:
            raise ReqFailure('short')
        blocks, p = [], 8
        for _ in range(count):
            if p + 4 > 8 + rec_len:
                raise ReqFailure('record')
            size = u16(rsp, p + 2)
            blocks.append((rsp[p], rsp[p + 1], rsp[p + 4:p + 4 + size]))
            p += 4 + size
        if p != 8 + rec_len:
            raise ReqFailure('record')
        rsp_nonce = rsp[pos:pos + NONCE_LEN]
        pos += NONCE_LEN
        pos += 2 + u16(rsp, pos)
        if v >= 0x13:
            pos += CONTEXT_LEN
        sig_len = self.asym.sig_len if signed else 0
        rsp = self.exact(rsp, pos + sig_len)
        if v >= 0x13 and rsp[pos - CONTEXT_LEN:pos] != context:
            raise ReqFailure('context')
        self.m1 = b''
        self.meas_param2 = rsp[3]
        if not signed:
            self.l1 += req + rsp
            return rsp[2], blocks
        body, sig = rsp[:pos], rsp[pos:]
        transcript = (self.vca if v >= 0x12 else b'') + self.l1 + req + body
        self.l1 = b''
        info = dict(sig_ok=self.verify(slot, transcript, sig,
                                       MEASUREMENTS_CONTEXT),
                    fixable=self.verify(slot, transcript,
                                        sig[:-1] + bytes([sig[-1] ^ 1]),
                                        MEASUREMENTS_CONTEXT))
        if v >= 0x11 and rsp[3] & 0xF != slot:
            raise ReqFailure('params', **info)
        if rsp_nonce == nonce:
            raise ReqFailure('nonce-echo', **info)
        if not info['sig_ok']:
            raise ReqFailure('signature', **info)
        return rsp[2], blocks

    def fallback(self, signed=True, slot=0):
        """kspdm's fallback when all blocks do not fit one message: the
        count, unsigned probes of indices 1, 2, ... (InvalidRequest means
        no such index) until the count has answered, GET_DIGESTS to end
        L1/L2, then those indices again as one L1/L2, the last one signed.
        Returns (count, indices, blocks, number of InvalidRequest)."""
        count, _ = self.measurements(0)
        found, absent = [], 0
        for i in range(1, 0xFF):
            if len(found) == count:
                break
            try:
                _, blocks = self.measurements(i)
            except ReqFailure as e:
                if e.why != 'error' or \
                        e.info.get('code') != ERR_INVALID_REQUEST:
                    raise
                absent += 1
                continue
            if [b[0] for b in blocks] != [i]:
                raise ReqFailure('index', index=i)
            found.append(i)
        if len(found) != count:
            raise ReqFailure('missing-index', count=count, found=found)
        self.digests()
        got = []
        for k, i in enumerate(found):
            _, blocks = self.measurements(
                i, signed=signed and k == len(found) - 1, slot=slot)
            got += blocks
        return count, found, got, absent

    def mel(self, length):
        """The whole measurement extension log, asking for @length bytes
        at a time; returns the log and the number of portions."""
        data, total, n = b'', None, 0
        while True:
            req = encode_get_mel(self.v, len(data), length)
            rsp = self.exchange(req, MEASUREMENT_EXTENSION_LOG)
            if len(rsp) < MEL_RSP_HDR_LEN:
                raise ReqFailure('short')
            plen, rem = u32(rsp, 4), u32(rsp, 8)
            if not 0 < plen <= length:
                raise ReqFailure('mel-length')
            rsp = self.exact(rsp, MEL_RSP_HDR_LEN + plen)
            if total is None:
                total = plen + rem
            elif len(data) + plen + rem != total:
                raise ReqFailure('mel-length')
            data += rsp[MEL_RSP_HDR_LEN:]
            n += 1
            self.l1 = b''
            if not rem:
                return data, n


def parse_mel(mel):
    """[(MEL index, measurement index, DMTF type, value)] of a DMTF
    measurement extension log; raises ValueError."""
    if len(mel) < MEL_HDR_LEN:
        raise ValueError('short MEL header')
    count, length = struct.unpack_from('<II', mel)
    if MEL_HDR_LEN + length != len(mel) or any(mel[8:MEL_HDR_LEN]):
        raise ValueError('MEL length or reserved bytes')
    entries, pos = [], MEL_HDR_LEN
    while pos < len(mel):
        mel_index, meas_index, mtype, size = struct.unpack_from('<IB3xBH',
                                                                mel, pos)
        if any(mel[pos + 5:pos + 8]):
            raise ValueError('reserved bytes of entry %d' % mel_index)
        pos += 11
        entries.append((mel_index, meas_index, mtype, mel[pos:pos + size]))
        pos += size
    if pos != len(mel) or len(entries) != count:
        raise ValueError('MEL entries')
    return entries


class NullLogger(Logger):
    def __init__(self):
        super().__init__(None, False, True)


SELFTEST_SUITES = [
    ('ecdsa-p256', 'sha256'), ('ecdsa-p384', 'sha384'),
    ('ecdsa-p521', 'sha512'), ('rsassa-3072', 'sha384'),
    ('rsapss-2048', 'sha256'), ('rsassa-2048', 'sha3-256'),
]


class Selftest:
    def __init__(self):
        self.failures = []
        self.checks = 0
        self.provs = {}
        self.mctp_mtu = None        # set: device() talks MCTP serial
        self.rng = random.Random(0x5d3)

    def check(self, cond, what):
        self.checks += 1
        if not cond:
            self.failures.append(what)
            print('selftest: FAIL: %s' % what, file=sys.stderr)

    def device(self, **kw):
        cfg = Config(**kw)
        key = (kw.get('asym', DEFAULT_ASYM), kw.get('slots', 1),
               'untrusted' in cfg.fault_names(), cfg.leaf_padding,
               cfg.ca_name)
        if key not in self.provs:
            self.provs[key] = Provisioning(cfg)
        prov = self.provs[key]
        if self.mctp_mtu:
            session = MctpSerialSession(cfg, {9: prov}, NullLogger(),
                                        mtu=self.mctp_mtu)
            return cfg, prov, MctpSerialLink(session, 9, mtu=self.mctp_mtu,
                                             rng=self.rng)
        return cfg, prov, Session(cfg, prov, NullLogger())

    def expect_fail(self, fn, why, what):
        try:
            fn()
        except ReqFailure as e:
            self.check(e.why == why, '%s: failed with %s, want %s' %
                       (what, e.why, why))
            return e
        self.check(False, '%s: did not fail (want %s)' % (what, why))
        return None

    # -- the full flow --

    def flow(self, v, asym, hname, slots=2):
        what = 'v%s %s/%s' % (version_str(v), asym, hname)
        cfg, prov, session = self.device(
            versions=[x for x in (0x10, 0x11, 0x12, 0x13) if x <= v],
            asym=asym, hashes=[hname], slots=slots,
            dts=1024 if v < 0x12 else DEFAULT_DTS)
        rq = TestRequester(session, dts=1024 if v >= 0x12 else None)
        rq.connect()
        self.check((rq.v, rq.asym.name, rq.h.name) ==
                   (v, asym.replace('-', '_'), hname.replace('-', '_')),
                   what + ': negotiated %x %s %s' %
                   (rq.v, rq.asym.name, rq.h.name))
        digests = rq.digests()
        self.check(sorted(digests) == list(range(slots)), what + ': slots')
        for s in digests:
            chain, n = rq.certificate(s, portion_max=400)
            self.check(n >= 2, what + ': chain in %d portion(s)' % n)
            self.check(rq.h(chain) == digests[s], what + ': digest')
            rq.validate(s, prov.trusted_root.der, prov.identity)
        summary_all = rq.challenge(slots - 1, 0xFF)
        summary_tcb = rq.challenge(0, 1)
        self.check(rq.challenge(0) == b'', what + ': no summary')
        # Measurements: count, one index, then all signed (L1 spans them).
        count, blocks = rq.measurements(0)
        self.check(count == len(cfg.measurements) and not blocks,
                   what + ': count')
        first = cfg.measurements[0]
        _, blocks = rq.measurements(first.index)
        self.check(len(blocks) == 1 and blocks[0][0] == first.index and
                   blocks[0][2][0] == first.mtype, what + ': one index')
        _, blocks = rq.measurements(0xFF, signed=True, slot=slots - 1)
        self.check([b[0] for b in blocks] ==
                   [m.index for m in cfg.measurements], what + ': all')
        mh = rq.h       # the measurement hash follows the base hash

        def summary(select):
            data = b''
            for (idx, spec, dmtf), m in zip(blocks, cfg.measurements):
                if select(m):
                    data += (struct.pack('<BBH', idx, spec, len(dmtf)) + dmtf
                             if v >= 0x12 else dmtf)
            return mh(data)
        self.check(summary_all == summary(lambda m: True),
                   what + ': summary hash (all)')
        self.check(summary_tcb == summary(lambda m: m.tcb),
                   what + ': summary hash (TCB)')
        for (idx, spec, dmtf), m in zip(blocks, cfg.measurements):
            value = m.value if m.raw else mh(m.value)
            self.check(spec == MEAS_SPEC_DMTF and dmtf ==
                       struct.pack('<BH', m.mtype |
                                   (0x80 if m.raw else 0), len(value)) +
                       value, what + ': block %d' % idx)
        _, blocks = rq.measurements(first.index, signed=True)
        self.check(len(blocks) == 1, what + ': signed single index')
        if v >= 0x12:
            _, blocks = rq.measurements(first.index, raw=True)
            self.check(blocks[0][2][0] == first.mtype | 0x80 and
                       blocks[0][2][3:] == first.value, what + ': raw')
        # A second authentication on the same connection.
        rq.connect()
        rq.digests()
        rq.challenge(0)

    # -- faults --

    def faults(self, v):
        tag = 'v%s' % version_str(v)
        base = dict(versions=[v], asym='ecdsa-p256', hashes=['sha256'])

        def run(faults, **kw):
            cfg, prov, session = self.device(faults=faults, **dict(base,
                                                                   **kw))
            rq = TestRequester(session, dts=512)
            return prov, rq

        def full(rq, prov):
            rq.connect()
            d = rq.digests()
            for s in d:
                rq.certificate(s)
                rq.validate(s, prov.trusted_root.der, prov.identity)
            rq.challenge(0)
            rq.measurements(0xFF, signed=True)

        prov, rq = run(['busy'])
        full(rq, prov)
        self.check(rq.busy >= 7, tag + ': busy seen %d times' % rq.busy)
        prov, rq = run(['not-ready'])
        full(rq, prov)
        self.check(rq.not_ready >= 4, tag + ': not-ready seen %d times' %
                   rq.not_ready)
        prov, rq = run(['not-ready:GET_CAPABILITIES'])
        full(rq, prov)
        self.check(rq.not_ready == 1, tag + ': not-ready on capabilities')

        for code, call in ((CHALLENGE, lambda rq: rq.challenge(0)),
                           (GET_MEASUREMENTS,
                            lambda rq: rq.measurements(0xFF, signed=True))):
            name = REQUEST_NAMES[code]
            prov, rq = run(['bad-signature:' + name])
            rq.connect()
            rq.digests()
            rq.certificate(0)
            rq.validate(0, prov.trusted_root.der)
            e = self.expect_fail(lambda: call(rq), 'signature',
                                 tag + ' bad-signature ' + name)
            self.check(e and e.info.get('fixable'),
                       tag + ': bad-signature is more than one bit')
            prov, rq = run(['wrong-nonce:' + name])
            rq.connect()
            rq.digests()
            rq.certificate(0)
            rq.validate(0, prov.trusted_root.der)
            e = self.expect_fail(lambda: call(rq), 'nonce-echo',
                                 tag + ' wrong-nonce ' + name)
            self.check(e and e.info.get('sig_ok'),
                       tag + ': wrong-nonce response not signed correctly')

        # Every response kind, truncated and oversized.
        steps = [GET_VERSION, GET_CAPABILITIES, NEGOTIATE_ALGORITHMS,
                 GET_DIGESTS, GET_CERTIFICATE, CHALLENGE, GET_MEASUREMENTS]
        for fault in ('truncated', 'oversized', 'no-response', 'silent'):
            for code in steps:
                prov, rq = run(['%s:%s' % (fault, REQUEST_NAMES[code])])
                try:
                    full(rq, prov)
                    why = None
                except ReqFailure as e:
                    why = e.why
                what = '%s %s:%s' % (tag, fault, REQUEST_NAMES[code])
                if fault in ('no-response', 'silent'):
                    self.check(why == 'no-response', what + ': got %s' % why)
                else:
                    self.check(why is not None, what + ': not detected')
                # One-shot faults fire again after the next answered
                # GET_VERSION (so every authentication meets them), but a
                # GET_VERSION fault only on every other GET_VERSION.
                try:
                    full(rq, prov)
                    again = None
                except ReqFailure as e:
                    again = e.why
                want = None if code == GET_VERSION else why
                self.check(again == want, what + ': second try %s, want %s'
                           % (again, want))

        prov, rq = run(['untrusted'])
        rq.connect()
        rq.digests()
        rq.certificate(0)
        self.expect_fail(lambda: rq.validate(0, prov.trusted_root.der),
                         'untrusted', tag + ' untrusted')
        rq.validate(0, prov.cs.root.der)        # the only problem

    # -- measurements: device mode, manifest, MEL, changes, fallback --

    @staticmethod
    def ready(rq, prov):
        """Connect and validate slot 0, so that signatures can be checked."""
        rq.connect()
        rq.digests()
        rq.certificate(0)
        rq.validate(0, prov.trusted_root.der)

    def default_blocks(self):
        cfg, prov, session = self.device(versions=[0x13])
        rq = TestRequester(session)
        self.ready(rq, prov)
        _, blocks = rq.measurements(0xFF, signed=True)
        types = {idx: dmtf[0] for idx, _, dmtf in blocks}
        self.check(any(t & MEAS_RAW_BIT_STREAM for t in types.values()) and
                   not all(t & MEAS_RAW_BIT_STREAM for t in types.values()),
                   'default measurements: raw and digest blocks')
        self.check(types.get(MEAS_INDEX_MANIFEST) ==
                   MEAS_TYPE_MANIFEST | MEAS_RAW_BIT_STREAM,
                   'default measurements: manifest at 0xFD')
        mode = next(dmtf for idx, _, dmtf in blocks
                    if idx == MEAS_INDEX_DEVICE_MODE)
        self.check(mode[0] == MEAS_TYPE_DEVICE_MODE | MEAS_RAW_BIT_STREAM and
                   u16(mode, 1) == 16 and len(mode) == 19,
                   'default measurements: device mode at 0xFE')
        self.check(rq.meas_param2 & 0x30 == MEAS_CHANGED_NO,
                   'ContentChanged: no change')
        rq.measurements(0xFF, signed=True)
        self.check(rq.meas_param2 & 0x30 == MEAS_CHANGED_NO,
                   'ContentChanged: still no change')
        rq.measurements(0xFF)
        self.check(rq.meas_param2 == 0, 'ContentChanged: unsigned')

    def extension_log(self):
        cfg, prov, session = self.device(versions=[0x13], mel=True)
        rq = TestRequester(session)
        self.ready(rq, prov)
        self.check(rq.flags & CAP_MEL, 'MEL_CAP with --mel')
        mel, n = rq.mel(64)
        self.check(n == (len(mel) + 63) // 64 and n > 3,
                   'MEL in %d portions of 64 bytes' % n)
        try:
            entries = parse_mel(mel)
        except ValueError as e:
            self.check(False, 'MEL layout: %s' % e)
            entries = []
        self.check(entries == [(k + 1, m.index, m.mtype | MEAS_RAW_BIT_STREAM,
                                m.value)
                               for k, m in enumerate(cfg.measurements)],
                   'MEL entries')
        self.check(rq.mel(0xFFFFFFFF) == (mel, 1), 'MEL in one portion')
        # Portions bounded by the requester's DataTransferSize
        small = TestRequester(session, dts=128)
        self.ready(small, prov)
        self.check(small.mel(0xFFFFFFFF) == (mel, (len(mel) + 115) // 116),
                   'MEL portions within DataTransferSize')
        for what, offset, length in (('at the end', len(mel), 16),
                                     ('beyond the end', len(mel) + 9, 16),
                                     ('empty', 0, 0)):
            rsp = rq.raw(encode_get_mel(0x13, offset, length))
            self.check(rsp[1:3] == bytes([ERROR, ERR_INVALID_REQUEST]),
                       'MEL request %s' % what)
        # Broken answers are noticed
        for fault in ('truncated', 'oversized'):
            cfg, prov, session = self.device(
                versions=[0x13], mel=True,
                faults=['%s:GET_MEASUREMENT_EXTENSION_LOG' % fault])
            rq = TestRequester(session)
            self.ready(rq, prov)
            try:
                rq.mel(64)
                self.check(False, 'MEL %s not detected' % fault)
            except ReqFailure:
                pass
        # No MEL before 1.3, nor without --mel
        for versions, mel_opt in (([0x12], True), ([0x13], False)):
            cfg, prov, session = self.device(versions=versions, mel=mel_opt)
            rq = TestRequester(session)
            rq.connect()
            self.check(not rq.flags & CAP_MEL, 'no MEL_CAP at %x mel=%s' %
                       (rq.v, mel_opt))
            rsp = rq.raw(struct.pack('<4BII', rq.v,
                                     GET_MEASUREMENT_EXTENSION_LOG, 0, 0, 0,
                                     64))
            self.check(rsp[1:3] == bytes([ERROR, ERR_UNSUPPORTED_REQUEST]),
                       'GET_MEASUREMENT_EXTENSION_LOG unsupported at %x '
                       'mel=%s' % (rq.v, mel_opt))

    def meas_change(self):
        for v in (0x11, 0x12, 0x13):
            tag = 'v%s meas-change' % version_str(v)
            cfg, prov, session = self.device(versions=[v], mel=True,
                                             faults=['meas-change'])
            rq = TestRequester(session)
            self.ready(rq, prov)
            reads = []
            for _ in range(3):
                _, blocks = rq.measurements(0xFF, signed=True)
                reads.append((blocks, rq.meas_param2 & 0x30))
            fw = [dict((i, d) for i, _, d in b)[FIRMWARE_INDEX]
                  for b, _ in reads]
            updated = rq.h(b'kspdm emulated firmware 1.0.1')
            self.check(fw[0] != fw[1] and fw[1] == fw[2] and
                       fw[1][3:] == updated,
                       tag + ': firmware measurement changes once')
            others = [[x for x in b if x[0] != FIRMWARE_INDEX]
                      for b, _ in reads]
            self.check(others[0] == others[1] == others[2],
                       tag + ': other measurements unchanged')
            want = [MEAS_CHANGED_NO, MEAS_CHANGED_YES, MEAS_CHANGED_NO] \
                if v >= 0x12 else [0, 0, 0]
            self.check([c for _, c in reads] == want,
                       tag + ': ContentChanged %s' % [c for _, c in reads])
            if v >= 0x13:
                entries = parse_mel(rq.mel(4096)[0])
                self.check(len(entries) == len(cfg.measurements) + 1 and
                           entries[-1][1:] == (
                               FIRMWARE_INDEX,
                               MEAS_TYPE_FIRMWARE | MEAS_RAW_BIT_STREAM,
                               b'kspdm emulated firmware 1.0.1'),
                           tag + ': the update is in the MEL')
            # The device keeps its firmware across GET_VERSION
            self.ready(rq, prov)
            _, blocks = rq.measurements(0xFF, signed=True)
            self.check(blocks == reads[2][0], tag + ': kept')

    def fallback(self):
        """A --dts that carries CHALLENGE_AUTH and every single block but
        not all blocks at once: ResponseTooLarge, then what kspdm does:
        the count, a probe of each index until the count has answered,
        GET_DIGESTS, then the indices found as one L1/L2, the last one
        signed."""
        contiguous = [m for m in default_measurements() if m.index < 0xF0]
        for v, asym, hname, dts, meas in (
                (0x13, 'ecdsa-p256', 'sha256', 256, None),
                (0x13, 'ecdsa-p384', 'sha384', 256, None),
                (0x13, 'rsassa-3072', 'sha384', 600, None),
                (0x12, 'ecdsa-p256', 'sha256', 256, None),
                (0x11, 'ecdsa-p256', 'sha256', 256, None),
                (0x13, 'ecdsa-p256', 'sha256', 256, contiguous)):
            tag = 'fallback v%s %s --dts %d%s' % (
                version_str(v), asym, dts, ' 1..N' if meas else '')
            cfg, prov, session = self.device(versions=[v], asym=asym,
                                             hashes=[hname], dts=dts,
                                             measurements=meas)
            rq = TestRequester(session)
            self.ready(rq, prov)
            rq.challenge(0)
            e = self.expect_fail(lambda: rq.measurements(0xFF, signed=True),
                                 'error', tag + ': all at once')
            self.check(e and e.info.get('code') == ERR_RESPONSE_TOO_LARGE,
                       tag + ': ResponseTooLarge')
            indices = [m.index for m in cfg.measurements]
            count, found, blocks, absent = rq.fallback()
            self.check(count == len(indices), tag + ': count')
            self.check(found == indices, tag + ': indices found %s' % found)
            self.check([b[0] for b in blocks] == indices,
                       tag + ': the indices again, L1/L2 signed')
            # The default indices are not 1..N: 0xFD and 0xFE are counted
            want = MEAS_INDEX_MANIFEST - (len(indices) - 2) - 1 \
                if meas is None else 0
            self.check(absent == want, tag + ': %d indices absent, want %d'
                       % (absent, want))
            # Unsigned, and a later signed call that ends L1/L2 first
            count, found, blocks, _ = rq.fallback(signed=False)
            self.check(found == indices and len(blocks) == len(indices),
                       tag + ': unsigned')
            rq.digests()
            _, blocks = rq.measurements(indices[-1], signed=True)
            self.check(len(blocks) == 1, tag + ': signed after unsigned')
        # Too small for CHALLENGE_AUTH itself
        cfg, prov, session = self.device(versions=[0x13], dts=64)
        rq = TestRequester(session)
        self.ready(rq, prov)
        self.expect_fail(lambda: rq.challenge(0), 'error',
                         '--dts 64 and CHALLENGE_AUTH')

    def l1_end(self):
        """Unsigned measurements stay in L1/L2 until a signed MEASUREMENTS
        or another request: after GET_DIGESTS (or CHALLENGE, the extension
        log, a new GET_VERSION, even KEY_EXCHANGE answered with
        UnsupportedRequest) the next signature covers VCA and that
        MEASUREMENTS alone."""
        for v in (0x10, 0x11, 0x12, 0x13):
            tag = 'v%s L1/L2' % version_str(v)
            cfg, prov, session = self.device(versions=[v], mel=True)
            rq = TestRequester(session)
            self.ready(rq, prov)
            first = cfg.measurements[0].index
            ends = [('GET_DIGESTS', rq.digests),
                    ('CHALLENGE', lambda: rq.challenge(0)),
                    ('GET_VERSION', lambda: self.ready(rq, prov)),
                    ('a request answered with ERROR',
                     lambda: rq.raw(bytes([v, 0xE4, 0, 0]) + bytes(40)))]
            if v >= 0x13:
                ends.append(('GET_MEASUREMENT_EXTENSION_LOG',
                             lambda: rq.mel(4096)))
            for what, end in ends:
                rq.measurements(0xFF)
                rq.measurements(first)
                absent = rq.raw(encode_get_measurements(
                    v, 0, 0x42, context=bytes(CONTEXT_LEN)
                    if v >= 0x13 else b''))
                self.check(absent[1:3] == bytes([ERROR, ERR_INVALID_REQUEST]),
                           tag + ': absent index')
                end()
                rq.l1 = b''     # (raw() does not know the request ended it)
                try:
                    _, blocks = rq.measurements(0xFF, signed=True)
                    ok = len(blocks) == len(cfg.measurements)
                except ReqFailure as e:
                    ok = False
                    what += ' (%s)' % e.why
                self.check(ok, tag + ': signed after unsigned and ' + what)
            # Without another request the signature spans the unsigned ones
            rq.measurements(first)
            _, blocks = rq.measurements(first, signed=True)
            self.check(len(blocks) == 1, tag + ': L1/L2 spans unsigned')

    # -- protocol errors --

    def errors(self):
        cfg, prov, session = self.device(versions=[0x12, 0x13])
        rq = TestRequester(session)

        def error_of(req):
            rsp = rq.raw(req)
            return (rsp[1], rsp[2], rsp[3]) if rsp[1] == ERROR else rsp[1]

        self.check(error_of(bytes([0x12, GET_DIGESTS, 0, 0])) ==
                   (ERROR, ERR_UNEXPECTED_REQUEST, 0), 'digests before VCA')
        self.check(error_of(bytes([0x11, GET_VERSION, 0, 0]))[:2] ==
                   (ERROR, ERR_VERSION_MISMATCH), 'GET_VERSION 1.1')
        self.check(error_of(bytes([0x12, 0xE4, 0, 0]) + bytes(40)) ==
                   (ERROR, ERR_UNSUPPORTED_REQUEST, 0xE4), 'KEY_EXCHANGE')
        self.check(error_of(bytes([0x10, GET_VERSION, 0, 0])) == VERSION,
                   'GET_VERSION')
        self.check(error_of(encode_get_capabilities(0x11))[:2] ==
                   (ERROR, ERR_VERSION_MISMATCH), 'unsupported version')
        rq.connect()
        self.check(rq.v == 0x13, 'highest common version')
        self.check(error_of(bytes([0x12, GET_DIGESTS, 0, 0]))[:2] ==
                   (ERROR, ERR_VERSION_MISMATCH), 'request version')
        self.check(error_of(encode_get_certificate(0x13, 3, 0, 100)) ==
                   (ERROR, ERR_INVALID_REQUEST, 0), 'empty slot')
        self.check(error_of(bytes([0x13, GET_DIGESTS, 0, 0, 1])) ==
                   (ERROR, ERR_INVALID_REQUEST, 0), 'trailing garbage')
        self.check(error_of(bytes([0x13, RESPOND_IF_READY, GET_DIGESTS, 1]))
                   == (ERROR, ERR_UNEXPECTED_REQUEST, 0), 'stray RIF')
        # 1.3 SlotSizeRequested
        rsp = rq.raw(struct.pack('<4BHH', 0x13, GET_CERTIFICATE, 0, 1, 0, 0))
        self.check(rsp[1] == CERTIFICATE and u16(rsp, 4) == 0 and
                   u16(rsp, 6) == len(prov.chain(0, rq.h)), 'slot size')
        # A response larger than the requester's DataTransferSize
        cfg, prov, session = self.device(versions=[0x12], asym='rsassa-3072',
                                         hashes=['sha384'])
        rq = TestRequester(session, dts=MIN_DATA_TRANSFER_SIZE)
        rq.connect()
        self.expect_fail(lambda: rq.measurements(0xFF, signed=True),
                         'error', 'response too large')
        # A requester that offers none of our algorithms
        cfg, prov, session = self.device(versions=[0x12])
        rq = TestRequester(session, offer_asym=0x80, offer_hash=0x2)
        self.expect_fail(rq.connect, 'algorithms', 'no common algorithm')
        # Hash preference list: the first offered wins
        cfg, prov, session = self.device(versions=[0x12],
                                         hashes=['sha512', 'sha256'])
        rq = TestRequester(session, offer_hash=0x3)
        rq.connect()
        self.check(rq.h.name == 'sha256', 'hash preference')
        # Measurements without signing capability
        cfg, prov, session = self.device(versions=[0x12], meas_cap='nosig')
        rq = TestRequester(session)
        rq.connect()
        self.check(rq.flags & 0x18 == CAP_MEAS_NO_SIG, 'MEAS_CAP nosig')
        self.check(len(rq.measurements(0xFF)[1]) == len(cfg.measurements),
                   'unsigned measurements')
        self.expect_fail(lambda: rq.measurements(0xFF, signed=True),
                         'error', 'signed without MEAS_SIG')

    def frames(self):
        cfg, prov, session = self.device()
        out = session.on_frame(CMD_TEST, TRANSPORT_PCI_DOE, b'Client Hello!')
        self.check(out == [encode_frame(CMD_TEST, TRANSPORT_PCI_DOE,
                                        TEST_REPLY)], 'TEST')
        # MCTP framing
        out = session.on_frame(CMD_NORMAL, TRANSPORT_MCTP,
                               b'\x05\x10\x84\x00\x00')
        frames = FrameReader().feed(b''.join(out))
        self.check(frames[0][2][:3] == b'\x05\x10\x04', 'MCTP')
        # A malformed DOE object gets an empty answer
        out = session.on_frame(CMD_NORMAL, TRANSPORT_PCI_DOE, b'\x01\x00')
        self.check(out == [encode_frame(CMD_NORMAL, TRANSPORT_PCI_DOE)],
                   'bad DOE object')
        # Frames split and joined arbitrarily
        data = encode_frame(CMD_NORMAL, 2, b'abcd') + encode_frame(CMD_TEST,
                                                                   2)
        r = FrameReader()
        got = r.feed(data[:5]) + r.feed(data[5:17]) + r.feed(data[17:])
        self.check(got == [(CMD_NORMAL, 2, b'abcd'), (CMD_TEST, 2, b'')],
                   'frame reader')
        out = session.on_frame(CMD_SHUTDOWN, TRANSPORT_PCI_DOE, b'')
        self.check(session.stop and out == [encode_frame(CMD_SHUTDOWN, 2)],
                   'SHUTDOWN')
        # DOE padding of every response length
        for n in range(4, 12):
            obj = doe_encode(bytes(range(n)))
            self.check(len(obj) % 4 == 0 and doe_decode(obj)[1][:n] ==
                       bytes(range(n)), 'DOE padding %d' % n)

    # -- MCTP over serial --

    def serial_framing(self):
        rng = self.rng
        # The CRC itself: the catalogue check value of CRC-16/MCRF4XX (the
        # RFC 1662 register without the final complement), and a bitwise
        # computation against the table.
        self.check(fcs16(b'123456789') == 0x6F91, 'FCS-16 check value')

        def bitwise(data):
            crc = 0xFFFF
            for b in data:
                for i in range(8):
                    bit = (crc ^ (b >> i)) & 1
                    crc = (crc >> 1) ^ (0x8408 if bit else 0)
            return crc
        data = bytes(rng.randrange(256) for _ in range(300))
        self.check(fcs16(data) == bitwise(data), 'FCS-16 table')

        # One frame, byte by byte
        pkt = bytes([1, 9, 8, 0xC8, 0x05, 0x7E, 0x10, 0x7D, 0x84])
        frame = serial_frame(pkt)
        fcs = fcs16(bytes([1, len(pkt)]) + pkt)
        self.check(frame == bytes([0x7E, 0x01, 9, 1, 9, 8, 0xC8, 0x05, 0x7D,
                                   0x5E, 0x10, 0x7D, 0x5D, 0x84,
                                   fcs >> 8, fcs & 0xFF, 0x7E]),
                   'frame layout and escaping')
        self.check(SerialDeframer().feed(frame) == [pkt], 'frame decode')

        # FCS bytes that look like flags or escapes go out unescaped
        tricky = {}
        n = 0
        while len(tricky) < 4:
            p = bytes([1, 9, 8, 0xC8]) + n.to_bytes(2, 'big')
            f = fcs16(bytes([1, len(p)]) + p)
            for b in (f >> 8, f & 0xFF):
                if b in (SERIAL_FLAG, SERIAL_ESC) and b not in tricky:
                    tricky[b] = p
            if f >> 8 in (0x7E, 0x7D) and f & 0xFF in (0x7E, 0x7D):
                tricky['both'] = p
            if (f >> 8, f & 0xFF) == (0x7E, 0x7E):
                tricky['flags'] = p
            n += 1
            if n > 0x10000:
                break
        for what, p in tricky.items():
            f = serial_frame(p)
            self.check(len(f) == len(p) + 6 and
                       SerialDeframer().feed(f) == [p],
                       'raw FCS %s' % what)

        # Many frames, every length, split anywhere, with junk in between
        pkts = [bytes(rng.choice((0x7E, 0x7D, 0x5E, 0x5D, 0, 0xFF,
                                  rng.randrange(256)))
                      for _ in range(n)) for n in range(1, 256)]
        wire = b'\x00\x11'.join(serial_frame(p) for p in pkts)
        d = SerialDeframer()
        got = []
        pos = 0
        while pos < len(wire):
            k = rng.randint(1, 300)
            got += d.feed(wire[pos:pos + k])
            pos += k
        self.check(got == pkts, 'round trip of %d frames' % len(pkts))
        # (each \x00 where a revision is due, each \x11 while hunting)
        self.check(d.errors == {'revision': len(pkts) - 1,
                                'junk': len(pkts) - 1},
                   'junk between frames %s' % d.errors)

        # Damage: a bad FCS, a cut-off frame, a wrong revision, a count
        # above the limit, a missing end flag; the frame after each
        # still arrives.  A closing flag shared with the next frame.
        good = serial_frame(pkts[40])
        bad_fcs = bytearray(serial_frame(pkts[10]))
        bad_fcs[5] ^= 0x01 if bad_fcs[5] not in (0x7C, 0x7D, 0x7F) else 0x40
        cases = {
            'fcs': bytes(bad_fcs),
            'aborted': serial_frame(pkts[30])[:20],
            'revision': b'\x7e\x02' + serial_frame(pkts[3])[2:],
            'count': serial_frame(pkts[100]),
            'end-flag': serial_frame(pkts[5])[:-1] + b'\x00',
        }
        for what, bad in cases.items():
            d = SerialDeframer(max_count=LINUX_SERIAL_MAX_COUNT)
            got = d.feed(bad + good)
            self.check(got == [pkts[40]] and d.errors.get(what),
                       'damaged frame (%s): %s %s' % (what, len(got),
                                                      d.errors))
        d = SerialDeframer()
        self.check(d.feed(good[:-1] + good) == [pkts[40]] * 2 and
                   not d.errors, 'shared flag')
        d = SerialDeframer()
        self.check(d.feed(b'\x7e\x7e\x7e' + good[1:]) == [pkts[40]],
                   'repeated flags')

    def mctp_packets(self):
        rng = self.rng
        msg = bytes(rng.randrange(256) for _ in range(301))
        pkts = mctp_packets(9, 8, 5, True, msg, 64)
        hdrs = [mctp_header(p) for p in pkts]
        self.check([len(p) - 4 for p in pkts] == [64] * 4 + [45],
                   'fragment sizes')
        self.check([h[2:5] for h in hdrs] ==
                   [(True, False, 0), (False, False, 1), (False, False, 2),
                    (False, False, 3), (False, True, 0)],
                   'SOM/EOM and sequence numbers')
        self.check(all(h[:2] == (9, 8) and h[5:] == (True, 5)
                       for h in hdrs) and
                   all(p[0] == MCTP_HDR_VERSION for p in pkts),
                   'addresses, TO and tag')
        single = mctp_packets(8, 9, 2, False, b'\x05\x10\x04', 64)
        self.check(single == [b'\x01\x08\x09\xc2\x05\x10\x04'],
                   'single packet %s' % single[0].hex())
        # Interleaved messages (same tag to two EIDs, two tags to one)
        other = mctp_packets(10, 8, 5, True, msg[::-1], 32)
        third = mctp_packets(9, 8, 6, True, msg[:100], 16)
        streams = [list(pkts), list(other), list(third)]
        r = MctpReassembler()
        done = []
        while any(streams):
            s = rng.choice([x for x in streams if x])
            res = r.feed(s.pop(0))
            if res:
                done.append(res)
        self.check(sorted(done) == sorted([(8, 9, 5, True, msg),
                                           (8, 10, 5, True, msg[::-1]),
                                           (8, 9, 6, True, msg[:100])]) and
                   not r.errors, 'interleaved reassembly %s' % r.errors)
        # A lost packet, a repeated one, one without SOM, a restart
        r = MctpReassembler()
        self.check(r.feed(pkts[0]) is None and r.feed(pkts[2]) is None and
                   r.errors == {'sequence': 1} and
                   r.feed(pkts[3]) is None and r.errors['no SOM'] == 1,
                   'lost packet %s' % r.errors)
        r = MctpReassembler()
        for p in pkts[:3] + pkts:
            res = r.feed(p)
        self.check(res == (8, 9, 5, True, msg) and r.errors ==
                   {'restarted': 1}, 'SOM restarts %s' % r.errors)
        r = MctpReassembler(max_message=200)
        for p in pkts:
            res = r.feed(p)
        self.check(res is None and r.errors.get('too long'), 'size limit')
        r = MctpReassembler()
        self.check(r.feed(b'\x02' + pkts[0][1:]) is None and
                   r.feed(b'\x01\x08') is None and
                   r.errors == {'header version': 1, 'short packet': 1},
                   'bad packets %s' % r.errors)
        # Sequence numbers wrap
        long_msg = bytes(1000)
        r = MctpReassembler()
        for p in mctp_packets(9, 8, 0, True, long_msg, 64):
            res = r.feed(p)
        self.check(res and res[4] == long_msg, 'sequence wrap')

    def mctp_endpoints(self):
        """Several EIDs on one line: independent devices, one root."""
        cfg = Config(versions=[0x12, 0x13])
        provs = provision_eids(cfg, [9, 10, 11])
        session = MctpSerialSession(cfg, provs, NullLogger(), silent=[11])
        links = {eid: MctpSerialLink(session, eid, rng=self.rng)
                 for eid in (9, 10, 11, 12)}
        rqs = {eid: TestRequester(links[eid]) for eid in (9, 10)}
        # Interleave the two requesters' exchanges step by step
        for step in ('connect', 'digests', 'certificate', 'validate',
                     'challenge'):
            for eid, rq in rqs.items():
                if step == 'certificate':
                    rq.certificate(0, portion_max=300)
                elif step == 'validate':
                    rq.validate(0, provs[eid].trusted_root.der)
                else:
                    getattr(rq, step)(*(() if step != 'challenge' else (0,)))
        roots = {provs[e].trusted_root.der for e in provs}
        keys = {rq.leaf_keys[0].public_bytes(
            serialization.Encoding.DER,
            serialization.PublicFormat.SubjectPublicKeyInfo)
            for rq in rqs.values()}
        self.check(len(roots) == 1 and len(keys) == 2,
                   'shared root, own leaf keys')
        self.check(rqs[9].chains[0] != rqs[10].chains[0], 'own chains')
        self.check(links[9].packets > 20, 'multi-packet responses')
        rq = TestRequester(links[11])
        self.expect_fail(rq.connect, 'no-response', 'silent EID')
        rq = TestRequester(links[12])
        self.expect_fail(rq.connect, 'no-response', 'unknown EID')
        # Messages that get no answer
        get_version = bytes([0x10, GET_VERSION, 0, 0])
        for what, kw in (('secured', dict(mtype=MCTP_TYPE_SECURED_SPDM)),
                         ('control', dict(mtype=0x00)),
                         ('vendor', dict(mtype=0x7E)),
                         ('IC bit', dict(mtype=0x85)),
                         ('TO=0', dict(to=False))):
            self.check(links[9].send(get_version, **kw)[1] == b'',
                       'no answer to %s' % what)
        self.check(links[9].transfer(get_version)[1] == VERSION,
                   'still answering')
        # Separate keys: no sharing between EIDs
        provs = provision_eids(cfg, [9, 10], shared_root=False)
        self.check(provs[9].trusted_root.der != provs[10].trusted_root.der,
                   '--no-shared-root')
        with tempfile.TemporaryDirectory() as d:
            provs = provision_eids(cfg, [9, 10])
            write_eid_certs(d, provs, cfg.hashes[0], True)
            names = sorted(os.listdir(d))
            with open(os.path.join(d, 'root.der'), 'rb') as f:
                root = f.read()
            with open(os.path.join(d, 'eid-10', 'root.der'), 'rb') as f:
                root10 = f.read()
            self.check(names == ['eid-10', 'eid-9', 'root.der', 'root.pem']
                       and root == root10 == provs[9].trusted_root.der,
                       'cert-dir per EID %s' % names)
        self.check(parse_eids('8,9, 12-14,0x10') == [8, 9, 12, 13, 14, 16],
                   'EID list')
        for bad in ('7', '9-8', '255', 'x', '8-'):
            try:
                parse_eids(bad)
                self.check(False, 'EID list %r accepted' % bad)
            except ValueError:
                pass

    def files(self):
        cfg, prov, session = self.device(slots=2)
        with tempfile.TemporaryDirectory() as d:
            names = prov.write(d, cfg.hashes[0])
            self.check({'root.der', 'root.pem', 'chain.der', 'leaf.pem',
                        'chain-slot1.der', 'leaf-slot1.pem'} <= set(names),
                       'cert-dir files')
            with open(os.path.join(d, 'chain.der'), 'rb') as f:
                chain = f.read()
            with open(os.path.join(d, 'root.der'), 'rb') as f:
                root = f.read()
            rq = TestRequester(session)
            rq.connect()
            rq.digests()
            self.check(rq.certificate(0)[0] == chain, 'chain.der')
            rq.validate(0, root, prov.identity)
            meas = os.path.join(d, 'meas.json')
            with open(meas, 'w') as f:
                json.dump([{'index': 3, 'type': 1, 'value': 'aabb'},
                           {'index': 1, 'type': 6, 'value': '312e30',
                            'raw': True}], f)
            blocks = load_measurements(meas)
            self.check([(b.index, b.raw) for b in blocks] ==
                       [(1, True), (3, False)], 'measurements file')
        # --leaf-padding: the chain grows by the padding, arrives whole in
        # portions and still validates
        plain = prov.chain(0, cfg.hashes[0])
        for n in (100, 6144):
            cfg, prov, session = self.device(leaf_padding=n)
            rq = TestRequester(session)
            rq.connect()
            rq.digests()
            chain, portions = rq.certificate(0)
            grown = len(chain) - len(plain)
            self.check(n < grown < n + 64 and portions >= 1 + n // 4096,
                       'leaf padding %d: chain grew by %d in %d portion(s)'
                       % (n, grown, portions))
            rq.validate(0, prov.trusted_root.der, prov.identity)
            leaf = x509.load_der_x509_certificate(prov.leaves[0].der)
            ext = leaf.extensions.get_extension_for_oid(PADDING_OID)
            self.check(not ext.critical, 'leaf padding %d: non-critical' % n)
        # --ca-name names the CAs; by default every run has names of its own
        _, named, _ = self.device(ca_name='kspdm twin')
        self.check(named.cs.root.subject.rfc4514_string() ==
                   'CN=kspdm twin root %s' % named.kt.name and
                   prov.cs.root.subject != named.cs.root.subject and
                   CA_PREFIX in prov.cs.root.subject.rfc4514_string(),
                   'CA names: %s' % named.cs.root.subject.rfc4514_string())
        ident = cma_identity(*parse_pci_id(DEFAULT_PCI_ID))
        self.check(ident == 'Vendor=1b36:Device=0010:CC=010802:REV=02:'
                   'SSVID=1af4:SSID=1100', 'identity string')

    def run(self):
        start = time.monotonic()
        cases = 0
        for asym, hname in SELFTEST_SUITES:
            for v in (0x10, 0x11, 0x12, 0x13):
                try:
                    self.flow(v, asym, hname)
                except ReqFailure as e:
                    self.check(False, 'v%s %s/%s: %s %s' %
                               (version_str(v), asym, hname, e.why, e.info))
                cases += 1
        for v in (0x10, 0x12, 0x13):
            self.faults(v)
        self.errors()
        for part in (self.default_blocks, self.extension_log,
                     self.meas_change, self.fallback, self.l1_end):
            try:
                part()
            except (ReqFailure, ValueError) as e:
                self.check(False, '%s: %s %s' % (
                    part.__name__, e, getattr(e, 'info', '')))
        self.frames()
        self.files()
        # The same over MCTP serial framing: the DSP0236 baseline MTU, and
        # a small one for many packets per message
        mctp_cases = 0
        for mtu, suites in ((MCTP_BASELINE_MTU, SELFTEST_SUITES[:2]),
                            (16, [('rsassa-3072', 'sha384')])):
            self.mctp_mtu = mtu
            for asym, hname in suites:
                for v in (0x10, 0x11, 0x12, 0x13):
                    try:
                        self.flow(v, asym, hname)
                    except ReqFailure as e:
                        self.check(False, 'mctp mtu %d v%s %s/%s: %s %s' %
                                   (mtu, version_str(v), asym, hname, e.why,
                                    e.info))
                    mctp_cases += 1
        self.mctp_mtu = MCTP_BASELINE_MTU
        self.faults(0x12)
        self.errors()
        self.mctp_mtu = None
        self.serial_framing()
        self.mctp_packets()
        self.mctp_endpoints()
        print('selftest: %d flows (%d suites x 4 versions) + %d over MCTP '
              'serial, %d checks, %.1fs: %s' %
              (cases, len(SELFTEST_SUITES), mctp_cases, self.checks,
               time.monotonic() - start,
               'FAILED' if self.failures else 'ok'))
        print('%d passed, %d failed' % (self.checks - len(self.failures),
                                        len(self.failures)))
        return not self.failures


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------


def parse_args(argv):
    ap = argparse.ArgumentParser(
        description='SPDM responder for QEMU\'s spdm_port (PCIe DOE) or '
        'for MCTP over a QEMU serial port; answers GET_VERSION, '
        'GET_CAPABILITIES, NEGOTIATE_ALGORITHMS, GET_DIGESTS, '
        'GET_CERTIFICATE, CHALLENGE, GET_MEASUREMENTS, '
        'GET_MEASUREMENT_EXTENSION_LOG (1.3, --mel) and RESPOND_IF_READY, '
        'anything else with ERROR UnsupportedRequest.',
        epilog='Faults (--fault NAME[:REQUEST], repeatable; REQUEST is e.g. '
        'GET_DIGESTS or 0x81, default: every request the fault makes sense '
        'for; one-shot faults fire once per request code after each '
        'GET_VERSION, per EID with mctp-serial): bad-signature, wrong-nonce '
        '(every signed response), meas-change (after the first signed '
        'MEASUREMENTS the firmware measurement, index 2, changes once and '
        'the next signed MEASUREMENTS reports ContentChanged), busy, '
        'busy-always, not-ready, '
        'not-ready-always, truncated, oversized '
        '(mctp-serial: a response without a length field gets 4 trailing '
        'zero bytes), no-response (empty frame: QEMU drops the object, the '
        'guest DOE times out; mctp-serial: no answer), silent (no frame at '
        'all: QEMU and the guest hang; mctp-serial: no answer), untrusted '
        '(chain under a root that is not root.der).')
    ap.add_argument('--port', type=int, default=2323,
                    help='TCP port on 127.0.0.1 (0: any; default %(default)s)')
    ap.add_argument('--transport', choices=('doe', 'mctp-serial'),
                    default='doe',
                    help='doe: QEMU spdm_port socket protocol (PCIe DOE); '
                    'mctp-serial: the connection is a serial line carrying '
                    'DSP0253 frames of MCTP packets, e.g. from QEMU '
                    '"-chardev socket,id=m0,host=127.0.0.1,port=N -device '
                    'isa-serial,chardev=m0" (default %(default)s)')
    ap.add_argument('--eids', default='9', metavar='LIST',
                    help='mctp-serial: answer as these EIDs, each an '
                    'independent SPDM device (e.g. 8,9,10 or 9-16; '
                    'default %(default)s)')
    ap.add_argument('--silent-eid', action='append', default=[],
                    metavar='LIST', help='mctp-serial: never answer '
                    'messages to these EIDs (repeatable)')
    ap.add_argument('--shared-root', action=argparse.BooleanOptionalAction,
                    default=True,
                    help='mctp-serial: one root and intermediate CA issue '
                    'the leaf of every EID, written once more as '
                    'CERT_DIR/root.der (default on; --no-shared-root: a '
                    'chain of its own for each EID)')
    ap.add_argument('--mtu', type=int, default=MCTP_BASELINE_MTU,
                    help='mctp-serial: largest MCTP packet payload we send, '
                    '1-%d (default %%(default)s, the DSP0236 baseline; '
                    'Linux 6.12 mctp-serial takes at most %d)' %
                    (SERIAL_MAX_MTU, LINUX_SERIAL_MAX_MTU))
    ap.add_argument('--versions', default='1.0,1.1,1.2,1.3',
                    help='versions to offer (default %(default)s)')
    ap.add_argument('--asym', default=DEFAULT_ASYM,
                    choices=sorted(ASYM_OPTIONS),
                    help='signature algorithm (default %(default)s)')
    ap.add_argument('--hash', default=DEFAULT_HASH,
                    help='hash algorithm, or a comma-separated preference '
                    'list (%s; default %%(default)s)' %
                    '|'.join(sorted(HASH_OPTIONS)))
    ap.add_argument('--cert-dir', metavar='DIR',
                    help='write root.der, root.pem, chain.der (SPDM chain '
                    'object of slot 0 for the first --hash), leaf.pem, '
                    'certs.pem and chain-slotN.der/leaf-slotN.pem; '
                    'mctp-serial: the same in DIR/eid-<N>/ for every EID')
    ap.add_argument('--pci-id', default=None,
                    metavar='VENDOR:DEVICE:CC:REV:SSVID:SSID',
                    help='identity in the leaf certificates, or "none" '
                    'for none (default: doe: QEMU NVMe, %s; '
                    'mctp-serial: none)' % DEFAULT_PCI_ID)
    ap.add_argument('--slots', type=int, default=1,
                    help='certificate slots to provision (1-8)')
    ap.add_argument('--measurements', metavar='FILE',
                    help='JSON list of {"index", "type", "value" (hex), '
                    '"raw" (bool), "tcb" (bool)}')
    ap.add_argument('--meas-cap', choices=('sig', 'nosig', 'none'),
                    default='sig', help='MEAS_CAP to advertise')
    ap.add_argument('--mel', action='store_true',
                    help='SPDM 1.3: advertise MEL_CAP and answer '
                    'GET_MEASUREMENT_EXTENSION_LOG with the DMTF measurement '
                    'extension log of the measurements')
    ap.add_argument('--dts', type=int, default=DEFAULT_DTS,
                    help='DataTransferSize / largest response (default '
                    '%%(default)s, at most %d); a larger response gets '
                    'ERROR ResponseTooLarge, e.g. all default measurements '
                    'with --dts 256 (ECDSA) or 600 (RSA-3072), which still '
                    'carry CHALLENGE_AUTH and each single measurement'
                    % MAX_MESSAGE)
    ap.add_argument('--leaf-padding', type=int, default=0, metavar='N',
                    help='add a non-critical private extension of N bytes '
                    'to every leaf certificate, e.g. 6144 for a chain of '
                    'about 8 KB instead of about 2 KB (default 0, at most '
                    '%d)' % MAX_LEAF_PADDING)
    ap.add_argument('--ca-name', metavar='PREFIX',
                    help='name the root, intermediate and leaves "PREFIX '
                    'root <key>" and so on (default: "kspdm emulated '
                    'device" and a random tag of this run)')
    ap.add_argument('--fault', action='append', default=[],
                    metavar='NAME[:REQUEST]', help='inject a fault')
    ap.add_argument('--log', metavar='FILE',
                    help='append every request and response in hex')
    ap.add_argument('--keep-listening', action='store_true',
                    help='accept a new connection after one closes '
                    '(SHUTDOWN still exits)')
    ap.add_argument('-v', '--verbose', action='store_true',
                    help='one line per message on stderr')
    ap.add_argument('-q', '--quiet', action='store_true',
                    help='only print the listening line')
    ap.add_argument('--selftest', action='store_true',
                    help='check the responder against a built-in requester')
    return ap.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.selftest:
        return 0 if Selftest().run() else 1
    try:
        measurements = load_measurements(args.measurements) \
            if args.measurements else None
        hashes = [h.strip() for h in args.hash.split(',')]
        for h in hashes:
            if h not in HASH_OPTIONS:
                raise ValueError('--hash: unknown %r' % h)
        mctp = args.transport == 'mctp-serial'
        pci_id = args.pci_id or ('none' if mctp else DEFAULT_PCI_ID)
        cfg = Config(versions=parse_versions(args.versions), asym=args.asym,
                     hashes=hashes, slots=args.slots, pci_id=pci_id,
                     measurements=measurements, faults=args.fault,
                     meas_cap=args.meas_cap, dts=args.dts, mel=args.mel,
                     leaf_padding=args.leaf_padding, ca_name=args.ca_name)
        if not 0 <= args.port <= 0xFFFF:
            raise ValueError('--port wants 0..65535')
        eids = parse_eids(args.eids)
        silent = set()
        for item in args.silent_eid:
            silent.update(parse_eids(item))
        if not 1 <= args.mtu <= SERIAL_MAX_MTU:
            raise ValueError('--mtu wants 1..%d' % SERIAL_MAX_MTU)
    except (ValueError, KeyError, OSError) as e:
        print('responder: %s' % e, file=sys.stderr)
        return 2

    logger = Logger(args.log, args.verbose, args.quiet)

    def on_signal(signum, _frame):
        raise Stop(signal.Signals(signum).name)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    try:
        if mctp:
            provs = provision_eids(cfg, eids, args.shared_root)
            prov = provs[eids[0]]
        else:
            prov = Provisioning(cfg)
        logger.info('device identity %s, leaf key %s' %
                    (prov.identity, prov.kt.name))
        if args.cert_dir:
            if mctp:
                write_eid_certs(args.cert_dir, provs, cfg.hashes[0],
                                args.shared_root)
            else:
                prov.write(args.cert_dir, cfg.hashes[0])
            print('cert-dir %s' % os.path.abspath(args.cert_dir), flush=True)
        for name, codes in cfg.faults:
            logger.info('fault %s on %s' % (
                name, ', '.join(REQUEST_NAMES[c] for c in sorted(codes))
                or 'the certificate chain'))
        if not mctp:
            return serve(args, cfg, logger,
                         lambda: DoeConnection(cfg, prov, logger), 'doe')
        if args.mtu > LINUX_SERIAL_MAX_MTU:
            # Linux 6.12 also fails to resynchronise after such a frame
            # (its receiver keeps its header position across the error),
            # so every later frame is lost as well.
            logger.info('warning: --mtu %d: Linux mctp-serial drops frames '
                        'of packets with more than %d payload bytes and '
                        'then stops receiving' %
                        (args.mtu, LINUX_SERIAL_MAX_MTU))
        logger.info('MCTP EIDs %s%s, %s root, MTU %d' % (
            format_eids(eids), ' (silent: %s)' % format_eids(sorted(silent))
            if silent else '', 'shared' if args.shared_root else 'own',
            args.mtu))
        return serve(args, cfg, logger,
                     lambda: MctpSerialSession(cfg, provs, logger, args.mtu,
                                               silent), 'mctp-serial')
    except Stop as e:
        logger.info('%s: exiting' % e)
        return 0
    except OSError as e:
        logger.info('error: %s' % e)
        return 1
    finally:
        logger.close()


if __name__ == '__main__':
    sys.exit(main())
