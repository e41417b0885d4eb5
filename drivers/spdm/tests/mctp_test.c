// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: spdm_mctp over a test MCTP network device
 *
 * The device's transmit reassembles each request from its MCTP packets
 * (an MTU of 68 bytes fragments every larger message), hands it to the
 * scripted responder that replays the generated vectors, and delivers the
 * response back as MCTP packets, fragmented the same way.  The device
 * gets its local EID and a route through rtnetlink, like mctpd would set
 * them, and endpoints are reached both through the route and by direct
 * addressing on the device.
 */

#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/mctp.h>
#include <linux/netdevice.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/mctp.h>
#include <net/mctpdevice.h>
#include <net/net_namespace.h>

#include "../mctp.h"
#include "../spdm_internal.h"
#include "spdm_test.h"

#define TEST_MTU	68		/* the MCTP baseline, as mctp-serial */
#define TEST_LOCAL_EID	8
#define TEST_EP_EID	9
#define TEST_NET	1

/**
 * struct mctp_test_dev - the test device's private data
 * @phase: the responder script being played
 * @step: next expected step
 * @buf: reassembly buffer of the current request
 * @len: bytes in @buf
 * @responses: responses sent
 * @rsp_packets: packets they took (to check fragmentation)
 * @stale: a response to send, with @stale_hdr's tag, before the next
 *	request is answered: a reply that comes too late
 * @stale_len: its length
 * @stale_hdr: header of the request it answers
 * @mismatch: a request differed from the script (reported later: the
 *	transmit path cannot sleep)
 * @extra: a request came after the script's end
 */
struct mctp_test_dev {
	const struct spdm_test_phase *phase;
	size_t step;
	u8 buf[SZ_64K];
	size_t len;
	unsigned int responses;
	unsigned int rsp_packets;
	const u8 *stale;
	size_t stale_len;
	struct mctp_hdr stale_hdr;
	bool mismatch;
	bool extra;
};

static void mctp_test_reply(struct net_device *ndev, const struct mctp_hdr *req,
			    const u8 *rsp, size_t len)
{
	struct mctp_test_dev *t = netdev_priv(ndev);
	size_t total = len + 1, off = 0, chunk = TEST_MTU - sizeof(*req);
	u8 seq = 0;

	while (off < total) {
		size_t n = min(chunk, total - off);
		struct mctp_hdr *hdr;
		struct sk_buff *skb;
		u8 *p;

		skb = netdev_alloc_skb(ndev, sizeof(*hdr) + n);
		if (!skb)
			return;
		hdr = skb_put(skb, sizeof(*hdr));
		hdr->ver = 1;
		hdr->dest = req->src;
		hdr->src = req->dest;
		hdr->flags_seq_tag = (req->flags_seq_tag & MCTP_HDR_TAG_MASK) |
				     (seq << MCTP_HDR_SEQ_SHIFT) |
				     (off ? 0 : MCTP_HDR_FLAG_SOM) |
				     (off + n == total ? MCTP_HDR_FLAG_EOM : 0);
		p = skb_put(skb, n);
		if (!off) {
			/* message type: SPDM */
			p[0] = 5;
			memcpy(p + 1, rsp, n - 1);
		} else {
			memcpy(p, rsp + off - 1, n);
		}
		skb->protocol = htons(ETH_P_MCTP);
		skb_reset_network_header(skb);
		__mctp_cb(skb)->halen = 0;
		netif_rx(skb);
		t->rsp_packets++;
		off += n;
		seq = (seq + 1) & MCTP_HDR_SEQ_MASK;
	}
}

