// SPDX-License-Identifier: GPL-2.0-only
/*
 * kspdm: the generic netlink family "spdm"
 * (Documentation/netlink/specs/spdm.yaml; the policies and the operation
 * table are generated into netlink-gen.c by scripts/ynl-regen.sh)
 */

#include <kunit/visibility.h>
#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/rwsem.h>
#include <linux/slab.h>
#include <net/genetlink.h>

#include "netlink-gen.h"
#include "spdm_internal.h"

/* Defined in netlink-gen.c; the KUnit suite talks to the family */
EXPORT_SYMBOL_IF_KUNIT(spdm_nl_family);

static DEFINE_MUTEX(spdm_attach_lock);	/* protects spdm_attach */
static const struct spdm_attach_ops *spdm_attach;

/**
 * spdm_register_attach() - offer attach and detach through netlink
 * @ops: the transport's operations (spdm_mctp)
 *
 * Return: 0, or -EBUSY if another transport registered first.
 */
int spdm_register_attach(const struct spdm_attach_ops *ops)
{
	guard(mutex)(&spdm_attach_lock);
	if (spdm_attach)
		return -EBUSY;
	spdm_attach = ops;
	return 0;
}
EXPORT_SYMBOL_GPL(spdm_register_attach);

/**
 * spdm_unregister_attach() - withdraw attach and detach
 * @ops: what spdm_register_attach() got
 *
 * Waits for attach and detach requests in progress.
 */
void spdm_unregister_attach(const struct spdm_attach_ops *ops)
{
	guard(mutex)(&spdm_attach_lock);
	if (spdm_attach == ops)
		spdm_attach = NULL;
}
EXPORT_SYMBOL_GPL(spdm_unregister_attach);

static int spdm_nl_put_common(struct sk_buff *skb, struct spdm_state *spdm)
{
	if (nla_put_string(skb, SPDM_A_DEV_NAME, dev_name(spdm->class_dev)) ||
	    nla_put_string(skb, SPDM_A_DEV_TRANSPORT, spdm->ops->name ?: "") ||
	    nla_put_u8(skb, SPDM_A_DEV_STATE, READ_ONCE(spdm->state)))
		return -EMSGSIZE;
	return 0;
}

/*
 * Everything dev-get shows, as a message of command @cmd (a reply carries
 * the command of its request); takes the state's lock.
 */
static int spdm_nl_fill_dev(struct sk_buff *skb, struct spdm_state *spdm,
			    u32 portid, u32 seq, int flags, u8 cmd)
{
	char *parent __free(kfree) = kobject_get_path(&spdm->dev->kobj,
						      GFP_KERNEL);
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &spdm_nl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	guard(mutex)(&spdm->lock);
	if (spdm_nl_put_common(skb, spdm) ||
	    (parent && nla_put_string(skb, SPDM_A_DEV_PARENT, parent)) ||
	    nla_put_string(skb, SPDM_A_DEV_ERROR, spdm->error) ||
	    nla_put_u8(skb, SPDM_A_DEV_SLOTS, spdm->provisioned) ||
	    (spdm->version &&
	     (nla_put_u8(skb, SPDM_A_DEV_VERSION, spdm->version) ||
	      nla_put_string(skb, SPDM_A_DEV_HASH_ALGO, spdm->hash->name) ||
	      nla_put_string(skb, SPDM_A_DEV_ASYM_ALGO, spdm->asym->name)))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int spdm_nl_reply_dev(struct genl_info *info, struct spdm_state *spdm)
{
	struct sk_buff *msg;
	int ret;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	ret = spdm_nl_fill_dev(msg, spdm, info->snd_portid, info->snd_seq, 0,
			       info->genlhdr->cmd);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return genlmsg_reply(msg, info);
}

/*
 * The responder named in the request, spdm_states_rwsem read-held, or an
 * ERR_PTR: -EINVAL without a name, -ENODEV for an unknown one.
 */
static struct spdm_state *spdm_nl_find(struct genl_info *info)
{
	/* Every attribute set has "name" first, SPDM_A_DEV_NAME */
	struct nlattr *attr = info->attrs[SPDM_A_DEV_NAME];
	struct spdm_state *spdm;

	BUILD_BUG_ON((int)SPDM_A_MEAS_NAME != (int)SPDM_A_DEV_NAME);
	if (GENL_REQ_ATTR_CHECK(info, SPDM_A_DEV_NAME))
		return ERR_PTR(-EINVAL);
	spdm = spdm_find_state(nla_data(attr));
	if (!spdm) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "no such SPDM responder");
		return ERR_PTR(-ENODEV);
	}
	return spdm;
}

