// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: certificate chain validation (good chains, untrusted root, wrong
 * RootHash, CA and key usage constraints, leaf fitness, length, garbage)
 */

#include <crypto/public_key.h>

#include "../spdm_internal.h"
#include "spdm_test.h"

static const void *spdm_chain_gen(const void *prev, char *desc)
{
	const struct spdm_test_chain *t = prev;

	t = t ? t + 1 : spdm_test_chain_table;
	if (t >= spdm_test_chain_table + spdm_test_n_chains)
		return NULL;
	strscpy(desc, t->name, KUNIT_PARAM_DESC_SIZE);
	return t;
}

KUNIT_DEFINE_ACTION_WRAPPER(spdm_test_free_shash, crypto_free_shash,
			    struct crypto_shash *);

static void cert_chain(struct kunit *test)
{
	const struct spdm_test_chain *t = test->param_value;
	const struct spdm_hash_info *hash = spdm_hash_info(t->hash);
	const struct spdm_alg_info *asym = spdm_asym_info(t->asym);
	struct public_key *leaf = NULL;
	struct crypto_shash *shash;
	char why[SPDM_ERROR_LEN] = "";
	unsigned int verified = 0;
	const u8 *der = NULL;
	size_t der_len = 0;
	struct key *kr;
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, hash);
	KUNIT_ASSERT_NOT_NULL(test, asym);
	shash = crypto_alloc_shash(hash->name, 0, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(shash));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							spdm_test_free_shash,
							shash), 0);
	kr = spdm_test_keyring(test, t->root, t->root_len);

	ret = spdm_validate_chain(kr, asym, hash, shash, t->chain, t->chain_len,
				  &leaf, &der, &der_len, &verified, why,
				  sizeof(why));
	KUNIT_EXPECT_EQ_MSG(test, ret, t->expect, "reason: %s", why);
	if (!ret) {
		/*
		 * Root, intermediate, leaf: the root's self-signature (by the
		 * X.509 parser) and the two links; the root holds the trusted
		 * key, so trust costs no further verification
		 */
		KUNIT_EXPECT_EQ(test, verified, 3);
		KUNIT_EXPECT_NOT_NULL(test, leaf);
		KUNIT_EXPECT_PTR_EQ(test, der + der_len,
				    t->chain + t->chain_len);
		KUNIT_EXPECT_EQ(test, der[0], 0x30);
		KUNIT_EXPECT_STREQ(test, leaf->pkey_algo, asym->pkey_algo);
		public_key_free(leaf);
	} else {
		KUNIT_EXPECT_NE(test, why[0], 0);
	}
}

static int spdm_test_validate(const struct spdm_test_chain *t,
			      struct key *kr, struct crypto_shash *shash,
			      char *why)
{
	unsigned int verified = 0;
	struct public_key *leaf;
	const u8 *der;
	size_t der_len;
	int ret;

	ret = spdm_validate_chain(kr, spdm_asym_info(t->asym),
				  spdm_hash_info(t->hash), shash, t->chain,
				  t->chain_len, &leaf, &der, &der_len, &verified,
				  why, SPDM_ERROR_LEN);
	if (!ret)
		public_key_free(leaf);
	return ret;
}

/* A root in a further keyring named by trusted_keyrings anchors chains */
static void cert_trusted_keyrings(struct kunit *test)
{
	const struct spdm_test_chain *t = NULL;
	const struct spdm_hash_info *hash;
	struct key *empty, *other;
	struct crypto_shash *shash;
	char why[SPDM_ERROR_LEN];
	char val[64];
	key_ref_t kref;
	size_t i;

	for (i = 0; i < spdm_test_n_chains && !t; i++)
		if (!strcmp(spdm_test_chain_table[i].name, "good_p256"))
			t = &spdm_test_chain_table[i];
	KUNIT_ASSERT_NOT_NULL(test, t);
	hash = spdm_hash_info(t->hash);
	shash = crypto_alloc_shash(hash->name, 0, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(shash));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							spdm_test_free_shash,
							shash), 0);
	empty = spdm_test_keyring(test, NULL, 0);
	other = spdm_test_keyring(test, t->root, t->root_len);

	KUNIT_EXPECT_EQ(test, spdm_test_validate(t, empty, shash, why), -ENOKEY);

	snprintf(val, sizeof(val), "%d,%d", key_serial(empty),
		 key_serial(other));
	KUNIT_ASSERT_EQ(test, spdm_set_trusted_keyrings(val), 0);
	KUNIT_EXPECT_EQ_MSG(test,
			    spdm_test_validate(t, empty, shash, why), 0, "%s", why);

	KUNIT_EXPECT_EQ(test, spdm_set_trusted_keyrings(""), 0);
	KUNIT_EXPECT_EQ(test, spdm_test_validate(t, empty, shash, why), -ENOKEY);

	/* Malformed lists leave the setting alone */
	KUNIT_EXPECT_EQ(test, spdm_set_trusted_keyrings("abc"), -EINVAL);
	snprintf(val, sizeof(val), "%d,%d,%d,%d,%d", key_serial(empty),
		 key_serial(empty), key_serial(empty), key_serial(empty),
		 key_serial(empty));
	KUNIT_EXPECT_EQ(test, spdm_set_trusted_keyrings(val), -EINVAL);
	KUNIT_EXPECT_EQ(test, spdm_set_trusted_keyrings("-3"), -EINVAL);
	KUNIT_EXPECT_EQ(test, spdm_set_trusted_keyrings("0x7ffffffe"), -ENOKEY);

	/* A key that is not a keyring */
	kref = key_create_or_update(make_key_ref(empty, true), "user", "kspdm",
				    "x", 1, KEY_POS_ALL, KEY_ALLOC_NOT_IN_QUOTA);
	KUNIT_ASSERT_FALSE(test, IS_ERR(kref));
	snprintf(val, sizeof(val), "%d", key_serial(key_ref_to_ptr(kref)));
	key_ref_put(kref);
	KUNIT_EXPECT_EQ(test, spdm_set_trusted_keyrings(val), -ENOTDIR);
	KUNIT_EXPECT_EQ(test, spdm_test_validate(t, empty, shash, why), -ENOKEY);
}

static struct kunit_case spdm_cert_cases[] = {
	KUNIT_CASE_PARAM(cert_chain, spdm_chain_gen),
	KUNIT_CASE(cert_trusted_keyrings),
	{}
};

static struct kunit_suite spdm_cert_suite = {
	.name = "spdm_cert",
	.test_cases = spdm_cert_cases,
};

kunit_test_suite(spdm_cert_suite);
