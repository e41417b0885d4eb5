// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: signature verification known answers for every algorithm, and
 * the transcript helper
 */

#include <crypto/public_key.h>
#include <keys/asymmetric-type.h>
#include <linux/key-type.h>

#include "../spdm_internal.h"
#include "spdm_test.h"

static void spdm_sig_desc(const struct spdm_test_sig *t, char *desc)
{
	strscpy(desc, t->name, KUNIT_PARAM_DESC_SIZE);
}

static const void *spdm_sig_gen(const void *prev, char *desc)
{
	const struct spdm_test_sig *t = prev;

	t = t ? t + 1 : spdm_test_sig_table;
	if (t >= spdm_test_sig_table + spdm_test_n_sigs)
		return NULL;
	spdm_sig_desc(t, desc);
	return t;
}

static void spdm_free_prep(void *p)
{
	key_type_asymmetric.free_preparse(p);
}

static const struct public_key *spdm_test_pubkey(struct kunit *test,
						 const u8 *der, size_t len)
{
	struct key_preparsed_payload *prep;

	prep = kunit_kzalloc(test, sizeof(*prep), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, prep);
	prep->data = der;
	prep->datalen = len;
	KUNIT_ASSERT_EQ(test, key_type_asymmetric.preparse(prep), 0);
	KUNIT_ASSERT_EQ(test,
			kunit_add_action_or_reset(test, spdm_free_prep, prep),
			0);
	return prep->payload.data[asym_crypto];
}

static void crypto_sig_kat(struct kunit *test)
{
	const struct spdm_test_sig *t = test->param_value;
	const struct spdm_alg_info *asym = spdm_asym_info(t->asym);
	const struct spdm_hash_info *hash = spdm_hash_info(t->hash);
	const struct public_key *pub;
	u8 *sig, *digest;

	KUNIT_ASSERT_NOT_NULL(test, asym);
	KUNIT_ASSERT_NOT_NULL(test, hash);
	KUNIT_ASSERT_EQ(test, t->sig_len, asym->sig_len);
	KUNIT_ASSERT_EQ(test, t->digest_len, hash->size);
	KUNIT_ASSERT_TRUE_MSG(test, spdm_supported_asym & t->asym,
			      "%s not offered by this kernel", asym->name);
	pub = spdm_test_pubkey(test, t->cert, t->cert_len);

	KUNIT_EXPECT_EQ(test, spdm_verify(pub, asym, hash, t->digest, t->sig),
			0);

	sig = kunit_kmalloc(test, t->sig_len, GFP_KERNEL);
	digest = kunit_kmalloc(test, t->digest_len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, sig);
	KUNIT_ASSERT_NOT_NULL(test, digest);

	/* Any flipped bit in the signature or the digest is rejected */
	memcpy(sig, t->sig, t->sig_len);
	sig[t->sig_len / 2] ^= 0x10;
	KUNIT_EXPECT_EQ(test, spdm_verify(pub, asym, hash, t->digest, sig),
			-EKEYREJECTED);
	memcpy(sig, t->sig, t->sig_len);
	sig[t->sig_len - 1] ^= 0x01;
	KUNIT_EXPECT_EQ(test, spdm_verify(pub, asym, hash, t->digest, sig),
			-EKEYREJECTED);
	memcpy(digest, t->digest, t->digest_len);
	digest[0] ^= 0x80;
	KUNIT_EXPECT_EQ(test, spdm_verify(pub, asym, hash, digest, t->sig),
			-EKEYREJECTED);
}

/* A key of another family never verifies */
static void crypto_sig_wrong_family(struct kunit *test)
{
	const struct spdm_test_sig *ec = NULL, *rsa = NULL;
	const struct public_key *pub;
	size_t i;

	for (i = 0; i < spdm_test_n_sigs; i++) {
		const struct spdm_test_sig *t = &spdm_test_sig_table[i];

		if (t->asym == SPDM_ASYM_ECDSA_P256 && !ec)
			ec = t;
		if (t->asym == SPDM_ASYM_RSASSA_3072 && !rsa)
			rsa = t;
	}
	KUNIT_ASSERT_NOT_NULL(test, ec);
	KUNIT_ASSERT_NOT_NULL(test, rsa);
	pub = spdm_test_pubkey(test, rsa->cert, rsa->cert_len);
	KUNIT_EXPECT_EQ(test, spdm_verify(pub, spdm_asym_info(ec->asym),
					  spdm_hash_info(ec->hash), ec->digest,
					  ec->sig),
			-EKEYREJECTED);
}

static void crypto_probe(struct kunit *test)
{
	/* The test kernel has every algorithm DSP0274 names for us */
	KUNIT_EXPECT_EQ(test, spdm_supported_asym, 0x1ff);
	KUNIT_EXPECT_EQ(test, spdm_supported_hash, 0x3f);
	KUNIT_EXPECT_NULL(test, spdm_asym_info(SPDM_ASYM_SM2_P256));
	KUNIT_EXPECT_NULL(test, spdm_hash_info(SPDM_HASH_SM3_256));
	KUNIT_EXPECT_EQ(test, spdm_hash_info(SPDM_HASH_SHA3_384)->size, 48);
	KUNIT_EXPECT_EQ(test, spdm_asym_info(SPDM_ASYM_ECDSA_P521)->sig_len,
			132);
}