int spdm_nl_dev_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct spdm_state *spdm;

	guard(rwsem_read)(&spdm_states_rwsem);
	spdm = spdm_nl_find(info);
	if (IS_ERR(spdm))
		return PTR_ERR(spdm);
	return spdm_nl_reply_dev(info, spdm);
}

int spdm_nl_dev_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct spdm_state *spdm;
	long i = 0;

	guard(rwsem_read)(&spdm_states_rwsem);
	list_for_each_entry(spdm, &spdm_states, node) {
		if (i++ < cb->args[0])
			continue;
		if (spdm_nl_fill_dev(skb, spdm, NETLINK_CB(cb->skb).portid,
				     cb->nlh->nlmsg_seq, NLM_F_MULTI,
				     SPDM_CMD_DEV_GET))
			break;
		cb->args[0] = i;
	}
	return skb->len;
}

int spdm_nl_authenticate_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *slot = info->attrs[SPDM_A_DEV_SLOT];
	struct nlattr *nonce = info->attrs[SPDM_A_DEV_NONCE];
	struct spdm_auth_params params = {
		.slot = slot ? nla_get_u8(slot) : -1,
		.nonce = nonce ? nla_data(nonce) : NULL,
	};
	struct spdm_state *spdm;
	int ret;

	guard(rwsem_read)(&spdm_states_rwsem);
	spdm = spdm_nl_find(info);
	if (IS_ERR(spdm))
		return PTR_ERR(spdm);
	/*
	 * A slot that the DIGESTS of the last successful authentication showed
	 * empty is refused before the device is asked, so that a mistyped
	 * slot does not turn an authenticated device into a failed one.
	 */
	scoped_guard(mutex, &spdm->lock) {
		if (slot && spdm->state == SPDM_DEV_STATE_AUTHENTICATED &&
		    !(spdm->provisioned & BIT(params.slot))) {
			NL_SET_ERR_MSG_ATTR_FMT(info->extack, slot,
						"slot %d is not provisioned (slots 0x%02x)",
						params.slot, spdm->provisioned);
			return -ENOENT;
		}
	}
	ret = spdm_authenticate(spdm, &params);
	if (ret) {
		scoped_guard(mutex, &spdm->lock)
			NL_SET_ERR_MSG_FMT(info->extack, "%s", spdm->error);
		return ret;
	}
	return spdm_nl_reply_dev(info, spdm);
}

int spdm_nl_cert_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *attr = info->attrs[SPDM_A_DEV_SLOT];
	const struct spdm_slot *s = NULL;
	struct spdm_state *spdm;
	struct sk_buff *msg;
	void *hdr;
	int slot;

	guard(rwsem_read)(&spdm_states_rwsem);
	spdm = spdm_nl_find(info);
	if (IS_ERR(spdm))
		return PTR_ERR(spdm);

	guard(mutex)(&spdm->lock);
	for (slot = attr ? nla_get_u8(attr) : 0; slot < SPDM_MAX_SLOTS; slot++) {
		s = &spdm->slots[slot];
		if (s->chain || attr)
			break;
	}
	if (slot == SPDM_MAX_SLOTS || !s->chain) {
		NL_SET_ERR_MSG(info->extack, "no certificate chain in that slot");
		return -ENOENT;
	}
	msg = genlmsg_new(s->chain_len + NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &spdm_nl_family, 0,
				SPDM_CMD_CERT_GET);
	if (!hdr ||
	    nla_put_string(msg, SPDM_A_DEV_NAME, dev_name(spdm->class_dev)) ||
	    nla_put_u8(msg, SPDM_A_DEV_SLOT, slot) ||
	    nla_put(msg, SPDM_A_DEV_CERT_CHAIN, s->chain_len - s->certs_off,
		    s->chain + s->certs_off)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

int spdm_nl_attach_doit(struct sk_buff *skb, struct genl_info *info)
{
	char name[SPDM_ATTACH_NAME_LEN];
	struct sk_buff *msg;
	void *hdr;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, SPDM_A_DEV_MCTP_NET) ||
	    GENL_REQ_ATTR_CHECK(info, SPDM_A_DEV_MCTP_EID))
		return -EINVAL;
	scoped_guard(mutex, &spdm_attach_lock) {
		if (!spdm_attach) {
			NL_SET_ERR_MSG(info->extack, "spdm_mctp is not loaded");
			return -EOPNOTSUPP;
		}
		ret = spdm_attach->attach(genl_info_net(info),
					  nla_get_u32(info->attrs[SPDM_A_DEV_MCTP_NET]),
					  nla_get_u8(info->attrs[SPDM_A_DEV_MCTP_EID]),
					  name, sizeof(name));
	}
	if (ret == -EEXIST)
		NL_SET_ERR_MSG(info->extack, "endpoint already attached");
	else if (ret)
		NL_SET_ERR_MSG(info->extack, "cannot attach the endpoint");
	if (ret)
		return ret;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &spdm_nl_family, 0, SPDM_CMD_ATTACH);
	if (!hdr || nla_put_string(msg, SPDM_A_DEV_NAME, name)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

int spdm_nl_detach_doit(struct sk_buff *skb, struct genl_info *info)
{
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, SPDM_A_DEV_NAME))
		return -EINVAL;
	guard(mutex)(&spdm_attach_lock);
	if (!spdm_attach) {
		NL_SET_ERR_MSG(info->extack, "spdm_mctp is not loaded");
		return -EOPNOTSUPP;
	}
	ret = spdm_attach->detach(genl_info_net(info),
				  nla_data(info->attrs[SPDM_A_DEV_NAME]));
	if (ret == -ENOENT)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[SPDM_A_DEV_NAME],
				    "no such attached endpoint");
	return ret;
}

