// SPDX-License-Identifier: GPL-2.0-only
/*
 * spdm_mctp: authenticate MCTP endpoints through the kernel's AF_MCTP
 * sockets (DMTF DSP0275 SPDM over MCTP, DSP0236 MCTP)
 *
 * The kernel does not discover MCTP endpoints (mctpd does), so an endpoint
 * is attached by its MCTP network and EID, in the network namespace of
 * whoever attaches it: at load ("attach=1:8,1:9") or later by writing to
 * /sys/module/spdm_mctp/parameters/attach (and .../detach).  Every
 * endpoint gets a device below /sys/devices/spdm_mctp, its directory in
 * /sys/class/spdm, and is authenticated on a workqueue, endpoints in
 * parallel.
 *
 * Every request goes out on a fresh socket with the tag owner bit, so the
 * kernel allocates the tag, matches the response to it, and drops a late
 * response to an earlier request together with that request's socket.
 * SPDM messages are MCTP message type 5; secured messages (type 6) use the
 * same path once sessions exist.
 */

#define pr_fmt(fmt) "spdm_mctp: " fmt

#include <kunit/visibility.h>
#include <linux/cred.h>
#include <linux/device.h>
#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mctp.h>
#include <linux/mutex.h>
#include <linux/nsproxy.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <linux/spdm.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "mctp.h"

/* MCTP message types (DSP0239) */
#define SPDM_MCTP_TYPE_SPDM	5

/* How often a waiting exchange looks whether its endpoint went away */
#define SPDM_MCTP_POLL_MS	50

static unsigned int spdm_mctp_max_msg = 4096;
module_param_named(max_msg_size, spdm_mctp_max_msg, uint, 0644);
MODULE_PARM_DESC(max_msg_size,
		 "Largest SPDM message exchanged with an endpoint, announced as DataTransferSize (42..65536, default 4096); applies to endpoints attached later");

static unsigned int spdm_mctp_rtt_ms = 500;
module_param_named(rtt_ms, spdm_mctp_rtt_ms, uint, 0644);
MODULE_PARM_DESC(rtt_ms,
		 "Round-trip allowance added to SPDM's response times ST1 and CT (default 500 ms)");

static LIST_HEAD(spdm_mctp_eps);
static DEFINE_MUTEX(spdm_mctp_lock);	/* protects spdm_mctp_eps */
static struct workqueue_struct *spdm_mctp_wq;
static struct device *spdm_mctp_root;

/* The credentials of the kernel, for the sockets of every endpoint */
static const struct cred *spdm_mctp_cred;

static int spdm_mctp_send(struct socket *sock, struct spdm_mctp_ep *ep,
			  u8 type, const void *req, size_t req_sz)
{
	struct sockaddr_mctp_ext addr = {
		.smctp_base = {
			.smctp_family = AF_MCTP,
			.smctp_network = ep->netid,
			.smctp_addr.s_addr = ep->eid,
			.smctp_type = type,
			.smctp_tag = MCTP_TAG_OWNER,
		},
		.smctp_ifindex = ep->ifindex,
	};
	struct kvec iov = { .iov_base = (void *)req, .iov_len = req_sz };
	struct msghdr msg = {
		.msg_name = &addr,
		.msg_namelen = sizeof(addr.smctp_base),
	};
	int one = 1, ret;

	/* Direct addressing on one interface: no route needed */
	if (ep->ifindex) {
		ret = sock->ops->setsockopt(sock, SOL_MCTP, MCTP_OPT_ADDR_EXT,
					    KERNEL_SOCKPTR(&one), sizeof(one));
		if (ret)
			return ret;
		msg.msg_namelen = sizeof(addr);
	}

	ret = kernel_sendmsg(sock, &msg, &iov, 1, req_sz);
	if (ret < 0)
		return ret;
	return ret == req_sz ? 0 : -EIO;
}

/*
 * Wait for the response in slices, so that a detach does not wait for a
 * whole response time.  Only a message of the request's type from our
 * endpoint counts; the kernel delivers nothing else to this socket but
 * the reply to the tag it allocated for our request.
 */
