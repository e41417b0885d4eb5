// SPDX-License-Identifier: GPL-2.0-only
/*
 * kspdm: signed measurements (DSP0274 1.3 10.11, GET_MEASUREMENTS) and the
 * measurement extension log (10.12, GET_MEASUREMENT_EXTENSION_LOG)
 *
 * All blocks are asked for in one signed request.  A responder that
 * cannot send them in one message (ResponseTooLarge, or LargeResponse
 * which would need chunking) is asked for the number of indices, probed
 * for which indices answer, and asked for those one at a time, the last
 * one signed: the signature covers L1/L2, every GET_MEASUREMENTS and
 * MEASUREMENTS since the first (DSP0274 "Measurement signature
 * computation"), so the whole log is signed either way.
 */

#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "spdm_internal.h"

#define SPDM_MEAS_CONTEXT	"responder-measurements signing"
#define SPDM_MEL_CHUNK		4096	/* bytes asked for per request */
#define SPDM_MAX_MEL_PORTIONS	4096

bool spdm_measure_at_auth;
module_param_named(measure_at_auth, spdm_measure_at_auth, bool, 0644);
MODULE_PARM_DESC(measure_at_auth,
		 "Take signed measurements after every successful authentication");

/**
 * spdm_meas_log_free() - free a measurement log
 * @log: the log, or NULL
 */
void spdm_meas_log_free(struct spdm_meas_log *log)
{
	if (!log)
		return;
	kvfree(log->record);
	kvfree(log->transcript);
	kfree(log->sig);
	kfree(log);
}

/* Free only the record of a log on the stack */
static void spdm_meas_log_free_record(struct spdm_meas_log *log)
{
	kvfree(log->record);
	log->record = NULL;
	log->record_len = 0;
}

/**
 * spdm_meas_hash_len() - size of a digest measurement
 * @spdm: state after ALGORITHMS
 *
 * From MeasurementHashAlgo (DSP0274 Table 15).
 *
 * Return: the size, 0 for "raw bit stream only", or -EOPNOTSUPP.
 */
int spdm_meas_hash_len(struct spdm_state *spdm)
{
	const struct spdm_hash_info *h;

	if (spdm->algs.meas_hash == SPDM_MEAS_HASH_RAW)
		return 0;
	/* Bits 1 to 6 are the BaseHashAlgo bits 0 to 5, shifted by one */
	h = spdm_hash_info(spdm->algs.meas_hash >> 1);
	return h ? h->size : -EOPNOTSUPP;
}

