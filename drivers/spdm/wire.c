// SPDX-License-Identifier: GPL-2.0-only
/*
 * SPDM wire codec (DMTF DSP0274 1.0 to 1.3)
 *
 * See wire.h: no allocation and no kernel services here, every length
 * from the responder is checked before it is used.
 */

#include <kunit/visibility.h>
#include <linux/errno.h>
#include <linux/limits.h>
#include <linux/string.h>
#include <linux/unaligned.h>

#include "wire.h"

/* Offsets shared by several messages */
#define OFF_VER		0
#define OFF_CODE	1
#define OFF_PARAM1	2
#define OFF_PARAM2	3

static unsigned int spdm_popcount8(u8 v)
{
	unsigned int n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
}

/**
 * spdm_encode_header() - write the 4-byte SPDM message header
 * @buf: output buffer
 * @size: size of @buf
 * @ver: SPDMVersion
 * @code: request code
 * @param1: Param1
 * @param2: Param2
 *
 * Return: 4, or -ENOSPC if @buf is too small.
 */
int spdm_encode_header(void *buf, size_t size, u8 ver, u8 code,
		       u8 param1, u8 param2)
{
	u8 *p = buf;

	if (size < SPDM_HDR_SIZE)
		return -ENOSPC;
	p[OFF_VER] = ver;
	p[OFF_CODE] = code;
	p[OFF_PARAM1] = param1;
	p[OFF_PARAM2] = param2;
	return SPDM_HDR_SIZE;
}
EXPORT_SYMBOL_IF_KUNIT(spdm_encode_header);

/**
 * spdm_check_header() - check version and code of a response
 * @buf: the response
 * @len: its length
 * @ver: expected SPDMVersion
 * @code: expected response code
 *
 * Return: 0, -EBADMSG if shorter than a header, -ENOMSG if the response
 * code differs, -EPROTO if the version differs.
 */