static ssize_t spdm_mctp_recv(struct socket *sock, struct spdm_mctp_ep *ep,
			      u8 type, void *rsp, size_t rsp_sz,
			      u32 timeout_us)
{
	unsigned long deadline = jiffies + usecs_to_jiffies(timeout_us) +
				 msecs_to_jiffies(READ_ONCE(spdm_mctp_rtt_ms));
	/* With direct addressing the kernel fills in the extended form */
	struct sockaddr_mctp_ext ext;
	struct sockaddr_mctp *addr = &ext.smctp_base;
	struct kvec iov = { .iov_base = rsp, .iov_len = rsp_sz };
	struct msghdr msg = { .msg_name = &ext, .msg_namelen = sizeof(ext) };
	int ret;

	for (;;) {
		long slice = min_t(long, (long)(deadline - jiffies),
				   msecs_to_jiffies(SPDM_MCTP_POLL_MS));

		if (READ_ONCE(ep->gone))
			return -ENODEV;
		if (slice <= 0)
			return -ETIMEDOUT;
		WRITE_ONCE(sock->sk->sk_rcvtimeo, slice);
		ret = kernel_recvmsg(sock, &msg, &iov, 1, rsp_sz, MSG_TRUNC);
		if (ret == -EAGAIN)
			continue;
		if (ret < 0)
			return ret;
		if (addr->smctp_addr.s_addr != ep->eid ||
		    addr->smctp_type != type)
			continue;
		/* MSG_TRUNC: the length of the whole message */
		return ret > rsp_sz ? -EMSGSIZE : ret;
	}
}

/*
 * The kernel keeps a tag allocated while its request's socket is open, for
 * at most the key lifetime of DSP0236 (MCTP_KEY_LIFETIME, 6 s, in
 * net/mctp).  A response that comes after its request timed out must not
 * pass for the response to a later request that got the same tag, so the
 * sockets of timed-out requests stay open for that long: the late
 * response goes to them and dies with them.
 */
#define SPDM_MCTP_KEY_LIFETIME	(6 * HZ)

/**
 * spdm_mctp_unpark() - close parked sockets
 * @ep: endpoint, not exchanging
 * @all: close all of them, not only those past the key lifetime
 */
void spdm_mctp_unpark(struct spdm_mctp_ep *ep, bool all)
{
	int i, n = 0;

	for (i = 0; i < SPDM_MCTP_PARKED && ep->parked[i]; i++) {
		if (all || time_after(jiffies, ep->parked_at[i] +
					       SPDM_MCTP_KEY_LIFETIME)) {
			sock_release(ep->parked[i]);
			ep->parked[i] = NULL;
			continue;
		}
		ep->parked[n] = ep->parked[i];
		ep->parked_at[n++] = ep->parked_at[i];
		if (n - 1 != i)
			ep->parked[i] = NULL;
	}
}
EXPORT_SYMBOL_IF_KUNIT(spdm_mctp_unpark);

static void spdm_mctp_park(struct spdm_mctp_ep *ep, struct socket *sock)
{
	int i;

	/* Full: the oldest goes, its tag may be reused now */
	if (ep->parked[SPDM_MCTP_PARKED - 1]) {
		sock_release(ep->parked[0]);
		for (i = 1; i < SPDM_MCTP_PARKED; i++) {
			ep->parked[i - 1] = ep->parked[i];
			ep->parked_at[i - 1] = ep->parked_at[i];
		}
		ep->parked[SPDM_MCTP_PARKED - 1] = NULL;
	}
	for (i = 0; ep->parked[i]; i++)
		;
	ep->parked[i] = sock;
	ep->parked_at[i] = jiffies;
}

/*
 * One request and its response of MCTP message @type: 5 for SPDM, 6 for
 * secured SPDM messages (DSP0275), which sessions will use.
 */