static netdev_tx_t mctp_test_xmit(struct sk_buff *skb, struct net_device *ndev)
{
	struct mctp_test_dev *t = netdev_priv(ndev);
	const struct spdm_test_step *st;
	struct mctp_hdr hdr;
	size_t n;

	if (skb->len < sizeof(hdr) || !t->phase)
		goto out;
	memcpy(&hdr, skb->data, sizeof(hdr));
	n = skb->len - sizeof(hdr);
	if (hdr.flags_seq_tag & MCTP_HDR_FLAG_SOM)
		t->len = 0;
	if (n > sizeof(t->buf) - t->len)
		goto out;
	memcpy(t->buf + t->len, skb->data + sizeof(hdr), n);
	t->len += n;
	if (!(hdr.flags_seq_tag & MCTP_HDR_FLAG_EOM))
		goto out;

	/* A whole message: type byte 5, then the SPDM request */
	if (t->step >= t->phase->n_steps) {
		t->extra = true;
		goto out;
	}
	st = &t->phase->steps[t->step++];
	if (t->stale && !st->rsp) {
		/* Keep the request's header to answer it too late */
		t->stale_hdr = hdr;
	} else if (t->stale && t->stale_hdr.ver) {
		mctp_test_reply(ndev, &t->stale_hdr, t->stale, t->stale_len);
		t->stale = NULL;
	}
	if (t->len < 1 || t->buf[0] != 5 || t->len - 1 != st->req_len ||
	    memcmp(t->buf + 1, st->req, st->req_len)) {
		t->mismatch = true;
		goto out;
	}
	if (st->rsp) {
		t->responses++;
		mctp_test_reply(ndev, &hdr, st->rsp, st->rsp_len);
	}
out:
	dev_kfree_skb(skb);
	return NETDEV_TX_OK;
}

static const struct net_device_ops mctp_test_ops = {
	.ndo_start_xmit = mctp_test_xmit,
};

static void mctp_test_setup(struct net_device *ndev)
{
	ndev->type = ARPHRD_MCTP;
	ndev->mtu = TEST_MTU;
	ndev->min_mtu = TEST_MTU;
	ndev->max_mtu = TEST_MTU;
	ndev->hard_header_len = 0;
	ndev->addr_len = 0;
	ndev->flags = IFF_NOARP;
	ndev->netdev_ops = &mctp_test_ops;
}

/* One rtnetlink request, as mctpd would send it; returns the ACK's error */
static int mctp_test_rtnl(struct kunit *test, void *req, size_t len)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct msghdr msg = { .msg_name = &kernel,
			      .msg_namelen = sizeof(kernel) };
	struct kvec iov = { .iov_base = req, .iov_len = len };
	struct {
		struct nlmsghdr nh;
		struct nlmsgerr err;
	} ack;
	struct socket *sock;
	int ret;

	ret = sock_create_kern(&init_net, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE,
			       &sock);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ret = kernel_sendmsg(sock, &msg, &iov, 1, len);
	if (ret == len) {
		iov.iov_base = &ack;
		iov.iov_len = sizeof(ack);
		ret = kernel_recvmsg(sock, &msg, &iov, 1, sizeof(ack), 0);
		if (ret >= (int)sizeof(ack) && ack.nh.nlmsg_type == NLMSG_ERROR)
			ret = ack.err.error;
		else
			ret = -EPROTO;
	}
	sock_release(sock);
	return ret;
}

/* Local EID on the device and a route to the endpoint's EID */
static void mctp_test_configure(struct kunit *test, struct net_device *ndev)
{
	u8 buf[128] __aligned(4) = {};
	struct nlmsghdr *nh = (void *)buf;
	struct ifaddrmsg *ifa = NLMSG_DATA(nh);
	struct rtmsg *rtm = NLMSG_DATA(nh);
	u32 oif = ndev->ifindex;
	u8 eid = TEST_LOCAL_EID;

	nh->nlmsg_len = NLMSG_LENGTH(sizeof(*ifa));
	nh->nlmsg_type = RTM_NEWADDR;
	nh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE;
	ifa->ifa_family = AF_MCTP;
	ifa->ifa_index = ndev->ifindex;
	spdm_test_nla_put(nh, IFA_LOCAL, &eid, sizeof(eid));
	KUNIT_ASSERT_EQ(test, mctp_test_rtnl(test, buf, nh->nlmsg_len), 0);

	memset(buf, 0, sizeof(buf));
	nh->nlmsg_len = NLMSG_LENGTH(sizeof(*rtm));
	nh->nlmsg_type = RTM_NEWROUTE;
	nh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE;
	rtm->rtm_family = AF_MCTP;
	rtm->rtm_type = RTN_UNICAST;
	eid = TEST_EP_EID;
	spdm_test_nla_put(nh, RTA_DST, &eid, sizeof(eid));
	spdm_test_nla_put(nh, RTA_OIF, &oif, sizeof(oif));
	KUNIT_ASSERT_EQ(test, mctp_test_rtnl(test, buf, nh->nlmsg_len), 0);
}

