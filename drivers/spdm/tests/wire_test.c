// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the SPDM wire codec with good, truncated, oversized and
 * malformed messages
 */

#include <kunit/test.h>
#include <linux/unaligned.h>

#include "../spdm_internal.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

static void wire_version(struct kunit *test)
{
	u8 rsp[] = { 0x10, 0x04, 0, 0, 0, 3, 0x00, 0x10, 0x00, 0x11,
		     0x00, 0x12 };
	u8 sel = 0;

	KUNIT_EXPECT_EQ(test, spdm_decode_version(rsp, sizeof(rsp), 0xf, &sel),
			12);
	KUNIT_EXPECT_EQ(test, sel, 0x12);
	/* Only 1.0 and 1.1 supported by the requester */
	KUNIT_EXPECT_EQ(test, spdm_decode_version(rsp, sizeof(rsp), 0x3, &sel),
			12);
	KUNIT_EXPECT_EQ(test, sel, 0x11);
	/* Update and alpha nibbles do not matter */
	rsp[10] = 0x5a;
	KUNIT_EXPECT_EQ(test, spdm_decode_version(rsp, sizeof(rsp), 0xf, &sel),
			12);
	KUNIT_EXPECT_EQ(test, sel, 0x12);
	/* Truncated: count says 3, 2 entries present */
	KUNIT_EXPECT_EQ(test, spdm_decode_version(rsp, 10, 0xf, &sel),
			-EBADMSG);
	KUNIT_EXPECT_EQ(test, spdm_decode_version(rsp, 5, 0xf, &sel), -EBADMSG);
	KUNIT_EXPECT_EQ(test, spdm_decode_version(rsp, 3, 0xf, &sel), -EBADMSG);
	/* Oversized count */
	rsp[5] = 0xff;
	KUNIT_EXPECT_EQ(test, spdm_decode_version(rsp, sizeof(rsp), 0xf, &sel),
			-EBADMSG);
	rsp[5] = 0;
	KUNIT_EXPECT_EQ(test, spdm_decode_version(rsp, sizeof(rsp), 0xf, &sel),
			-EPROTO);
	rsp[5] = 3;
	/* Wrong header */
	rsp[1] = 0x61;
	KUNIT_EXPECT_EQ(test, spdm_decode_version(rsp, sizeof(rsp), 0xf, &sel),
			-ENOMSG);
	rsp[1] = 0x04;
	rsp[0] = 0x12;
	KUNIT_EXPECT_EQ(test, spdm_decode_version(rsp, sizeof(rsp), 0xf, &sel),
			-EPROTO);
}

static void wire_version_none_common(struct kunit *test)
{
	const u8 rsp[] = { 0x10, 0x04, 0, 0, 0, 2, 0x00, 0x09, 0x00, 0x20 };
	u8 sel = 0;

	KUNIT_EXPECT_EQ(test, spdm_decode_version(rsp, sizeof(rsp), 0xf, &sel),
			-EPROTONOSUPPORT);
}

static void wire_get_capabilities(struct kunit *test)
{
	struct spdm_caps caps = {
		.ct_exponent = 7, .flags = 0x12345678,
		.data_transfer_size = 0x1000, .max_msg_size = 0x2000,
	};
	u8 buf[32];

	KUNIT_EXPECT_EQ(test, spdm_encode_get_capabilities(buf, sizeof(buf),
							   0x10, &caps), 4);
	KUNIT_EXPECT_EQ(test, spdm_encode_get_capabilities(buf, sizeof(buf),
							   0x11, &caps), 12);
	KUNIT_EXPECT_EQ(test, buf[5], 7);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(buf + 8), 0x12345678);
	KUNIT_EXPECT_EQ(test, spdm_encode_get_capabilities(buf, sizeof(buf),
							   0x13, &caps), 20);
	KUNIT_EXPECT_EQ(test, buf[0], 0x13);
	KUNIT_EXPECT_EQ(test, buf[1], 0xe1);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(buf + 12), 0x1000);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(buf + 16), 0x2000);
	KUNIT_EXPECT_EQ(test, spdm_encode_get_capabilities(buf, 19, 0x12,
							   &caps), -ENOSPC);
}

static void wire_capabilities(struct kunit *test)
{
	u8 rsp[20] = { 0x12, 0x61, 0, 0, 0, 12, 0, 0, 0x16, 0, 0, 0,
		       0x00, 0x04, 0, 0, 0x00, 0x10, 0, 0 };
	struct spdm_caps caps;

	KUNIT_EXPECT_EQ(test, spdm_decode_capabilities(rsp, 20, 0x12, &caps),
			20);
	KUNIT_EXPECT_EQ(test, caps.ct_exponent, 12);
	KUNIT_EXPECT_EQ(test, caps.flags, 0x16);
	KUNIT_EXPECT_EQ(test, caps.data_transfer_size, 0x400);
	KUNIT_EXPECT_EQ(test, caps.max_msg_size, 0x1000);
	/* 1.2 needs 20 bytes, 1.1 only 12 */
	KUNIT_EXPECT_EQ(test, spdm_decode_capabilities(rsp, 12, 0x12, &caps),
			-EBADMSG);
	rsp[0] = 0x11;
	KUNIT_EXPECT_EQ(test, spdm_decode_capabilities(rsp, 12, 0x11, &caps),
			12);
	KUNIT_EXPECT_EQ(test, caps.data_transfer_size, 0);
	KUNIT_EXPECT_EQ(test, spdm_decode_capabilities(rsp, 11, 0x11, &caps),
			-EBADMSG);
	rsp[0] = 0x12;
	/* DataTransferSize below 42 */
	put_unaligned_le32(41, rsp + 12);
	KUNIT_EXPECT_EQ(test, spdm_decode_capabilities(rsp, 20, 0x12, &caps),
			-EPROTO);
	/* MaxSPDMmsgSize below DataTransferSize */
	put_unaligned_le32(0x2000, rsp + 12);
	KUNIT_EXPECT_EQ(test, spdm_decode_capabilities(rsp, 20, 0x12, &caps),
			-EPROTO);
}

static void wire_negotiate_algorithms(struct kunit *test)
{
	struct spdm_algs offer = {
		.meas_spec = 1, .other_params = 2,
		.base_asym = 0x1ff, .base_hash = 0x3f,
	};
	u8 buf[40];

	memset(buf, 0xaa, sizeof(buf));
	KUNIT_EXPECT_EQ(test, spdm_encode_negotiate_algorithms(buf, sizeof(buf),
							       0x12, &offer),
			32);
	KUNIT_EXPECT_EQ(test, buf[1], 0xe3);
	KUNIT_EXPECT_EQ(test, buf[2], 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(buf + 4), 32);
	KUNIT_EXPECT_EQ(test, buf[6], 1);
	KUNIT_EXPECT_EQ(test, buf[7], 2);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(buf + 8), 0x1ff);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(buf + 12), 0x3f);
	KUNIT_EXPECT_EQ(test, buf[28], 0);
	KUNIT_EXPECT_EQ(test, buf[31], 0);
	/* OtherParamsSupport is reserved before 1.2 */
	spdm_encode_negotiate_algorithms(buf, sizeof(buf), 0x11, &offer);
	KUNIT_EXPECT_EQ(test, buf[7], 0);
	KUNIT_EXPECT_EQ(test, spdm_encode_negotiate_algorithms(buf, 31, 0x12,
							       &offer),
			-ENOSPC);
}