KUNIT_DEFINE_ACTION_WRAPPER(spdm_test_free_shash, crypto_free_shash,
			    struct crypto_shash *);
KUNIT_DEFINE_ACTION_WRAPPER(spdm_test_free_transcript, spdm_transcript_free,
			    struct spdm_transcript *);

static struct spdm_state *spdm_test_hash_state(struct kunit *test, bool keep)
{
	struct spdm_state *spdm;

	spdm = kunit_kzalloc(test, sizeof(*spdm), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, spdm);
	spdm->hash = spdm_hash_info(SPDM_HASH_SHA256);
	spdm->shash = crypto_alloc_shash("sha256", 0, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(spdm->shash));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							spdm_test_free_shash,
							spdm->shash), 0);
	spdm->transcript.desc = kzalloc(sizeof(*spdm->transcript.desc) +
					crypto_shash_descsize(spdm->shash),
					GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, spdm->transcript.desc);
	spdm->transcript.keep = keep;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							spdm_test_free_transcript,
							&spdm->transcript), 0);
	return spdm;
}

static void crypto_transcript_check(struct kunit *test, bool keep)
{
	static const u8 abcdef[] = {
		0xbe, 0xf5, 0x7e, 0xc7, 0xf5, 0x3a, 0x6d, 0x40, 0xbe, 0xb6,
		0x40, 0xa7, 0x80, 0xa6, 0x39, 0xc8, 0x3b, 0xc2, 0x9a, 0xc8,
		0xa9, 0x81, 0x6f, 0x1f, 0xc6, 0xc5, 0xc6, 0xdc, 0xd9, 0x3c,
		0x47, 0x21,
	};
	static const u8 abcxyz[] = {
		0xf3, 0x12, 0x79, 0x5e, 0x32, 0x2c, 0x87, 0x46, 0x1a, 0x6f,
		0x3c, 0x49, 0xe0, 0x98, 0x97, 0xc5, 0x9c, 0xa0, 0xd5, 0xa3,
		0x62, 0x45, 0xd2, 0xa0, 0x0f, 0x08, 0xcb, 0xc6, 0x6e, 0xee,
		0x97, 0x6d,
	};
	struct spdm_state *spdm = spdm_test_hash_state(test, keep);
	struct spdm_transcript *t = &spdm->transcript;
	u8 digest[32];

	spdm_transcript_reset(spdm);
	KUNIT_ASSERT_EQ(test, spdm_transcript_append(spdm, "ab", 2), 0);
	KUNIT_ASSERT_EQ(test, spdm_transcript_append(spdm, "c", 1), 0);
	spdm_transcript_vca_done(spdm);
	KUNIT_EXPECT_EQ(test, t->vca_len, 3);
	KUNIT_EXPECT_EQ(test, spdm_transcript_final(spdm, digest),
			-EINVAL);

	/* M1 = VCA || "def" */
	KUNIT_ASSERT_EQ(test, spdm_transcript_begin(spdm), 0);
	KUNIT_ASSERT_EQ(test, spdm_transcript_append(spdm, "def", 3), 0);
	KUNIT_ASSERT_EQ(test, spdm_transcript_final(spdm, digest), 0);
	KUNIT_EXPECT_MEMEQ(test, digest, abcdef, 32);
	KUNIT_EXPECT_EQ(test, t->len, keep ? 6 : 3);

	/* The next transcript starts again from VCA */
	KUNIT_ASSERT_EQ(test, spdm_transcript_begin(spdm), 0);
	KUNIT_ASSERT_EQ(test, spdm_transcript_append(spdm, "xyz", 3), 0);
	KUNIT_ASSERT_EQ(test, spdm_transcript_final(spdm, digest), 0);
	KUNIT_EXPECT_MEMEQ(test, digest, abcxyz, 32);
	KUNIT_EXPECT_EQ(test, t->len, keep ? 6 : 3);
	if (keep)
		KUNIT_EXPECT_MEMEQ(test, t->buf, "abcxyz", 6);
}

static void crypto_transcript_hashed(struct kunit *test)
{
	crypto_transcript_check(test, false);
}

static void crypto_transcript_kept(struct kunit *test)
{
	crypto_transcript_check(test, true);
}

static struct kunit_case spdm_crypto_cases[] = {
	KUNIT_CASE(crypto_probe),
	KUNIT_CASE_PARAM(crypto_sig_kat, spdm_sig_gen),
	KUNIT_CASE(crypto_sig_wrong_family),
	KUNIT_CASE(crypto_transcript_hashed),
	KUNIT_CASE(crypto_transcript_kept),
	{}
};

static struct kunit_suite spdm_crypto_suite = {
	.name = "spdm_crypto",
	.test_cases = spdm_crypto_cases,
};

kunit_test_suite(spdm_crypto_suite);
