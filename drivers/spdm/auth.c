// SPDX-License-Identifier: GPL-2.0-only
/*
 * kspdm: GET_DIGESTS, GET_CERTIFICATE and CHALLENGE (DSP0274 10.6 to 10.8)
 */

#include <crypto/public_key.h>
#include <linux/slab.h>

#include "spdm_internal.h"

#define SPDM_CHALLENGE_CONTEXT	"responder-challenge_auth signing"

/*
 * DSP0274 10.7: retrieve the chain of @slot in as few GET_CERTIFICATE
 * round trips as the negotiated sizes allow.  Offset + PortionLength +
 * RemainderLength is the chain's length; it must stay the same in every
 * response and cannot exceed 0xffff.
 */
static int spdm_get_chain(struct spdm_state *spdm, u8 slot)
{
	struct spdm_slot *s = &spdm->slots[slot];
	size_t max_portion = spdm->max_msg_size;
	size_t total = 0, off = 0;
	u8 *chain = NULL;
	unsigned int i;
	u64 start;
	int ret = 0;

	if (spdm->version >= SPDM_VER_12)
		max_portion = min_t(size_t, max_portion,
				    spdm->rsp_caps.data_transfer_size);
	max_portion = min_t(size_t, max_portion - SPDM_CERT_RSP_HDR_SIZE,
			    SPDM_MAX_CHAIN_LEN);

	for (i = 0; i < SPDM_MAX_CERT_REQUESTS; i++) {
		struct spdm_cert_rsp rsp;
		size_t want, end, rsp_len;
		int len, consumed;

		want = off ? min(max_portion, total - off) : max_portion;
		len = spdm_encode_get_certificate(spdm->req, spdm->max_msg_size,
						  spdm->version, slot, off, want);
		ret = spdm_exchange(spdm, len, SPDM_ST1_US, &rsp_len);
		if (ret)
			break;
		consumed = spdm_decode_certificate(spdm->rsp, rsp_len,
						   spdm->version, &rsp);
		ret = spdm_record(spdm, len, rsp_len, consumed, "CERTIFICATE");
		if (ret)
			break;

		if (rsp.slot != slot) {
			ret = spdm_fail(spdm, -EPROTO,
					"CERTIFICATE for slot %u instead of %u",
					rsp.slot, slot);
			break;
		}
		if (!rsp.portion_len || rsp.portion_len > want) {
			ret = spdm_fail(spdm, -EBADMSG,
					"CERTIFICATE portion of %u bytes for %zu requested",
					rsp.portion_len, want);
			break;
		}
		/* Each term is at most 0xffff: no overflow in size_t */
		end = off + rsp.portion_len + rsp.remainder_len;
		if (!off) {
			if (end > SPDM_MAX_CHAIN_LEN ||
			    end <= SPDM_CHAIN_HDR_SIZE + spdm->hash->size) {
				ret = spdm_fail(spdm, -EBADMSG,
						"slot %u chain length %zu out of range",
						slot, end);
				break;
			}
			total = end;
			chain = kvmalloc(total, GFP_KERNEL);
			if (!chain) {
				ret = -ENOMEM;
				break;
			}
		} else if (end != total) {
			ret = spdm_fail(spdm, -EBADMSG,
					"slot %u chain length changed from %zu to %zu",
					slot, total, end);
			break;
		}
		memcpy(chain + off, rsp.portion, rsp.portion_len);
		off += rsp.portion_len;
		if (!rsp.remainder_len)
			break;
	}
	if (!ret && off != total)
		ret = spdm_fail(spdm, -EBADMSG,
				"slot %u chain incomplete after %u requests",
				slot, i);
	if (ret) {
		kvfree(chain);
		return ret;
	}

	spdm_drop_slot(spdm, slot);
	start = ktime_get_ns();
	ret = spdm_hash(spdm->shash, chain, total, s->chain_digest);
	spdm_stats_time(&spdm->stats.crypto_ns, start);
	if (ret) {
		kvfree(chain);
		return ret;
	}
	s->chain = chain;
	s->chain_len = total;
	s->chain_hash = spdm->hash->bit;
	s->certs_off = SPDM_CHAIN_HDR_SIZE + spdm->hash->size;
	return 0;
}

/*
 * Is the chain we hold for @slot the one DIGESTS names?  Its hash is taken
 * once, when it arrives, so a cached re-authentication hashes nothing.
 */