static void wire_algorithms(struct kunit *test)
{
	u8 rsp[40] = { 0x12, 0x63, 0, 0, 36, 0, 1, 0, 0x04, 0, 0, 0,
		       0x80, 0, 0, 0, 0x02, 0, 0, 0 };
	struct spdm_algs sel;

	KUNIT_EXPECT_EQ(test, spdm_decode_algorithms(rsp, 36, 0x12, &sel), 36);
	KUNIT_EXPECT_EQ(test, sel.meas_spec, 1);
	KUNIT_EXPECT_EQ(test, sel.meas_hash, 4);
	KUNIT_EXPECT_EQ(test, sel.base_asym, 0x80);
	KUNIT_EXPECT_EQ(test, sel.base_hash, 2);
	/* Trailing bytes are left to the caller */
	KUNIT_EXPECT_EQ(test, spdm_decode_algorithms(rsp, 40, 0x12, &sel), 36);
	KUNIT_EXPECT_EQ(test, spdm_decode_algorithms(rsp, 35, 0x12, &sel),
			-EBADMSG);
	/* Length beyond the message, or too small */
	rsp[4] = 40;
	KUNIT_EXPECT_EQ(test, spdm_decode_algorithms(rsp, 36, 0x12, &sel),
			-EBADMSG);
	rsp[4] = 35;
	KUNIT_EXPECT_EQ(test, spdm_decode_algorithms(rsp, 36, 0x12, &sel),
			-EBADMSG);
	rsp[4] = 36;
	/* Extended algorithms or structures that were never offered */
	rsp[32] = 1;
	KUNIT_EXPECT_EQ(test, spdm_decode_algorithms(rsp, 36, 0x12, &sel),
			-EPROTO);
	rsp[32] = 0;
	rsp[2] = 1;
	KUNIT_EXPECT_EQ(test, spdm_decode_algorithms(rsp, 36, 0x12, &sel),
			-EPROTO);
}

static void wire_digests(struct kunit *test)
{
	u8 rsp[4 + 2 * 48] = { 0x12, 0x01, 0, 0x05 };
	const u8 *d;
	u8 mask;

	rsp[4] = 0x11;
	rsp[4 + 48] = 0x22;
	KUNIT_EXPECT_EQ(test, spdm_decode_digests(rsp, sizeof(rsp), 0x12, 48,
						  &mask, &d),
			(int)sizeof(rsp));
	KUNIT_EXPECT_EQ(test, mask, 0x05);
	KUNIT_EXPECT_EQ(test, d[0], 0x11);
	KUNIT_EXPECT_EQ(test, d[48], 0x22);
	KUNIT_EXPECT_EQ(test, spdm_decode_digests(rsp, sizeof(rsp) - 1, 0x12,
						  48, &mask, &d),
			-EBADMSG);
	/* Eight slots claimed, two digests present */
	rsp[3] = 0xff;
	KUNIT_EXPECT_EQ(test, spdm_decode_digests(rsp, sizeof(rsp), 0x12, 48,
						  &mask, &d),
			-EBADMSG);
}

static void wire_certificate(struct kunit *test)
{
	u8 rsp[16] = { 0x12, 0x02, 0x03, 0, 8, 0, 0x34, 0x12 };
	struct spdm_cert_rsp c;
	u8 req[8];

	KUNIT_EXPECT_EQ(test, spdm_encode_get_certificate(req, sizeof(req),
							  0x12, 3, 0x100,
							  0x200), 8);
	KUNIT_EXPECT_EQ(test, req[2], 3);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(req + 4), 0x100);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(req + 6), 0x200);
	KUNIT_EXPECT_EQ(test, spdm_encode_get_certificate(req, sizeof(req),
							  0x12, 8, 0, 0),
			-EINVAL);

	KUNIT_EXPECT_EQ(test, spdm_decode_certificate(rsp, 16, 0x12, &c), 16);
	KUNIT_EXPECT_EQ(test, c.slot, 3);
	KUNIT_EXPECT_EQ(test, c.portion_len, 8);
	KUNIT_EXPECT_EQ(test, c.remainder_len, 0x1234);
	KUNIT_EXPECT_PTR_EQ(test, c.portion, (const u8 *)rsp + 8);
	/* PortionLength beyond the message */
	KUNIT_EXPECT_EQ(test, spdm_decode_certificate(rsp, 15, 0x12, &c),
			-EBADMSG);
	rsp[4] = 0xff;
	rsp[5] = 0xff;
	KUNIT_EXPECT_EQ(test, spdm_decode_certificate(rsp, 16, 0x12, &c),
			-EBADMSG);
	KUNIT_EXPECT_EQ(test, spdm_decode_certificate(rsp, 7, 0x12, &c),
			-EBADMSG);
}

static void wire_challenge(struct kunit *test)
{
	u8 nonce[32], ctx[8], buf[48];

	memset(nonce, 0x5a, sizeof(nonce));
	memset(ctx, 0xc3, sizeof(ctx));
	KUNIT_EXPECT_EQ(test, spdm_encode_challenge(buf, sizeof(buf), 0x12, 2,
						    0xff, nonce, ctx), 36);
	KUNIT_EXPECT_EQ(test, buf[2], 2);
	KUNIT_EXPECT_EQ(test, buf[3], 0xff);
	KUNIT_EXPECT_MEMEQ(test, buf + 4, nonce, 32);
	KUNIT_EXPECT_EQ(test, spdm_encode_challenge(buf, sizeof(buf), 0x13, 2,
						    0, nonce, ctx), 44);
	KUNIT_EXPECT_MEMEQ(test, buf + 36, ctx, 8);
	KUNIT_EXPECT_EQ(test, spdm_encode_challenge(buf, 43, 0x13, 2, 0, nonce,
						    ctx), -ENOSPC);
}

static void wire_challenge_auth(struct kunit *test)
{
	/* 1.3, SHA-256, no summary, 3 opaque bytes, context, 64-byte sig */
	size_t len = 4 + 32 + 32 + 2 + 3 + 8 + 64;
	struct spdm_challenge_auth a;
	u8 *rsp;

	rsp = kunit_kzalloc(test, len + 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, rsp);
	rsp[0] = 0x13;
	rsp[1] = 0x03;
	rsp[2] = 0x01;
	rsp[3] = 0x02;
	put_unaligned_le16(3, rsp + 68);
	rsp[len - 64] = 0xee;

	KUNIT_EXPECT_EQ(test, spdm_decode_challenge_auth(rsp, len, 0x13, 32, 0,
							 64, &a), (int)len);
	KUNIT_EXPECT_EQ(test, a.slot, 1);
	KUNIT_EXPECT_EQ(test, a.slot_mask, 2);
	KUNIT_EXPECT_EQ(test, a.opaque_len, 3);
	KUNIT_EXPECT_PTR_EQ(test, a.context, (const u8 *)rsp + 73);
	KUNIT_EXPECT_EQ(test, a.sig_offset, len - 64);
	KUNIT_EXPECT_EQ(test, a.sig[0], 0xee);
	/* Truncated signature */
	KUNIT_EXPECT_EQ(test, spdm_decode_challenge_auth(rsp, len - 1, 0x13,
							 32, 0, 64, &a),
			-EBADMSG);
	/* Before 1.3 there is no RequesterContext: the same bytes fit */
	rsp[0] = 0x12;
	KUNIT_EXPECT_EQ(test, spdm_decode_challenge_auth(rsp, len, 0x12, 32, 0,
							 64, &a),
			(int)len - 8);
	KUNIT_EXPECT_NULL(test, a.context);
	/* OpaqueLength beyond the message */
	put_unaligned_le16(1000, rsp + 68);
	KUNIT_EXPECT_EQ(test, spdm_decode_challenge_auth(rsp, len, 0x12, 32, 0,
							 64, &a),
			-EBADMSG);
	/* OpaqueLength above the 1024 the specification allows */
	put_unaligned_le16(1025, rsp + 68);
	KUNIT_EXPECT_EQ(test, spdm_decode_challenge_auth(rsp, len, 0x12, 32, 0,
							 64, &a),
			-EPROTO);
	KUNIT_EXPECT_EQ(test, spdm_decode_challenge_auth(rsp, 60, 0x12, 32, 0,
							 64, &a),
			-EBADMSG);
	rsp[1] = 0x02;
	KUNIT_EXPECT_EQ(test, spdm_decode_challenge_auth(rsp, len, 0x12, 32, 0,
							 64, &a),
			-ENOMSG);
}

