// SPDX-License-Identifier: GPL-2.0-only
/*
 * spdmctl: the generic netlink family "spdm" through libmnl
 *
 * Requests carry NLM_F_ACK; errors come back with the kernel's extended
 * ACK (NETLINK_EXT_ACK), whose message and the attribute it points at are
 * kept for the caller to print.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/spdm.h>

#include "spdmctl.h"

#define NL_RCVBUF	(4 * 1024 * 1024)

/* Attribute names, to name what an extended ACK points at: the dev set */
static const char *const nl_dev_attr_names[SPDM_A_DEV_MAX + 1] = {
	[SPDM_A_DEV_NAME] = "name",
	[SPDM_A_DEV_TRANSPORT] = "transport",
	[SPDM_A_DEV_PARENT] = "parent",
	[SPDM_A_DEV_STATE] = "state",
	[SPDM_A_DEV_ERROR] = "error",
	[SPDM_A_DEV_VERSION] = "version",
	[SPDM_A_DEV_HASH_ALGO] = "hash-algo",
	[SPDM_A_DEV_ASYM_ALGO] = "asym-algo",
	[SPDM_A_DEV_SLOTS] = "slots",
	[SPDM_A_DEV_SLOT] = "slot",
	[SPDM_A_DEV_NONCE] = "nonce",
	[SPDM_A_DEV_CERT_CHAIN] = "cert-chain",
	[SPDM_A_DEV_MCTP_NET] = "mctp-net",
	[SPDM_A_DEV_MCTP_EID] = "mctp-eid",
	[SPDM_A_DEV_EVENT] = "event",
	[SPDM_A_DEV_REASON] = "reason",
};

/* ... and the meas set, that of meas-get and mel-get */
static const char *const nl_meas_attr_names[SPDM_A_MEAS_MAX + 1] = {
	[SPDM_A_MEAS_NAME] = "name",
	[SPDM_A_MEAS_SLOT] = "slot",
	[SPDM_A_MEAS_NONCE] = "nonce",
	[SPDM_A_MEAS_INDEX] = "index",
	[SPDM_A_MEAS_RAW] = "raw",
	[SPDM_A_MEAS_NEW] = "new",
	[SPDM_A_MEAS_UNSIGNED] = "unsigned",
	[SPDM_A_MEAS_COUNT] = "count",
	[SPDM_A_MEAS_BLOCK] = "block",
	[SPDM_A_MEAS_RECORD] = "record",
	[SPDM_A_MEAS_CONTENT_CHANGED] = "content-changed",
	[SPDM_A_MEAS_VERSION] = "version",
	[SPDM_A_MEAS_HASH_ALGO] = "hash-algo",
	[SPDM_A_MEAS_ASYM_ALGO] = "asym-algo",
	[SPDM_A_MEAS_MEAS_HASH_ALGO] = "meas-hash-algo",
	[SPDM_A_MEAS_TRANSCRIPT] = "transcript",
	[SPDM_A_MEAS_SIG_OFFSET] = "sig-offset",
	[SPDM_A_MEAS_MEAS_OFFSET] = "meas-offset",
	[SPDM_A_MEAS_REQ_NONCE_OFFSET] = "req-nonce-offset",
	[SPDM_A_MEAS_RSP_NONCE_OFFSET] = "rsp-nonce-offset",
	[SPDM_A_MEAS_COMBINED_SPDM_PREFIX] = "combined-spdm-prefix",
	[SPDM_A_MEAS_CERT_CHAIN] = "cert-chain",
	[SPDM_A_MEAS_MEL] = "mel",
};

/* Name attribute @type of the set our last request's command uses */
static void nl_attr_name(struct nl *nl, unsigned int type)
{
	const char *const *names = nl_dev_attr_names;
	unsigned int max = SPDM_A_DEV_MAX;
	const struct genlmsghdr *genl;

	if (nl->req && nl->req->nlmsg_type == nl->family) {
		genl = mnl_nlmsg_get_payload(nl->req);
		if (genl->cmd == SPDM_CMD_MEAS_GET ||
		    genl->cmd == SPDM_CMD_MEL_GET) {
			names = nl_meas_attr_names;
			max = SPDM_A_MEAS_MAX;
		}
	}
	if (type <= max && names[type])
		snprintf(nl->ext_attr, sizeof(nl->ext_attr), "%s",
			 names[type]);
	else
		snprintf(nl->ext_attr, sizeof(nl->ext_attr), "#%u", type);
}

