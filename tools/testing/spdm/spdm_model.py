# SPDX-License-Identifier: GPL-2.0-only
#
# spdm_model.py - SPDM (DMTF DSP0274 1.0 - 1.3) building blocks shared by the
# kspdm test tools: gen_vectors.py (KUnit vector generator) and responder.py
# (responder emulator for QEMU).
#
# What lives here: protocol constants, the hash and signature algorithms in
# their SPDM encodings, certificate and SPDM certificate-chain builders, the
# 1.2+ signing prefix, and encoders for the fixed-layout messages.  Nothing
# here keeps state or knows about a transport.
#
# Only the Python standard library and python3-cryptography (>= 38) are used.

import datetime
import itertools
import struct

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    Prehashed, decode_dss_signature, encode_dss_signature)
from cryptography.x509.oid import NameOID

# ---------------------------------------------------------------------------
# Protocol constants (DSP0274)
# ---------------------------------------------------------------------------

GET_VERSION = 0x84
VERSION = 0x04
GET_CAPABILITIES = 0xE1
CAPABILITIES = 0x61
NEGOTIATE_ALGORITHMS = 0xE3
ALGORITHMS = 0x63
GET_DIGESTS = 0x81
DIGESTS = 0x01
GET_CERTIFICATE = 0x82
CERTIFICATE = 0x02
CHALLENGE = 0x83
CHALLENGE_AUTH = 0x03
GET_MEASUREMENTS = 0xE0
MEASUREMENTS = 0x60
GET_MEASUREMENT_EXTENSION_LOG = 0xEF   # SPDM 1.3
MEASUREMENT_EXTENSION_LOG = 0x6F
RESPOND_IF_READY = 0xFF
ERROR = 0x7F

ERR_INVALID_REQUEST = 0x01
ERR_BUSY = 0x03
ERR_UNEXPECTED_REQUEST = 0x04
ERR_UNSPECIFIED = 0x05
ERR_UNSUPPORTED_REQUEST = 0x07
ERR_RESPONSE_TOO_LARGE = 0x0D
ERR_LARGE_RESPONSE = 0x0F
ERR_VERSION_MISMATCH = 0x41
ERR_RESPONSE_NOT_READY = 0x42
ERR_REQUEST_RESYNCH = 0x43

# CAPABILITIES flags
CAP_CACHE = 0x01
CAP_CERT = 0x02
CAP_CHAL = 0x04
CAP_MEAS_NO_SIG = 0x08
CAP_MEAS_SIG = 0x10
CAP_MEAS_FRESH = 0x20
CAP_MEAS_MASK = 0x18
CAP_MEL = 1 << 24           # SPDM 1.3: GET_MEASUREMENT_EXTENSION_LOG

NONCE_LEN = 32
CONTEXT_LEN = 8             # RequesterContext, SPDM 1.3
CERT_HDR_LEN = 8            # GET_CERTIFICATE / CERTIFICATE header
MIN_DATA_TRANSFER_SIZE = 42  # SPDM 1.2

MEAS_SPEC_DMTF = 0x01
MEAS_HASH_RAW = 0x01        # MeasurementHashAlgo: raw bit stream only

# AlgStruct AlgType values (NEGOTIATE_ALGORITHMS / ALGORITHMS, 1.1+)
ALG_TYPE_DHE = 2
ALG_TYPE_AEAD = 3
ALG_TYPE_REQ_BASE_ASYM = 4
ALG_TYPE_KEY_SCHEDULE = 5

# Signing contexts of the 1.2+ combined prefix
CHALLENGE_AUTH_CONTEXT = b'responder-challenge_auth signing'
MEASUREMENTS_CONTEXT = b'responder-measurements signing'

# DMTF measurement value types (DMTFSpecMeasurementValueType[6:0])
MEAS_TYPE_ROM = 0
MEAS_TYPE_FIRMWARE = 1
MEAS_TYPE_HW_CONFIG = 2
MEAS_TYPE_FW_CONFIG = 3
MEAS_TYPE_MANIFEST = 4
MEAS_TYPE_DEVICE_MODE = 5
MEAS_TYPE_VERSION = 6
MEAS_TYPE_SVN = 7
MEAS_TYPE_HASH_EXTEND = 8       # SPDM 1.3
MEAS_TYPE_INFORMATIONAL = 9     # SPDM 1.3
MEAS_TYPE_STRUCT_MANIFEST = 10  # SPDM 1.3
MEAS_RAW_BIT_STREAM = 0x80