static bool spdm_chain_matches(struct spdm_state *spdm, u8 slot)
{
	const struct spdm_slot *s = &spdm->slots[slot];

	return s->chain && s->chain_hash == spdm->hash->bit &&
	       !memcmp(s->chain_digest, s->digest, spdm->hash->size);
}

/*
 * The transport's own check of the leaf (e.g. the PCIe CMA identity) runs
 * at every authentication, also with a cached chain, so that a change of
 * its policy takes effect at the next one.
 */
static int spdm_check_leaf(struct spdm_state *spdm, u8 slot)
{
	const struct spdm_slot *s = &spdm->slots[slot];
	char why[SPDM_ERROR_LEN] = "";
	int ret;

	if (!spdm->ops->validate_leaf)
		return 0;
	ret = spdm->ops->validate_leaf(spdm->priv, s->chain + s->leaf_off,
				       s->leaf_len, why, sizeof(why));
	if (ret)
		return spdm_fail(spdm, ret, "slot %u leaf certificate: %s",
				 slot, why);
	return 0;
}

static int spdm_validate_slot(struct spdm_state *spdm, u8 slot)
{
	struct spdm_slot *s = &spdm->slots[slot];
	char why[SPDM_ERROR_LEN] = "";
	unsigned int verified = 0;
	struct public_key *leaf;
	const u8 *der;
	u64 start;
	int ret;

	if (s->validated && spdm->leaf_slot == slot && spdm->leaf_key)
		return spdm_check_leaf(spdm, slot);
	start = ktime_get_ns();
	ret = spdm_validate_chain(spdm->keyring, spdm->asym, spdm->hash,
				  spdm->shash, s->chain, s->chain_len, &leaf,
				  &der, &s->leaf_len, &verified, why,
				  sizeof(why));
	spdm_stats_time(&spdm->stats.crypto_ns, start);
	spdm->stats.verifies += verified;
	if (ret)
		return spdm_fail(spdm, ret, "slot %u certificate chain: %s",
				 slot, why);
	s->leaf_off = der - s->chain;
	ret = spdm_check_leaf(spdm, slot);
	if (ret) {
		public_key_free(leaf);
		return ret;
	}
	if (spdm->leaf_key)
		public_key_free(spdm->leaf_key);
	spdm->leaf_key = leaf;
	spdm->leaf_slot = slot;
	s->validated = true;
	return 0;
}

/**
 * spdm_get_digests_and_certs() - GET_DIGESTS, then every changed chain
 * @spdm: state after negotiation, locked
 * @slot: slot to use, -1 for the lowest provisioned; set to the slot used
 *
 * Begins the M1/M2 transcript.  A chain whose digest equals the one we
 * hold is not retrieved again, and a validated chain is not validated
 * again.
 *
 * Return: 0 or a negative errno.
 */
int spdm_get_digests_and_certs(struct spdm_state *spdm, int *slot)
{
	size_t h = spdm->hash->size, rsp_len;
	const u8 *digests;
	u8 provisioned;
	int len, ret, i, n;

	/* The sig event carries the transcript: keep it for listeners */
	spdm->transcript.keep = spdm_keep_transcript ||
				spdm_netlink_sig_listeners();
	ret = spdm_transcript_begin(spdm);
	if (ret)
		return ret;

	len = spdm_encode_header(spdm->req, spdm->max_msg_size, spdm->version,
				 SPDM_GET_DIGESTS, 0, 0);
	ret = spdm_exchange(spdm, len, SPDM_ST1_US, &rsp_len);
	if (ret)
		return ret;
	ret = spdm_decode_digests(spdm->rsp, rsp_len, spdm->version, h,
				  &provisioned, &digests);
	ret = spdm_record(spdm, len, rsp_len, ret, "DIGESTS");
	if (ret)
		return ret;
	if (!provisioned)
		return spdm_fail(spdm, -ENXIO, "no certificate slot provisioned");
	if (*slot < 0)
		*slot = __ffs(provisioned);
	else if (!(provisioned & BIT(*slot)))
		return spdm_fail(spdm, -ENOENT,
				 "slot %d not provisioned (slots 0x%02x)",
				 *slot, provisioned);

	/* Keep the digests: spdm->rsp is reused by GET_CERTIFICATE */
	spdm->provisioned = provisioned;
	for (i = 0, n = 0; i < SPDM_MAX_SLOTS; i++) {
		if (provisioned & BIT(i))
			memcpy(spdm->slots[i].digest, digests + n++ * h, h);
		else
			spdm_drop_slot(spdm, i);
	}

	for (i = 0; i < SPDM_MAX_SLOTS; i++) {
		if (!(provisioned & BIT(i)))
			continue;
		if (spdm_chain_matches(spdm, i))
			continue;
		ret = spdm_get_chain(spdm, i);
		if (ret)
			return ret;
		if (!spdm_chain_matches(spdm, i))
			return spdm_fail(spdm, -ESTALE,
					 "slot %d chain does not match its digest",
					 i);
	}
	return spdm_validate_slot(spdm, *slot);
}

