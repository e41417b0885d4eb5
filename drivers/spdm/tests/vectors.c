// SPDX-License-Identifier: GPL-2.0-only
/*
 * The generated vectors (tools/testing/spdm/gen_vectors.py), compiled
 * once, and the trust helper the suites share.
 */

#include <keys/asymmetric-type.h>
#include <linux/cred.h>
#include <net/netlink.h>

#include "spdm_test.h"
#include "spdm_vectors.inc"

const struct spdm_test_flow *const spdm_test_flow_table = spdm_test_flows;
const size_t spdm_test_n_flows = ARRAY_SIZE(spdm_test_flows);
const struct spdm_test_chain *const spdm_test_chain_table = spdm_test_chains;
const size_t spdm_test_n_chains = ARRAY_SIZE(spdm_test_chains);
const struct spdm_test_sig *const spdm_test_sig_table = spdm_test_sigs;
const size_t spdm_test_n_sigs = ARRAY_SIZE(spdm_test_sigs);

/**
 * spdm_test_find_flow() - a generated flow by name
 * @test: the test, failed if there is no such flow
 * @name: the flow's name
 *
 * Return: the flow or NULL.
 */
const struct spdm_test_flow *spdm_test_find_flow(struct kunit *test,
						 const char *name)
{
	size_t i;

	for (i = 0; i < spdm_test_n_flows; i++)
		if (!strcmp(spdm_test_flow_table[i].name, name))
			return &spdm_test_flow_table[i];
	KUNIT_FAIL(test, "no flow %s", name);
	return NULL;
}

/**
 * spdm_test_nla_put() - append an attribute to a netlink request
 * @nh: the request, with room after it
 * @type: attribute type
 * @data: payload
 * @len: its length
 */
void spdm_test_nla_put(struct nlmsghdr *nh, u16 type, const void *data,
		       u16 len)
{
	struct nlattr *a = (void *)nh + NLMSG_ALIGN(nh->nlmsg_len);

	a->nla_type = type;
	a->nla_len = nla_attr_size(len);
	memcpy(nla_data(a), data, len);
	nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + nla_total_size(len);
}

KUNIT_DEFINE_ACTION_WRAPPER(spdm_test_key_put, key_put, struct key *);

/**
 * spdm_test_keyring() - a private keyring trusting one root
 * @test: the test, which owns the keyring
 * @root: DER root certificate, or NULL for an empty keyring
 * @root_len: its length
 *
 * Return: the keyring; the test fails if it cannot be made.
 */
struct key *spdm_test_keyring(struct kunit *test, const u8 *root,
			      size_t root_len)
{
	struct key *kr;
	key_ref_t kref;
	int ret;

	kr = keyring_alloc("spdm-kunit", GLOBAL_ROOT_UID, GLOBAL_ROOT_GID,
			   current_cred(),
			   KEY_POS_ALL | KEY_USR_VIEW | KEY_USR_READ |
			   KEY_USR_SEARCH,
			   KEY_ALLOC_NOT_IN_QUOTA, NULL, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(kr));
	ret = kunit_add_action_or_reset(test, spdm_test_key_put, kr);
	KUNIT_ASSERT_EQ(test, ret, 0);
	if (!root)
		return kr;

	kref = key_create_or_update(make_key_ref(kr, true), "asymmetric", NULL,
				    root, root_len,
				    KEY_POS_ALL | KEY_USR_VIEW,
				    KEY_ALLOC_NOT_IN_QUOTA);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(kref), "root not accepted: %ld",
			       PTR_ERR(kref));
	key_ref_put(kref);
	return kr;
}
