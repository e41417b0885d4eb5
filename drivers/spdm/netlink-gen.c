// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/spdm.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "netlink-gen.h"

#include <uapi/linux/spdm.h>
#include <uapi/linux/hash_info.h>

/* SPDM_CMD_DEV_GET - do */
static const struct nla_policy spdm_dev_get_nl_policy[SPDM_A_DEV_NAME + 1] = {
	[SPDM_A_DEV_NAME] = { .type = NLA_NUL_STRING, .len = 64, },
};

/* SPDM_CMD_AUTHENTICATE - do */
static const struct nla_policy spdm_authenticate_nl_policy[SPDM_A_DEV_NONCE + 1] = {
	[SPDM_A_DEV_NAME] = { .type = NLA_NUL_STRING, .len = 64, },
	[SPDM_A_DEV_SLOT] = NLA_POLICY_MAX(NLA_U8, 7),
	[SPDM_A_DEV_NONCE] = NLA_POLICY_EXACT_LEN(32),
};

/* SPDM_CMD_CERT_GET - do */
static const struct nla_policy spdm_cert_get_nl_policy[SPDM_A_DEV_SLOT + 1] = {
	[SPDM_A_DEV_NAME] = { .type = NLA_NUL_STRING, .len = 64, },
	[SPDM_A_DEV_SLOT] = NLA_POLICY_MAX(NLA_U8, 7),
};

/* SPDM_CMD_ATTACH - do */
static const struct nla_policy spdm_attach_nl_policy[SPDM_A_DEV_MCTP_EID + 1] = {
	[SPDM_A_DEV_MCTP_NET] = { .type = NLA_U32, },
	[SPDM_A_DEV_MCTP_EID] = { .type = NLA_U8, },
};

/* SPDM_CMD_DETACH - do */
static const struct nla_policy spdm_detach_nl_policy[SPDM_A_DEV_NAME + 1] = {
	[SPDM_A_DEV_NAME] = { .type = NLA_NUL_STRING, .len = 64, },
};

/* SPDM_CMD_MEAS_GET - do */
static const struct nla_policy spdm_meas_get_nl_policy[SPDM_A_MEAS_UNSIGNED + 1] = {
	[SPDM_A_MEAS_NAME] = { .type = NLA_NUL_STRING, .len = 64, },
	[SPDM_A_MEAS_SLOT] = NLA_POLICY_MAX(NLA_U8, 7),
	[SPDM_A_MEAS_NONCE] = NLA_POLICY_EXACT_LEN(32),
	[SPDM_A_MEAS_INDEX] = NLA_POLICY_MIN(NLA_U8, 1),
	[SPDM_A_MEAS_RAW] = { .type = NLA_FLAG, },
	[SPDM_A_MEAS_NEW] = { .type = NLA_FLAG, },
	[SPDM_A_MEAS_UNSIGNED] = { .type = NLA_FLAG, },
};

/* SPDM_CMD_MEL_GET - do */
static const struct nla_policy spdm_mel_get_nl_policy[SPDM_A_MEAS_NAME + 1] = {
	[SPDM_A_MEAS_NAME] = { .type = NLA_NUL_STRING, .len = 64, },
};

/* Ops table for spdm */
static const struct genl_split_ops spdm_nl_ops[] = {
	{
		.cmd		= SPDM_CMD_DEV_GET,
		.doit		= spdm_nl_dev_get_doit,
		.policy		= spdm_dev_get_nl_policy,
		.maxattr	= SPDM_A_DEV_NAME,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd	= SPDM_CMD_DEV_GET,
		.dumpit	= spdm_nl_dev_get_dumpit,
		.flags	= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= SPDM_CMD_AUTHENTICATE,
		.doit		= spdm_nl_authenticate_doit,
		.policy		= spdm_authenticate_nl_policy,
		.maxattr	= SPDM_A_DEV_NONCE,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= SPDM_CMD_CERT_GET,
		.doit		= spdm_nl_cert_get_doit,
		.policy		= spdm_cert_get_nl_policy,
		.maxattr	= SPDM_A_DEV_SLOT,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= SPDM_CMD_ATTACH,
		.doit		= spdm_nl_attach_doit,
		.policy		= spdm_attach_nl_policy,
		.maxattr	= SPDM_A_DEV_MCTP_EID,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= SPDM_CMD_DETACH,
		.doit		= spdm_nl_detach_doit,
		.policy		= spdm_detach_nl_policy,
		.maxattr	= SPDM_A_DEV_NAME,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= SPDM_CMD_MEAS_GET,
		.doit		= spdm_nl_meas_get_doit,
		.policy		= spdm_meas_get_nl_policy,
		.maxattr	= SPDM_A_MEAS_UNSIGNED,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= SPDM_CMD_MEL_GET,
		.doit		= spdm_nl_mel_get_doit,
		.policy		= spdm_mel_get_nl_policy,
		.maxattr	= SPDM_A_MEAS_NAME,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
};

static const struct genl_multicast_group spdm_nl_mcgrps[] = {
	[SPDM_NLGRP_MONITOR] = { "monitor", },
	[SPDM_NLGRP_SIG] = { "sig", },
};

struct genl_family spdm_nl_family __ro_after_init = {
	.name		= SPDM_FAMILY_NAME,
	.version	= SPDM_FAMILY_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.split_ops	= spdm_nl_ops,
	.n_split_ops	= ARRAY_SIZE(spdm_nl_ops),
	.mcgrps		= spdm_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(spdm_nl_mcgrps),
};