/**
 * spdm_netlink_notify_locked() - tell the monitor group about a responder
 * @spdm: the responder, its lock held
 * @event: added, removed or changed
 * @reason: why, in words; NULL for the last error
 */
void spdm_netlink_notify_locked(struct spdm_state *spdm,
				enum spdm_event event, const char *reason)
{
	struct sk_buff *msg;
	void *hdr;

	lockdep_assert_held(&spdm->lock);
	if (!genl_has_listeners(&spdm_nl_family, &init_net,
				SPDM_NLGRP_MONITOR))
		return;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &spdm_nl_family, 0, SPDM_CMD_DEV_NTF);
	if (!hdr || spdm_nl_put_common(msg, spdm) ||
	    nla_put_u8(msg, SPDM_A_DEV_EVENT, event) ||
	    nla_put_string(msg, SPDM_A_DEV_REASON, reason ?: spdm->error)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast(&spdm_nl_family, msg, 0, SPDM_NLGRP_MONITOR,
			  GFP_KERNEL);
}

/**
 * spdm_netlink_notify() - tell the monitor group about a responder
 * @spdm: the responder
 * @event: added, removed or changed (with the last error as reason)
 */
void spdm_netlink_notify(struct spdm_state *spdm, enum spdm_event event)
{
	guard(mutex)(&spdm->lock);
	spdm_netlink_notify_locked(spdm, event, NULL);
}

/**
 * spdm_netlink_sig_listeners() - does anybody listen for signatures?
 *
 * Return: true if the sig group has members (in the initial namespace).
 */
bool spdm_netlink_sig_listeners(void)
{
	return genl_has_listeners(&spdm_nl_family, &init_net, SPDM_NLGRP_SIG);
}

/* Largest transcript sent in a sig event */
#define SPDM_SIG_MAX		SZ_512K
/* Transcript fragments stay below an attribute's 64 KiB */
#define SPDM_SIG_FRAG		SZ_32K

/* @len bytes as attributes @type of at most SPDM_SIG_FRAG bytes each */
static int spdm_nl_put_frags(struct sk_buff *msg, int type, const u8 *buf,
			     size_t len)
{
	size_t off;

	for (off = 0; off < len; off += SPDM_SIG_FRAG)
		if (nla_put(msg, type, min_t(size_t, SPDM_SIG_FRAG, len - off),
			    buf + off))
			return -EMSGSIZE;
	return 0;
}

/* ContentChanged (Param2[5:4]) as the meas-changed enum */
static u8 spdm_nl_changed(u8 content_changed)
{
	switch (content_changed) {
	case SPDM_MEAS_CHANGED_YES:
		return SPDM_MEAS_CHANGED_CHANGED;
	case SPDM_MEAS_CHANGED_NO:
		return SPDM_MEAS_CHANGED_UNCHANGED;
	default:
		return SPDM_MEAS_CHANGED_NOT_SUPPORTED;
	}
}