/* The attribute of our last request at byte @offs of it */
static void nl_attr_at(struct nl *nl, uint32_t offs)
{
	const struct nlattr *attr;

	if (!nl->req)
		return;
	mnl_attr_for_each(attr, nl->req, sizeof(struct genlmsghdr)) {
		if ((const char *)attr - (const char *)nl->req == (long)offs) {
			nl_attr_name(nl, mnl_attr_get_type(attr));
			return;
		}
	}
}

static int nl_ext_attr(const struct nlattr *attr, void *data)
{
	struct nl *nl = data;

	switch (mnl_attr_get_type(attr)) {
	case NLMSGERR_ATTR_MSG:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			snprintf(nl->ext_msg, sizeof(nl->ext_msg), "%s",
				 mnl_attr_get_str(attr));
		break;
	case NLMSGERR_ATTR_OFFS:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			nl_attr_at(nl, mnl_attr_get_u32(attr));
		break;
	case NLMSGERR_ATTR_MISS_TYPE:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			nl_attr_name(nl, mnl_attr_get_u32(attr));
		break;
	}
	return MNL_CB_OK;
}

struct nl_ctx {
	struct nl *nl;
	nl_msg_cb cb;
	void *data;
};

static int nl_cb_data(const struct nlmsghdr *nlh, void *data)
{
	struct nl_ctx *ctx = data;

	return ctx->cb ? ctx->cb(nlh, ctx->data) : MNL_CB_OK;
}

/* NLMSG_ERROR ends a request: an ACK, or an error with its extended ACK */
static int nl_cb_error(const struct nlmsghdr *nlh, void *data)
{
	struct nl *nl = ((struct nl_ctx *)data)->nl;
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t off = sizeof(*e);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
		nl->err = EBADMSG;
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (e->error == 0)
		return MNL_CB_STOP;
	nl->err = e->error < 0 ? -e->error : e->error;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - sizeof(e->msg);
		if (mnl_nlmsg_size(off) <= nlh->nlmsg_len)
			mnl_attr_parse(nlh, off, nl_ext_attr, nl);
	}
	errno = nl->err;
	return MNL_CB_ERROR;
}

/* NLMSG_DONE ends a dump; it may carry an error too */
static int nl_cb_done(const struct nlmsghdr *nlh, void *data)
{
	struct nl *nl = ((struct nl_ctx *)data)->nl;
	int err;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(int)))
		return MNL_CB_STOP;
	memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	if (err >= 0)
		return MNL_CB_STOP;
	nl->err = -err;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
		mnl_attr_parse(nlh, sizeof(int), nl_ext_attr, nl);
	errno = nl->err;
	return MNL_CB_ERROR;
}

static mnl_cb_t nl_ctl_cbs[NLMSG_MIN_TYPE] = {
	[NLMSG_ERROR] = nl_cb_error,
	[NLMSG_DONE] = nl_cb_done,
};

static void nl_reset(struct nl *nl)
{
	nl->err = 0;
	nl->ext_msg[0] = '\0';
	nl->ext_attr[0] = '\0';
}

/**
 * nl_start() - start a request of the spdm family in @buf
 * @nl: the connection
 * @buf: at least MNL_SOCKET_BUFFER_SIZE bytes
 * @cmd: SPDM_CMD_*
 * @dump: a dump rather than a do
 *
 * Return: the message, to add attributes to.
 */
struct nlmsghdr *nl_start(struct nl *nl, void *buf, uint8_t cmd, bool dump)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;

	/* libmnl before 1.0.5 leaves the padding of attributes as it was */
	memset(buf, 0, MNL_SOCKET_BUFFER_SIZE);
	nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = nl->family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (dump ? NLM_F_DUMP : 0);
	nlh->nlmsg_seq = ++nl->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = SPDM_FAMILY_VERSION;
	return nlh;
}

/**
 * nl_talk() - send a request and run @cb on each reply until it ends
 * @nl: the connection
 * @req: from nl_start()
 * @cb: called for every reply message, may be NULL
 * @data: passed to @cb
 *
 * Return: 0, or -1 with errno and nl->err set (and nl->ext_msg if the
 * kernel said why).
 */