# GET_MEASUREMENTS Param1 and Param2
MEAS_REQ_SIG = 0x01
MEAS_REQ_RAW = 0x02             # SPDM 1.2
MEAS_REQ_NEW = 0x04             # SPDM 1.3
MEAS_OP_COUNT = 0x00
MEAS_OP_ALL = 0xFF
# Measurement indices with a fixed meaning (SPDM 1.2+)
MEAS_INDEX_MANIFEST = 0xFD
MEAS_INDEX_DEVICE_MODE = 0xFE
# MEASUREMENTS Param2[5:4] of a signed 1.2+ response
MEAS_CHANGED_UNKNOWN = 0x00
MEAS_CHANGED_YES = 0x10
MEAS_CHANGED_NO = 0x20

MEL_HDR_LEN = 16            # NumberOfEntries, EntriesLength, Reserved
MEL_RSP_HDR_LEN = 12        # MEASUREMENT_EXTENSION_LOG before the portion

# PCIe CMA leaf identity: SAN otherName (DSP0274 / PCIe r6 6.31.3)
CMA_SAN_OID = x509.ObjectIdentifier('2.23.147')


def version_entry(v):
    """VERSION entry (u16: major, minor, update, alpha nibbles) of 0x1X."""
    return (v >> 4) << 12 | (v & 0xF) << 8


def version_str(v):
    return '%d.%d' % (v >> 4, v & 0xF)


# ---------------------------------------------------------------------------
# Algorithms
# ---------------------------------------------------------------------------


class HashAlg:
    """A BaseHashAlgo entry."""

    def __init__(self, name, bit, factory, meas_bit=0):
        self.name = name
        self.bit = bit
        self.factory = factory
        self.meas_bit = meas_bit        # MeasurementHashAlgo bit
        self.size = factory.digest_size

    def algo(self):
        return self.factory()

    def __call__(self, data):
        ctx = hashes.Hash(self.factory())
        ctx.update(data)
        return ctx.finalize()


HASHES = {h.name: h for h in (
    HashAlg('sha256', 0x01, hashes.SHA256, 0x02),
    HashAlg('sha384', 0x02, hashes.SHA384, 0x04),
    HashAlg('sha512', 0x04, hashes.SHA512, 0x08),
    HashAlg('sha3_256', 0x08, hashes.SHA3_256, 0x10),
    HashAlg('sha3_384', 0x10, hashes.SHA3_384, 0x20),
    HashAlg('sha3_512', 0x20, hashes.SHA3_512, 0x40),
)}
HASH_BY_BIT = {h.bit: h for h in HASHES.values()}
HASH_BY_MEAS_BIT = {h.meas_bit: h for h in HASHES.values()}


class KeyType:
    """A key family: an EC curve or an RSA modulus size."""

    CURVES = {'p256': ec.SECP256R1, 'p384': ec.SECP384R1, 'p521': ec.SECP521R1}
    # Certificates signed by an EC key use the SHA-2 matching the curve;
    # RSA certificates always use sha256WithRSAEncryption.
    EC_CERT_HASH = {'p256': hashes.SHA256, 'p384': hashes.SHA384,
                    'p521': hashes.SHA512}

    def __init__(self, name):
        self.name = name
        self.is_ec = name in self.CURVES
        self.bits = None if self.is_ec else int(name[3:])

    def generate(self):
        if self.is_ec:
            return ec.generate_private_key(self.CURVES[self.name]())
        return rsa.generate_private_key(public_exponent=65537,
                                        key_size=self.bits)

    def cert_hash(self):
        if self.is_ec:
            return self.EC_CERT_HASH[self.name]()
        return hashes.SHA256()

    def fits(self, pub):
        """Whether public key @pub is of this type."""
        if self.is_ec:
            return (isinstance(pub, ec.EllipticCurvePublicKey) and
                    isinstance(pub.curve, self.CURVES[self.name]))
        return isinstance(pub, rsa.RSAPublicKey) and pub.key_size == self.bits


