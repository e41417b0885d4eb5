// SPDX-License-Identifier: GPL-2.0-only
/*
 * spdmctl: SPDM signatures verified again with OpenSSL
 *
 * DSP0274 1.2+ clause 15: the signer signs combined_spdm_prefix ||
 * Hash(transcript); SPDM 1.0 and 1.1 sign the transcript itself.  ECDSA
 * signatures are r || s, each as long as the curve's order (clause 15,
 * "ECDSA signature"); RSASSA-PSS uses MGF1 with the same hash and a salt
 * as long as the hash.
 */
#include <string.h>

#include <linux/hash_info.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "spdmctl.h"

/*
 * The SHA-3 entries of enum hash_algo (include/uapi/linux/hash_info.h)
 * arrived in Linux 6.6; Debian 12's headers predate them, so they are
 * spelled out here, after STREEBOG_512 as in the kernel.
 */
enum {
	SPDMCTL_HASH_SHA3_256 = HASH_ALGO_STREEBOG_512 + 1,
	SPDMCTL_HASH_SHA3_384,
	SPDMCTL_HASH_SHA3_512,
};

/**
 * sig_hash_md() - the OpenSSL digest of a kernel hash_algo
 * @hash_algo: enum hash_algo, as in the sig event
 *
 * Return: the digest, or NULL for one SPDM does not use.
 */
const EVP_MD *sig_hash_md(uint16_t hash_algo)
{
	switch (hash_algo) {
	case HASH_ALGO_SHA256:
		return EVP_sha256();
	case HASH_ALGO_SHA384:
		return EVP_sha384();
	case HASH_ALGO_SHA512:
		return EVP_sha512();
	case SPDMCTL_HASH_SHA3_256:
		return EVP_sha3_256();
	case SPDMCTL_HASH_SHA3_384:
		return EVP_sha3_384();
	case SPDMCTL_HASH_SHA3_512:
		return EVP_sha3_512();
	}
	return NULL;
}

/**
 * sig_hash_name() - the name of a kernel hash_algo, as the spec calls it
 * @hash_algo: enum hash_algo
 *
 * Return: its name, or "unknown".
 */
const char *sig_hash_name(uint16_t hash_algo)
{
	switch (hash_algo) {
	case HASH_ALGO_SHA256:
		return "sha256";
	case HASH_ALGO_SHA384:
		return "sha384";
	case HASH_ALGO_SHA512:
		return "sha512";
	case SPDMCTL_HASH_SHA3_256:
		return "sha3-256";
	case SPDMCTL_HASH_SHA3_384:
		return "sha3-384";
	case SPDMCTL_HASH_SHA3_512:
		return "sha3-512";
	}
	return "unknown";
}

/**
 * sig_hash_by_name() - the kernel hash_algo of a name sig_hash_name() gives
 * @name: e.g. "sha384"
 *
 * Return: the enum hash_algo, or -1 for a name SPDM does not use.
 */
int sig_hash_by_name(const char *name)
{
	static const uint16_t algos[] = {
		HASH_ALGO_SHA256, HASH_ALGO_SHA384, HASH_ALGO_SHA512,
		SPDMCTL_HASH_SHA3_256, SPDMCTL_HASH_SHA3_384,
		SPDMCTL_HASH_SHA3_512,
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(algos); i++)
		if (!strcmp(name, sig_hash_name(algos[i])))
			return algos[i];
	return -1;
}

/* r || s as a DER ECDSA-Sig-Value; returns its length or -1 */
static int sig_ecdsa_der(const uint8_t *sig, size_t half, uint8_t **der)
{
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(sig, half, NULL);
	BIGNUM *s = BN_bin2bn(sig + half, half, NULL);
	int len = -1;

	if (es && r && s && ECDSA_SIG_set0(es, r, s)) {
		r = s = NULL;	/* owned by es now */
		*der = NULL;
		len = i2d_ECDSA_SIG(es, der);
	}
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	return len;
}