static void mctp_test_unregister(void *ndev)
{
	mctp_unregister_netdev(ndev);
}

static struct net_device *mctp_test_netdev(struct kunit *test)
{
	struct net_device *ndev;
	int ret;

	ndev = alloc_netdev(sizeof(struct mctp_test_dev), "mctpkunit%d",
			    NET_NAME_ENUM, mctp_test_setup);
	KUNIT_ASSERT_NOT_NULL(test, ndev);
	ndev->needs_free_netdev = true;
	ret = mctp_register_netdev(ndev, NULL);
	if (ret)
		free_netdev(ndev);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							mctp_test_unregister,
							ndev), 0);
	rtnl_lock();
	ret = dev_open(ndev, NULL);
	rtnl_unlock();
	KUNIT_ASSERT_EQ(test, ret, 0);
	mctp_test_configure(test, ndev);
	return ndev;
}

KUNIT_DEFINE_ACTION_WRAPPER(mctp_test_destroy, spdm_destroy,
			    struct spdm_state *);

static void mctp_test_unpark(void *ep)
{
	spdm_mctp_unpark(ep, true);
}

/* A state for endpoint @eid, routed or (@ifindex) addressed directly */
static struct spdm_state *mctp_test_state(struct kunit *test, u8 eid,
					  int ifindex,
					  const struct spdm_test_flow *f)
{
	struct spdm_config cfg = {
		.ops = &spdm_mctp_ops,
		.max_msg_size = f->transport_max,
		.keyring = spdm_test_keyring(test, f->root, f->root_len),
	};
	struct spdm_mctp_ep *ep;
	struct spdm_state *spdm;

	ep = kunit_kzalloc(test, sizeof(*ep), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ep);
	ep->net = &init_net;
	ep->netid = TEST_NET;
	ep->eid = eid;
	ep->ifindex = ifindex;
	cfg.priv = ep;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, mctp_test_unpark,
							ep), 0);
	cfg.dev = kunit_device_register(test, "spdm-mctp-kunit");
	KUNIT_ASSERT_FALSE(test, IS_ERR(cfg.dev));
	spdm = spdm_create(&cfg);
	KUNIT_ASSERT_FALSE(test, IS_ERR(spdm));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							mctp_test_destroy,
							spdm), 0);
	return spdm;
}

static void mctp_test_play(struct kunit *test, const char *name,
			   bool direct)
{
	const struct spdm_test_flow *f = spdm_test_find_flow(test, name);
	struct net_device *ndev;
	struct mctp_test_dev *t;
	struct spdm_state *spdm;
	size_t i;

	KUNIT_ASSERT_NOT_NULL(test, f);
	ndev = mctp_test_netdev(test);
	t = netdev_priv(ndev);
	spdm = mctp_test_state(test, TEST_EP_EID, direct ? ndev->ifindex : 0,
			       f);

	for (i = 0; i < f->n_phases; i++) {
		const struct spdm_test_phase *p = &f->phases[i];
		struct spdm_auth_params params = {
			.slot = p->slot, .nonce = p->nonce,
			.context = p->context,
		};

		t->step = 0;
		t->phase = p;
		KUNIT_EXPECT_EQ_MSG(test, spdm_authenticate(spdm, &params),
				    p->expect, "phase %zu: %s", i, spdm->error);
		KUNIT_EXPECT_FALSE(test, t->mismatch);
		KUNIT_EXPECT_FALSE(test, t->extra);
		KUNIT_EXPECT_EQ(test, t->step, p->n_steps);
	}
	t->phase = NULL;
	/* Certificate portions took several packets of the 68-byte MTU */
	if (f->phases[0].expect != -ETIMEDOUT)
		KUNIT_EXPECT_GT(test, t->rsp_packets, t->responses);
}