KEYTYPES = {n: KeyType(n) for n in
            ('p256', 'p384', 'p521', 'rsa2048', 'rsa3072', 'rsa4096')}


def keytype_of(key):
    for kt in KEYTYPES.values():
        if kt.fits(key.public_key()):
            return kt
    raise ValueError('unsupported key')


class AsymAlg:
    """A BaseAsymAlgo entry and its SPDM signature encoding."""

    EC_COORD = {'p256': 32, 'p384': 48, 'p521': 66}

    def __init__(self, name, bit, scheme, keytype):
        self.name = name
        self.bit = bit
        self.scheme = scheme            # 'ecdsa', 'rsassa' or 'rsapss'
        self.keytype = KEYTYPES[keytype]
        if scheme == 'ecdsa':
            self.sig_len = 2 * self.EC_COORD[keytype]
        else:
            self.sig_len = self.keytype.bits // 8

    def _params(self, h, prehashed=False):
        algo = Prehashed(h.algo()) if prehashed else h.algo()
        if self.scheme == 'ecdsa':
            return (ec.ECDSA(algo),)
        if self.scheme == 'rsassa':
            return (padding.PKCS1v15(), algo)
        # RSASSA-PSS: MGF1 with the same hash, salt as long as the hash.
        return (padding.PSS(mgf=padding.MGF1(h.algo()), salt_length=h.size),
                algo)

    def sign(self, key, data, h, prehashed=False):
        """Sign @data (or the digest @data if @prehashed) in SPDM encoding."""
        sig = key.sign(data, *self._params(h, prehashed))
        if self.scheme != 'ecdsa':
            return sig
        r, s = decode_dss_signature(sig)
        n = self.sig_len // 2
        return r.to_bytes(n, 'big') + s.to_bytes(n, 'big')

    def verify(self, pub, sig, data, h):
        if len(sig) != self.sig_len:
            return False
        if self.scheme == 'ecdsa':
            n = self.sig_len // 2
            sig = encode_dss_signature(int.from_bytes(sig[:n], 'big'),
                                       int.from_bytes(sig[n:], 'big'))
        try:
            pub.verify(sig, data, *self._params(h))
        except InvalidSignature:
            return False
        return True


ASYMS = {a.name: a for a in (
    AsymAlg('rsassa_2048', 0x001, 'rsassa', 'rsa2048'),
    AsymAlg('rsapss_2048', 0x002, 'rsapss', 'rsa2048'),
    AsymAlg('rsassa_3072', 0x004, 'rsassa', 'rsa3072'),
    AsymAlg('rsapss_3072', 0x008, 'rsapss', 'rsa3072'),
    AsymAlg('ecdsa_p256', 0x010, 'ecdsa', 'p256'),
    AsymAlg('rsassa_4096', 0x020, 'rsassa', 'rsa4096'),
    AsymAlg('rsapss_4096', 0x040, 'rsapss', 'rsa4096'),
    AsymAlg('ecdsa_p384', 0x080, 'ecdsa', 'p384'),
    AsymAlg('ecdsa_p521', 0x100, 'ecdsa', 'p521'),
)}
ASYM_BY_BIT = {a.bit: a for a in ASYMS.values()}


def signing_prefix(v, context=CHALLENGE_AUTH_CONTEXT):
    """combined_spdm_prefix of SPDM 1.2+: 4 x version string + context."""
    ver = b'dmtf-spdm-v%d.%d.*' % (v >> 4, v & 0xF)
    assert len(ver) == 16 and len(context) <= 36
    pad = 36 - len(context)
    return ver * 4 + bytes(pad) + context


def signed_message(v, transcript, h, context):
    """What is signed over @transcript: itself (1.0/1.1) or, from 1.2 on,
    the combined prefix followed by its hash."""
    if v < 0x12:
        return transcript
    return signing_prefix(v, context) + h(transcript)


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------


def u16(buf, off):
    return struct.unpack_from('<H', buf, off)[0]


def u24(buf, off):
    return int.from_bytes(buf[off:off + 3], 'little')


def u32(buf, off):
    return struct.unpack_from('<I', buf, off)[0]


