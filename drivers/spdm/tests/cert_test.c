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
				  &leaf, why, sizeof(why));
	KUNIT_EXPECT_EQ_MSG(test, ret, t->expect, "reason: %s", why);
	if (!ret) {
		KUNIT_EXPECT_NOT_NULL(test, leaf);
		KUNIT_EXPECT_STREQ(test, leaf->pkey_algo, asym->pkey_algo);
		public_key_free(leaf);
	} else {
		KUNIT_EXPECT_NE(test, why[0], 0);
	}
}

static struct kunit_case spdm_cert_cases[] = {
	KUNIT_CASE_PARAM(cert_chain, spdm_chain_gen),
	{}
};

static struct kunit_suite spdm_cert_suite = {
	.name = "spdm_cert",
	.test_cases = spdm_cert_cases,
};

kunit_test_suite(spdm_cert_suite);