/* Through the route, with chains fragmented at the 64-byte baseline */
static void mctp_routed(struct kunit *test)
{
	mctp_test_play(test, "v13_ecdsa_p384_sha384", false);
}

/* Direct addressing on the device, no route used */
static void mctp_direct(struct kunit *test)
{
	mctp_test_play(test, "v12_rsapss_3072_sha384", true);
}

/* A lost response ends the request with -ETIMEDOUT */
static void mctp_lost_response(struct kunit *test)
{
	mctp_test_play(test, "no_response", false);
}

/* Busy and ResponseNotReady over MCTP */
static void mctp_retries(struct kunit *test)
{
	mctp_test_play(test, "v10_ecdsa_p256_rnr_busy", false);
}

/* A re-authentication with the cached chain */
static void mctp_cached(struct kunit *test)
{
	mctp_test_play(test, "reauth_cached", true);
}

/* An EID without a route cannot be reached */
static void mctp_no_route(struct kunit *test)
{
	const struct spdm_test_flow *f = spdm_test_find_flow(test,
							"v12_ecdsa_p256_sha256");
	struct spdm_state *spdm;

	KUNIT_ASSERT_NOT_NULL(test, f);
	mctp_test_netdev(test);
	spdm = mctp_test_state(test, TEST_EP_EID + 1, 0, f);
	KUNIT_EXPECT_EQ(test, spdm_authenticate(spdm, NULL), -EHOSTUNREACH);
	KUNIT_EXPECT_STREQ(test, spdm->error, "GET_VERSION: transport error");
}

/*
 * A response that arrives after its request timed out is dropped: it does
 * not pass for the response to the next request.
 */
static void mctp_stale_response(struct kunit *test)
{
	const struct spdm_test_flow *lost = spdm_test_find_flow(test, "no_response");
	const struct spdm_test_flow *ok = spdm_test_find_flow(test,
							 "v12_ecdsa_p256_sha256");
	const struct spdm_test_phase *p;
	struct spdm_auth_params params = {};
	struct net_device *ndev;
	struct mctp_test_dev *t;
	struct spdm_state *spdm;

	KUNIT_ASSERT_NOT_NULL(test, lost);
	KUNIT_ASSERT_NOT_NULL(test, ok);
	ndev = mctp_test_netdev(test);
	t = netdev_priv(ndev);
	spdm = mctp_test_state(test, TEST_EP_EID, 0, lost);

	/* GET_DIGESTS goes unanswered; its DIGESTS comes with the next one */
	p = &lost->phases[0];
	KUNIT_ASSERT_EQ(test, p->steps[3].req[1], SPDM_GET_DIGESTS);
	KUNIT_ASSERT_NULL(test, p->steps[3].rsp);
	t->stale = ok->phases[0].steps[3].rsp;
	t->stale_len = ok->phases[0].steps[3].rsp_len;
	t->phase = p;
	params.nonce = p->nonce;
	params.context = p->context;
	params.slot = p->slot;
	KUNIT_EXPECT_EQ(test, spdm_authenticate(spdm, &params), -ETIMEDOUT);

	p = &ok->phases[0];
	t->step = 0;
	t->phase = p;
	params.nonce = p->nonce;
	params.context = p->context;
	KUNIT_EXPECT_EQ_MSG(test, spdm_authenticate(spdm, &params), 0, "%s",
			    spdm->error);
	KUNIT_EXPECT_NULL(test, t->stale);
	KUNIT_EXPECT_FALSE(test, t->mismatch);
	KUNIT_EXPECT_EQ(test, t->step, p->n_steps);
	t->phase = NULL;
}

static struct kunit_case spdm_mctp_cases[] = {
	KUNIT_CASE(mctp_routed),
	KUNIT_CASE(mctp_direct),
	KUNIT_CASE(mctp_lost_response),
	KUNIT_CASE(mctp_stale_response),
	KUNIT_CASE(mctp_retries),
	KUNIT_CASE(mctp_cached),
	KUNIT_CASE(mctp_no_route),
	{}
};

static struct kunit_suite spdm_mctp_suite = {
	.name = "spdm_mctp",
	.test_cases = spdm_mctp_cases,
};

kunit_test_suite(spdm_mctp_suite);