int nl_talk(struct nl *nl, struct nlmsghdr *req, nl_msg_cb cb, void *data)
{
	struct nl_ctx ctx = { .nl = nl, .cb = cb, .data = data };
	int ret;

	nl_reset(nl);
	nl->req = req;
	if (mnl_socket_sendto(nl->sock, req, req->nlmsg_len) < 0) {
		nl->err = errno;
		return -1;
	}
	do {
		ssize_t n = mnl_socket_recvfrom(nl->sock, nl->buf, NL_BUF_SIZE);

		if (n < 0) {
			nl->err = errno;
			return -1;
		}
		ret = mnl_cb_run2(nl->buf, n, req->nlmsg_seq, nl->portid,
				  nl_cb_data, &ctx, nl_ctl_cbs,
				  MNL_ARRAY_SIZE(nl_ctl_cbs));
	} while (ret > MNL_CB_STOP);
	if (ret < 0) {
		if (!nl->err)
			nl->err = errno ? errno : EIO;
		errno = nl->err;
		return -1;
	}
	return 0;
}

/**
 * nl_strerror() - the last error in words: the kernel's reason if it gave
 * one, the attribute it blamed, and the errno
 * @nl: the connection
 * @buf: where to write
 * @size: its size
 *
 * Return: @buf.
 */
const char *nl_strerror(const struct nl *nl, char *buf, size_t size)
{
	const char *err = strerror(nl->err);

	if (nl->ext_msg[0] && nl->ext_attr[0])
		snprintf(buf, size, "%s (attribute %s): %s", nl->ext_msg,
			 nl->ext_attr, err);
	else if (nl->ext_msg[0])
		snprintf(buf, size, "%s: %s", nl->ext_msg, err);
	else if (nl->ext_attr[0])
		snprintf(buf, size, "attribute %s: %s", nl->ext_attr, err);
	else
		snprintf(buf, size, "%s", err);
	return buf;
}

/* CTRL_CMD_GETFAMILY reply: the family id and the multicast groups */
static int nl_grp_cb(const struct nlattr *grp, struct nl *nl)
{
	const struct nlattr *a, *name = NULL, *id = NULL;

	mnl_attr_for_each_nested(a, grp) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_NAME &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			name = a;
		else if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_ID &&
			 mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			id = a;
	}
	if (!name || !id)
		return MNL_CB_OK;
	if (!strcmp(mnl_attr_get_str(name), SPDM_MCGRP_MONITOR))
		nl->grp_monitor = mnl_attr_get_u32(id);
	else if (!strcmp(mnl_attr_get_str(name), SPDM_MCGRP_SIG))
		nl->grp_sig = mnl_attr_get_u32(id);
	return MNL_CB_OK;
}

static int nl_family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl *nl = data;
	const struct nlattr *a, *g;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(a)) {
		case CTRL_ATTR_FAMILY_ID:
			if (mnl_attr_validate(a, MNL_TYPE_U16) == 0)
				nl->family = mnl_attr_get_u16(a);
			break;
		case CTRL_ATTR_MCAST_GROUPS:
			mnl_attr_for_each_nested(g, a)
				nl_grp_cb(g, nl);
			break;
		}
	}
	return MNL_CB_OK;
}

/**
 * nl_open() - connect to the spdm family
 * @nl: filled in
 *
 * Return: 0, or -1 with errno set; ENOENT means spdm.ko is not loaded.
 */
int nl_open(struct nl *nl)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;
	int one = 1, ret;

	memset(nl, 0, sizeof(*nl));
	memset(buf, 0, sizeof(buf));
	nl->buf = malloc(NL_BUF_SIZE);
	if (!nl->buf)
		return -1;
	nl->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sock)
		goto err;
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0)
		goto err;
	/* Both are best effort: older kernels lack them */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = time(NULL);

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++nl->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = CTRL_CMD_GETFAMILY;
	genl->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, SPDM_FAMILY_NAME);
	ret = nl_talk(nl, nlh, nl_family_cb, nl);
	nl->req = NULL;
	if (ret < 0 || !nl->family) {
		errno = ret < 0 ? nl->err : ENOENT;
		goto err;
	}
	return 0;
err:
	ret = errno;
	nl_close(nl);
	errno = ret;
	return -1;
}

/**
 * nl_close() - disconnect
 * @nl: from nl_open(); may be half open or closed already
 */
void nl_close(struct nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
	free(nl->buf);
	nl->buf = NULL;
}

/**
 * nl_join() - join a multicast group
 * @nl: the connection
 * @group: its id from nl_open()
 *
 * Return: 0, or -1 with errno set.
 */