def der_size(buf, off=0):
    """Total size of the DER certificate at @off (SEQUENCE, 2-byte length)."""
    assert buf[off] == 0x30 and buf[off + 1] == 0x82, 'unexpected DER framing'
    return 4 + struct.unpack_from('>H', buf, off + 2)[0]


def der_split(buf):
    """Split concatenated DER SEQUENCEs; raises ValueError on bad framing."""
    items, pos = [], 0
    while pos < len(buf):
        if buf[pos] != 0x30 or pos + 2 > len(buf):
            raise ValueError('not a SEQUENCE')
        first = buf[pos + 1]
        if first < 0x80:
            hdr, n = 2, first
        else:
            nb = first & 0x7F
            if nb == 0 or nb > 3 or pos + 2 + nb > len(buf):
                raise ValueError('bad length')
            hdr = 2 + nb
            n = int.from_bytes(buf[pos + 2:pos + hdr], 'big')
        if pos + hdr + n > len(buf):
            raise ValueError('truncated')
        items.append(buf[pos:pos + hdr + n])
        pos += hdr + n
    return items


def bits_of(mask):
    return [i for i in range(32) if mask & (1 << i)]


def der_utf8string(text):
    """DER encoding of an ASN.1 UTF8String."""
    data = text.encode('utf-8')
    n = len(data)
    if n < 0x80:
        length = bytes([n])
    else:
        raw = n.to_bytes((n.bit_length() + 7) // 8, 'big')
        length = bytes([0x80 | len(raw)]) + raw
    return b'\x0c' + length + data


def der_utf8string_value(der):
    """Inverse of der_utf8string(); raises ValueError."""
    if len(der) < 2 or der[0] != 0x0C:
        raise ValueError('not a UTF8String')
    n, pos = der[1], 2
    if n & 0x80:
        k = n & 0x7F
        n = int.from_bytes(der[2:2 + k], 'big')
        pos = 2 + k
    if pos + n != len(der):
        raise ValueError('bad UTF8String length')
    return der[pos:].decode('utf-8')


# ---------------------------------------------------------------------------
# Certificates
# ---------------------------------------------------------------------------

NOT_BEFORE = datetime.datetime(2020, 1, 1, 0, 0, 0,
                               tzinfo=datetime.timezone.utc)
NOT_AFTER = datetime.datetime(2099, 12, 31, 23, 59, 59,
                              tzinfo=datetime.timezone.utc)
_serials = itertools.count(0x1001)


def key_usage(**set_bits):
    fields = dict.fromkeys(('digital_signature', 'content_commitment',
                            'key_encipherment', 'data_encipherment',
                            'key_agreement', 'key_cert_sign', 'crl_sign',
                            'encipher_only', 'decipher_only'), False)
    fields.update(set_bits)
    return x509.KeyUsage(**fields)


ROOT_USAGE = key_usage(key_cert_sign=True, crl_sign=True)
INTER_USAGE = key_usage(key_cert_sign=True)
LEAF_USAGE = key_usage(digital_signature=True)


class Cert:
    """A certificate together with its private key."""

    def __init__(self, obj, key):
        self.obj = obj
        self.key = key
        self.der = obj.public_bytes(serialization.Encoding.DER)
        self.subject = obj.subject
        self.ski = obj.extensions.get_extension_for_class(
            x509.SubjectKeyIdentifier).value

    def pem(self):
        return self.obj.public_bytes(serialization.Encoding.PEM)


def issue(cn, key, issuer=None, *, ca, usage, signer=None, extensions=()):
    """Issue a certificate for @key.

    @issuer is the issuing Cert (None: self-signed).  @signer overrides the
    key that signs (used to forge a broken chain link); name and AKID still
    come from @issuer.  @extensions: extra (extension, critical) pairs.
    """
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    b = (x509.CertificateBuilder()
         .subject_name(name)
         .issuer_name(issuer.subject if issuer else name)
         .public_key(key.public_key())
         .serial_number(next(_serials))
         .not_valid_before(NOT_BEFORE)
         .not_valid_after(NOT_AFTER)
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None),
                        critical=True)
         .add_extension(usage, critical=True)
         .add_extension(ski, critical=False))
    if issuer:
        b = b.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(
                issuer.ski), critical=False)
    for ext, critical in extensions:
        b = b.add_extension(ext, critical=critical)
    if signer is None:
        signer = issuer.key if issuer else key
    return Cert(b.sign(signer, keytype_of(signer).cert_hash()), key)


