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
