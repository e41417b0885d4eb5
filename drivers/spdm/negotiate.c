// SPDX-License-Identifier: GPL-2.0-only
/*
 * kspdm: GET_VERSION, GET_CAPABILITIES and NEGOTIATE_ALGORITHMS (VCA),
 * DSP0274 10.3 to 10.5
 */

#include <linux/bitops.h>
#include <linux/slab.h>

#include "spdm_internal.h"

/* Versions this requester speaks: bit n is 1.n */
#define SPDM_SUPPORTED_VERSIONS	(BIT(0) | BIT(1) | BIT(2) | BIT(3))

/* Capabilities the requester announces: none needed for authentication */
#define SPDM_REQ_CAPS		0

/* Responder capabilities authentication relies on */
#define SPDM_NEEDED_CAPS	(SPDM_CAP_CERT | SPDM_CAP_CHAL)

static int spdm_get_version(struct spdm_state *spdm)
{
	size_t rsp_len;
	int len, ret;

	len = spdm_encode_header(spdm->req, spdm->max_msg_size, SPDM_VER_10,
				 SPDM_GET_VERSION, 0, 0);
	ret = spdm_exchange(spdm, len, SPDM_ST1_US, &rsp_len);
	if (ret)
		return ret;
	ret = spdm_decode_version(spdm->rsp, rsp_len, SPDM_SUPPORTED_VERSIONS,
				  &spdm->version);
	if (ret == -EPROTONOSUPPORT)
		return spdm_fail(spdm, ret, "VERSION offers none of 1.0 to 1.3");
	return spdm_record(spdm, len, rsp_len, ret, "VERSION");
}

static int spdm_get_capabilities(struct spdm_state *spdm)
{
	struct spdm_caps req = {
		.flags = SPDM_REQ_CAPS,
		.data_transfer_size = spdm->max_msg_size,
		.max_msg_size = spdm->max_msg_size,
	};
	size_t rsp_len;
	int len, ret;

	len = spdm_encode_get_capabilities(spdm->req, spdm->max_msg_size,
					   spdm->version, &req);
	ret = spdm_exchange(spdm, len, SPDM_ST1_US, &rsp_len);
	if (ret)
		return ret;
	ret = spdm_decode_capabilities(spdm->rsp, rsp_len, spdm->version,
				       &spdm->rsp_caps);
	ret = spdm_record(spdm, len, rsp_len, ret, "CAPABILITIES");
	if (ret)
		return ret;
	if ((spdm->rsp_caps.flags & SPDM_NEEDED_CAPS) != SPDM_NEEDED_CAPS)
		return spdm_fail(spdm, -EOPNOTSUPP,
				 "responder cannot be authenticated: capabilities 0x%08x lack CERT_CAP and CHAL_CAP",
				 spdm->rsp_caps.flags);
	return 0;
}

static bool spdm_one_of(u32 sel, u32 offered)
{
	return hweight32(sel) == 1 && (sel & offered);
}

static int spdm_use_hash(struct spdm_state *spdm,
			 const struct spdm_hash_info *hash)
{
	struct crypto_shash *tfm;
	struct shash_desc *desc;

	if (spdm->hash == hash && spdm->shash)
		return 0;
	tfm = crypto_alloc_shash(hash->name, 0, 0);
	if (IS_ERR(tfm))
		return spdm_fail(spdm, PTR_ERR(tfm), "cannot allocate %s",
				 hash->name);
	desc = kzalloc(sizeof(*desc) + crypto_shash_descsize(tfm), GFP_KERNEL);
	if (!desc) {
		crypto_free_shash(tfm);
		return -ENOMEM;
	}
	crypto_free_shash(spdm->shash);
	kfree_sensitive(spdm->transcript.desc);
	spdm->shash = tfm;
	spdm->transcript.desc = desc;
	spdm->hash = hash;
	return 0;
}

static int spdm_negotiate_algorithms(struct spdm_state *spdm)
{
	struct spdm_algs offer = {
		.meas_spec = SPDM_MEAS_SPEC_DMTF,
		.base_asym = spdm_supported_asym,
		.base_hash = spdm_supported_hash,
	};
	struct spdm_algs *sel = &spdm->algs;
	const struct spdm_hash_info *hash;
	const struct spdm_alg_info *asym;
	size_t rsp_len;
	int len, ret;

	len = spdm_encode_negotiate_algorithms(spdm->req, spdm->max_msg_size,
					       spdm->version, &offer);
	ret = spdm_exchange(spdm, len, SPDM_ST1_US, &rsp_len);
	if (ret)
		return ret;
	ret = spdm_decode_algorithms(spdm->rsp, rsp_len, spdm->version, sel);
	ret = spdm_record(spdm, len, rsp_len, ret, "ALGORITHMS");
	if (ret)
		return ret;

	/* DSP0274 10.5: exactly one of what was offered */
	if (!spdm_one_of(sel->base_asym, offer.base_asym))
		return spdm_fail(spdm, -EPROTO,
				 "ALGORITHMS selects signature algorithms 0x%x, offered 0x%x",
				 sel->base_asym, offer.base_asym);
	if (!spdm_one_of(sel->base_hash, offer.base_hash))
		return spdm_fail(spdm, -EPROTO,
				 "ALGORITHMS selects hash algorithms 0x%x, offered 0x%x",
				 sel->base_hash, offer.base_hash);
	if (spdm->rsp_caps.flags & (SPDM_CAP_MEAS_NOSIG | SPDM_CAP_MEAS_SIG)) {
		if (sel->meas_spec != SPDM_MEAS_SPEC_DMTF ||
		    hweight32(sel->meas_hash) != 1)
			return spdm_fail(spdm, -EPROTO,
					 "ALGORITHMS selects measurement specification 0x%x and hash 0x%x",
					 sel->meas_spec, sel->meas_hash);
	} else if (sel->meas_hash) {
		return spdm_fail(spdm, -EPROTO,
				 "ALGORITHMS selects measurement hash 0x%x without MEAS_CAP",
				 sel->meas_hash);
	}

	asym = spdm_asym_info(sel->base_asym);
	hash = spdm_hash_info(sel->base_hash);
	if (!asym || !hash)
		return spdm_fail(spdm, -ENOPKG, "selected algorithm unknown");
	spdm->asym = asym;
	return spdm_use_hash(spdm, hash);
}

/**
 * spdm_negotiate() - run GET_VERSION, GET_CAPABILITIES, NEGOTIATE_ALGORITHMS
 * @spdm: state, locked
 *
 * The transcript restarts here; on success it holds VCA.
 *
 * Return: 0 or a negative errno.
 */
int spdm_negotiate(struct spdm_state *spdm)
{
	int ret;

	spdm_transcript_reset(spdm);
	spdm->version = 0;
	ret = spdm_get_version(spdm);
	if (!ret)
		ret = spdm_get_capabilities(spdm);
	if (!ret)
		ret = spdm_negotiate_algorithms(spdm);
	if (ret) {
		spdm->version = 0;
		return ret;
	}
	spdm_transcript_vca_done(spdm);
	return 0;
}