/* Append @len bytes to the record being built */
static int spdm_meas_add(struct spdm_meas_log *log, const u8 *rec, size_t len)
{
	u8 *p;

	if (log->record_len + len > SPDM_MAX_MEAS_LOG)
		return -EFBIG;
	p = kvrealloc(log->record, log->record_len + len, GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	memcpy(p + log->record_len, rec, len);
	log->record = p;
	log->record_len += len;
	return 0;
}

/*
 * One GET_MEASUREMENTS exchange, the response decoded into @rsp.  Returns
 * the length of the response without transport padding, or an errno.
 */
static int spdm_meas_exchange(struct spdm_state *spdm, u8 attrs, u8 op,
			      const u8 *nonce, u8 slot, const u8 *context,
			      int hash_len, size_t *req_len,
			      struct spdm_meas_rsp *rsp)
{
	bool sig = attrs & SPDM_MEAS_REQ_SIG;
	size_t rsp_len;
	int len, ret, consumed;

	len = spdm_encode_get_measurements(spdm->req, spdm->max_msg_size,
					   spdm->version, attrs, op, nonce,
					   slot, context);
	if (len < 0)
		return spdm_fail(spdm, len, "cannot encode GET_MEASUREMENTS");
	*req_len = len;
	/*
	 * A responder adds an unsigned exchange to its L1/L2 as soon as it
	 * answers, even if the answer is lost or refused here
	 */
	if (!sig)
		spdm->l1_open = true;
	/* Signing or measuring anew may take the cryptographic timeout */
	ret = spdm_exchange(spdm, len, sig || (attrs & SPDM_MEAS_REQ_NEW) ?
			    spdm_ct_us(spdm) : SPDM_ST1_US, &rsp_len);
	if (ret)
		return ret;
	/* A signed response ends the responder's L1/L2 (DSP0274 10.11) */
	if (sig)
		spdm->l1_open = false;
	consumed = spdm_decode_measurements(spdm->rsp, rsp_len, spdm->version,
					    op, sig,
					    sig ? spdm->asym->sig_len : 0,
					    hash_len, rsp);
	ret = spdm_response_end(spdm, consumed, rsp_len, "MEASUREMENTS");
	if (ret)
		return ret;
	if (rsp->context &&
	    memcmp(rsp->context, context, SPDM_REQ_CONTEXT_SIZE))
		return spdm_fail(spdm, -EPROTO,
				 "MEASUREMENTS RequesterContext differs from the request");
	return consumed;
}

/* An unsigned exchange joins L1/L2 as it is */
static int spdm_meas_record(struct spdm_state *spdm, size_t req_len,
			    size_t rsp_len)
{
	int ret;

	ret = spdm_transcript_append(spdm, spdm->req, req_len);
	if (!ret)
		ret = spdm_transcript_append(spdm, spdm->rsp, rsp_len);
	return ret ? spdm_fail(spdm, ret, "cannot hash L1/L2") : 0;
}

/*
 * Check the last, signed MEASUREMENTS and verify its signature over
 * L1/L2; keep the evidence in @log.
 */
static int spdm_meas_verify(struct spdm_state *spdm, struct spdm_meas_log *log,
			    const struct spdm_meas_rsp *rsp, size_t req_len,
			    const u8 *nonce, const u8 *context, u8 slot)
{
	const struct spdm_transcript *t = &spdm->transcript;
	int ret;

	if (spdm->version >= SPDM_VER_11 && rsp->slot != slot)
		return spdm_fail(spdm, -EPROTO,
				 "MEASUREMENTS signed by slot %u instead of %u",
				 rsp->slot, slot);
	if (!memcmp(rsp->nonce, nonce, SPDM_NONCE_SIZE))
		return spdm_fail(spdm, -EEXIST,
				 "MEASUREMENTS nonce echoes the requester's nonce");
	if (!memchr_inv(rsp->nonce, 0, SPDM_NONCE_SIZE))
		return spdm_fail(spdm, -EEXIST, "MEASUREMENTS nonce is all zeros");
	if (!memcmp(rsp->nonce, spdm->last_rsp_nonce, SPDM_NONCE_SIZE))
		return spdm_fail(spdm, -EEXIST,
				 "MEASUREMENTS nonce repeats the previous one");
	/* Offsets in the kept buffer, which always starts with VCA */
	log->req_nonce_off = t->len + SPDM_HDR_SIZE;
	log->rsp_nonce_off = t->len + req_len + (rsp->nonce - spdm->rsp);
	ret = spdm_transcript_append(spdm, spdm->req, req_len);
	if (!ret)
		ret = spdm_transcript_append(spdm, spdm->rsp, rsp->sig_offset);
	if (ret)
		return spdm_fail(spdm, ret, "cannot hash L1/L2");
	ret = spdm_verify_transcript(spdm, SPDM_MEAS_CONTEXT, rsp->sig);
	if (ret)
		return spdm_fail(spdm, ret,
				 "MEASUREMENTS signature does not verify with slot %u's leaf key",
				 slot);
	memcpy(spdm->last_rsp_nonce, rsp->nonce, SPDM_NONCE_SIZE);

	log->is_signed = true;
	log->slot = slot;
	log->content_changed = rsp->content_changed;
	log->sig = kmemdup(rsp->sig, spdm->asym->sig_len, GFP_KERNEL);
	if (!log->sig)
		return -ENOMEM;
	if (t->keep) {
		/* L1/L2 holds VCA only from SPDM 1.2 on (DSP0274 10.11) */
		size_t start = spdm->version >= SPDM_VER_12 ? 0 : t->vca_len;

		log->transcript = kvmemdup(t->buf + start, t->len - start,
					   GFP_KERNEL);
		if (!log->transcript)
			return -ENOMEM;
		log->transcript_len = t->len - start;
		log->meas_off = t->vca_len - start;
		log->req_nonce_off -= start;
		log->rsp_nonce_off -= start;
		spdm_netlink_sig(spdm, SPDM_SPDM_REQRSP_CODE_MEASUREMENTS, slot,
				 start, log->req_nonce_off + start,
				 log->rsp_nonce_off + start, rsp->sig,
				 SPDM_MEAS_CONTEXT);
	}
	return 0;
}

/*
 * Add the blocks of @rsp to @log (the codec made sure that a one-index
 * request brought exactly that index)
 */
static int spdm_meas_take(struct spdm_state *spdm, struct spdm_meas_log *log,
			  const struct spdm_meas_rsp *rsp)
{
	int ret;

	if (log->n_blocks + rsp->num_blocks > U8_MAX)
		return spdm_fail(spdm, -EFBIG, "more than 255 measurement blocks");
	ret = spdm_meas_add(log, rsp->record, rsp->record_len);
	if (ret)
		return spdm_fail(spdm, ret, "measurement log too large");
	log->n_blocks += rsp->num_blocks;
	return 0;
}

/*
 * DSP0274 10.11: the responder keeps L1/L2 from one signed MEASUREMENTS to
 * the next, and any other request empties it.  Unsigned measurements of an
 * earlier call are still in it: end it with GET_DIGESTS, which every
 * responder we authenticated answers, so that a signature covers only
 * what this call asks for.
 */
static int spdm_meas_reset_l1(struct spdm_state *spdm)
{
	const u8 *digests;
	size_t rsp_len;
	u8 provisioned;
	int len, ret;

	len = spdm_encode_header(spdm->req, spdm->max_msg_size, spdm->version,
				 SPDM_GET_DIGESTS, 0, 0);
	ret = spdm_exchange(spdm, len, SPDM_ST1_US, &rsp_len);
	if (ret)
		return ret;
	ret = spdm_decode_digests(spdm->rsp, rsp_len, spdm->version,
				  spdm->hash->size, &provisioned, &digests);
	return spdm_response_end(spdm, ret, rsp_len, "DIGESTS");
}

/* The request attributes of @p, without SignatureRequested */
static u8 spdm_meas_attrs(const struct spdm_meas_params *p)
{
	return (p->raw ? SPDM_MEAS_REQ_RAW : 0) |
	       (p->new_meas ? SPDM_MEAS_REQ_NEW : 0);
}

/*
 * Ask for each of @ops in turn, the last one signed if @sign, as one
 * L1/L2 begun here.
 */
static int spdm_meas_ask(struct spdm_state *spdm, struct spdm_meas_log *log,
			 const struct spdm_meas_params *p, const u8 *ops,
			 unsigned int n_ops, bool sign, u8 slot,
			 const u8 *nonce, const u8 *context, int hash_len)
{
	struct spdm_meas_rsp rsp;
	size_t req_len;
	unsigned int i;
	int ret, len;

	if (spdm->l1_open) {
		ret = spdm_meas_reset_l1(spdm);
		if (ret)
			return ret;
	}
	ret = spdm_transcript_begin_l(spdm);
	if (ret)
		return spdm_fail(spdm, ret, "cannot hash L1/L2");
	for (i = 0; i < n_ops; i++) {
		bool signed_now = sign && i == n_ops - 1;
		u8 attrs = spdm_meas_attrs(p) |
			   (signed_now ? SPDM_MEAS_REQ_SIG : 0);

		ret = spdm_meas_exchange(spdm, attrs, ops[i], nonce, slot,
					 context, hash_len, &req_len, &rsp);
		if (ret < 0)
			return ret;
		len = ret;
		if (ops[i] == SPDM_MEAS_OP_COUNT)
			log->count = rsp.total_indices;
		ret = spdm_meas_take(spdm, log, &rsp);
		if (ret)
			return ret;
		if (signed_now)
			return spdm_meas_verify(spdm, log, &rsp, req_len, nonce,
						context, slot);
		ret = spdm_meas_record(spdm, req_len, len);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * For a responder that cannot send all blocks at once: the number of
 * indices, then which indices answer (they need not be 1 to N; 0xfd and
 * 0xfe are reserved for the manifest and the device mode, DSP0274 1.2
 * 10.11.1), probing each unsigned.  A probe that meets InvalidRequest may
 * have emptied the responder's L1/L2, so the indices found are then asked
 * for again as one L1/L2, the last one signed.
 */
static int spdm_meas_fallback(struct spdm_state *spdm,
			      struct spdm_meas_log *log,
			      const struct spdm_meas_params *p, bool sign,
			      u8 slot, const u8 *nonce, const u8 *context,
			      int hash_len)
{
	/* Only the final pass asks for new measurements */
	u8 attrs = spdm_meas_attrs(p) & ~SPDM_MEAS_REQ_NEW;
	u8 count_op = SPDM_MEAS_OP_COUNT, *ops;
	struct spdm_meas_log probe = {};
	struct spdm_meas_rsp rsp;
	unsigned int found = 0, i;
	size_t req_len;
	int ret;

	ret = spdm_meas_exchange(spdm, attrs, SPDM_MEAS_OP_COUNT,
				 nonce, slot, context, hash_len, &req_len, &rsp);
	if (ret < 0)
		return ret;
	if (!rsp.total_indices) {
		/* Nothing to measure: a signed count stands for the log */
		return spdm_meas_ask(spdm, log, p, &count_op, 1, sign, slot,
				     nonce, context, hash_len);
	}

	ops = kmalloc(rsp.total_indices, GFP_KERNEL);
	if (!ops)
		return -ENOMEM;
	log->count = rsp.total_indices;
	spdm->quiet = true;
	for (i = 1; i < SPDM_MEAS_OP_ALL && found < log->count; i++) {
		ret = spdm_meas_exchange(spdm, attrs, i, nonce, slot, context,
					 hash_len, &req_len, &rsp);
		if (ret == -EINVAL)
			continue;	/* InvalidRequest: no such index */
		if (ret < 0)
			break;
		ops[found++] = i;
		ret = spdm_meas_take(spdm, &probe, &rsp);
		if (ret)
			break;
	}
	spdm->quiet = false;
	spdm_meas_log_free_record(&probe);
	if (ret < 0 && ret != -EINVAL) {
		dev_err_ratelimited(spdm->dev, "SPDM: %s (%d)\n", spdm->error,
				    ret);
		goto out;
	}
	if (found < log->count) {
		ret = spdm_fail(spdm, -ENODATA,
				"only %u of %u measurement indices answer",
				found, log->count);
		goto out;
	}
	log->count = 0;		/* no count request in this L1/L2 */
	ret = spdm_meas_ask(spdm, log, p, ops, found, sign, slot, nonce,
			    context, hash_len);
out:
	kfree(ops);
	return ret;
}

/*
 * DSP0274 10.11: all blocks (or one index) in one request, or, when that
 * does not fit one message, one index at a time.
 */
static int spdm_meas_run(struct spdm_state *spdm, struct spdm_meas_log *log,
			 const struct spdm_meas_params *p, u8 slot,
			 const u8 *nonce, const u8 *context, bool fallback)
{
	int hash_len = spdm_meas_hash_len(spdm);

	if (hash_len < 0)
		return spdm_fail(spdm, hash_len,
				 "measurement hash 0x%x is not supported",
				 spdm->algs.meas_hash);
	if (fallback)
		return spdm_meas_fallback(spdm, log, p, !p->nosig, slot, nonce,
					  context, hash_len);
	return spdm_meas_ask(spdm, log, p, &p->index, 1, !p->nosig, slot,
			     nonce, context, hash_len);
}

/* Announce what changed since the previous log of the same form */
static void spdm_meas_compare(struct spdm_state *spdm,
			      const struct spdm_meas_log *old,
			      const struct spdm_meas_log *new)
{
	int hash_len = spdm_meas_hash_len(spdm);
	struct spdm_meas_block a, b;
	char reason[48];
	size_t off, o;
	int n, m = 0;

	if (new->content_changed == SPDM_MEAS_CHANGED_YES) {
		dev_info(spdm->dev,
			 "SPDM: responder reports changed measurements\n");
		spdm_netlink_notify_locked(spdm, SPDM_EVENT_CHANGED,
					   "responder reports changed measurements");
	}
	if (!old || old->raw != new->raw || hash_len < 0)
		return;
	for (off = 0; off < new->record_len; off += n) {
		n = spdm_decode_meas_block(new->record + off,
					   new->record_len - off,
					   spdm->version, hash_len, &a);
		if (n <= 0)
			return;
		for (o = 0; o < old->record_len; o += m) {
			m = spdm_decode_meas_block(old->record + o,
						   old->record_len - o,
						   spdm->version, hash_len, &b);
			if (m <= 0 || b.index == a.index)
				break;
		}
		if (m <= 0 || o >= old->record_len)
			continue;	/* not measured before */
		if (a.block_len == b.block_len &&
		    !memcmp(a.block, b.block, a.block_len))
			continue;
		dev_info(spdm->dev, "SPDM: measurement index %u changed\n",
			 a.index);
		snprintf(reason, sizeof(reason), "measurement index %u changed",
			 a.index);
		spdm_netlink_notify_locked(spdm, SPDM_EVENT_CHANGED, reason);
	}
}

/*
 * GET_MEASUREMENT_EXTENSION_LOG (DSP0274 1.3 10.12): the whole log, in
 * portions, into spdm->mel.
 */
static int spdm_get_mel(struct spdm_state *spdm)
{
	u32 want = min_t(u32, SPDM_MEL_CHUNK,
			 spdm->max_msg_size - SPDM_MEL_RSP_HDR_SIZE);
	u32 total = 0, size = 0;
	u8 *mel = NULL, *p;
	struct spdm_mel_rsp rsp;
	size_t rsp_len;
	unsigned int i;
	int len, ret;

	/* A responder may send less than asked for, but not byte by byte */
	for (i = 0; ; i++) {
		if (i > SPDM_MAX_MEL_PORTIONS) {
			ret = spdm_fail(spdm, -EPROTO,
					"MEASUREMENT_EXTENSION_LOG in too many portions");
			goto err;
		}
		len = spdm_encode_get_mel(spdm->req, spdm->max_msg_size,
					  spdm->version, total, want);
		if (len < 0) {
			ret = spdm_fail(spdm, len,
					"cannot encode GET_MEASUREMENT_EXTENSION_LOG");
			goto err;
		}
		ret = spdm_exchange(spdm, len, SPDM_ST1_US, &rsp_len);
		if (ret)
			goto err;
		ret = spdm_decode_mel(spdm->rsp, rsp_len, spdm->version, total,
				      want, &rsp);
		ret = spdm_response_end(spdm, ret, rsp_len,
					"MEASUREMENT_EXTENSION_LOG");
		if (ret)
			goto err;
		/* The size the first portion announced must hold throughout */
		if (!i) {
			if ((u64)rsp.portion_len + rsp.remainder_len >
			    SPDM_MAX_MEL) {
				ret = spdm_fail(spdm, -EFBIG,
						"measurement extension log larger than %u bytes",
						SPDM_MAX_MEL);
				goto err;
			}
			size = rsp.portion_len + rsp.remainder_len;
		} else if ((u64)total + rsp.portion_len + rsp.remainder_len !=
			   size) {
			ret = spdm_fail(spdm, -EPROTO,
					"MEASUREMENT_EXTENSION_LOG changes its size from %u to %llu bytes",
					size, (u64)total + rsp.portion_len +
					rsp.remainder_len);
			goto err;
		}
		p = kvrealloc(mel, total + rsp.portion_len, GFP_KERNEL);
		if (!p) {
			ret = -ENOMEM;
			goto err;
		}
		mel = p;
		memcpy(mel + total, rsp.portion, rsp.portion_len);
		total += rsp.portion_len;
		if (!rsp.remainder_len)
			break;
	}
	kvfree(spdm->mel);
	spdm->mel = mel;
	spdm->mel_len = total;
	return 0;
err:
	kvfree(mel);
	return ret;
}

/**
 * spdm_measure_locked() - take measurements
 * @spdm: authenticated state, lock held
 * @p: what to ask for
 * @keep: keep L1/L2 as bytes for the evidence
 *
 * The signing slot must be the one authenticated last (the caller
 * authenticates it first otherwise).  On success the log replaces
 * spdm->meas; a change against the previous log is announced.
 *
 * Return: 0 or a negative errno (the reason is in spdm->error).
 */
int spdm_measure_locked(struct spdm_state *spdm,
			const struct spdm_meas_params *p, bool keep)
{
	u8 nonce[SPDM_NONCE_SIZE], context[SPDM_REQ_CONTEXT_SIZE];
	u32 caps = spdm->rsp_caps.flags;
	struct spdm_meas_log *log;
	u8 index = p->index ?: SPDM_MEAS_OP_ALL;
	struct spdm_meas_params q = *p;
	int ret;

	lockdep_assert_held(&spdm->lock);
	if (!(caps & (SPDM_CAP_MEAS_SIG | SPDM_CAP_MEAS_NOSIG)))
		return spdm_fail(spdm, -EOPNOTSUPP,
				 "responder does not support measurements");
	if (!p->nosig && !(caps & SPDM_CAP_MEAS_SIG))
		return spdm_fail(spdm, -EOPNOTSUPP,
				 "responder cannot sign measurements");
	if (p->raw && spdm->version < SPDM_VER_12)
		return spdm_fail(spdm, -EOPNOTSUPP,
				 "raw bit streams need SPDM 1.2");
	if (p->new_meas && spdm->version < SPDM_VER_13)
		return spdm_fail(spdm, -EOPNOTSUPP,
				 "new measurements need SPDM 1.3");
	if (!p->nosig && spdm->leaf_slot < 0)
		return spdm_fail(spdm, -ENOKEY, "no authenticated slot to sign");
	q.index = index;

	if (p->nonce)
		memcpy(nonce, p->nonce, sizeof(nonce));
	else
		get_random_bytes(nonce, sizeof(nonce));
	if (p->context)
		memcpy(context, p->context, sizeof(context));
	else
		get_random_bytes(context, sizeof(context));

	spdm->transcript.keep = keep || spdm_keep_transcript ||
				spdm_netlink_sig_listeners();
	log = kzalloc(sizeof(*log), GFP_KERNEL);
	if (!log)
		return -ENOMEM;
	log->raw = p->raw;
	log->index = index;
	ret = spdm_meas_run(spdm, log, &q, spdm->leaf_slot, nonce, context,
			    false);
	/* Too large for one message: one index at a time */
	if ((ret == -EMSGSIZE || ret == -EFBIG) && index == SPDM_MEAS_OP_ALL) {
		dev_info(spdm->dev,
			 "SPDM: all measurements do not fit one message, asking one at a time\n");
		spdm_meas_log_free(log);
		log = kzalloc(sizeof(*log), GFP_KERNEL);
		if (!log)
			return -ENOMEM;
		log->raw = p->raw;
		log->index = index;
		ret = spdm_meas_run(spdm, log, &q, spdm->leaf_slot, nonce,
				    context, true);
	}
	if (ret) {
		spdm_meas_log_free(log);
		return ret;
	}

	if (spdm->version >= SPDM_VER_13 && (caps & SPDM_CAP_MEL)) {
		ret = spdm_get_mel(spdm);
		if (ret) {
			spdm_meas_log_free(log);
			return ret;
		}
	}
	if (index == SPDM_MEAS_OP_ALL)
		spdm_meas_compare(spdm, spdm->meas, log);
	spdm_meas_log_free(spdm->meas);
	spdm->meas = log;
	return 0;
}

/**
 * spdm_mel_locked() - fetch the measurement extension log
 * @spdm: authenticated state, lock held
 *
 * Return: 0 (the log is in spdm->mel), -EOPNOTSUPP if the responder has
 * none, or another negative errno.
 */
int spdm_mel_locked(struct spdm_state *spdm)
{
	lockdep_assert_held(&spdm->lock);
	if (spdm->version < SPDM_VER_13 ||
	    !(spdm->rsp_caps.flags & SPDM_CAP_MEL))
		return spdm_fail(spdm, -EOPNOTSUPP,
				 "responder has no measurement extension log");
	return spdm_get_mel(spdm);
}
