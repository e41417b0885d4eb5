/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/spdm.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_SPDM_GEN_H
#define _LINUX_SPDM_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/spdm.h>
#include <uapi/linux/hash_info.h>

int spdm_nl_dev_get_doit(struct sk_buff *skb, struct genl_info *info);
int spdm_nl_dev_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int spdm_nl_authenticate_doit(struct sk_buff *skb, struct genl_info *info);
int spdm_nl_cert_get_doit(struct sk_buff *skb, struct genl_info *info);
int spdm_nl_attach_doit(struct sk_buff *skb, struct genl_info *info);
int spdm_nl_detach_doit(struct sk_buff *skb, struct genl_info *info);
int spdm_nl_meas_get_doit(struct sk_buff *skb, struct genl_info *info);
int spdm_nl_mel_get_doit(struct sk_buff *skb, struct genl_info *info);

enum {
	SPDM_NLGRP_MONITOR,
	SPDM_NLGRP_SIG,
};

extern struct genl_family spdm_nl_family;

#endif /* _LINUX_SPDM_GEN_H */