/* Write a block with a DMTF measurement at @p; returns its length */
static size_t meas_block(u8 *p, u8 index, u8 type, u8 fill, u16 value_len)
{
	p[0] = index;
	p[1] = SPDM_MEAS_SPEC_DMTF;
	put_unaligned_le16(value_len + 3, p + 2);
	p[4] = type;
	put_unaligned_le16(value_len, p + 5);
	memset(p + 7, fill, value_len);
	return 7 + value_len;
}

/*
 * Build a MEASUREMENTS response around the record @rec: Nonce 0xa5...,
 * @opaque_len bytes of 0x0c, RequesterContext 0xc3... on 1.3, then
 * @sig_len bytes of signature 0xee.  Returns its length.
 */
static size_t meas_rsp(u8 *rsp, u8 ver, u8 param1, u8 param2, u8 blocks,
		       const u8 *rec, size_t rec_len, u16 opaque_len,
		       size_t sig_len)
{
	size_t off = 8;

	rsp[0] = ver;
	rsp[1] = SPDM_MEASUREMENTS;
	rsp[2] = param1;
	rsp[3] = param2;
	rsp[4] = blocks;
	put_unaligned_le24(rec_len, rsp + 5);
	if (rec_len)
		memcpy(rsp + off, rec, rec_len);
	off += rec_len;
	memset(rsp + off, 0xa5, SPDM_NONCE_SIZE);
	off += SPDM_NONCE_SIZE;
	put_unaligned_le16(opaque_len, rsp + off);
	off += 2;
	memset(rsp + off, 0x0c, opaque_len);
	off += opaque_len;
	if (ver >= SPDM_VER_13) {
		memset(rsp + off, 0xc3, SPDM_REQ_CONTEXT_SIZE);
		off += SPDM_REQ_CONTEXT_SIZE;
	}
	memset(rsp + off, 0xee, sig_len);
	return off + sig_len;
}

#define MEAS_BUF_SIZE	2048