class ChainSet:
    """Root CA -> intermediate CA -> leaves, all of one key type."""

    def __init__(self, kt, prefix='kspdm test'):
        self.kt = kt
        self.prefix = prefix
        self.root = issue('%s root %s' % (prefix, kt.name), kt.generate(),
                          ca=True, usage=ROOT_USAGE)
        self.inter = issue('%s intermediate %s' % (prefix, kt.name),
                           kt.generate(), self.root, ca=True,
                           usage=INTER_USAGE)
        self.leaves = {}

    def leaf(self, tag='leaf', extensions=()):
        """The leaf named @tag ('leaf', 'leaf2', ...), issued on first use."""
        if tag not in self.leaves:
            self.leaves[tag] = issue('%s %s %s' % (self.prefix, tag,
                                                   self.kt.name),
                                     self.kt.generate(), self.inter,
                                     ca=False, usage=LEAF_USAGE,
                                     extensions=extensions)
        return self.leaves[tag]

    def certs(self, tag='leaf'):
        return [self.root, self.inter, self.leaf(tag)]


def spdm_chain(ders, h, length_delta=0):
    """SPDM certificate chain object: Length, Reserved, RootHash, DER certs."""
    body = h(ders[0]) + b''.join(ders)
    length = 4 + len(body)
    assert length + length_delta <= 0xFFFF
    return struct.pack('<HH', length + length_delta, 0) + body


def cma_identity(vendor, device, cc, rev, ssvid, ssid):
    """The PCIe CMA identity string carried in the leaf's SAN otherName."""
    return ('Vendor=%04x:Device=%04x:CC=%06x:REV=%02x:SSVID=%04x:SSID=%04x' %
            (vendor, device, cc, rev, ssvid, ssid))


def cma_san(identity):
    """SubjectAlternativeName extension with the CMA otherName."""
    return x509.SubjectAlternativeName(
        [x509.OtherName(CMA_SAN_OID, der_utf8string(identity))])