static int spdm_nl_put_blocks(struct sk_buff *msg, struct spdm_state *spdm,
			      const struct spdm_meas_log *log)
{
	int hash_len = spdm_meas_hash_len(spdm);
	struct spdm_meas_block b;
	struct nlattr *nest;
	size_t off;
	int n;

	for (off = 0; off < log->record_len; off += n) {
		n = spdm_decode_meas_block(log->record + off,
					   log->record_len - off,
					   spdm->version, hash_len, &b);
		if (n <= 0)
			return -EPROTO;	/* validated when it arrived */
		nest = nla_nest_start(msg, SPDM_A_MEAS_BLOCK);
		if (!nest ||
		    nla_put_u8(msg, SPDM_A_MEAS_BLOCK_INDEX, b.index) ||
		    nla_put_u8(msg, SPDM_A_MEAS_BLOCK_TYPE, b.type) ||
		    (b.raw && nla_put_flag(msg, SPDM_A_MEAS_BLOCK_RAW)) ||
		    nla_put(msg, SPDM_A_MEAS_BLOCK_VALUE, b.value_len, b.value))
			return -EMSGSIZE;
		nla_nest_end(msg, nest);
	}
	return 0;
}

/* The evidence of a signed log: L1/L2, signature, offsets, chain */
static int spdm_nl_put_evidence(struct sk_buff *msg, struct spdm_state *spdm,
				const struct spdm_meas_log *log)
{
	const struct spdm_slot *s = &spdm->slots[log->slot];
	u8 prefix[SPDM_PREFIX_SIZE];

	if (spdm_nl_put_frags(msg, SPDM_A_MEAS_TRANSCRIPT, log->transcript,
			      log->transcript_len) ||
	    nla_put(msg, SPDM_A_MEAS_TRANSCRIPT, spdm->asym->sig_len,
		    log->sig) ||
	    nla_put_u32(msg, SPDM_A_MEAS_SIG_OFFSET, log->transcript_len) ||
	    nla_put_u32(msg, SPDM_A_MEAS_MEAS_OFFSET, log->meas_off) ||
	    nla_put_u32(msg, SPDM_A_MEAS_REQ_NONCE_OFFSET,
			log->req_nonce_off) ||
	    nla_put_u32(msg, SPDM_A_MEAS_RSP_NONCE_OFFSET,
			log->rsp_nonce_off))
		return -EMSGSIZE;
	if (spdm->version >= SPDM_VER_12 &&
	    (spdm_build_prefix(prefix, spdm->version,
			       "responder-measurements signing") ||
	     nla_put(msg, SPDM_A_MEAS_COMBINED_SPDM_PREFIX, sizeof(prefix),
		     prefix)))
		return -EMSGSIZE;
	if (s->chain && nla_put(msg, SPDM_A_MEAS_CERT_CHAIN,
				s->chain_len - s->certs_off,
				s->chain + s->certs_off))
		return -EMSGSIZE;
	return 0;
}

struct spdm_nl_meas_ctx {
	struct genl_info *info;
	struct sk_buff *msg;
	bool filled;
};