static u8 *meas_buf(struct kunit *test)
{
	u8 *p = kunit_kzalloc(test, MEAS_BUF_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	return p;
}

/* Every strict prefix of a valid message is truncated */
static void meas_expect_truncated(struct kunit *test, const u8 *rsp,
				  size_t len, u8 ver, u8 op, bool sig,
				  size_t sig_len, size_t hash_len)
{
	struct spdm_meas_rsp m;
	size_t i;

	for (i = 0; i < len; i++)
		KUNIT_EXPECT_EQ_MSG(test,
				    spdm_decode_measurements(rsp, i, ver, op,
							     sig, sig_len,
							     hash_len, &m),
				    -EBADMSG, "prefix of %zu of %zu bytes", i,
				    len);
}

static void wire_get_measurements(struct kunit *test)
{
	u8 nonce[32], ctx[8], buf[48], exp[48];

	memset(nonce, 0x5a, sizeof(nonce));
	memset(ctx, 0xc3, sizeof(ctx));

	/* 1.0 and 1.2 unsigned: the header alone */
	KUNIT_EXPECT_EQ(test, spdm_encode_get_measurements(buf, sizeof(buf),
							   0x10, 0, 0xff, nonce,
							   0, ctx), 4);
	KUNIT_EXPECT_MEMEQ(test, buf, ((u8 []){ 0x10, 0xe0, 0, 0xff }), 4);
	KUNIT_EXPECT_EQ(test, spdm_encode_get_measurements(buf, sizeof(buf),
							   0x12, 0x02, 0, NULL,
							   0, NULL), 4);
	KUNIT_EXPECT_MEMEQ(test, buf, ((u8 []){ 0x12, 0xe0, 0x02, 0 }), 4);

	/* 1.0 signed: Nonce, no SlotIDParam */
	memset(exp, 0, sizeof(exp));
	exp[0] = 0x10;
	exp[1] = 0xe0;
	exp[2] = 0x01;
	exp[3] = 0x05;
	memcpy(exp + 4, nonce, 32);
	KUNIT_EXPECT_EQ(test, spdm_encode_get_measurements(buf, sizeof(buf),
							   0x10, 0x01, 5, nonce,
							   0, NULL), 36);
	KUNIT_EXPECT_MEMEQ(test, buf, exp, 36);
	KUNIT_EXPECT_EQ(test, spdm_encode_get_measurements(buf, sizeof(buf),
							   0x10, 0x01, 5, nonce,
							   1, NULL), -EINVAL);

	/* 1.1 signed: Nonce and SlotIDParam */
	exp[0] = 0x11;
	exp[36] = 3;
	KUNIT_EXPECT_EQ(test, spdm_encode_get_measurements(buf, sizeof(buf),
							   0x11, 0x01, 5, nonce,
							   3, NULL), 37);
	KUNIT_EXPECT_MEMEQ(test, buf, exp, 37);
	KUNIT_EXPECT_EQ(test, spdm_encode_get_measurements(buf, 36, 0x11, 0x01,
							   5, nonce, 3, NULL),
			-ENOSPC);

	/* 1.3 unsigned still carries RequesterContext */
	KUNIT_EXPECT_EQ(test, spdm_encode_get_measurements(buf, sizeof(buf),
							   0x13, 0x04, 0, NULL,
							   0, ctx), 12);
	KUNIT_EXPECT_MEMEQ(test, buf, ((u8 []){ 0x13, 0xe0, 0x04, 0 }), 4);
	KUNIT_EXPECT_MEMEQ(test, buf + 4, ctx, 8);

	/* 1.3 signed, raw and new: Nonce, SlotIDParam, RequesterContext */
	exp[0] = 0x13;
	exp[2] = 0x07;
	exp[3] = 0xff;
	exp[36] = 7;
	memcpy(exp + 37, ctx, 8);
	KUNIT_EXPECT_EQ(test, spdm_encode_get_measurements(buf, sizeof(buf),
							   0x13, 0x07, 0xff,
							   nonce, 7, ctx), 45);
	KUNIT_EXPECT_MEMEQ(test, buf, exp, 45);
	KUNIT_EXPECT_EQ(test, spdm_encode_get_measurements(buf, 44, 0x13, 0x07,
							   0xff, nonce, 7, ctx),
			-ENOSPC);

	/* Attributes the version does not define */
	KUNIT_EXPECT_EQ(test, spdm_encode_get_measurements(buf, sizeof(buf),
							   0x11, 0x02, 0, NULL,
							   0, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, spdm_encode_get_measurements(buf, sizeof(buf),
							   0x12, 0x04, 0, NULL,
							   0, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, spdm_encode_get_measurements(buf, sizeof(buf),
							   0x13, 0x08, 0, NULL,
							   0, ctx), -EINVAL);
	/* Missing nonce or context, bad slot */
	KUNIT_EXPECT_EQ(test, spdm_encode_get_measurements(buf, sizeof(buf),
							   0x12, 0x01, 0, NULL,
							   0, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, spdm_encode_get_measurements(buf, sizeof(buf),
							   0x13, 0, 0, NULL, 0,
							   NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, spdm_encode_get_measurements(buf, sizeof(buf),
							   0x12, 0x01, 0, nonce,
							   8, NULL), -EINVAL);
}

static void wire_measurements_count(struct kunit *test)
{
	u8 *rsp = meas_buf(test);
	u8 rec[16];
	struct spdm_meas_rsp m;
	size_t len;

	/* 1.0 unsigned: Nonce and OpaqueDataLength are there all the same */
	len = meas_rsp(rsp, 0x10, 5, 0, 0, NULL, 0, 0, 0);
	KUNIT_ASSERT_EQ(test, len, 42);
	KUNIT_EXPECT_EQ(test, spdm_decode_measurements(rsp, len, 0x10, 0,
						       false, 0, 32, &m),
			(int)len);
	KUNIT_EXPECT_EQ(test, m.total_indices, 5);
	KUNIT_EXPECT_EQ(test, m.num_blocks, 0);
	KUNIT_EXPECT_EQ(test, m.record_len, 0);
	KUNIT_EXPECT_PTR_EQ(test, m.nonce, (const u8 *)rsp + 8);
	KUNIT_EXPECT_NULL(test, m.context);
	KUNIT_EXPECT_NULL(test, m.sig);
	KUNIT_EXPECT_EQ(test, m.sig_offset, len);
	meas_expect_truncated(test, rsp, len, 0x10, 0, false, 0, 32);

	/* Param1 is reserved unless the count was asked for */
	KUNIT_EXPECT_EQ(test, spdm_decode_measurements(rsp, len, 0x10, 0xff,
						       false, 0, 32, &m),
			(int)len);
	KUNIT_EXPECT_EQ(test, m.total_indices, 0);

	/* Indices run from 1 to 0xfe: 0xff of them cannot exist */
	rsp[2] = 0xff;
	KUNIT_EXPECT_EQ(test, spdm_decode_measurements(rsp, len, 0x10, 0,
						       false, 0, 32, &m),
			-EPROTO);

	/* A count request that returns a block */
	len = meas_rsp(rsp, 0x12, 5, 0, 1, rec,
		       meas_block(rec, 1, 0x81, 0x11, 4), 0, 0);
	KUNIT_EXPECT_EQ(test, spdm_decode_measurements(rsp, len, 0x12, 0xff,
						       false, 0, 32, &m),
			(int)len);
	KUNIT_EXPECT_EQ(test, spdm_decode_measurements(rsp, len, 0x12, 0,
						       false, 0, 32, &m),
			-EPROTO);
}

static void wire_measurements_one(struct kunit *test)
{
	u8 *rsp = meas_buf(test);
	u8 rec[64];
	struct spdm_meas_rsp m;
	size_t len, rec_len;

	/* 1.1, signed with a 64-byte signature, index 2 with a SHA-384 digest */
	rec_len = meas_block(rec, 2, SPDM_MEAS_TYPE_FIRMWARE, 0x22, 48);
	len = meas_rsp(rsp, 0x11, 0, 0x03, 1, rec, rec_len, 0, 64);
	KUNIT_EXPECT_EQ(test, spdm_decode_measurements(rsp, len, 0x11, 2, true,
						       64, 48, &m), (int)len);
	KUNIT_EXPECT_EQ(test, m.slot, 3);
	KUNIT_EXPECT_EQ(test, m.content_changed, 0);
	KUNIT_EXPECT_EQ(test, m.num_blocks, 1);
	KUNIT_EXPECT_EQ(test, m.record_len, rec_len);
	KUNIT_EXPECT_PTR_EQ(test, m.record, (const u8 *)rsp + 8);
	KUNIT_EXPECT_EQ(test, m.sig_offset, len - 64);
	KUNIT_EXPECT_PTR_EQ(test, m.sig, (const u8 *)rsp + len - 64);
	meas_expect_truncated(test, rsp, len, 0x11, 2, true, 64, 48);

	/* Another index than the one asked for */
	KUNIT_EXPECT_EQ(test, spdm_decode_measurements(rsp, len, 0x11, 3, true,
						       64, 48, &m), -EPROTO);
	/* NumberOfBlocks other than 1 for a one-index request */
	rsp[4] = 2;
	KUNIT_EXPECT_EQ(test, spdm_decode_measurements(rsp, len, 0x11, 2, true,
						       64, 48, &m), -EPROTO);
	len = meas_rsp(rsp, 0x11, 0, 0, 0, NULL, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, spdm_decode_measurements(rsp, len, 0x11, 2,
						       false, 0, 48, &m),
			-EPROTO);
}

/* A 1.3 record: a digest, a manifest, an SVN and the device mode */
static size_t meas_record13(u8 *rec)
{
	size_t off = 0;

	off += meas_block(rec + off, 1, SPDM_MEAS_TYPE_ROM, 0x11, 32);
	off += meas_block(rec + off, SPDM_MEAS_INDEX_MANIFEST,
			  SPDM_MEAS_TYPE_RAW | SPDM_MEAS_TYPE_STRUCT_MANIFEST,
			  0x4d, 20);
	off += meas_block(rec + off, 7, SPDM_MEAS_TYPE_RAW | SPDM_MEAS_TYPE_SVN,
			  0, 8);
	rec[off - 8] = 0x2a;
	rec[off - 1] = 0x01;
	off += meas_block(rec + off, SPDM_MEAS_INDEX_DEVICE_MODE,
			  SPDM_MEAS_TYPE_RAW | SPDM_MEAS_TYPE_DEVICE_MODE, 0,
			  16);
	put_unaligned_le32(0x3f, rec + off - 16);
	put_unaligned_le32(SPDM_OP_MODE_NORMAL, rec + off - 12);
	put_unaligned_le32(0x1f, rec + off - 8);
	put_unaligned_le32(SPDM_DEV_MODE_INV_DEBUG_WAS_ACTIVE_MFG,
			   rec + off - 4);
	return off;
}

static void wire_measurements_all(struct kunit *test)
{
	u8 *rsp = meas_buf(test);
	struct spdm_meas_device_mode mode;
	struct spdm_meas_block blk;
	struct spdm_meas_rsp m;
	size_t len, rec_len, off;
	u8 rec[128];
	u64 svn;
	int n;

	/* 1.3, signed (ECDSA P-384), slot 1, no change detected, opaque */
	rec_len = meas_record13(rec);
	len = meas_rsp(rsp, 0x13, 0, 0x21, 4, rec, rec_len, 5, 96);
	KUNIT_EXPECT_EQ(test, spdm_decode_measurements(rsp, len, 0x13, 0xff,
						       true, 96, 32, &m),
			(int)len);
	KUNIT_EXPECT_EQ(test, m.slot, 1);
	KUNIT_EXPECT_EQ(test, m.content_changed, SPDM_MEAS_CHANGED_NO);
	KUNIT_EXPECT_EQ(test, m.num_blocks, 4);
	KUNIT_EXPECT_EQ(test, m.record_len, rec_len);
	KUNIT_EXPECT_PTR_EQ(test, m.nonce, (const u8 *)rsp + 8 + rec_len);
	KUNIT_EXPECT_EQ(test, m.opaque_len, 5);
	KUNIT_EXPECT_PTR_EQ(test, m.opaque, (const u8 *)rsp + 8 + rec_len + 34);
	KUNIT_EXPECT_PTR_EQ(test, m.context, (const u8 *)rsp + len - 96 - 8);
	KUNIT_EXPECT_EQ(test, m.context[0], 0xc3);
	KUNIT_EXPECT_EQ(test, m.sig_offset, len - 96);
	KUNIT_EXPECT_EQ(test, m.sig[0], 0xee);
	meas_expect_truncated(test, rsp, len, 0x13, 0xff, true, 96, 32);

	/* Transport padding is not part of the message */
	KUNIT_EXPECT_EQ(test, spdm_decode_measurements(rsp, len + 3, 0x13,
						       0xff, true, 96, 32, &m),
			(int)len);
	KUNIT_EXPECT_EQ(test, m.sig_offset, len - 96);

	/* Walk the record */
	for (off = 0, n = 0; off < m.record_len; n++) {
		int ret = spdm_decode_meas_block(m.record + off,
						 m.record_len - off, 0x13, 32,
						 &blk);

		KUNIT_ASSERT_GT(test, ret, 0);
		KUNIT_EXPECT_PTR_EQ(test, blk.block, m.record + off);
		KUNIT_EXPECT_EQ(test, blk.block_len, (size_t)ret);
		off += ret;
		if (blk.index == 7) {
			KUNIT_EXPECT_EQ(test, spdm_meas_svn(&blk, &svn), 0);
			KUNIT_EXPECT_EQ(test, svn, 0x010000000000002aULL);
			KUNIT_EXPECT_EQ(test, spdm_meas_device_mode(&blk, &mode),
					-EINVAL);
		}
		if (blk.index == SPDM_MEAS_INDEX_DEVICE_MODE) {
			KUNIT_EXPECT_EQ(test, spdm_meas_device_mode(&blk, &mode),
					0);
			KUNIT_EXPECT_EQ(test, mode.op_mode_caps, 0x3f);
			KUNIT_EXPECT_EQ(test, mode.op_mode_state,
					SPDM_OP_MODE_NORMAL);
			KUNIT_EXPECT_EQ(test, mode.dev_mode_caps, 0x1f);
			KUNIT_EXPECT_EQ(test, mode.dev_mode_state,
					SPDM_DEV_MODE_INV_DEBUG_WAS_ACTIVE_MFG);
			KUNIT_EXPECT_EQ(test, spdm_meas_svn(&blk, &svn),
					-EINVAL);
		}
	}
	KUNIT_EXPECT_EQ(test, n, 4);
	KUNIT_EXPECT_EQ(test, off, rec_len);

	/* ContentChanged 11b is reserved */
	rsp[3] = 0x31;
	KUNIT_EXPECT_EQ(test, spdm_decode_measurements(rsp, len, 0x13, 0xff,
						       true, 96, 32, &m),
			-EPROTO);

	/* Unsigned: no signature, Param2 reserved */
	len = meas_rsp(rsp, 0x13, 0, 0x31, 4, rec, rec_len, 0, 0);
	KUNIT_EXPECT_EQ(test, spdm_decode_measurements(rsp, len, 0x13, 0xff,
						       false, 96, 32, &m),
			(int)len);
	KUNIT_EXPECT_EQ(test, m.slot, 0);
	KUNIT_EXPECT_EQ(test, m.content_changed, 0);
	KUNIT_EXPECT_NULL(test, m.sig);
	KUNIT_EXPECT_EQ(test, m.sig_offset, len);
	meas_expect_truncated(test, rsp, len, 0x13, 0xff, false, 96, 32);

	/* Wrong response code or version */
	rsp[1] = SPDM_CHALLENGE_AUTH;
	KUNIT_EXPECT_EQ(test, spdm_decode_measurements(rsp, len, 0x13, 0xff,
						       false, 0, 32, &m),
			-ENOMSG);
	rsp[1] = SPDM_MEASUREMENTS;
	KUNIT_EXPECT_EQ(test, spdm_decode_measurements(rsp, len, 0x12, 0xff,
						       false, 0, 32, &m),
			-EPROTO);
}

static void wire_measurements_malformed(struct kunit *test)
{
	u8 *rsp = meas_buf(test);
	u8 *big = meas_buf(test);
	u8 rec[128];
	struct spdm_meas_rsp m;
	size_t len, rec_len, last;

	rec_len = meas_block(rec, 1, SPDM_MEAS_TYPE_ROM, 0x11, 32);
	last = rec_len;
	rec_len += meas_block(rec + rec_len, 2, SPDM_MEAS_TYPE_FIRMWARE, 0x22,
			      32);
	len = meas_rsp(rsp, 0x12, 0, 0, 2, rec, rec_len, 0, 64);
	KUNIT_ASSERT_EQ(test, spdm_decode_measurements(rsp, len, 0x12, 0xff,
						       true, 64, 32, &m),
			(int)len);

	/* MeasurementRecordLength beyond the message */
	put_unaligned_le24(len, rsp + 5);
	KUNIT_EXPECT_EQ(test, spdm_decode_measurements(rsp, len, 0x12, 0xff,
						       true, 64, 32, &m),
			-EBADMSG);
	put_unaligned_le24(SPDM_MAX_MEAS_RECORD, rsp + 5);
	KUNIT_EXPECT_EQ(test, spdm_decode_measurements(rsp, len, 0x12, 0xff,
						       true, 64, 32, &m),
			-EBADMSG);
	/* MeasurementRecordLength cutting the last block */
	put_unaligned_le24(rec_len - 1, rsp + 5);
	KUNIT_EXPECT_EQ(test, spdm_decode_measurements(rsp, len - 1, 0x12,
						       0xff, true, 64, 32, &m),
			-EBADMSG);
	/* ... or leaving it out: NumberOfBlocks no longer matches */
	len = meas_rsp(rsp, 0x12, 0, 0, 2, rec, last, 0, 64);
	KUNIT_EXPECT_EQ(test, spdm_decode_measurements(rsp, len, 0x12, 0xff,
						       true, 64, 32, &m),
			-EBADMSG);

	/* NumberOfBlocks above and below the blocks present */
	len = meas_rsp(rsp, 0x12, 0, 0, 3, rec, rec_len, 0, 64);
	KUNIT_EXPECT_EQ(test, spdm_decode_measurements(rsp, len, 0x12, 0xff,
						       true, 64, 32, &m),
			-EBADMSG);
	rsp[4] = 1;
	KUNIT_EXPECT_EQ(test, spdm_decode_measurements(rsp, len, 0x12, 0xff,
						       true, 64, 32, &m),
			-EBADMSG);

	/* MeasurementSize one more than DMTFSpecMeasurementValueSize + 3 */
	memcpy(big, rec, rec_len);
	put_unaligned_le16(36, big + last + 2);
	big[rec_len] = 0x99;
	len = meas_rsp(rsp, 0x12, 0, 0, 2, big, rec_len + 1, 0, 64);
	KUNIT_EXPECT_EQ(test, spdm_decode_measurements(rsp, len, 0x12, 0xff,
						       true, 64, 32, &m),
			-EBADMSG);
	/* ... and one less */
	put_unaligned_le16(34, big + last + 2);
	len = meas_rsp(rsp, 0x12, 0, 0, 2, big, rec_len - 1, 0, 64);
	KUNIT_EXPECT_EQ(test, spdm_decode_measurements(rsp, len, 0x12, 0xff,
						       true, 64, 32, &m),
			-EBADMSG);

	/* The last block runs past the record, both sizes agreeing */
	memcpy(big, rec, rec_len);
	put_unaligned_le16(36, big + last + 2);
	put_unaligned_le16(33, big + last + 5);
	len = meas_rsp(rsp, 0x12, 0, 0, 2, big, rec_len, 0, 64);
	KUNIT_EXPECT_EQ(test, spdm_decode_measurements(rsp, len, 0x12, 0xff,
						       true, 64, 32, &m),
			-EBADMSG);

	/* The same index twice */
	memcpy(big, rec, rec_len);
	big[last] = 1;
	len = meas_rsp(rsp, 0x12, 0, 0, 2, big, rec_len, 0, 64);
	KUNIT_EXPECT_EQ(test, spdm_decode_measurements(rsp, len, 0x12, 0xff,
						       true, 64, 32, &m),
			-EPROTO);

	/* A digest of another size than the measurement hash */
	len = meas_rsp(rsp, 0x12, 0, 0, 2, rec, rec_len, 0, 64);
	KUNIT_EXPECT_EQ(test, spdm_decode_measurements(rsp, len, 0x12, 0xff,
						       true, 64, 48, &m),
			-EPROTO);
	/* ... or any digest under RawBitStreamOnly */
	KUNIT_EXPECT_EQ(test, spdm_decode_measurements(rsp, len, 0x12, 0xff,
						       true, 64, 0, &m),
			-EPROTO);

	/* OpaqueDataLength above 1024, all bytes present */
	len = meas_rsp(big, 0x12, 0, 0, 2, rec, rec_len, 1025, 64);
	KUNIT_ASSERT_LE(test, len, MEAS_BUF_SIZE);
	KUNIT_EXPECT_EQ(test, spdm_decode_measurements(big, len, 0x12, 0xff,
						       true, 64, 32, &m),
			-EPROTO);
	len = meas_rsp(big, 0x12, 0, 0, 2, rec, rec_len, 1024, 64);
	KUNIT_EXPECT_EQ(test, spdm_decode_measurements(big, len, 0x12, 0xff,
						       true, 64, 32, &m),
			(int)len);
	/* OpaqueDataLength beyond the message */
	len = meas_rsp(rsp, 0x12, 0, 0, 2, rec, rec_len, 10, 0);
	KUNIT_EXPECT_EQ(test, spdm_decode_measurements(rsp, len - 1, 0x12,
						       0xff, false, 0, 32, &m),
			-EBADMSG);
}

static void wire_meas_block(struct kunit *test)
{
	struct spdm_meas_device_mode mode;
	struct spdm_meas_block blk;
	u8 b[80];
	size_t len, i;
	u64 svn;

	len = meas_block(b, 5, SPDM_MEAS_TYPE_HW_CONFIG, 0x33, 48);
	KUNIT_EXPECT_EQ(test, spdm_decode_meas_block(b, len, 0x12, 48, &blk),
			(int)len);
	KUNIT_EXPECT_EQ(test, blk.index, 5);
	KUNIT_EXPECT_EQ(test, blk.spec, SPDM_MEAS_SPEC_DMTF);
	KUNIT_EXPECT_EQ(test, blk.type, SPDM_MEAS_TYPE_HW_CONFIG);
	KUNIT_EXPECT_FALSE(test, blk.raw);
	KUNIT_EXPECT_EQ(test, blk.value_len, 48);
	KUNIT_EXPECT_PTR_EQ(test, blk.value, (const u8 *)b + 7);
	/* Bytes after the block belong to the next one */
	KUNIT_EXPECT_EQ(test, spdm_decode_meas_block(b, sizeof(b), 0x12, 48,
						     &blk), (int)len);
	for (i = 0; i < len; i++)
		KUNIT_EXPECT_EQ(test, spdm_decode_meas_block(b, i, 0x12, 48,
							     &blk), -EBADMSG);

	/* Index 0 is reserved, 0xff is not an index */
	b[0] = 0;
	KUNIT_EXPECT_EQ(test, spdm_decode_meas_block(b, len, 0x12, 48, &blk),
			-EPROTO);
	b[0] = 0xff;
	KUNIT_EXPECT_EQ(test, spdm_decode_meas_block(b, len, 0x12, 48, &blk),
			-EPROTO);
	b[0] = 5;
	/* Only the DMTF measurement specification */
	b[1] = 0x02;
	KUNIT_EXPECT_EQ(test, spdm_decode_meas_block(b, len, 0x12, 48, &blk),
			-EPROTO);
	b[1] = 0x03;
	KUNIT_EXPECT_EQ(test, spdm_decode_meas_block(b, len, 0x12, 48, &blk),
			-EPROTO);
	b[1] = SPDM_MEAS_SPEC_DMTF;
	/* MeasurementSize too small for the DMTF header */
	put_unaligned_le16(2, b + 2);
	KUNIT_EXPECT_EQ(test, spdm_decode_meas_block(b, len, 0x12, 48, &blk),
			-EBADMSG);

	/* Types 8 to 10 exist from 1.3, 11 and above are reserved */
	len = meas_block(b, 9, SPDM_MEAS_TYPE_RAW | SPDM_MEAS_TYPE_INFORMATIONAL,
			 0x44, 6);
	KUNIT_EXPECT_EQ(test, spdm_decode_meas_block(b, len, 0x13, 0, &blk),
			(int)len);
	KUNIT_EXPECT_EQ(test, spdm_decode_meas_block(b, len, 0x12, 0, &blk),
			-EPROTO);
	b[4] = SPDM_MEAS_TYPE_RAW | 0x0b;
	KUNIT_EXPECT_EQ(test, spdm_decode_meas_block(b, len, 0x13, 0, &blk),
			-EPROTO);

	/* Device mode: raw, 16 bytes */
	len = meas_block(b, 3, SPDM_MEAS_TYPE_RAW | SPDM_MEAS_TYPE_DEVICE_MODE,
			 0, 16);
	put_unaligned_le32(SPDM_OP_MODE_RMA, b + 7 + 4);
	KUNIT_EXPECT_EQ(test, spdm_decode_meas_block(b, len, 0x12, 32, &blk),
			(int)len);
	KUNIT_EXPECT_EQ(test, spdm_meas_device_mode(&blk, &mode), 0);
	KUNIT_EXPECT_EQ(test, mode.op_mode_state, SPDM_OP_MODE_RMA);
	len = meas_block(b, 3, SPDM_MEAS_TYPE_RAW | SPDM_MEAS_TYPE_DEVICE_MODE,
			 0, 15);
	KUNIT_EXPECT_EQ(test, spdm_decode_meas_block(b, len, 0x12, 32, &blk),
			-EPROTO);
	len = meas_block(b, 3, SPDM_MEAS_TYPE_DEVICE_MODE, 0, 32);
	KUNIT_EXPECT_EQ(test, spdm_decode_meas_block(b, len, 0x12, 32, &blk),
			-EPROTO);
	/* The helpers refuse what the decoder would never return */
	blk.type = SPDM_MEAS_TYPE_DEVICE_MODE;
	blk.raw = true;
	blk.value_len = 15;
	KUNIT_EXPECT_EQ(test, spdm_meas_device_mode(&blk, &mode), -EPROTO);
	blk.type = SPDM_MEAS_TYPE_SVN;
	blk.value_len = 4;
	KUNIT_EXPECT_EQ(test, spdm_meas_svn(&blk, &svn), -EPROTO);

	/* SVN: raw, 8 bytes */
	len = meas_block(b, 4, SPDM_MEAS_TYPE_RAW | SPDM_MEAS_TYPE_SVN, 0, 8);
	b[7] = 9;
	KUNIT_EXPECT_EQ(test, spdm_decode_meas_block(b, len, 0x11, 32, &blk),
			(int)len);
	KUNIT_EXPECT_EQ(test, spdm_meas_svn(&blk, &svn), 0);
	KUNIT_EXPECT_EQ(test, svn, 9);
	len = meas_block(b, 4, SPDM_MEAS_TYPE_RAW | SPDM_MEAS_TYPE_SVN, 0, 4);
	KUNIT_EXPECT_EQ(test, spdm_decode_meas_block(b, len, 0x11, 32, &blk),
			-EPROTO);
	len = meas_block(b, 4, SPDM_MEAS_TYPE_SVN, 0, 32);
	KUNIT_EXPECT_EQ(test, spdm_decode_meas_block(b, len, 0x11, 32, &blk),
			-EPROTO);

	/* From 1.2, index 0xfe is the device mode and 0xfd the manifest */
	len = meas_block(b, SPDM_MEAS_INDEX_DEVICE_MODE, SPDM_MEAS_TYPE_ROM,
			 0x55, 32);
	KUNIT_EXPECT_EQ(test, spdm_decode_meas_block(b, len, 0x11, 32, &blk),
			(int)len);
	KUNIT_EXPECT_EQ(test, spdm_decode_meas_block(b, len, 0x12, 32, &blk),
			-EPROTO);
	b[0] = SPDM_MEAS_INDEX_MANIFEST;
	KUNIT_EXPECT_EQ(test, spdm_decode_meas_block(b, len, 0x12, 32, &blk),
			-EPROTO);
	b[4] = SPDM_MEAS_TYPE_MANIFEST;
	KUNIT_EXPECT_EQ(test, spdm_decode_meas_block(b, len, 0x12, 32, &blk),
			(int)len);
	b[4] = SPDM_MEAS_TYPE_RAW | SPDM_MEAS_TYPE_STRUCT_MANIFEST;
	KUNIT_EXPECT_EQ(test, spdm_decode_meas_block(b, len, 0x13, 32, &blk),
			(int)len);
}

static void wire_get_mel(struct kunit *test)
{
	u8 buf[16];

	KUNIT_EXPECT_EQ(test, spdm_encode_get_mel(buf, sizeof(buf), 0x13,
						  0x12345678, 0x400), 12);
	KUNIT_EXPECT_MEMEQ(test, buf,
			   ((u8 []){ 0x13, 0xef, 0, 0, 0x78, 0x56, 0x34, 0x12,
				     0x00, 0x04, 0, 0 }), 12);
	KUNIT_EXPECT_EQ(test, spdm_encode_get_mel(buf, 11, 0x13, 0, 0x400),
			-ENOSPC);
	KUNIT_EXPECT_EQ(test, spdm_encode_get_mel(buf, sizeof(buf), 0x12, 0,
						  0x400), -EINVAL);
	KUNIT_EXPECT_EQ(test, spdm_encode_get_mel(buf, sizeof(buf), 0x13, 0,
						  0), -EINVAL);
}

static void wire_mel(struct kunit *test)
{
	u8 rsp[12 + 20] = { 0x13, 0x6f, 0, 0 };
	struct spdm_mel_rsp r;
	size_t i;

	put_unaligned_le32(20, rsp + 4);
	put_unaligned_le32(100, rsp + 8);
	rsp[12] = 0x77;
	KUNIT_EXPECT_EQ(test, spdm_decode_mel(rsp, sizeof(rsp), 0x13, 0, 20,
					      &r), 32);
	KUNIT_EXPECT_EQ(test, r.portion_len, 20);
	KUNIT_EXPECT_EQ(test, r.remainder_len, 100);
	KUNIT_EXPECT_PTR_EQ(test, r.portion, (const u8 *)rsp + 12);
	for (i = 0; i < sizeof(rsp); i++)
		KUNIT_EXPECT_EQ(test, spdm_decode_mel(rsp, i, 0x13, 0, 20, &r),
				-EBADMSG);
	/* Trailing bytes are left to the caller */
	KUNIT_EXPECT_EQ(test, spdm_decode_mel(rsp, sizeof(rsp), 0x13, 0, 40,
					      &r), 32);

	/* A portion longer than requested */
	KUNIT_EXPECT_EQ(test, spdm_decode_mel(rsp, sizeof(rsp), 0x13, 0, 19,
					      &r), -EPROTO);
	/* The log would not be addressable by a u32 Offset */
	KUNIT_EXPECT_EQ(test, spdm_decode_mel(rsp, sizeof(rsp), 0x13,
					      U32_MAX - 119, 20, &r), -EPROTO);
	KUNIT_EXPECT_EQ(test, spdm_decode_mel(rsp, sizeof(rsp), 0x13,
					      U32_MAX - 120, 20, &r), 32);
	put_unaligned_le32(U32_MAX, rsp + 8);
	KUNIT_EXPECT_EQ(test, spdm_decode_mel(rsp, sizeof(rsp), 0x13, 0, 20,
					      &r), -EPROTO);
	put_unaligned_le32(0, rsp + 8);
	/* An empty portion */
	put_unaligned_le32(0, rsp + 4);
	KUNIT_EXPECT_EQ(test, spdm_decode_mel(rsp, sizeof(rsp), 0x13, 0, 20,
					      &r), -EPROTO);
	/* PortionLength beyond the message */
	put_unaligned_le32(21, rsp + 4);
	KUNIT_EXPECT_EQ(test, spdm_decode_mel(rsp, sizeof(rsp), 0x13, 0, 40,
					      &r), -EBADMSG);
	put_unaligned_le32(U32_MAX, rsp + 4);
	KUNIT_EXPECT_EQ(test, spdm_decode_mel(rsp, sizeof(rsp), 0x13, 0,
					      U32_MAX, &r), -EBADMSG);
	/* Wrong response code or version */
	rsp[1] = SPDM_MEASUREMENTS;
	KUNIT_EXPECT_EQ(test, spdm_decode_mel(rsp, sizeof(rsp), 0x13, 0, 20,
					      &r), -ENOMSG);
	rsp[1] = SPDM_MEASUREMENT_EXTENSION_LOG;
	KUNIT_EXPECT_EQ(test, spdm_decode_mel(rsp, sizeof(rsp), 0x12, 0, 20,
					      &r), -EPROTO);
}

static void wire_mel_log(struct kunit *test)
{
	u8 mel[16 + 2 * (11 + 8)] = {};
	struct spdm_mel_entry e;
	struct spdm_mel_hdr h;
	size_t off, i;
	int ret;

	put_unaligned_le32(2, mel);
	put_unaligned_le32(2 * (11 + 8), mel + 4);
	for (i = 0, off = 16; i < 2; i++, off += 19) {
		put_unaligned_le32(i + 1, mel + off);
		mel[off + 4] = 0x10;
		mel[off + 8] = SPDM_MEAS_TYPE_RAW |
			       SPDM_MEAS_TYPE_INFORMATIONAL;
		put_unaligned_le16(8, mel + off + 9);
		memset(mel + off + 11, 0x60 + i, 8);
	}

	KUNIT_EXPECT_EQ(test, spdm_decode_mel_header(mel, sizeof(mel), &h), 16);
	KUNIT_EXPECT_EQ(test, h.num_entries, 2);
	KUNIT_EXPECT_EQ(test, h.entries_len, 38);
	/* The header alone, from a first portion, is enough */
	KUNIT_EXPECT_EQ(test, spdm_decode_mel_header(mel, 16, &h), 16);
	KUNIT_EXPECT_EQ(test, spdm_decode_mel_header(mel, 15, &h), -EBADMSG);

	for (i = 0, off = 16; off < sizeof(mel); i++) {
		ret = spdm_decode_mel_entry(mel + off, sizeof(mel) - off, &e);
		KUNIT_ASSERT_EQ(test, ret, 19);
		KUNIT_EXPECT_EQ(test, e.mel_index, i + 1);
		KUNIT_EXPECT_EQ(test, e.meas_index, 0x10);
		KUNIT_EXPECT_EQ(test, e.type, SPDM_MEAS_TYPE_INFORMATIONAL);
		KUNIT_EXPECT_TRUE(test, e.raw);
		KUNIT_EXPECT_EQ(test, e.value_len, 8);
		KUNIT_EXPECT_EQ(test, e.value[0], 0x60 + i);
		off += ret;
	}
	KUNIT_EXPECT_EQ(test, i, 2);
	for (i = 0; i < 19; i++)
		KUNIT_EXPECT_EQ(test, spdm_decode_mel_entry(mel + 16, i, &e),
				-EBADMSG);
	mel[16 + 8] = 0x0b;
	KUNIT_EXPECT_EQ(test, spdm_decode_mel_entry(mel + 16, 19, &e), -EPROTO);

	/* More entries than their length can hold */
	put_unaligned_le32(4, mel);
	KUNIT_EXPECT_EQ(test, spdm_decode_mel_header(mel, sizeof(mel), &h),
			-EBADMSG);
	/* A log larger than a u32 Offset can address */
	put_unaligned_le32(0, mel);
	put_unaligned_le32(U32_MAX - 15, mel + 4);
	KUNIT_EXPECT_EQ(test, spdm_decode_mel_header(mel, sizeof(mel), &h),
			-EPROTO);
	put_unaligned_le32(U32_MAX - 16, mel + 4);
	KUNIT_EXPECT_EQ(test, spdm_decode_mel_header(mel, sizeof(mel), &h), 16);
}

static void wire_error(struct kunit *test)
{
	const u8 rnr[] = { 0x12, 0x7f, 0x42, 0, 3, 0x83, 0x5a, 4 };
	const u8 busy[] = { 0x12, 0x7f, 0x03, 0 };
	struct spdm_error_rsp e;

	KUNIT_EXPECT_EQ(test, spdm_decode_error(rnr, sizeof(rnr), &e), 8);
	KUNIT_EXPECT_EQ(test, e.code, 0x42);
	KUNIT_EXPECT_EQ(test, e.rdt_exponent, 3);
	KUNIT_EXPECT_EQ(test, e.request_code, 0x83);
	KUNIT_EXPECT_EQ(test, e.token, 0x5a);
	KUNIT_EXPECT_EQ(test, e.rdtm, 4);
	KUNIT_EXPECT_EQ(test, spdm_decode_error(rnr, 7, &e), -EBADMSG);
	KUNIT_EXPECT_EQ(test, spdm_decode_error(busy, 4, &e), 4);
	KUNIT_EXPECT_EQ(test, e.code, 3);
	KUNIT_EXPECT_EQ(test, spdm_decode_error(busy, 3, &e), -EBADMSG);
	KUNIT_EXPECT_EQ(test, spdm_decode_error(rnr + 1, 4, &e), -ENOMSG);
}

static void wire_error_errnos_distinct(struct kunit *test)
{
	static const u8 codes[] = {
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
		0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x41, 0x42, 0x43,
		0x44, 0x45, 0xff,
	};
	int i, j;

	for (i = 0; i < ARRAY_SIZE(codes); i++) {
		int e = spdm_error_errno(codes[i]);

		KUNIT_EXPECT_LT(test, e, 0);
		KUNIT_EXPECT_NE(test, e, -EIO);
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_NE_MSG(test, e, spdm_error_errno(codes[j]),
					    "codes 0x%02x and 0x%02x", codes[i],
					    codes[j]);
	}
	KUNIT_EXPECT_EQ(test, spdm_error_errno(0x30), -EIO);
}

static void wire_chain_split(struct kunit *test)
{
	u8 chain[4 + 32 + 4] = { 40, 0 };
	const u8 *rh, *certs;
	size_t clen;

	KUNIT_EXPECT_EQ(test, spdm_chain_split(chain, 40, 32, &rh, &certs,
					       &clen), 0);
	KUNIT_EXPECT_PTR_EQ(test, rh, (const u8 *)chain + 4);
	KUNIT_EXPECT_PTR_EQ(test, certs, (const u8 *)chain + 36);
	KUNIT_EXPECT_EQ(test, clen, 4);
	KUNIT_EXPECT_EQ(test, spdm_chain_split(chain, 39, 32, &rh, &certs,
					       &clen), -EBADMSG);
	chain[0] = 36;
	KUNIT_EXPECT_EQ(test, spdm_chain_split(chain, 36, 32, &rh, &certs,
					       &clen), -EBADMSG);
}

static void wire_der_cert_len(struct kunit *test)
{
	u8 buf[300] = { 0x30, 0x03 };
	size_t len;

	KUNIT_EXPECT_EQ(test, spdm_der_cert_len(buf, 5, &len), 0);
	KUNIT_EXPECT_EQ(test, len, 5);
	KUNIT_EXPECT_EQ(test, spdm_der_cert_len(buf, 4, &len), -EBADMSG);
	buf[1] = 0x81;
	buf[2] = 0x90;
	KUNIT_EXPECT_EQ(test, spdm_der_cert_len(buf, 0x93, &len), 0);
	KUNIT_EXPECT_EQ(test, len, 0x93);
	buf[2] = 0x10;	/* not minimal */
	KUNIT_EXPECT_EQ(test, spdm_der_cert_len(buf, 0x93, &len), -EBADMSG);
	buf[1] = 0x82;
	buf[2] = 0x01;
	buf[3] = 0x00;
	KUNIT_EXPECT_EQ(test, spdm_der_cert_len(buf, 260, &len), 0);
	KUNIT_EXPECT_EQ(test, len, 260);
	KUNIT_EXPECT_EQ(test, spdm_der_cert_len(buf, 259, &len), -EBADMSG);
	buf[1] = 0x80;	/* indefinite */
	KUNIT_EXPECT_EQ(test, spdm_der_cert_len(buf, 260, &len), -EBADMSG);
	buf[1] = 0x84;
	KUNIT_EXPECT_EQ(test, spdm_der_cert_len(buf, 260, &len), -EBADMSG);
	buf[0] = 0x31;
	KUNIT_EXPECT_EQ(test, spdm_der_cert_len(buf, 260, &len), -EBADMSG);
	KUNIT_EXPECT_EQ(test, spdm_der_cert_len(buf, 1, &len), -EBADMSG);
}

static void wire_prefix(struct kunit *test)
{
	static const char ctx[] = "responder-challenge_auth signing";
	u8 p[SPDM_PREFIX_SIZE];
	int i;

	KUNIT_ASSERT_EQ(test, spdm_build_prefix(p, 0x12, ctx), 0);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_MEMEQ(test, p + 16 * i, "dmtf-spdm-v1.2.*", 16);
	for (i = 64; i < 68; i++)
		KUNIT_EXPECT_EQ(test, p[i], 0);
	KUNIT_EXPECT_MEMEQ(test, p + 68, ctx, 32);

	KUNIT_ASSERT_EQ(test, spdm_build_prefix(p, 0x13,
						"responder-measurements signing"),
			0);
	KUNIT_EXPECT_MEMEQ(test, p + 48, "dmtf-spdm-v1.3.*", 16);
	for (i = 64; i < 70; i++)
		KUNIT_EXPECT_EQ(test, p[i], 0);
	KUNIT_EXPECT_MEMEQ(test, p + 70, "responder-measurements signing", 30);

	KUNIT_EXPECT_EQ(test, spdm_build_prefix(p, 0x11, ctx), -EINVAL);
	KUNIT_EXPECT_EQ(test, spdm_build_prefix(p, 0x12,
						"0123456789012345678901234567890123456"),
			-EINVAL);
}

static struct kunit_case spdm_wire_cases[] = {
	KUNIT_CASE(wire_version),
	KUNIT_CASE(wire_version_none_common),
	KUNIT_CASE(wire_get_capabilities),
	KUNIT_CASE(wire_capabilities),
	KUNIT_CASE(wire_negotiate_algorithms),
	KUNIT_CASE(wire_algorithms),
	KUNIT_CASE(wire_digests),
	KUNIT_CASE(wire_certificate),
	KUNIT_CASE(wire_challenge),
	KUNIT_CASE(wire_challenge_auth),
	KUNIT_CASE(wire_get_measurements),
	KUNIT_CASE(wire_measurements_count),
	KUNIT_CASE(wire_measurements_one),
	KUNIT_CASE(wire_measurements_all),
	KUNIT_CASE(wire_measurements_malformed),
	KUNIT_CASE(wire_meas_block),
	KUNIT_CASE(wire_get_mel),
	KUNIT_CASE(wire_mel),
	KUNIT_CASE(wire_mel_log),
	KUNIT_CASE(wire_error),
	KUNIT_CASE(wire_error_errnos_distinct),
	KUNIT_CASE(wire_chain_split),
	KUNIT_CASE(wire_der_cert_len),
	KUNIT_CASE(wire_prefix),
	{}
};

static struct kunit_suite spdm_wire_suite = {
	.name = "spdm_wire",
	.test_cases = spdm_wire_cases,
};

kunit_test_suite(spdm_wire_suite);

MODULE_DESCRIPTION("KUnit tests for the SPDM requester");
MODULE_LICENSE("GPL");