static ssize_t spdm_mctp_message(struct spdm_mctp_ep *ep, u8 type,
				 const void *req, size_t req_sz, void *rsp,
				 size_t rsp_sz, u32 timeout_us)
{
	const struct cred *old_cred;
	struct socket *sock;
	ssize_t ret;

	if (READ_ONCE(ep->gone))
		return -ENODEV;
	spdm_mctp_unpark(ep, false);
	/* A fresh socket per request: a stale reply dies with the old one */
	ret = sock_create_kern(ep->net, AF_MCTP, SOCK_DGRAM, 0, &sock);
	if (ret)
		return ret;
	/*
	 * AF_MCTP's sendmsg asks for CAP_NET_RAW of the calling task, which
	 * is whoever asked for the authentication (a netlink caller needs
	 * only CAP_NET_ADMIN): send with the kernel's credentials.
	 */
	old_cred = override_creds(spdm_mctp_cred);
	ret = spdm_mctp_send(sock, ep, type, req, req_sz);
	revert_creds(old_cred);
	if (!ret)
		ret = spdm_mctp_recv(sock, ep, type, rsp, rsp_sz, timeout_us);
	if (ret == -ETIMEDOUT)
		spdm_mctp_park(ep, sock);
	else
		sock_release(sock);
	return ret;
}

static ssize_t spdm_mctp_exchange(void *priv, const void *req, size_t req_sz,
				  void *rsp, size_t rsp_sz, u32 timeout_us)
{
	return spdm_mctp_message(priv, SPDM_MCTP_TYPE_SPDM, req, req_sz, rsp,
				 rsp_sz, timeout_us);
}

const struct spdm_transport_ops spdm_mctp_ops = {
	.name = "mctp",
	.exchange = spdm_mctp_exchange,
};
EXPORT_SYMBOL_IF_KUNIT(spdm_mctp_ops);

static void spdm_mctp_work(struct work_struct *work)
{
	struct spdm_mctp_ep *ep = container_of(work, struct spdm_mctp_ep,
					       work);
	int ret;

	if (READ_ONCE(ep->gone))
		return;
	ret = spdm_authenticate(ep->spdm, NULL);
	if (!ret)
		dev_info(&ep->dev, "SPDM: authenticated\n");
}

static void spdm_mctp_release(struct device *dev)
{
	kfree(container_of(dev, struct spdm_mctp_ep, dev));
}

static struct spdm_mctp_ep *spdm_mctp_find(struct net *net,
					   unsigned int netid, u8 eid)
{
	struct spdm_mctp_ep *ep;

	list_for_each_entry(ep, &spdm_mctp_eps, node)
		if (ep->net == net && ep->netid == netid && ep->eid == eid)
			return ep;
	return NULL;
}

/* mctp-NET-EID, with the namespace's inode number outside init_net */
static const char *spdm_mctp_name(struct net *net, unsigned int netid, u8 eid,
				  char *buf, size_t len)
{
	if (net_eq(net, &init_net))
		snprintf(buf, len, "mctp-%u-%u", netid, eid);
	else
		snprintf(buf, len, "mctp-%u-%u-%u", net->ns.inum, netid, eid);
	return buf;
}

static int spdm_mctp_attach(struct net *net, unsigned int netid, u8 eid,
			    int ifindex)
{
	char name[SPDM_ATTACH_NAME_LEN];
	struct spdm_config cfg = {
		.ops = &spdm_mctp_ops,
		.max_msg_size = clamp(READ_ONCE(spdm_mctp_max_msg), 42U,
				      (unsigned int)SZ_64K),
	};
	struct spdm_mctp_ep *ep;
	int ret;

	/* DSP0236 8.2: 0 is the null EID, 0xff broadcast, 1-7 reserved */
	if (eid < 8 || eid == MCTP_ADDR_ANY)
		return -EINVAL;

	guard(mutex)(&spdm_mctp_lock);
	if (spdm_mctp_find(net, netid, eid))
		return -EEXIST;
	ep = kzalloc(sizeof(*ep), GFP_KERNEL);
	if (!ep)
		return -ENOMEM;
	ep->net = net;
	ep->netid = netid;
	ep->eid = eid;
	ep->ifindex = ifindex;
	INIT_WORK(&ep->work, spdm_mctp_work);
	device_initialize(&ep->dev);
	ep->dev.parent = spdm_mctp_root;
	ep->dev.release = spdm_mctp_release;
	spdm_mctp_name(net, netid, eid, name, sizeof(name));
	ret = dev_set_name(&ep->dev, "%s", name);
	if (!ret)
		ret = device_add(&ep->dev);
	if (ret) {
		put_device(&ep->dev);
		return ret;
	}
	cfg.dev = &ep->dev;
	cfg.priv = ep;
	ep->spdm = spdm_create(&cfg);
	if (IS_ERR(ep->spdm)) {
		ret = PTR_ERR(ep->spdm);
		device_unregister(&ep->dev);
		return ret;
	}
	list_add_tail(&ep->node, &spdm_mctp_eps);
	queue_work(spdm_mctp_wq, &ep->work);
	return 0;
}