/**
 * spdm_challenge() - CHALLENGE and verify CHALLENGE_AUTH
 * @spdm: state with the transcript holding VCA, DIGESTS and certificates
 * @slot: slot whose leaf key signs
 * @nonce: requester nonce
 * @context: RequesterContext (1.3)
 *
 * DSP0274 10.8.  The responder's Nonce must be its own fresh random value:
 * one that echoes ours, repeats its previous one or is all zeros is
 * refused.
 *
 * Return: 0 if the signature verifies, else a negative errno.
 */
int spdm_challenge(struct spdm_state *spdm, int slot, const u8 *nonce,
		   const u8 *context)
{
	size_t rsp_len, req_nonce_off, rsp_nonce_off;
	struct spdm_challenge_auth rsp;
	int len, ret;

	len = spdm_encode_challenge(spdm->req, spdm->max_msg_size,
				    spdm->version, slot, 0, nonce, context);
	ret = spdm_exchange(spdm, len, spdm_ct_us(spdm), &rsp_len);
	if (ret)
		return ret;
	ret = spdm_decode_challenge_auth(spdm->rsp, rsp_len, spdm->version,
					 spdm->hash->size, 0,
					 spdm->asym->sig_len, &rsp);
	ret = spdm_response_end(spdm, ret, rsp_len, "CHALLENGE_AUTH");
	if (ret)
		return ret;

	if (rsp.slot != slot)
		return spdm_fail(spdm, -EPROTO,
				 "CHALLENGE_AUTH for slot %u instead of %d",
				 rsp.slot, slot);
	if (memcmp(rsp.cert_chain_hash, spdm->slots[slot].digest,
		   spdm->hash->size))
		return spdm_fail(spdm, -ESTALE,
				 "CHALLENGE_AUTH CertChainHash does not match slot %d",
				 slot);
	if (!memcmp(rsp.nonce, nonce, SPDM_NONCE_SIZE))
		return spdm_fail(spdm, -EEXIST,
				 "CHALLENGE_AUTH nonce echoes the requester's nonce");
	if (!memchr_inv(rsp.nonce, 0, SPDM_NONCE_SIZE))
		return spdm_fail(spdm, -EEXIST,
				 "CHALLENGE_AUTH nonce is all zeros");
	if (!memcmp(rsp.nonce, spdm->last_rsp_nonce, SPDM_NONCE_SIZE))
		return spdm_fail(spdm, -EEXIST,
				 "CHALLENGE_AUTH nonce repeats the previous one");
	if (rsp.context && memcmp(rsp.context, context, SPDM_REQ_CONTEXT_SIZE))
		return spdm_fail(spdm, -EPROTO,
				 "CHALLENGE_AUTH RequesterContext differs from the request");

	/* Where the nonces sit in a kept transcript (for the sig event) */
	req_nonce_off = spdm->transcript.len + SPDM_HDR_SIZE;
	rsp_nonce_off = spdm->transcript.len + len + (rsp.nonce - spdm->rsp);
	ret = spdm_transcript_append(spdm, spdm->req, len);
	if (!ret)
		ret = spdm_transcript_append(spdm, spdm->rsp, rsp.sig_offset);
	if (ret)
		return ret;
	ret = spdm_verify_transcript(spdm, SPDM_CHALLENGE_CONTEXT, rsp.sig);
	if (ret)
		return spdm_fail(spdm, ret,
				 "CHALLENGE_AUTH signature does not verify with slot %d's leaf key",
				 slot);
	if (spdm->transcript.keep)
		spdm_netlink_sig(spdm, SPDM_SPDM_REQRSP_CODE_CHALLENGE_AUTH,
				 slot, 0, req_nonce_off, rsp_nonce_off,
				 rsp.sig, SPDM_CHALLENGE_CONTEXT);
	memcpy(spdm->last_rsp_nonce, rsp.nonce, SPDM_NONCE_SIZE);
	return 0;
}