int nl_join(struct nl *nl, uint32_t group)
{
	int size = NL_RCVBUF;

	if (!group) {
		errno = ENOENT;
		return -1;
	}
	/* Room for bursts of signatures; RCVBUFFORCE needs CAP_NET_ADMIN */
	if (setsockopt(mnl_socket_get_fd(nl->sock), SOL_SOCKET, SO_RCVBUFFORCE,
		       &size, sizeof(size)) < 0)
		setsockopt(mnl_socket_get_fd(nl->sock), SOL_SOCKET, SO_RCVBUF,
			   &size, sizeof(size));
	return mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP, &group,
				     sizeof(group));
}

/**
 * nl_listen() - run @cb on every notification until it stops
 * @nl: a connection that joined groups
 * @cb: returns MNL_CB_OK to go on, MNL_CB_STOP to end
 * @data: passed to @cb
 *
 * Notifications lost because the socket overflowed are reported on
 * stderr and listening goes on.
 *
 * Return: 0 once @cb stopped, or -1 with errno set.
 */
int nl_listen(struct nl *nl, nl_msg_cb cb, void *data)
{
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl->sock, nl->buf, NL_BUF_SIZE);
		int ret;

		if (n < 0 && errno == ENOBUFS) {
			fprintf(stderr,
				"spdmctl: notifications were lost (receive buffer full)\n");
			continue;
		}
		if (n < 0)
			return -1;
		ret = mnl_cb_run(nl->buf, n, 0, 0, cb, data);
		if (ret == MNL_CB_STOP)
			return 0;
		if (ret < 0)
			return -1;
	}
}

static int nl_parse_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = ((const struct nlattr ***)data)[0];
	unsigned int max = (uintptr_t)((const struct nlattr ***)data)[1];
	unsigned int type = mnl_attr_get_type(attr);

	/* Attributes newer than us are skipped; the last of a kind wins */
	if (type <= max)
		tb[type] = attr;
	return MNL_CB_OK;
}

/*
 * Whether the attributes from @attrs fill the @len bytes there exactly:
 * libmnl's walk stops quietly at an attribute that overruns them.
 */
static bool nl_attrs_fit(const void *attrs, size_t len)
{
	const struct nlattr *a = attrs;
	size_t off = 0;

	while (len - off >= sizeof(*a)) {
		a = (const struct nlattr *)((const char *)attrs + off);
		if (a->nla_len < sizeof(*a) || a->nla_len > len - off)
			return false;
		off += MNL_ALIGN(a->nla_len);
		if (off >= len)
			return true;
	}
	return off == len;
}

/**
 * nl_parse() - index the attributes of a genetlink message by type
 * @nlh: the message
 * @tb: max + 1 entries, cleared here
 * @max: the highest type kept
 *
 * Return: 0, or -1 if the attributes overrun the message.
 */
int nl_parse(const struct nlmsghdr *nlh, const struct nlattr **tb,
	     unsigned int max)
{
	const void *ctx[2] = { tb, (const void *)(uintptr_t)max };

	memset(tb, 0, (max + 1) * sizeof(*tb));
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(struct genlmsghdr)) ||
	    !nl_attrs_fit(mnl_nlmsg_get_payload_offset(nlh,
						       sizeof(struct genlmsghdr)),
			  nlh->nlmsg_len -
			  mnl_nlmsg_size(sizeof(struct genlmsghdr))))
		return -1;
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), nl_parse_cb,
			      ctx) < 0 ? -1 : 0;
}

/**
 * nl_parse_nested() - index the attributes nested in @nest by type
 * @nest: a nest attribute, validated as MNL_TYPE_NESTED
 * @tb: max + 1 entries, cleared here
 * @max: the highest type kept
 *
 * Return: 0, or -1 if the nested attributes overrun the nest.
 */
int nl_parse_nested(const struct nlattr *nest, const struct nlattr **tb,
		    unsigned int max)
{
	const void *ctx[2] = { tb, (const void *)(uintptr_t)max };

	memset(tb, 0, (max + 1) * sizeof(*tb));
	if (!nl_attrs_fit(mnl_attr_get_payload(nest),
			  mnl_attr_get_payload_len(nest)))
		return -1;
	return mnl_attr_parse_nested(nest, nl_parse_cb, ctx) < 0 ? -1 : 0;
}