static void spdm_mctp_free(struct spdm_mctp_ep *ep)
{
	WRITE_ONCE(ep->gone, true);
	cancel_work_sync(&ep->work);
	spdm_destroy(ep->spdm);
	spdm_mctp_unpark(ep, true);
	device_unregister(&ep->dev);
}

static int spdm_mctp_detach(struct net *net, unsigned int netid, u8 eid,
			    int ifindex)
{
	struct spdm_mctp_ep *ep;

	scoped_guard(mutex, &spdm_mctp_lock) {
		ep = spdm_mctp_find(net, netid, eid);
		if (!ep)
			return -ENOENT;
		list_del(&ep->node);
	}
	spdm_mctp_free(ep);
	return 0;
}

static int spdm_mctp_nl_attach(struct net *net, u32 netid, u8 eid,
			       char *name, size_t len)
{
	int ret = spdm_mctp_attach(net, netid, eid, 0);

	if (!ret)
		spdm_mctp_name(net, netid, eid, name, len);
	return ret;
}

static int spdm_mctp_nl_detach(struct net *net, const char *name)
{
	struct spdm_mctp_ep *ep;

	scoped_guard(mutex, &spdm_mctp_lock) {
		list_for_each_entry(ep, &spdm_mctp_eps, node)
			if (ep->net == net && !strcmp(dev_name(&ep->dev), name))
				goto found;
		return -ENOENT;
found:
		list_del(&ep->node);
	}
	spdm_mctp_free(ep);
	return 0;
}

static const struct spdm_attach_ops spdm_mctp_nl_ops = {
	.attach = spdm_mctp_nl_attach,
	.detach = spdm_mctp_nl_detach,
};

/*
 * "NET:EID" or "NET:EID@IFNAME" (direct addressing on that interface)
 * entries separated by commas or white space, applied in order; the
 * first failure stops and is returned.
 */
static int spdm_mctp_parse(const char *val,
			   int (*fn)(struct net *, unsigned int, u8, int))
{
	char *buf __free(kfree) = kstrdup(val, GFP_KERNEL);
	struct net *net = current->nsproxy->net_ns;
	char *cur = buf, *tok;
	int ret;

	if (!buf)
		return -ENOMEM;
	while ((tok = strsep(&cur, ", \t\n"))) {
		unsigned int netid;
		char *colon, *at;
		int ifindex = 0;
		u8 eid;

		if (!*tok)
			continue;
		colon = strchr(tok, ':');
		if (!colon)
			return -EINVAL;
		*colon = 0;
		at = strchr(colon + 1, '@');
		if (at) {
			struct net_device *dev;

			*at = 0;
			dev = dev_get_by_name(net, at + 1);
			if (!dev)
				return -ENODEV;
			ifindex = dev->ifindex;
			dev_put(dev);
		}
		if (kstrtouint(tok, 0, &netid) || kstrtou8(colon + 1, 0, &eid))
			return -EINVAL;
		ret = fn(net, netid, eid, ifindex);
		if (ret)
			return ret;
	}
	return 0;
}

/* attach= given at load is applied once the module is set up */
static char *spdm_mctp_pending;

static int spdm_mctp_param_attach(const char *val,
				  const struct kernel_param *kp)
{
	if (!spdm_mctp_wq) {
		kfree(spdm_mctp_pending);
		spdm_mctp_pending = kstrdup(val, GFP_KERNEL);
		return spdm_mctp_pending ? 0 : -ENOMEM;
	}
	return spdm_mctp_parse(val, spdm_mctp_attach);
}