/* spdm_measure_keep()'s fill: the reply, built with the state locked */
static int spdm_nl_fill_meas(struct spdm_state *spdm, void *arg)
{
	struct spdm_nl_meas_ctx *ctx = arg;
	const struct spdm_meas_log *log = spdm->meas;
	const struct spdm_hash_info *mh;
	size_t size;
	void *hdr;

	size = 2 * log->record_len + log->transcript_len +
	       spdm->slots[log->slot].chain_len + NLMSG_GOODSIZE +
	       (log->record_len + log->transcript_len) / SPDM_SIG_FRAG *
	       NLA_HDRLEN + U8_MAX * 3 * NLA_HDRLEN;
	ctx->filled = true;
	ctx->msg = genlmsg_new(size, GFP_KERNEL);
	if (!ctx->msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(ctx->msg, ctx->info, &spdm_nl_family, 0,
				SPDM_CMD_MEAS_GET);
	if (!hdr)
		return -EMSGSIZE;
	mh = spdm_hash_info(spdm->algs.meas_hash >> 1);
	if (nla_put_string(ctx->msg, SPDM_A_MEAS_NAME,
			   dev_name(spdm->class_dev)) ||
	    nla_put_u8(ctx->msg, SPDM_A_MEAS_VERSION, spdm->version) ||
	    (log->count &&
	     nla_put_u8(ctx->msg, SPDM_A_MEAS_COUNT, log->count)) ||
	    nla_put_u16(ctx->msg, SPDM_A_MEAS_HASH_ALGO,
			spdm->hash->hash_algo) ||
	    nla_put_string(ctx->msg, SPDM_A_MEAS_ASYM_ALGO, spdm->asym->name) ||
	    nla_put_string(ctx->msg, SPDM_A_MEAS_MEAS_HASH_ALGO,
			   mh ? mh->name : "raw") ||
	    spdm_nl_put_blocks(ctx->msg, spdm, log) ||
	    spdm_nl_put_frags(ctx->msg, SPDM_A_MEAS_RECORD, log->record,
			      log->record_len))
		return -EMSGSIZE;
	if (log->is_signed &&
	    (nla_put_u8(ctx->msg, SPDM_A_MEAS_SLOT, log->slot) ||
	     (spdm->version >= SPDM_VER_12 &&
	      nla_put_u8(ctx->msg, SPDM_A_MEAS_CONTENT_CHANGED,
			 spdm_nl_changed(log->content_changed))) ||
	     (log->transcript && spdm_nl_put_evidence(ctx->msg, spdm, log))))
		return -EMSGSIZE;
	genlmsg_end(ctx->msg, hdr);
	return 0;
}

int spdm_nl_meas_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **a = info->attrs;
	struct spdm_meas_params p = {
		.slot = a[SPDM_A_MEAS_SLOT] ? nla_get_u8(a[SPDM_A_MEAS_SLOT]) : -1,
		.index = a[SPDM_A_MEAS_INDEX] ? nla_get_u8(a[SPDM_A_MEAS_INDEX]) :
						SPDM_MEAS_OP_ALL,
		.nonce = a[SPDM_A_MEAS_NONCE] ? nla_data(a[SPDM_A_MEAS_NONCE]) :
						NULL,
		.raw = nla_get_flag(a[SPDM_A_MEAS_RAW]),
		.new_meas = nla_get_flag(a[SPDM_A_MEAS_NEW]),
		.nosig = nla_get_flag(a[SPDM_A_MEAS_UNSIGNED]),
	};
	struct spdm_nl_meas_ctx ctx = { .info = info };
	struct spdm_state *spdm;
	int ret;

	if (p.nosig && p.nonce) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[SPDM_A_MEAS_NONCE],
				    "a nonce needs signed measurements");
		return -EINVAL;
	}
	guard(rwsem_read)(&spdm_states_rwsem);
	spdm = spdm_nl_find(info);
	if (IS_ERR(spdm))
		return PTR_ERR(spdm);
	ret = spdm_measure_keep(spdm, &p, true, spdm_nl_fill_meas, &ctx);
	if (ret) {
		nlmsg_free(ctx.msg);
		if (ctx.filled) {
			NL_SET_ERR_MSG(info->extack,
				       "the measurements do not fit a reply");
			return ret;
		}
		scoped_guard(mutex, &spdm->lock)
			NL_SET_ERR_MSG_FMT(info->extack, "%s", spdm->error);
		return ret;
	}
	return genlmsg_reply(ctx.msg, info);
}

