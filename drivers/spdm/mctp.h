/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * spdm_mctp: an attached MCTP endpoint, shared with the KUnit suite
 */
#ifndef _SPDM_MCTP_H_
#define _SPDM_MCTP_H_

#include <linux/device.h>
#include <linux/list.h>
#include <linux/spdm.h>
#include <linux/workqueue.h>

struct net;
struct socket;

/* Sockets of timed-out requests kept open, holding their tags */
#define SPDM_MCTP_PARKED	3

/**
 * struct spdm_mctp_ep - one attached MCTP endpoint
 * @dev: the endpoint's device, below /sys/devices/spdm_mctp
 * @node: entry in the list of endpoints
 * @net: network namespace (not referenced: a pernet exit detaches)
 * @netid: MCTP network number
 * @eid: endpoint ID
 * @ifindex: 0 to reach @eid through the routing table, else the
 *	interface to address it on directly (no route needed)
 * @spdm: SPDM state
 * @work: authentication on the module's workqueue
 * @gone: detaching: fail every exchange at once
 * @parked: sockets of requests that timed out, oldest first, kept open
 *	so that their tags are not reused while a late response may come
 * @parked_at: when each was parked (jiffies)
 */
struct spdm_mctp_ep {
	struct device dev;
	struct list_head node;
	struct net *net;
	unsigned int netid;
	u8 eid;
	int ifindex;
	struct spdm_state *spdm;
	struct work_struct work;
	bool gone;
	struct socket *parked[SPDM_MCTP_PARKED];
	unsigned long parked_at[SPDM_MCTP_PARKED];
};

void spdm_mctp_unpark(struct spdm_mctp_ep *ep, bool all);

extern const struct spdm_transport_ops spdm_mctp_ops;

#endif /* _SPDM_MCTP_H_ */