static int spdm_mctp_param_detach(const char *val,
				  const struct kernel_param *kp)
{
	return spdm_mctp_parse(val, spdm_mctp_detach);
}

static const struct kernel_param_ops spdm_mctp_attach_ops = {
	.set = spdm_mctp_param_attach,
};

static const struct kernel_param_ops spdm_mctp_detach_ops = {
	.set = spdm_mctp_param_detach,
};

/* Write-only: attach and detach are actions, not settings */
module_param_cb(attach, &spdm_mctp_attach_ops, NULL, 0200);
MODULE_PARM_DESC(attach,
		 "Attach MCTP endpoints NET:EID[@IFNAME][,...] of the writer's network namespace");
module_param_cb(detach, &spdm_mctp_detach_ops, NULL, 0200);
MODULE_PARM_DESC(detach, "Detach MCTP endpoints NET:EID[,...]");

/* A network namespace that goes away takes its endpoints along */
static void spdm_mctp_net_exit(struct net *net)
{
	struct spdm_mctp_ep *ep, *tmp;
	LIST_HEAD(gone);

	scoped_guard(mutex, &spdm_mctp_lock)
		list_for_each_entry_safe(ep, tmp, &spdm_mctp_eps, node)
			if (ep->net == net)
				list_move(&ep->node, &gone);
	list_for_each_entry_safe(ep, tmp, &gone, node)
		spdm_mctp_free(ep);
}

static struct pernet_operations spdm_mctp_net_ops = {
	.exit = spdm_mctp_net_exit,
};

static int __init spdm_mctp_init(void)
{
	int ret;

	spdm_mctp_cred = prepare_kernel_cred(&init_task);
	if (!spdm_mctp_cred)
		return -ENOMEM;
	spdm_mctp_wq = alloc_workqueue("spdm_mctp", WQ_UNBOUND, 0);
	if (!spdm_mctp_wq) {
		put_cred(spdm_mctp_cred);
		return -ENOMEM;
	}
	spdm_mctp_root = root_device_register("spdm_mctp");
	if (IS_ERR(spdm_mctp_root)) {
		ret = PTR_ERR(spdm_mctp_root);
		goto err_wq;
	}
	ret = register_pernet_subsys(&spdm_mctp_net_ops);
	if (ret)
		goto err_root;
	ret = spdm_register_attach(&spdm_mctp_nl_ops);
	if (ret)
		goto err_pernet;
	if (spdm_mctp_pending) {
		ret = spdm_mctp_parse(spdm_mctp_pending, spdm_mctp_attach);
		if (ret)
			pr_err("attach=%s: %d\n", spdm_mctp_pending, ret);
		kfree(spdm_mctp_pending);
		spdm_mctp_pending = NULL;
	}
	return 0;

err_pernet:
	unregister_pernet_subsys(&spdm_mctp_net_ops);
err_root:
	root_device_unregister(spdm_mctp_root);
err_wq:
	destroy_workqueue(spdm_mctp_wq);
	put_cred(spdm_mctp_cred);
	return ret;
}

static void __exit spdm_mctp_exit(void)
{
	struct spdm_mctp_ep *ep, *tmp;
	LIST_HEAD(eps);

	spdm_unregister_attach(&spdm_mctp_nl_ops);
	unregister_pernet_subsys(&spdm_mctp_net_ops);
	scoped_guard(mutex, &spdm_mctp_lock)
		list_splice_init(&spdm_mctp_eps, &eps);
	list_for_each_entry_safe(ep, tmp, &eps, node)
		spdm_mctp_free(ep);
	root_device_unregister(spdm_mctp_root);
	destroy_workqueue(spdm_mctp_wq);
	put_cred(spdm_mctp_cred);
}

module_init(spdm_mctp_init);
module_exit(spdm_mctp_exit);

MODULE_DESCRIPTION("SPDM authentication of MCTP endpoints");
MODULE_LICENSE("GPL");