int spdm_check_header(const void *buf, size_t len, u8 ver, u8 code)
{
	const u8 *p = buf;

	if (len < SPDM_HDR_SIZE)
		return -EBADMSG;
	if (p[OFF_CODE] != code)
		return -ENOMSG;
	if (p[OFF_VER] != ver)
		return -EPROTO;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(spdm_check_header);

/**
 * spdm_decode_version() - decode VERSION and pick the highest common version
 * @buf: the response
 * @len: its length
 * @supported: bit n set if version 1.n is supported by the requester
 * @selected: on success the chosen SPDMVersion byte (0x1n)
 *
 * DSP0274 10.3: VERSION carries VersionNumberEntryCount entries of 16 bits,
 * major version in bits 15:12 and minor in bits 11:8.  Update and alpha
 * nibbles do not take part in the selection.
 *
 * Return: length of the message, or -EBADMSG, -EPROTO, -ENOMSG, or
 * -EPROTONOSUPPORT if no entry is a version the requester supports.
 */
int spdm_decode_version(const void *buf, size_t len, u32 supported,
			u8 *selected)
{
	const u8 *p = buf;
	unsigned int count, i;
	int best = -1;
	int ret;

	ret = spdm_check_header(buf, len, SPDM_VER_10, SPDM_VERSION);
	if (ret)
		return ret;
	if (len < 6)
		return -EBADMSG;
	count = p[5];
	if (!count)
		return -EPROTO;
	if (len < 6 + 2 * count)
		return -EBADMSG;

	for (i = 0; i < count; i++) {
		u16 entry = get_unaligned_le16(p + 6 + 2 * i);
		unsigned int major = entry >> 12;
		unsigned int minor = (entry >> 8) & 0xf;

		if (major != 1 || minor > 31 || !(supported & BIT(minor)))
			continue;
		if ((int)minor > best)
			best = minor;
	}
	if (best < 0)
		return -EPROTONOSUPPORT;

	*selected = 0x10 | best;
	return 6 + 2 * count;
}
EXPORT_SYMBOL_IF_KUNIT(spdm_decode_version);

/**
 * spdm_encode_get_capabilities() - encode GET_CAPABILITIES
 * @buf: output buffer
 * @size: size of @buf
 * @ver: negotiated version
 * @caps: requester's CTExponent, flags and (1.2+) sizes
 *
 * DSP0274 10.4: the request is 4 bytes in 1.0, 12 in 1.1 and 20 from 1.2.
 *
 * Return: the encoded length or -ENOSPC.
 */
int spdm_encode_get_capabilities(void *buf, size_t size, u8 ver,
				 const struct spdm_caps *caps)
{
	size_t need = ver >= SPDM_VER_12 ? 20 : ver == SPDM_VER_11 ? 12 : 4;
	u8 *p = buf;

	if (size < need)
		return -ENOSPC;
	memset(p, 0, need);
	spdm_encode_header(p, size, ver, SPDM_GET_CAPABILITIES, 0, 0);
	if (ver >= SPDM_VER_11) {
		p[5] = caps->ct_exponent;
		put_unaligned_le32(caps->flags, p + 8);
	}
	if (ver >= SPDM_VER_12) {
		put_unaligned_le32(caps->data_transfer_size, p + 12);
		put_unaligned_le32(caps->max_msg_size, p + 16);
	}
	return need;
}
EXPORT_SYMBOL_IF_KUNIT(spdm_encode_get_capabilities);

/**
 * spdm_decode_capabilities() - decode CAPABILITIES
 * @buf: the response
 * @len: its length
 * @ver: negotiated version
 * @caps: decoded fields
 *
 * DSP0274 10.4: 12 bytes up to 1.1, 20 bytes from 1.2 with
 * DataTransferSize >= 42 and MaxSPDMmsgSize >= DataTransferSize.
 *
 * Return: length of the message or a negative errno.
 */
int spdm_decode_capabilities(const void *buf, size_t len, u8 ver,
			     struct spdm_caps *caps)
{
	size_t need = ver >= SPDM_VER_12 ? 20 : 12;
	const u8 *p = buf;
	int ret;

	ret = spdm_check_header(buf, len, ver, SPDM_CAPABILITIES);
	if (ret)
		return ret;
	if (len < need)
		return -EBADMSG;

	caps->ct_exponent = p[5];
	caps->flags = get_unaligned_le32(p + 8);
	caps->data_transfer_size = 0;
	caps->max_msg_size = 0;
	if (ver >= SPDM_VER_12) {
		caps->data_transfer_size = get_unaligned_le32(p + 12);
		caps->max_msg_size = get_unaligned_le32(p + 16);
		if (caps->data_transfer_size < SPDM_MIN_DATA_TRANSFER ||
		    caps->max_msg_size < caps->data_transfer_size)
			return -EPROTO;
	}
	return need;
}
EXPORT_SYMBOL_IF_KUNIT(spdm_decode_capabilities);

/**
 * spdm_encode_negotiate_algorithms() - encode NEGOTIATE_ALGORITHMS
 * @buf: output buffer
 * @size: size of @buf
 * @ver: negotiated version
 * @offer: what the requester supports
 *
 * DSP0274 10.5: fixed 32-byte part, no extended algorithms and no
 * algorithm structures (no sessions are negotiated yet).
 *
 * Return: the encoded length or -ENOSPC.
 */
int spdm_encode_negotiate_algorithms(void *buf, size_t size, u8 ver,
				     const struct spdm_algs *offer)
{
	u8 *p = buf;

	if (size < 32)
		return -ENOSPC;
	memset(p, 0, 32);
	spdm_encode_header(p, size, ver, SPDM_NEGOTIATE_ALGORITHMS, 0, 0);
	put_unaligned_le16(32, p + 4);
	p[6] = offer->meas_spec;
	if (ver >= SPDM_VER_12)
		p[7] = offer->other_params;
	put_unaligned_le32(offer->base_asym, p + 8);
	put_unaligned_le32(offer->base_hash, p + 12);
	return 32;
}
EXPORT_SYMBOL_IF_KUNIT(spdm_encode_negotiate_algorithms);

/**
 * spdm_decode_algorithms() - decode ALGORITHMS
 * @buf: the response
 * @len: its length
 * @ver: negotiated version
 * @sel: the selection
 *
 * DSP0274 10.5: the Length field covers the whole message.  Since the
 * request offers no extended algorithms and no algorithm structures, a
 * response that selects any is invalid.
 *
 * Return: length of the message or a negative errno.
 */
int spdm_decode_algorithms(const void *buf, size_t len, u8 ver,
			   struct spdm_algs *sel)
{
	const u8 *p = buf;
	size_t length;
	int ret;

	ret = spdm_check_header(buf, len, ver, SPDM_ALGORITHMS);
	if (ret)
		return ret;
	if (len < 36)
		return -EBADMSG;
	length = get_unaligned_le16(p + 4);
	if (length < 36 || length > len)
		return -EBADMSG;
	if (p[OFF_PARAM1] || p[32] || p[33])
		return -EPROTO;
	if (length != 36)
		return -EBADMSG;

	sel->meas_spec = p[6];
	sel->other_params = ver >= SPDM_VER_12 ? p[7] : 0;
	sel->meas_hash = get_unaligned_le32(p + 8);
	sel->base_asym = get_unaligned_le32(p + 12);
	sel->base_hash = get_unaligned_le32(p + 16);
	return length;
}
EXPORT_SYMBOL_IF_KUNIT(spdm_decode_algorithms);

/**
 * spdm_decode_digests() - decode DIGESTS
 * @buf: the response
 * @len: its length
 * @ver: negotiated version
 * @hash_len: size of the negotiated hash
 * @provisioned: ProvisionedSlotMask (Param2)
 * @digests: first digest; one @hash_len digest per bit of @provisioned
 *
 * DSP0274 10.6.
 *
 * Return: length of the message or a negative errno.
 */
int spdm_decode_digests(const void *buf, size_t len, u8 ver,
			size_t hash_len, u8 *provisioned,
			const u8 **digests)
{
	const u8 *p = buf;
	size_t need;
	int ret;

	ret = spdm_check_header(buf, len, ver, SPDM_DIGESTS);
	if (ret)
		return ret;
	need = SPDM_HDR_SIZE + spdm_popcount8(p[OFF_PARAM2]) * hash_len;
	if (len < need)
		return -EBADMSG;
	*provisioned = p[OFF_PARAM2];
	*digests = p + SPDM_HDR_SIZE;
	return need;
}
EXPORT_SYMBOL_IF_KUNIT(spdm_decode_digests);

/**
 * spdm_encode_get_certificate() - encode GET_CERTIFICATE
 * @buf: output buffer
 * @size: size of @buf
 * @ver: negotiated version
 * @slot: slot number (0..7)
 * @offset: Offset into the chain
 * @length: Length requested
 *
 * Return: 8, -ENOSPC, or -EINVAL for a bad slot.
 */
int spdm_encode_get_certificate(void *buf, size_t size, u8 ver, u8 slot,
				u16 offset, u16 length)
{
	u8 *p = buf;

	if (slot > 7)
		return -EINVAL;
	if (size < 8)
		return -ENOSPC;
	spdm_encode_header(p, size, ver, SPDM_GET_CERTIFICATE, slot, 0);
	put_unaligned_le16(offset, p + 4);
	put_unaligned_le16(length, p + 6);
	return 8;
}
EXPORT_SYMBOL_IF_KUNIT(spdm_encode_get_certificate);

/**
 * spdm_decode_certificate() - decode CERTIFICATE
 * @buf: the response
 * @len: its length
 * @ver: negotiated version
 * @rsp: decoded fields; @rsp->portion points into @buf
 *
 * DSP0274 10.7.  Only the message itself is checked here; the caller
 * checks the portion against what it asked for and the running total.
 *
 * Return: length of the message or a negative errno.
 */
int spdm_decode_certificate(const void *buf, size_t len, u8 ver,
			    struct spdm_cert_rsp *rsp)
{
	const u8 *p = buf;
	int ret;

	ret = spdm_check_header(buf, len, ver, SPDM_CERTIFICATE);
	if (ret)
		return ret;
	if (len < SPDM_CERT_RSP_HDR_SIZE)
		return -EBADMSG;
	rsp->slot = p[OFF_PARAM1] & 0xf;
	rsp->portion_len = get_unaligned_le16(p + 4);
	rsp->remainder_len = get_unaligned_le16(p + 6);
	if (len - SPDM_CERT_RSP_HDR_SIZE < rsp->portion_len)
		return -EBADMSG;
	rsp->portion = p + SPDM_CERT_RSP_HDR_SIZE;
	return SPDM_CERT_RSP_HDR_SIZE + rsp->portion_len;
}
EXPORT_SYMBOL_IF_KUNIT(spdm_decode_certificate);

/**
 * spdm_encode_challenge() - encode CHALLENGE
 * @buf: output buffer
 * @size: size of @buf
 * @ver: negotiated version
 * @slot: slot number (0..7)
 * @meas_summary_type: MeasurementSummaryHashType (0, 1 or 0xff)
 * @nonce: 32-byte nonce
 * @context: 8-byte RequesterContext, sent from 1.3 on
 *
 * DSP0274 10.8.
 *
 * Return: the encoded length, -ENOSPC, or -EINVAL for a bad slot.
 */
int spdm_encode_challenge(void *buf, size_t size, u8 ver, u8 slot,
			  u8 meas_summary_type, const u8 *nonce,
			  const u8 *context)
{
	size_t need = SPDM_HDR_SIZE + 32 + (ver >= SPDM_VER_13 ? 8 : 0);
	u8 *p = buf;

	if (slot > 7)
		return -EINVAL;
	if (size < need)
		return -ENOSPC;
	spdm_encode_header(p, size, ver, SPDM_CHALLENGE, slot,
			   meas_summary_type);
	memcpy(p + SPDM_HDR_SIZE, nonce, 32);
	if (ver >= SPDM_VER_13)
		memcpy(p + SPDM_HDR_SIZE + 32, context, 8);
	return need;
}
EXPORT_SYMBOL_IF_KUNIT(spdm_encode_challenge);

/**
 * spdm_decode_challenge_auth() - decode CHALLENGE_AUTH
 * @buf: the response
 * @len: its length
 * @ver: negotiated version
 * @hash_len: size of the negotiated hash (CertChainHash)
 * @meas_summary_len: size of MeasurementSummaryHash (0 if not requested)
 * @sig_len: size of a signature of the negotiated algorithm
 * @rsp: decoded fields, pointing into @buf
 *
 * DSP0274 10.8: CertChainHash, Nonce, MeasurementSummaryHash, OpaqueLength
 * (at most 1024), OpaqueData, RequesterContext (1.3) and Signature.
 *
 * Return: length of the message or a negative errno.
 */
int spdm_decode_challenge_auth(const void *buf, size_t len, u8 ver,
			       size_t hash_len, size_t meas_summary_len,
			       size_t sig_len,
			       struct spdm_challenge_auth *rsp)
{
	const u8 *p = buf;
	size_t off = SPDM_HDR_SIZE;
	int ret;

	ret = spdm_check_header(buf, len, ver, SPDM_CHALLENGE_AUTH);
	if (ret)
		return ret;
	if (hash_len > SPDM_MAX_HASH_SIZE || meas_summary_len > SPDM_MAX_HASH_SIZE ||
	    sig_len > SPDM_MAX_SIG_SIZE)
		return -EINVAL;

	if (len < off + hash_len + 32 + meas_summary_len + 2)
		return -EBADMSG;
	rsp->slot = p[OFF_PARAM1] & 0xf;
	rsp->slot_mask = p[OFF_PARAM2];
	rsp->cert_chain_hash = p + off;
	off += hash_len;
	rsp->nonce = p + off;
	off += 32;
	rsp->meas_summary = meas_summary_len ? p + off : NULL;
	off += meas_summary_len;
	rsp->opaque_len = get_unaligned_le16(p + off);
	off += 2;
	if (rsp->opaque_len > SPDM_MAX_OPAQUE)
		return -EPROTO;
	if (len - off < rsp->opaque_len)
		return -EBADMSG;
	rsp->opaque = p + off;
	off += rsp->opaque_len;
	rsp->context = NULL;
	if (ver >= SPDM_VER_13) {
		if (len - off < 8)
			return -EBADMSG;
		rsp->context = p + off;
		off += 8;
	}
	if (len - off < sig_len)
		return -EBADMSG;
	rsp->sig = p + off;
	rsp->sig_offset = off;
	return off + sig_len;
}
EXPORT_SYMBOL_IF_KUNIT(spdm_decode_challenge_auth);

/**
 * spdm_encode_get_measurements() - encode GET_MEASUREMENTS
 * @buf: output buffer
 * @size: size of @buf
 * @ver: negotiated version
 * @attrs: Param1, SPDM_MEAS_REQ_*
 * @op: Param2, SPDM_MEAS_OP_COUNT, SPDM_MEAS_OP_ALL or one index
 * @nonce: 32-byte nonce, sent only when a signature is requested
 * @slot: slot of the signing key (0..7), sent only when a signature is
 *	requested, from 1.1 on; must be 0 on 1.0
 * @context: 8-byte RequesterContext, sent from 1.3 on
 *
 * DSP0274 1.3 10.11, Table "GET_MEASUREMENTS request message format":
 * Nonce and SlotIDParam are present only with SignatureRequested (1.0 has
 * no SlotIDParam); RequesterContext is present in every 1.3 request,
 * signed or not.  RawBitStreamRequested exists from 1.2 and
 * NewMeasurementRequested from 1.3; other attribute bits are reserved.
 *
 * Return: the encoded length, -ENOSPC, or -EINVAL for attributes the
 * version does not define, a bad slot or a missing nonce or context.
 */
int spdm_encode_get_measurements(void *buf, size_t size, u8 ver, u8 attrs,
				 u8 op, const u8 *nonce, u8 slot,
				 const u8 *context)
{
	bool sig = attrs & SPDM_MEAS_REQ_SIG;
	u8 valid = SPDM_MEAS_REQ_SIG;
	size_t need = SPDM_HDR_SIZE;
	u8 *p = buf;

	if (ver >= SPDM_VER_12)
		valid |= SPDM_MEAS_REQ_RAW;
	if (ver >= SPDM_VER_13)
		valid |= SPDM_MEAS_REQ_NEW;
	if (attrs & ~valid)
		return -EINVAL;
	if (sig) {
		if (!nonce || slot > 7 || (ver < SPDM_VER_11 && slot))
			return -EINVAL;
		need += SPDM_NONCE_SIZE + (ver >= SPDM_VER_11 ? 1 : 0);
	}
	if (ver >= SPDM_VER_13) {
		if (!context)
			return -EINVAL;
		need += SPDM_REQ_CONTEXT_SIZE;
	}
	if (size < need)
		return -ENOSPC;

	spdm_encode_header(p, size, ver, SPDM_GET_MEASUREMENTS, attrs, op);
	p += SPDM_HDR_SIZE;
	if (sig) {
		memcpy(p, nonce, SPDM_NONCE_SIZE);
		p += SPDM_NONCE_SIZE;
		if (ver >= SPDM_VER_11)
			*p++ = slot;
	}
	if (ver >= SPDM_VER_13)
		memcpy(p, context, SPDM_REQ_CONTEXT_SIZE);
	return need;
}
EXPORT_SYMBOL_IF_KUNIT(spdm_encode_get_measurements);

/*
 * Check a DMTF measurement value against DSP0274 1.3 10.11.1: the type
 * must be defined for @ver, a digest must be as long as the negotiated
 * MeasurementHashAlgo (@meas_hash_len, 0 for RawBitStreamOnly), device
 * mode and SVN have fixed layouts, and from 1.2 the indices 0xfd and 0xfe
 * are reserved for the manifest and the device mode.
 */
static int spdm_check_meas_value(u8 ver, u8 index, u8 type, bool raw,
				 size_t value_len, size_t meas_hash_len)
{
	u8 max_type = ver >= SPDM_VER_13 ? SPDM_MEAS_TYPE_STRUCT_MANIFEST :
					   SPDM_MEAS_TYPE_SVN;

	if (type > max_type)
		return -EPROTO;
	if (!raw && (!meas_hash_len || value_len != meas_hash_len))
		return -EPROTO;
	/* Device mode and SVN are structures: only meaningful as raw values */
	if (type == SPDM_MEAS_TYPE_DEVICE_MODE &&
	    (!raw || value_len != SPDM_MEAS_DEVICE_MODE_SIZE))
		return -EPROTO;
	if (type == SPDM_MEAS_TYPE_SVN &&
	    (!raw || value_len != SPDM_MEAS_SVN_SIZE))
		return -EPROTO;

	if (ver < SPDM_VER_12)
		return 0;
	if (index == SPDM_MEAS_INDEX_DEVICE_MODE &&
	    type != SPDM_MEAS_TYPE_DEVICE_MODE)
		return -EPROTO;
	if (index == SPDM_MEAS_INDEX_MANIFEST &&
	    type != SPDM_MEAS_TYPE_MANIFEST &&
	    type != SPDM_MEAS_TYPE_STRUCT_MANIFEST)
		return -EPROTO;
	return 0;
}

/*
 * Read the DMTFSpecMeasurementValueType and DMTFSpecMeasurementValueSize
 * at @p (DSP0274 1.3 10.11.1.1, Table "DMTF measurement specification
 * format").  Return: bytes the measurement occupies, or -EBADMSG.
 */
static int spdm_dmtf_meas(const u8 *p, size_t len, u8 *type, bool *raw,
			  u16 *value_len, const u8 **value)
{
	if (len < SPDM_MEAS_DMTF_HDR_SIZE)
		return -EBADMSG;
	*type = p[0] & SPDM_MEAS_TYPE_MASK;
	*raw = p[0] & SPDM_MEAS_TYPE_RAW;
	*value_len = get_unaligned_le16(p + 1);
	if (len - SPDM_MEAS_DMTF_HDR_SIZE < *value_len)
		return -EBADMSG;
	*value = p + SPDM_MEAS_DMTF_HDR_SIZE;
	return SPDM_MEAS_DMTF_HDR_SIZE + *value_len;
}

/**
 * spdm_decode_meas_block() - decode the measurement block at @rec
 * @rec: the block, inside a MeasurementRecord
 * @len: bytes left in the record from @rec
 * @ver: negotiated version
 * @meas_hash_len: size of the negotiated MeasurementHashAlgo digest, 0 for
 *	RawBitStreamOnly
 * @blk: decoded fields, pointing into @rec
 *
 * DSP0274 1.3 10.11.1, Table "Measurement block format": Index,
 * MeasurementSpecification, MeasurementSize, then a DMTF measurement
 * (10.11.1.1) whose DMTFSpecMeasurementValueSize + 3 must equal
 * MeasurementSize.  Index 0 is reserved and 0xff is not an index; DMTF is
 * the only measurement specification the requester negotiates.
 *
 * Walk a record by calling this at offset 0 and adding each return value
 * until the record's end.
 *
 * Return: length of the block, -EBADMSG if it overruns @len or its sizes
 * disagree, -EPROTO for an invalid value.
 */
int spdm_decode_meas_block(const u8 *rec, size_t len, u8 ver,
			   size_t meas_hash_len, struct spdm_meas_block *blk)
{
	size_t size;
	int ret;

	if (meas_hash_len > SPDM_MAX_HASH_SIZE)
		return -EINVAL;
	if (len < SPDM_MEAS_BLOCK_HDR_SIZE)
		return -EBADMSG;
	size = get_unaligned_le16(rec + 2);
	if (len - SPDM_MEAS_BLOCK_HDR_SIZE < size)
		return -EBADMSG;

	memset(blk, 0, sizeof(*blk));
	blk->index = rec[0];
	blk->spec = rec[1];
	blk->block = rec;
	blk->block_len = SPDM_MEAS_BLOCK_HDR_SIZE + size;
	if (!blk->index || blk->index == SPDM_MEAS_OP_ALL)
		return -EPROTO;
	if (blk->spec != SPDM_MEAS_SPEC_DMTF)
		return -EPROTO;

	ret = spdm_dmtf_meas(rec + SPDM_MEAS_BLOCK_HDR_SIZE, size, &blk->type,
			     &blk->raw, &blk->value_len, &blk->value);
	if (ret < 0)
		return ret;
	if ((size_t)ret != size)
		return -EBADMSG;
	ret = spdm_check_meas_value(ver, blk->index, blk->type, blk->raw,
				    blk->value_len, meas_hash_len);
	if (ret)
		return ret;
	return blk->block_len;
}
EXPORT_SYMBOL_IF_KUNIT(spdm_decode_meas_block);

/*
 * Walk a whole MeasurementRecord: every block valid, no index twice, only
 * the requested index for a one-index request, and exactly @num_blocks
 * blocks (NumberOfBlocks).
 */
static int spdm_check_meas_record(const u8 *rec, size_t len, u8 ver, u8 op,
				  size_t meas_hash_len, unsigned int num_blocks)
{
	u32 seen[256 / 32] = {};
	struct spdm_meas_block blk;
	unsigned int found = 0;
	size_t off = 0;
	int ret;

	while (off < len) {
		ret = spdm_decode_meas_block(rec + off, len - off, ver,
					     meas_hash_len, &blk);
		if (ret < 0)
			return ret;
		if (seen[blk.index / 32] & BIT(blk.index % 32))
			return -EPROTO;
		seen[blk.index / 32] |= BIT(blk.index % 32);
		if (op != SPDM_MEAS_OP_ALL && op != SPDM_MEAS_OP_COUNT &&
		    blk.index != op)
			return -EPROTO;
		off += ret;
		found++;
	}
	return found == num_blocks ? 0 : -EBADMSG;
}

/**
 * spdm_decode_measurements() - decode MEASUREMENTS
 * @buf: the response
 * @len: its length
 * @ver: negotiated version
 * @op: MeasurementOperation (Param2) of the request
 * @sig_requested: the request had SignatureRequested
 * @sig_len: size of a signature of the negotiated algorithm
 * @meas_hash_len: size of the negotiated MeasurementHashAlgo digest, 0 for
 *	RawBitStreamOnly
 * @rsp: decoded fields, pointing into @buf
 *
 * DSP0274 1.3 10.11, Table "Successful MEASUREMENTS response message
 * format": NumberOfBlocks, MeasurementRecordLength (u24), the record,
 * Nonce, OpaqueDataLength (at most 1024), OpaqueData, RequesterContext
 * (1.3) and the Signature when one was requested.  Nonce and
 * OpaqueDataLength are present in every version, signed or not (the 1.0
 * and 1.1 tables list them unconditionally too).
 *
 * Param1 is TotalNumberOfMeasurementIndices for a count request, which
 * returns no blocks, and reserved otherwise; a one-index request returns
 * exactly that block.  Param2 carries the slot (1.1+) and ContentChanged
 * (1.2+) of a signed response and is reserved otherwise.  Every block is
 * checked with spdm_decode_meas_block().
 *
 * As with the other decoders, bytes after the message (transport padding)
 * are left to the caller.
 *
 * Return: length of the message, -EBADMSG if truncated or if a length or
 * NumberOfBlocks disagrees with the record, -EPROTO for an invalid value,
 * -ENOMSG for another response code.
 */
int spdm_decode_measurements(const void *buf, size_t len, u8 ver, u8 op,
			     bool sig_requested, size_t sig_len,
			     size_t meas_hash_len, struct spdm_meas_rsp *rsp)
{
	const u8 *p = buf;
	size_t off;
	int ret;

	ret = spdm_check_header(buf, len, ver, SPDM_MEASUREMENTS);
	if (ret)
		return ret;
	if (sig_len > SPDM_MAX_SIG_SIZE || meas_hash_len > SPDM_MAX_HASH_SIZE)
		return -EINVAL;
	if (len < SPDM_MEAS_RSP_HDR_SIZE)
		return -EBADMSG;

	memset(rsp, 0, sizeof(*rsp));
	rsp->num_blocks = p[4];
	rsp->record_len = get_unaligned_le24(p + 5);
	if (op == SPDM_MEAS_OP_COUNT) {
		/* Indices run from 1 to 0xfe */
		if (p[OFF_PARAM1] == SPDM_MEAS_OP_ALL ||
		    rsp->num_blocks || rsp->record_len)
			return -EPROTO;
		rsp->total_indices = p[OFF_PARAM1];
	} else if (op != SPDM_MEAS_OP_ALL && rsp->num_blocks != 1) {
		return -EPROTO;
	}
	if (sig_requested && ver >= SPDM_VER_11)
		rsp->slot = p[OFF_PARAM2] & SPDM_MEAS_RSP_SLOT;
	if (sig_requested && ver >= SPDM_VER_12) {
		rsp->content_changed = p[OFF_PARAM2] & SPDM_MEAS_RSP_CHANGED;
		if (rsp->content_changed == SPDM_MEAS_RSP_CHANGED)
			return -EPROTO;		/* 11b is reserved */
	}

	off = SPDM_MEAS_RSP_HDR_SIZE;
	if (len - off < rsp->record_len)
		return -EBADMSG;
	rsp->record = p + off;
	ret = spdm_check_meas_record(rsp->record, rsp->record_len, ver, op,
				     meas_hash_len, rsp->num_blocks);
	if (ret)
		return ret;
	off += rsp->record_len;

	if (len - off < SPDM_NONCE_SIZE + 2)
		return -EBADMSG;
	rsp->nonce = p + off;
	off += SPDM_NONCE_SIZE;
	rsp->opaque_len = get_unaligned_le16(p + off);
	off += 2;
	if (rsp->opaque_len > SPDM_MAX_OPAQUE)
		return -EPROTO;
	if (len - off < rsp->opaque_len)
		return -EBADMSG;
	rsp->opaque = p + off;
	off += rsp->opaque_len;
	if (ver >= SPDM_VER_13) {
		if (len - off < SPDM_REQ_CONTEXT_SIZE)
			return -EBADMSG;
		rsp->context = p + off;
		off += SPDM_REQ_CONTEXT_SIZE;
	}
	rsp->sig_offset = off;
	if (sig_requested) {
		if (len - off < sig_len)
			return -EBADMSG;
		rsp->sig = p + off;
		off += sig_len;
	}
	return off;
}
EXPORT_SYMBOL_IF_KUNIT(spdm_decode_measurements);

/**
 * spdm_meas_device_mode() - decode a structured device mode value
 * @blk: a block decoded by spdm_decode_meas_block()
 * @mode: the four fields
 *
 * DSP0274 1.3 10.11.1.2, Table "Device mode field of a measurement block":
 * OperationalModeCapabilities, OperationalModeState,
 * DeviceModeCapabilities and DeviceModeState, each a little-endian u32.
 *
 * Return: 0, -EINVAL if @blk is not a device mode measurement, -EPROTO if
 * it is not a raw 16-byte value.
 */
int spdm_meas_device_mode(const struct spdm_meas_block *blk,
			  struct spdm_meas_device_mode *mode)
{
	if (blk->type != SPDM_MEAS_TYPE_DEVICE_MODE)
		return -EINVAL;
	if (!blk->raw || blk->value_len != SPDM_MEAS_DEVICE_MODE_SIZE)
		return -EPROTO;
	mode->op_mode_caps = get_unaligned_le32(blk->value);
	mode->op_mode_state = get_unaligned_le32(blk->value + 4);
	mode->dev_mode_caps = get_unaligned_le32(blk->value + 8);
	mode->dev_mode_state = get_unaligned_le32(blk->value + 12);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(spdm_meas_device_mode);

/**
 * spdm_meas_svn() - decode a security version number value
 * @blk: a block decoded by spdm_decode_meas_block()
 * @svn: the SVN
 *
 * DSP0274 1.3 10.11.1.1: type 0x07, "Mutable firmware's security version
 * number", a little-endian u64.
 *
 * Return: 0, -EINVAL if @blk is not an SVN measurement, -EPROTO if it is
 * not a raw 8-byte value.
 */
int spdm_meas_svn(const struct spdm_meas_block *blk, u64 *svn)
{
	if (blk->type != SPDM_MEAS_TYPE_SVN)
		return -EINVAL;
	if (!blk->raw || blk->value_len != SPDM_MEAS_SVN_SIZE)
		return -EPROTO;
	*svn = get_unaligned_le64(blk->value);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(spdm_meas_svn);

/**
 * spdm_encode_get_mel() - encode GET_MEASUREMENT_EXTENSION_LOG
 * @buf: output buffer
 * @size: size of @buf
 * @ver: negotiated version, 1.3 or later
 * @offset: Offset into the log
 * @length: Length requested
 *
 * DSP0274 1.3, Table "GET_MEASUREMENT_EXTENSION_LOG request message
 * format": Offset u32, Length u32.
 *
 * Return: 12, -ENOSPC, or -EINVAL before 1.3 or for a zero @length.
 */
int spdm_encode_get_mel(void *buf, size_t size, u8 ver, u32 offset,
			u32 length)
{
	u8 *p = buf;

	if (ver < SPDM_VER_13 || !length)
		return -EINVAL;
	if (size < SPDM_MEL_REQ_SIZE)
		return -ENOSPC;
	spdm_encode_header(p, size, ver, SPDM_GET_MEASUREMENT_EXTENSION_LOG,
			   0, 0);
	put_unaligned_le32(offset, p + 4);
	put_unaligned_le32(length, p + 8);
	return SPDM_MEL_REQ_SIZE;
}
EXPORT_SYMBOL_IF_KUNIT(spdm_encode_get_mel);

/**
 * spdm_decode_mel() - decode MEASUREMENT_EXTENSION_LOG
 * @buf: the response
 * @len: its length
 * @ver: negotiated version
 * @offset: Offset of the request
 * @length: Length of the request
 * @rsp: decoded fields; @rsp->portion points into @buf
 *
 * DSP0274 1.3, Table "Successful MEASUREMENT_EXTENSION_LOG response
 * message format": PortionLength u32, RemainderLength u32, the portion.
 * The portion must not be empty nor longer than requested, and the log
 * (Offset + PortionLength + RemainderLength) must stay addressable by the
 * u32 Offset.  The caller checks that the total stays the same from one
 * portion to the next.
 *
 * Return: length of the message, -EBADMSG if truncated, -EPROTO for an
 * invalid length.
 */
int spdm_decode_mel(const void *buf, size_t len, u8 ver, u32 offset,
		    u32 length, struct spdm_mel_rsp *rsp)
{
	const u8 *p = buf;
	int ret;

	ret = spdm_check_header(buf, len, ver, SPDM_MEASUREMENT_EXTENSION_LOG);
	if (ret)
		return ret;
	if (len < SPDM_MEL_RSP_HDR_SIZE)
		return -EBADMSG;
	rsp->portion_len = get_unaligned_le32(p + 4);
	rsp->remainder_len = get_unaligned_le32(p + 8);
	if (len - SPDM_MEL_RSP_HDR_SIZE < rsp->portion_len)
		return -EBADMSG;
	if (!rsp->portion_len || rsp->portion_len > length)
		return -EPROTO;
	if ((u64)offset + rsp->portion_len + rsp->remainder_len > U32_MAX)
		return -EPROTO;
	rsp->portion = p + SPDM_MEL_RSP_HDR_SIZE;
	return SPDM_MEL_RSP_HDR_SIZE + rsp->portion_len;
}
EXPORT_SYMBOL_IF_KUNIT(spdm_decode_mel);

/**
 * spdm_decode_mel_header() - decode a DMTF measurement extension log header
 * @mel: the start of the log
 * @len: bytes of the log available (the first portion is enough)
 * @hdr: decoded fields
 *
 * DSP0274 1.3, DMTF measurement extension log format: NumberOfEntries
 * u32, length of the entries u32, 8 reserved bytes, then the entries.  The
 * whole log must be addressable by the u32 Offset of the request, and the
 * entries must have room for their fixed parts.
 *
 * Return: SPDM_MEL_HDR_SIZE, -EBADMSG if truncated or inconsistent, or
 * -EPROTO.
 */
int spdm_decode_mel_header(const u8 *mel, size_t len,
			   struct spdm_mel_hdr *hdr)
{
	if (len < SPDM_MEL_HDR_SIZE)
		return -EBADMSG;
	hdr->num_entries = get_unaligned_le32(mel);
	hdr->entries_len = get_unaligned_le32(mel + 4);
	if (hdr->entries_len > U32_MAX - SPDM_MEL_HDR_SIZE)
		return -EPROTO;
	if ((u64)hdr->num_entries *
	    (SPDM_MEL_ENTRY_HDR_SIZE + SPDM_MEAS_DMTF_HDR_SIZE) >
	    hdr->entries_len)
		return -EBADMSG;
	return SPDM_MEL_HDR_SIZE;
}
EXPORT_SYMBOL_IF_KUNIT(spdm_decode_mel_header);

/**
 * spdm_decode_mel_entry() - decode one DMTF measurement extension log entry
 * @p: the entry
 * @len: bytes of the entries left from @p
 * @entry: decoded fields, pointing into @p
 *
 * DSP0274 1.3, DMTF MEL entry: MEL index u32, MeasIndex u8, 3 reserved
 * bytes, then a DMTF measurement (10.11.1.1).  Types defined up to 1.3.
 *
 * Return: length of the entry, -EBADMSG if it overruns @len, -EPROTO for
 * a reserved measurement type.
 */
int spdm_decode_mel_entry(const u8 *p, size_t len,
			  struct spdm_mel_entry *entry)
{
	int ret;

	if (len < SPDM_MEL_ENTRY_HDR_SIZE)
		return -EBADMSG;
	entry->mel_index = get_unaligned_le32(p);
	entry->meas_index = p[4];
	ret = spdm_dmtf_meas(p + SPDM_MEL_ENTRY_HDR_SIZE,
			     len - SPDM_MEL_ENTRY_HDR_SIZE, &entry->type,
			     &entry->raw, &entry->value_len, &entry->value);
	if (ret < 0)
		return ret;
	if (entry->type > SPDM_MEAS_TYPE_STRUCT_MANIFEST)
		return -EPROTO;
	return SPDM_MEL_ENTRY_HDR_SIZE + ret;
}
EXPORT_SYMBOL_IF_KUNIT(spdm_decode_mel_entry);

/**
 * spdm_decode_error() - decode ERROR
 * @buf: the response
 * @len: its length
 * @err: decoded fields
 *
 * DSP0274 10.12; ResponseNotReady carries 4 bytes of extended data.
 *
 * Return: length of the decoded part, -ENOMSG if @buf is not an ERROR,
 * or -EBADMSG.
 */
int spdm_decode_error(const void *buf, size_t len,
		      struct spdm_error_rsp *err)
{
	const u8 *p = buf;

	if (len < SPDM_HDR_SIZE)
		return -EBADMSG;
	if (p[OFF_CODE] != SPDM_ERROR)
		return -ENOMSG;
	memset(err, 0, sizeof(*err));
	err->code = p[OFF_PARAM1];
	err->data = p[OFF_PARAM2];
	if (err->code != SPDM_ERR_RESPONSE_NOT_READY)
		return SPDM_HDR_SIZE;
	if (len < SPDM_HDR_SIZE + 4)
		return -EBADMSG;
	err->rdt_exponent = p[4];
	err->request_code = p[5];
	err->token = p[6];
	err->rdtm = p[7];
	return SPDM_HDR_SIZE + 4;
}
EXPORT_SYMBOL_IF_KUNIT(spdm_decode_error);

/**
 * spdm_encode_respond_if_ready() - encode RESPOND_IF_READY
 * @buf: output buffer
 * @size: size of @buf
 * @ver: version of the original request
 * @request_code: the original request's code
 * @token: Token from ResponseNotReady
 *
 * Return: 4 or -ENOSPC.
 */
int spdm_encode_respond_if_ready(void *buf, size_t size, u8 ver,
				 u8 request_code, u8 token)
{
	return spdm_encode_header(buf, size, ver, SPDM_RESPOND_IF_READY,
				  request_code, token);
}
EXPORT_SYMBOL_IF_KUNIT(spdm_encode_respond_if_ready);

/**
 * spdm_chain_split() - split an SPDM certificate chain into its parts
 * @chain: the chain as retrieved with GET_CERTIFICATE
 * @len: its length
 * @hash_len: size of the negotiated hash (RootHash)
 * @root_hash: RootHash
 * @certs: the concatenated DER certificates
 * @certs_len: their total length
 *
 * DSP0274 10.7.1: Length u16 (the whole chain), Reserved u16, RootHash,
 * then at least one certificate.
 *
 * Return: 0 or -EBADMSG.
 */
int spdm_chain_split(const u8 *chain, size_t len, size_t hash_len,
		     const u8 **root_hash, const u8 **certs,
		     size_t *certs_len)
{
	if (len <= SPDM_CHAIN_HDR_SIZE + hash_len)
		return -EBADMSG;
	if (get_unaligned_le16(chain) != len)
		return -EBADMSG;
	*root_hash = chain + SPDM_CHAIN_HDR_SIZE;
	*certs = chain + SPDM_CHAIN_HDR_SIZE + hash_len;
	*certs_len = len - SPDM_CHAIN_HDR_SIZE - hash_len;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(spdm_chain_split);

/**
 * spdm_der_cert_len() - length of the DER SEQUENCE at the start of @buf
 * @buf: DER data
 * @len: bytes available
 * @cert_len: total length of the first element, header included
 *
 * A certificate inside a chain of at most 64 KiB has a definite length of
 * at most two bytes.
 *
 * Return: 0 or -EBADMSG.
 */
int spdm_der_cert_len(const u8 *buf, size_t len, size_t *cert_len)
{
	size_t hdr, content;

	if (len < 2 || buf[0] != 0x30)
		return -EBADMSG;
	if (buf[1] < 0x80) {
		hdr = 2;
		content = buf[1];
	} else if (buf[1] == 0x81) {
		if (len < 3 || buf[2] < 0x80)
			return -EBADMSG;
		hdr = 3;
		content = buf[2];
	} else if (buf[1] == 0x82) {
		if (len < 4 || buf[2] == 0)
			return -EBADMSG;
		hdr = 4;
		content = get_unaligned_be16(buf + 2);
	} else {
		return -EBADMSG;
	}
	if (len - hdr < content)
		return -EBADMSG;
	*cert_len = hdr + content;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(spdm_der_cert_len);

/*
 * Read one DER element (single-byte tag, definite length of at most three
 * bytes) at *@p, move *@p and *@len past it.
 */
static int spdm_der_next(const u8 **p, size_t *len, u8 *tag,
			 const u8 **val, size_t *vlen)
{
	const u8 *b = *p;
	size_t n = *len, hdr, content, i;

	if (n < 2 || (b[0] & 0x1f) == 0x1f)
		return -EBADMSG;
	if (b[1] < 0x80) {
		hdr = 2;
		content = b[1];
	} else {
		unsigned int bytes = b[1] & 0x7f;

		if (!bytes || bytes > 3 || n < 2 + bytes || !b[2])
			return -EBADMSG;
		hdr = 2 + bytes;
		for (content = 0, i = 0; i < bytes; i++)
			content = content << 8 | b[2 + i];
		if (content < 0x80)
			return -EBADMSG;
	}
	if (n - hdr < content)
		return -EBADMSG;
	*tag = b[0];
	*val = b + hdr;
	*vlen = content;
	*p = b + hdr + content;
	*len = n - hdr - content;
	return 0;
}

/* Enter the element at *@p, which must have tag @tag */
static int spdm_der_enter(const u8 **p, size_t *len, u8 tag)
{
	const u8 *val;
	size_t vlen;
	u8 t;
	int ret;

	ret = spdm_der_next(p, len, &t, &val, &vlen);
	if (ret)
		return ret;
	if (t != tag)
		return -EBADMSG;
	*p = val;
	*len = vlen;
	return 0;
}

/* Look for otherName @oid in the GeneralNames at @p (RFC 5280 4.2.1.6) */
static int spdm_x509_san_find(const u8 *p, size_t len, const u8 *oid,
			      size_t oid_len, const u8 **val, size_t *val_len)
{
	int ret;

	ret = spdm_der_enter(&p, &len, 0x30);
	if (ret)
		return ret;
	while (len) {
		const u8 *gn, *id, *v;
		size_t gn_len, id_len, v_len;
		u8 tag;

		ret = spdm_der_next(&p, &len, &tag, &gn, &gn_len);
		if (ret)
			return ret;
		if (tag != 0xa0)	/* otherName [0] */
			continue;
		ret = spdm_der_next(&gn, &gn_len, &tag, &id, &id_len);
		if (ret || tag != 0x06)
			return -EBADMSG;
		if (id_len != oid_len || memcmp(id, oid, oid_len))
			continue;
		/* value [0] EXPLICIT: a string */
		ret = spdm_der_enter(&gn, &gn_len, 0xa0);
		if (!ret)
			ret = spdm_der_next(&gn, &gn_len, &tag, &v, &v_len);
		if (ret)
			return ret;
		if (tag != 0x0c && tag != 0x13 && tag != 0x16)
			return -EBADMSG;
		*val = v;
		*val_len = v_len;
		return 0;
	}
	return -ENOENT;
}

/**
 * spdm_x509_other_name() - find an otherName in a certificate's SAN
 * @cert: DER certificate
 * @len: its length
 * @oid: DER content of the otherName type-id OID
 * @oid_len: its length
 * @val: the name's string value (UTF8String, PrintableString or IA5String)
 * @val_len: its length
 *
 * Walks TBSCertificate to the subjectAltName extension (RFC 5280 4.1 and
 * 4.2.1.6) without trusting any length.  PCIe CMA puts the device's
 * identity there (otherName 2.23.147).
 *
 * Return: 0, -ENOENT if there is no such name, -EBADMSG if malformed.
 */
int spdm_x509_other_name(const u8 *cert, size_t len, const u8 *oid,
			 size_t oid_len, const u8 **val, size_t *val_len)
{
	static const u8 san_oid[] = { 0x55, 0x1d, 0x11 };	/* 2.5.29.17 */
	const u8 *p = cert;
	int ret;

	ret = spdm_der_enter(&p, &len, 0x30);		/* Certificate */
	if (!ret)
		ret = spdm_der_enter(&p, &len, 0x30);	/* TBSCertificate */
	if (ret)
		return ret;
	while (len) {
		const u8 *exts;
		size_t exts_len;
		u8 tag;

		ret = spdm_der_next(&p, &len, &tag, &exts, &exts_len);
		if (ret)
			return ret;
		if (tag != 0xa3)	/* extensions [3] EXPLICIT */
			continue;
		ret = spdm_der_enter(&exts, &exts_len, 0x30);
		if (ret)
			return ret;
		while (exts_len) {
			const u8 *ext, *id, *v;
			size_t ext_len, id_len, v_len;

			ret = spdm_der_next(&exts, &exts_len, &tag, &ext,
					    &ext_len);
			if (ret || tag != 0x30)
				return -EBADMSG;
			ret = spdm_der_next(&ext, &ext_len, &tag, &id, &id_len);
			if (ret || tag != 0x06)
				return -EBADMSG;
			ret = spdm_der_next(&ext, &ext_len, &tag, &v, &v_len);
			if (!ret && tag == 0x01)	/* critical */
				ret = spdm_der_next(&ext, &ext_len, &tag, &v,
						    &v_len);
			if (ret || tag != 0x04)
				return -EBADMSG;
			if (id_len == sizeof(san_oid) &&
			    !memcmp(id, san_oid, sizeof(san_oid)))
				return spdm_x509_san_find(v, v_len, oid,
							  oid_len, val,
							  val_len);
		}
		return -ENOENT;
	}
	return -ENOENT;
}
EXPORT_SYMBOL_IF_KUNIT(spdm_x509_other_name);

/**
 * spdm_build_prefix() - build combined_spdm_prefix
 * @prefix: output, SPDM_PREFIX_SIZE bytes
 * @ver: negotiated version (1.2 or later)
 * @context: signing context string, at most 36 characters
 *
 * DSP0274 1.2 15 "Signature generation": "dmtf-spdm-v1.X.*" four times,
 * then zero padding, then @context ending at the last byte.
 *
 * Return: 0 or -EINVAL.
 */
int spdm_build_prefix(u8 *prefix, u8 ver, const char *context)
{
	static const char tmpl[] = "dmtf-spdm-v1.X.*";
	size_t clen = strlen(context);
	int i;

	if (ver < SPDM_VER_12 || (ver >> 4) != 1 || clen > 36)
		return -EINVAL;
	for (i = 0; i < 4; i++) {
		memcpy(prefix + 16 * i, tmpl, 16);
		prefix[16 * i + 13] = '0' + (ver & 0xf);
	}
	memset(prefix + 64, 0, 36 - clen);
	memcpy(prefix + SPDM_PREFIX_SIZE - clen, context, clen);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(spdm_build_prefix);
