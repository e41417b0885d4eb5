/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared helpers of the kspdm KUnit suites
 */
#ifndef _SPDM_TEST_H_
#define _SPDM_TEST_H_

#include <kunit/test.h>
#include <linux/key.h>

#include "spdm_test_vectors.h"

extern const struct spdm_test_flow *const spdm_test_flow_table;
extern const size_t spdm_test_n_flows;
extern const struct spdm_test_chain *const spdm_test_chain_table;
extern const size_t spdm_test_n_chains;
extern const struct spdm_test_sig *const spdm_test_sig_table;
extern const size_t spdm_test_n_sigs;

const struct spdm_test_flow *spdm_test_find_flow(struct kunit *test,
						 const char *name);
struct nlmsghdr;
void spdm_test_nla_put(struct nlmsghdr *nh, u16 type, const void *data,
		       u16 len);
struct key *spdm_test_keyring(struct kunit *test, const u8 *root,
			      size_t root_len);

#endif /* _SPDM_TEST_H_ */