/**
 * sig_verify() - verify an SPDM signature
 * @key: the signer's public key (the leaf of the slot's chain)
 * @pss: RSASSA-PSS rather than RSASSA-PKCS1-v1_5 (RSA keys only)
 * @md: the negotiated hash
 * @prefix: the combined prefix (SPDM 1.2+), or NULL (1.0, 1.1)
 * @msg: the transcript the signature covers
 * @msg_len: its length
 * @sig: the signature in SPDM encoding
 * @sig_len: its length
 * @why: set to the reason when it fails
 *
 * Return: 0 if the signature verifies, -1 if not.
 */
int sig_verify(EVP_PKEY *key, bool pss, const EVP_MD *md,
	       const uint8_t *prefix, const uint8_t *msg, size_t msg_len,
	       const uint8_t *sig, size_t sig_len, const char **why)
{
	uint8_t signed_buf[SPDM_PREFIX_LEN + EVP_MAX_MD_SIZE];
	const uint8_t *data = msg, *s = sig;
	size_t data_len = msg_len, s_len = sig_len;
	EVP_PKEY_CTX *pctx = NULL;
	uint8_t *der = NULL;
	EVP_MD_CTX *ctx;
	unsigned int dlen;
	int ret = -1, rc;

	if (!md) {
		*why = "unknown hash algorithm";
		return -1;
	}
	if (prefix) {
		memcpy(signed_buf, prefix, SPDM_PREFIX_LEN);
		if (!EVP_Digest(msg, msg_len, signed_buf + SPDM_PREFIX_LEN,
				&dlen, md, NULL)) {
			*why = "cannot hash the transcript";
			return -1;
		}
		data = signed_buf;
		data_len = SPDM_PREFIX_LEN + dlen;
	}

	switch (EVP_PKEY_get_base_id(key)) {
	case EVP_PKEY_EC: {
		size_t half = (EVP_PKEY_get_bits(key) + 7) / 8;
		int len;

		if (sig_len != 2 * half) {
			*why = "signature length does not match the curve";
			return -1;
		}
		len = sig_ecdsa_der(sig, half, &der);
		if (len < 0) {
			*why = "cannot encode the ECDSA signature";
			return -1;
		}
		s = der;
		s_len = len;
		break;
	}
	case EVP_PKEY_RSA:
		if (sig_len != (size_t)EVP_PKEY_get_size(key)) {
			*why = "signature length does not match the RSA key";
			return -1;
		}
		break;
	default:
		*why = "the leaf key is neither ECDSA nor RSA";
		return -1;
	}

	ctx = EVP_MD_CTX_new();
	if (!ctx || EVP_DigestVerifyInit(ctx, &pctx, md, NULL, key) != 1) {
		*why = "cannot set up the verification";
		goto out;
	}
	if (pss && EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA &&
	    (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx,
					      RSA_PSS_SALTLEN_DIGEST) != 1 ||
	     EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) != 1)) {
		*why = "cannot set up RSASSA-PSS";
		goto out;
	}
	rc = EVP_DigestVerify(ctx, s, s_len, data, data_len);
	if (rc == 1)
		ret = 0;
	else
		*why = "the signature does not verify";
out:
	EVP_MD_CTX_free(ctx);
	OPENSSL_free(der);
	return ret;
}

/**
 * sig_leaf_key() - the public key of the last certificate of a chain
 * @chain: DER certificates back to back, root first
 * @len: their length
 * @why: set to the reason when it fails
 *
 * Return: the key (EVP_PKEY_free() it), or NULL.
 */
EVP_PKEY *sig_leaf_key(const uint8_t *chain, size_t len, const char **why)
{
	const uint8_t *p = chain, *end = chain + len;
	X509 *leaf = NULL;
	EVP_PKEY *key;

	while (p < end) {
		X509_free(leaf);
		leaf = d2i_X509(NULL, &p, end - p);
		if (!leaf) {
			*why = "a certificate of the chain does not parse";
			return NULL;
		}
	}
	if (!leaf) {
		*why = "the chain is empty";
		return NULL;
	}
	key = X509_get_pubkey(leaf);
	X509_free(leaf);
	if (!key)
		*why = "the leaf certificate has no usable key";
	return key;
}