int spdm_nl_mel_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct spdm_state *spdm;
	struct sk_buff *msg;
	void *hdr;
	int ret;

	guard(rwsem_read)(&spdm_states_rwsem);
	spdm = spdm_nl_find(info);
	if (IS_ERR(spdm))
		return PTR_ERR(spdm);
	guard(mutex)(&spdm->lock);
	if (READ_ONCE(spdm->state) != SPDM_DEV_STATE_AUTHENTICATED) {
		NL_SET_ERR_MSG(info->extack, "the responder is not authenticated");
		return -ENOTCONN;
	}
	ret = spdm_io_begin(spdm);
	if (!ret)
		ret = spdm_mel_locked(spdm);
	spdm_io_end(spdm);
	if (ret) {
		NL_SET_ERR_MSG_FMT(info->extack, "%s", spdm->error);
		return ret;
	}
	msg = genlmsg_new(spdm->mel_len + spdm->mel_len / SPDM_SIG_FRAG *
			  NLA_HDRLEN + NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &spdm_nl_family, 0,
				SPDM_CMD_MEL_GET);
	if (!hdr ||
	    nla_put_string(msg, SPDM_A_MEAS_NAME, dev_name(spdm->class_dev)) ||
	    spdm_nl_put_frags(msg, SPDM_A_MEAS_MEL, spdm->mel, spdm->mel_len)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/**
 * spdm_netlink_sig() - tell the sig group about a verified signature
 * @spdm: state whose kept transcript holds the signed messages
 * @rsp_code: SPDM_SPDM_REQRSP_CODE_* of the signed response
 * @slot: slot whose leaf key signed
 * @start: where the signed messages begin in the kept transcript (after
 *	VCA for the L1/L2 of SPDM 1.0 and 1.1, else 0)
 * @req_nonce_off: offset of the requester's nonce in the kept transcript
 * @rsp_nonce_off: offset of the responder's nonce in the kept transcript
 * @sig: the signature (spdm->asym->sig_len bytes)
 * @context: the signing context of the combined prefix (1.2+)
 *
 * The attribute layout is that of the upstream proposal: the transcript
 * with the signature appended, in fragments, the offsets of the signature
 * and of both nonces, and the combined prefix, so that a verifier can
 * check the signature without trusting the kernel.
 */
void spdm_netlink_sig(struct spdm_state *spdm, u8 rsp_code, u8 slot,
		      size_t start, size_t req_nonce_off, size_t rsp_nonce_off,
		      const u8 *sig, const char *context)
{
	const struct spdm_transcript *t = &spdm->transcript;
	size_t sig_len = spdm->asym->sig_len, len = t->len - start;
	size_t total = len + sig_len;
	u8 prefix[SPDM_PREFIX_SIZE];
	struct sk_buff *msg;
	char *path;
	void *hdr;

	if (!spdm_netlink_sig_listeners() || total > SPDM_SIG_MAX)
		return;
	path = kobject_get_path(&spdm->dev->kobj, GFP_KERNEL);
	msg = genlmsg_new(total + total / SPDM_SIG_FRAG * NLA_HDRLEN +
			  NLMSG_GOODSIZE, GFP_KERNEL);
	if (!path || !msg)
		goto err;
	hdr = genlmsg_put(msg, 0, 0, &spdm_nl_family, 0, SPDM_CMD_SIG);
	if (!hdr ||
	    nla_put_string(msg, SPDM_A_SIG_DEVICE, path) ||
	    nla_put_u8(msg, SPDM_A_SIG_RSP_CODE, rsp_code) ||
	    nla_put_u8(msg, SPDM_A_SIG_SLOT, slot) ||
	    nla_put_u16(msg, SPDM_A_SIG_HASH_ALGO, spdm->hash->hash_algo) ||
	    nla_put_u32(msg, SPDM_A_SIG_SIG_OFFSET, len) ||
	    nla_put_u32(msg, SPDM_A_SIG_REQ_NONCE_OFFSET,
			req_nonce_off - start) ||
	    nla_put_u32(msg, SPDM_A_SIG_RSP_NONCE_OFFSET,
			rsp_nonce_off - start))
		goto err;
	if (spdm->version >= SPDM_VER_12 &&
	    (spdm_build_prefix(prefix, spdm->version, context) ||
	     nla_put(msg, SPDM_A_SIG_COMBINED_SPDM_PREFIX, sizeof(prefix),
		     prefix)))
		goto err;
	if (spdm_nl_put_frags(msg, SPDM_A_SIG_TRANSCRIPT, t->buf + start, len) ||
	    nla_put(msg, SPDM_A_SIG_TRANSCRIPT, sig_len, sig))
		goto err;
	genlmsg_end(msg, hdr);
	kfree(path);
	genlmsg_multicast(&spdm_nl_family, msg, 0, SPDM_NLGRP_SIG, GFP_KERNEL);
	return;
err:
	kfree(path);
	nlmsg_free(msg);
}

/**
 * spdm_netlink_init() - register the family
 *
 * Return: 0 or a negative errno.
 */
int spdm_netlink_init(void)
{
	return genl_register_family(&spdm_nl_family);
}

/**
 * spdm_netlink_exit() - unregister the family
 */
void spdm_netlink_exit(void)
{
	genl_unregister_family(&spdm_nl_family);
}