def cma_identity_of(cert):
    """The CMA identity strings in @cert's SAN (a list, maybe empty)."""
    try:
        san = cert.extensions.get_extension_for_class(
            x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    return [der_utf8string_value(o.value) for o in
            san.get_values_for_type(x509.OtherName)
            if o.type_id == CMA_SAN_OID]


# ---------------------------------------------------------------------------
# Message encoders (fixed layouts)
# ---------------------------------------------------------------------------


def encode_error(v, code, data=0, ext=b''):
    return bytes([v, ERROR, code, data]) + ext


def encode_version(entries):
    """VERSION (always SPDMVersion 1.0) listing the u16 @entries."""
    return (bytes([0x10, VERSION, 0, 0, 0, len(entries)]) +
            b''.join(struct.pack('<H', e) for e in entries))


def encode_get_capabilities(v, ct_exp=0, flags=0, dts=0, max_msg=0):
    if v == 0x10:
        return bytes([v, GET_CAPABILITIES, 0, 0])
    req = struct.pack('<4BBBHI', v, GET_CAPABILITIES, 0, 0, 0, ct_exp, 0,
                      flags)
    if v >= 0x12:
        req += struct.pack('<II', dts, max_msg)
    return req


def encode_capabilities(v, ct_exp, flags, dts=0, max_msg=0):
    rsp = struct.pack('<4BBBHI', v, CAPABILITIES, 0, 0, 0, ct_exp, 0, flags)
    if v >= 0x12:
        rsp += struct.pack('<II', dts, max_msg)
    return rsp


def encode_negotiate_algorithms(v, asym, hash_bits, meas_spec=MEAS_SPEC_DMTF,
                                other=0, structs=()):
    """NEGOTIATE_ALGORITHMS; @structs: (AlgType, AlgSupported) pairs."""
    tail = b''.join(struct.pack('<BBH', t, 0x20, s) for t, s in structs)
    return struct.pack('<4BHBBII12sBBH', v, NEGOTIATE_ALGORITHMS,
                       len(structs), 0, 32 + len(tail), meas_spec, other,
                       asym, hash_bits, bytes(12), 0, 0, 0) + tail


def encode_algorithms(v, meas_spec, other, meas_hash, asym, hash_bit,
                      structs=()):
    """ALGORITHMS; @structs: (AlgType, AlgSupported) selections."""
    tail = b''.join(struct.pack('<BBH', t, 0x20, s) for t, s in structs)
    return struct.pack('<4BHBBIII12sBBH', v, ALGORITHMS, len(structs), 0,
                       36 + len(tail), meas_spec, other, meas_hash, asym,
                       hash_bit, bytes(12), 0, 0, 0) + tail


def encode_digests(v, digests):
    """DIGESTS for {slot: digest}; 1.3 also reports the supported slots."""
    mask = sum(1 << s for s in digests)
    return (bytes([v, DIGESTS, mask if v >= 0x13 else 0, mask]) +
            b''.join(digests[s] for s in sorted(digests)))


def encode_get_certificate(v, slot, offset, length):
    return struct.pack('<4BHH', v, GET_CERTIFICATE, slot, 0, offset, length)


def encode_certificate(v, slot, portion, remainder):
    return struct.pack('<4BHH', v, CERTIFICATE, slot, 0, len(portion),
                       remainder) + portion


def encode_challenge(v, slot, summary_type, nonce, context=b''):
    req = bytes([v, CHALLENGE, slot, summary_type]) + nonce
    if v >= 0x13:
        req += context
    return req


def encode_challenge_auth(v, slot, chain_hash, nonce, summary=b'',
                          opaque=b'', context=b''):
    """CHALLENGE_AUTH without its signature."""
    rsp = bytes([v, CHALLENGE_AUTH, slot, 1 << slot]) + chain_hash + nonce
    rsp += summary + struct.pack('<H', len(opaque)) + opaque
    if v >= 0x13:
        rsp += context
    return rsp


def encode_get_measurements(v, attrs, op, nonce=b'', slot=0, context=b''):
    """GET_MEASUREMENTS: @attrs Param1 (bit 0: signature requested)."""
    req = bytes([v, GET_MEASUREMENTS, attrs, op])
    if attrs & 0x01:
        req += nonce
        if v >= 0x11:
            req += bytes([slot])
    if v >= 0x13:
        req += context
    return req


def encode_measurement_block(index, mtype, value, spec=MEAS_SPEC_DMTF):
    """One measurement block with a DMTF measurement: @mtype includes the
    raw-bit-stream bit 0x80."""
    dmtf = struct.pack('<BH', mtype, len(value)) + value
    return struct.pack('<BBH', index, spec, len(dmtf)) + dmtf


def encode_measurements(v, param1, param2, blocks, nonce, opaque=b'',
                        context=b''):
    """MEASUREMENTS without its signature; @blocks: encoded blocks."""
    record = b''.join(blocks)
    rsp = bytes([v, MEASUREMENTS, param1, param2, len(blocks)])
    rsp += len(record).to_bytes(3, 'little') + record + nonce
    rsp += struct.pack('<H', len(opaque)) + opaque
    if v >= 0x13:
        rsp += context
    return rsp


def measurements_nonce_pos(rsp):
    """Offset of the Nonce in a MEASUREMENTS response."""
    return 8 + u24(rsp, 5)


def encode_mel(entries):
    """A DMTF measurement extension log: @entries are (MEL index,
    measurement index, DMTF measurement type, value) tuples, the type
    including the raw-bit-stream bit."""
    body = b''.join(struct.pack('<IB3xBH', mel, idx, mtype, len(value)) +
                    value for mel, idx, mtype, value in entries)
    return struct.pack('<II8x', len(entries), len(body)) + body


def encode_get_mel(v, offset, length):
    return struct.pack('<4BII', v, GET_MEASUREMENT_EXTENSION_LOG, 0, 0,
                       offset, length)


def encode_mel_response(v, portion, remainder):
    return struct.pack('<4BII', v, MEASUREMENT_EXTENSION_LOG, 0, 0,
                       len(portion), remainder) + portion
