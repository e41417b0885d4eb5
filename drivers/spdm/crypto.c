// SPDX-License-Identifier: GPL-2.0-only
/*
 * kspdm: hashes, transcripts and signature verification with the kernel's
 * crypto API
 *
 * ECDSA and RSASSA-PKCS1-v1_5 go through public_key_verify_signature().
 * Linux 6.12 has no RSASSA-PSS verifier, so EMSA-PSS-VERIFY (RFC 8017
 * 9.1.2) is implemented here on top of the raw "rsa" akcipher.
 */

#include <kunit/visibility.h>
#include <crypto/akcipher.h>
#include <crypto/utils.h>
#include <crypto/hash.h>
#include <crypto/hash_info.h>
#include <crypto/internal/rsa.h>
#include <crypto/public_key.h>
#include <linux/bitops.h>
#include <linux/cleanup.h>
#include <linux/crypto.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/unaligned.h>

#include "spdm_internal.h"

static const struct spdm_hash_info spdm_hashes[] = {
	{ SPDM_HASH_SHA256, "sha256", 32, HASH_ALGO_SHA256 },
	{ SPDM_HASH_SHA384, "sha384", 48, HASH_ALGO_SHA384 },
	{ SPDM_HASH_SHA512, "sha512", 64, HASH_ALGO_SHA512 },
	{ SPDM_HASH_SHA3_256, "sha3-256", 32, HASH_ALGO_SHA3_256 },
	{ SPDM_HASH_SHA3_384, "sha3-384", 48, HASH_ALGO_SHA3_384 },
	{ SPDM_HASH_SHA3_512, "sha3-512", 64, HASH_ALGO_SHA3_512 },
};

static const struct spdm_alg_info spdm_asyms[] = {
	{ SPDM_ASYM_RSASSA_2048, "rsassa2048", "rsa", 2048, 256, false },
	{ SPDM_ASYM_RSAPSS_2048, "rsapss2048", "rsa", 2048, 256, true },
	{ SPDM_ASYM_RSASSA_3072, "rsassa3072", "rsa", 3072, 384, false },
	{ SPDM_ASYM_RSAPSS_3072, "rsapss3072", "rsa", 3072, 384, true },
	{ SPDM_ASYM_ECDSA_P256, "ecdsa-p256", "ecdsa-nist-p256", 256, 64, false },
	{ SPDM_ASYM_RSASSA_4096, "rsassa4096", "rsa", 4096, 512, false },
	{ SPDM_ASYM_RSAPSS_4096, "rsapss4096", "rsa", 4096, 512, true },
	{ SPDM_ASYM_ECDSA_P384, "ecdsa-p384", "ecdsa-nist-p384", 384, 96, false },
	{ SPDM_ASYM_ECDSA_P521, "ecdsa-p521", "ecdsa-nist-p521", 521, 132, false },
};

/* What this kernel's crypto API provides, probed at module load */
u32 spdm_supported_asym;
EXPORT_SYMBOL_IF_KUNIT(spdm_supported_asym);
u32 spdm_supported_hash;
EXPORT_SYMBOL_IF_KUNIT(spdm_supported_hash);

/**
 * spdm_hash_info() - look up a BaseHashAlgo bit
 * @bit: exactly one BaseHashAlgo bit
 *
 * Return: the table entry, or NULL if unknown.
 */
const struct spdm_hash_info *spdm_hash_info(u32 bit)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(spdm_hashes); i++)
		if (spdm_hashes[i].bit == bit)
			return &spdm_hashes[i];
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(spdm_hash_info);

/**
 * spdm_asym_info() - look up a BaseAsymAlgo bit
 * @bit: exactly one BaseAsymAlgo bit
 *
 * Return: the table entry, or NULL if unknown.
 */
const struct spdm_alg_info *spdm_asym_info(u32 bit)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(spdm_asyms); i++)
		if (spdm_asyms[i].bit == bit)
			return &spdm_asyms[i];
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(spdm_asym_info);

/**
 * spdm_crypto_probe() - find out which algorithms the kernel can verify
 *
 * Only algorithms whose transforms exist are offered in
 * NEGOTIATE_ALGORITHMS.  RSA needs the raw "rsa" transform (PSS) and a
 * PKCS#1 v1.5 instance with one of the hashes.
 *
 * Return: 0, or -ENOPKG if no hash or no signature algorithm is available.
 */
int spdm_crypto_probe(void)
{
	bool rsa, pkcs1 = false;
	int i;

	spdm_supported_hash = 0;
	spdm_supported_asym = 0;
	for (i = 0; i < ARRAY_SIZE(spdm_hashes); i++)
		if (crypto_has_shash(spdm_hashes[i].name, 0, 0))
			spdm_supported_hash |= spdm_hashes[i].bit;

	rsa = crypto_has_alg("rsa", CRYPTO_ALG_TYPE_AKCIPHER,
			     CRYPTO_ALG_TYPE_MASK);
	if (rsa)
		pkcs1 = crypto_has_alg("pkcs1pad(rsa,sha256)", 0, 0);
	for (i = 0; i < ARRAY_SIZE(spdm_asyms); i++) {
		const struct spdm_alg_info *a = &spdm_asyms[i];
		bool ok;

		if (strcmp(a->pkey_algo, "rsa"))
			ok = crypto_has_alg(a->pkey_algo, 0, 0);
		else
			ok = a->rsa_pss ? rsa : pkcs1;
		if (ok)
			spdm_supported_asym |= a->bit;
	}
	if (!spdm_supported_hash || !spdm_supported_asym)
		return -ENOPKG;
	return 0;
}

/**
 * spdm_hash() - one-shot digest
 * @tfm: hash transform
 * @buf: data
 * @len: its length
 * @out: digest
 *
 * Return: 0 or a negative errno from the crypto API.
 */
int spdm_hash(struct crypto_shash *tfm, const void *buf, size_t len, u8 *out)
{
	return crypto_shash_tfm_digest(tfm, buf, len, out);
}
EXPORT_SYMBOL_IF_KUNIT(spdm_hash);

/* Grow the kept transcript; the cap bounds what a responder can make us hold */
#define SPDM_TRANSCRIPT_MAX	(1024 * 1024)

static int spdm_transcript_store(struct spdm_transcript *t, const void *buf,
				 size_t len)
{
	if (len > SPDM_TRANSCRIPT_MAX - t->len)
		return -ENOBUFS;
	if (t->len + len > t->cap) {
		size_t cap = max(t->cap * 2, t->len + len);
		u8 *p;

		cap = min_t(size_t, max_t(size_t, cap, 512), SPDM_TRANSCRIPT_MAX);
		p = krealloc(t->buf, cap, GFP_KERNEL);
		if (!p)
			return -ENOMEM;
		t->buf = p;
		t->cap = cap;
	}
	memcpy(t->buf + t->len, buf, len);
	t->len += len;
	return 0;
}

/**
 * spdm_transcript_reset() - forget everything (a new GET_VERSION follows)
 * @spdm: state
 */
void spdm_transcript_reset(struct spdm_state *spdm)
{
	struct spdm_transcript *t = &spdm->transcript;

	t->len = 0;
	t->vca_len = 0;
	t->hashing = false;
}
EXPORT_SYMBOL_IF_KUNIT(spdm_transcript_reset);

/**
 * spdm_transcript_vca_done() - mark the end of VCA
 * @spdm: state, with the hash negotiated
 *
 * DSP0274 10.5: VCA ends with ALGORITHMS.  It is kept so that every later
 * transcript (M1/M2, L1/L2, TH) can start with it.
 */
void spdm_transcript_vca_done(struct spdm_state *spdm)
{
	spdm->transcript.vca_len = spdm->transcript.len;
}
EXPORT_SYMBOL_IF_KUNIT(spdm_transcript_vca_done);

/**
 * spdm_transcript_begin() - start a transcript that begins with VCA
 * @spdm: state
 *
 * Return: 0 or a negative errno from the crypto API.
 */
int spdm_transcript_begin(struct spdm_state *spdm)
{
	struct spdm_transcript *t = &spdm->transcript;
	u64 start = ktime_get_ns();
	int ret;

	t->len = t->vca_len;
	t->desc->tfm = spdm->shash;
	ret = crypto_shash_init(t->desc);
	if (!ret)
		ret = crypto_shash_update(t->desc, t->buf, t->vca_len);
	t->hashing = !ret;
	spdm_stats_time(&spdm->stats.crypto_ns, start);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(spdm_transcript_begin);

/**
 * spdm_transcript_begin_l() - start L1/L2
 * @spdm: state
 *
 * DSP0274 10.11: L1/L2 begins with VCA from SPDM 1.2 on and is only the
 * measurement exchanges before.  A kept transcript still holds VCA at its
 * start either way, for the transcripts that follow.
 *
 * Return: 0 or a negative errno from the crypto API.
 */
int spdm_transcript_begin_l(struct spdm_state *spdm)
{
	struct spdm_transcript *t = &spdm->transcript;
	int ret;

	if (spdm->version >= SPDM_VER_12)
		return spdm_transcript_begin(spdm);
	t->len = t->vca_len;
	t->desc->tfm = spdm->shash;
	ret = crypto_shash_init(t->desc);
	t->hashing = !ret;
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(spdm_transcript_begin_l);

/**
 * spdm_transcript_append() - add a message to the transcript
 * @spdm: state
 * @buf: message
 * @len: its length
 *
 * Before negotiation completes the bytes are stored (VCA); afterwards they
 * are hashed, and stored too when the transcript is kept.
 *
 * Return: 0, -ENOBUFS beyond 1 MiB, or another negative errno.
 */
int spdm_transcript_append(struct spdm_state *spdm, const void *buf,
			   size_t len)
{
	struct spdm_transcript *t = &spdm->transcript;
	int ret;

	if (t->hashing) {
		u64 start = ktime_get_ns();

		ret = crypto_shash_update(t->desc, buf, len);
		spdm_stats_time(&spdm->stats.crypto_ns, start);
		if (ret || !t->keep)
			return ret;
	}
	return spdm_transcript_store(t, buf, len);
}
EXPORT_SYMBOL_IF_KUNIT(spdm_transcript_append);

/**
 * spdm_transcript_final() - finish the transcript hash
 * @spdm: state
 * @digest: output, hash size bytes
 *
 * Return: 0, -EINVAL if no transcript was begun, or a crypto API errno.
 */
int spdm_transcript_final(struct spdm_state *spdm, u8 *digest)
{
	struct spdm_transcript *t = &spdm->transcript;
	u64 start = ktime_get_ns();
	int ret;

	if (!t->hashing)
		return -EINVAL;
	t->hashing = false;
	ret = crypto_shash_final(t->desc, digest);
	spdm_stats_time(&spdm->stats.crypto_ns, start);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(spdm_transcript_final);

/**
 * spdm_transcript_free() - release a transcript's memory
 * @t: transcript
 */
void spdm_transcript_free(struct spdm_transcript *t)
{
	kfree(t->buf);
	kfree_sensitive(t->desc);
	memset(t, 0, sizeof(*t));
}
EXPORT_SYMBOL_IF_KUNIT(spdm_transcript_free);

/* Append one DER INTEGER holding the unsigned big-endian @n of @len bytes */
static size_t spdm_der_uint(u8 *out, const u8 *n, size_t len)
{
	size_t o = 0;

	while (len > 1 && !*n) {
		n++;
		len--;
	}
	out[o++] = 0x02;
	out[o++] = len + (*n >> 7);
	if (*n & 0x80)
		out[o++] = 0;
	memcpy(out + o, n, len);
	return o + len;
}

/*
 * DSP0274 Table "Signature encodings": ECDSA signatures are r || s.  The
 * kernel's ECDSA in 6.12 takes X9.62 DER, SEQUENCE { INTEGER r, INTEGER s }.
 * @der must hold 2 * (half + 3) + 3 bytes.
 */
static size_t spdm_ecdsa_to_der(u8 *der, const u8 *sig, size_t sig_len)
{
	size_t half = sig_len / 2, body, hdr;
	u8 tmp[2 * (SPDM_MAX_SIG_SIZE / 4 + 3)];

	body = spdm_der_uint(tmp, sig, half);
	body += spdm_der_uint(tmp + body, sig + half, half);
	der[0] = 0x30;
	if (body < 0x80) {
		der[1] = body;
		hdr = 2;
	} else {
		der[1] = 0x81;
		der[2] = body;
		hdr = 3;
	}
	memcpy(der + hdr, tmp, body);
	return hdr + body;
}

static int spdm_verify_pubkey_api(const struct public_key *pub,
				  const struct spdm_alg_info *asym,
				  const struct spdm_hash_info *hash,
				  const u8 *digest, const u8 *sig)
{
	u8 der[2 * (SPDM_MAX_SIG_SIZE / 4 + 3) + 3];
	struct public_key_signature s = {
		.digest = (u8 *)digest,
		.digest_size = hash->size,
		.hash_algo = hash->name,
	};

	if (strcmp(asym->pkey_algo, "rsa")) {
		s.s = der;
		s.s_size = spdm_ecdsa_to_der(der, sig, asym->sig_len);
		s.pkey_algo = "ecdsa";
		s.encoding = "x962";
	} else {
		s.s = (u8 *)sig;
		s.s_size = asym->sig_len;
		s.pkey_algo = "rsa";
		s.encoding = "pkcs1";
	}
	return public_key_verify_signature(pub, &s);
}

/* MGF1 (RFC 8017 B.2.1): XOR the mask generated from @seed into @db */
static int spdm_mgf1_xor(struct crypto_shash *tfm, const u8 *seed,
			 size_t seed_len, u8 *db, size_t db_len)
{
	SHASH_DESC_ON_STACK(desc, tfm);
	u8 block[SPDM_MAX_HASH_SIZE];
	size_t hlen = crypto_shash_digestsize(tfm);
	size_t off, i;
	u32 counter;
	int ret = 0;

	desc->tfm = tfm;
	for (off = 0, counter = 0; off < db_len; off += hlen, counter++) {
		__be32 c = cpu_to_be32(counter);

		ret = crypto_shash_init(desc);
		if (!ret)
			ret = crypto_shash_update(desc, seed, seed_len);
		if (!ret)
			ret = crypto_shash_finup(desc, (u8 *)&c, sizeof(c),
						 block);
		if (ret)
			break;
		for (i = 0; i < hlen && off + i < db_len; i++)
			db[off + i] ^= block[i];
	}
	shash_desc_zero(desc);
	return ret;
}

/*
 * EMSA-PSS-VERIFY (RFC 8017 9.1.2) with MGF1 over the same hash and a salt
 * as long as the hash, as DSP0274 requires for RSASSA-PSS.  @em holds the
 * k-byte result of the public-key operation.
 */
static int spdm_emsa_pss_verify(struct crypto_shash *tfm, const u8 *mhash,
				u8 *em, size_t k, unsigned int mod_bits)
{
	static const u8 zeros[8];
	size_t hlen = crypto_shash_digestsize(tfm), slen = hlen;
	unsigned int em_bits = mod_bits - 1;
	size_t em_len = DIV_ROUND_UP(em_bits, 8), db_len, i;
	u8 top_mask = 0xff >> (8 * em_len - em_bits);
	u8 h[SPDM_MAX_HASH_SIZE];
	u8 *db, *hp;
	int ret;

	/* The integer is k bytes; EM is its low em_len bytes */
	for (i = 0; i < k - em_len; i++)
		if (em[i])
			return -EKEYREJECTED;
	em += k - em_len;

	if (em_len < hlen + slen + 2 || em[em_len - 1] != 0xbc)
		return -EKEYREJECTED;
	db_len = em_len - hlen - 1;
	db = em;
	hp = em + db_len;
	if (db[0] & ~top_mask)
		return -EKEYREJECTED;
	ret = spdm_mgf1_xor(tfm, hp, hlen, db, db_len);
	if (ret)
		return ret;
	db[0] &= top_mask;
	for (i = 0; i < db_len - slen - 1; i++)
		if (db[i])
			return -EKEYREJECTED;
	if (db[db_len - slen - 1] != 0x01)
		return -EKEYREJECTED;

	{
		SHASH_DESC_ON_STACK(desc, tfm);

		desc->tfm = tfm;
		ret = crypto_shash_init(desc);
		if (!ret)
			ret = crypto_shash_update(desc, zeros, sizeof(zeros));
		if (!ret)
			ret = crypto_shash_update(desc, mhash, hlen);
		if (!ret)
			ret = crypto_shash_finup(desc, db + db_len - slen, slen,
						 h);
		shash_desc_zero(desc);
	}
	if (ret)
		return ret;
	return crypto_memneq(h, hp, hlen) ? -EKEYREJECTED : 0;
}

/**
 * spdm_rsa_modulus_bits() - size of an RSA public key's modulus
 * @pub: public key with pkey_algo "rsa"
 *
 * Return: the number of bits, or a negative errno if the key is malformed.
 */
int spdm_rsa_modulus_bits(const struct public_key *pub)
{
	struct rsa_key raw = {};
	const u8 *n;
	size_t n_sz;
	int ret;

	ret = rsa_parse_pub_key(&raw, pub->key, pub->keylen);
	if (ret)
		return ret;
	n = raw.n;
	n_sz = raw.n_sz;
	while (n_sz && !*n) {
		n++;
		n_sz--;
	}
	if (!n_sz)
		return -EBADMSG;
	return 8 * (n_sz - 1) + fls(*n);
}

static int spdm_verify_rsa_pss(const struct public_key *pub,
			       const struct spdm_alg_info *asym,
			       const struct spdm_hash_info *hash,
			       const u8 *digest, const u8 *sig)
{
	size_t k = asym->sig_len;
	int bits, ret;
	struct crypto_akcipher *rsa __free(crypto_free_akcipher) = NULL;
	struct crypto_shash *tfm __free(crypto_free_shash) = NULL;
	u8 *em __free(kfree) = NULL;

	bits = spdm_rsa_modulus_bits(pub);
	if (bits < 0)
		return bits;
	if (DIV_ROUND_UP(bits, 8) != k)
		return -EKEYREJECTED;

	rsa = crypto_alloc_akcipher("rsa", 0, 0);
	if (IS_ERR(rsa))
		return PTR_ERR(rsa);
	tfm = crypto_alloc_shash(hash->name, 0, 0);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	ret = crypto_akcipher_set_pub_key(rsa, pub->key, pub->keylen);
	if (ret)
		return ret;
	if (crypto_akcipher_maxsize(rsa) != k)
		return -EKEYREJECTED;

	em = kzalloc(k, GFP_KERNEL);
	if (!em)
		return -ENOMEM;
	/*
	 * RSAVP1: the raw public-key operation, which rejects s >= n and
	 * writes the k-byte result left-padded with zeros.
	 */
	ret = crypto_akcipher_sync_encrypt(rsa, sig, k, em, k);
	if (ret)
		return ret == -EINVAL ? -EKEYREJECTED : ret;
	return spdm_emsa_pss_verify(tfm, digest, em, k, bits);
}

/**
 * spdm_verify() - verify a signature over a digest
 * @pub: signer's public key
 * @asym: signature algorithm (its key type must match @pub)
 * @hash: hash algorithm that produced @digest
 * @digest: the digest (hash size bytes)
 * @sig: the signature in SPDM encoding (asym->sig_len bytes)
 *
 * Return: 0 if the signature is valid, -EKEYREJECTED if not, another
 * negative errno if it could not be checked.
 */
int spdm_verify(const struct public_key *pub,
		const struct spdm_alg_info *asym,
		const struct spdm_hash_info *hash,
		const u8 *digest, const u8 *sig)
{
	int ret;

	if (strcmp(pub->pkey_algo, asym->pkey_algo))
		return -EKEYREJECTED;
	if (asym->rsa_pss)
		ret = spdm_verify_rsa_pss(pub, asym, hash, digest, sig);
	else
		ret = spdm_verify_pubkey_api(pub, asym, hash, digest, sig);
	/* ECDSA reports a mismatch as -EKEYREJECTED, PKCS#1 as -EBADMSG */
	if (ret == -EBADMSG || ret == -EINVAL)
		ret = -EKEYREJECTED;
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(spdm_verify);

/**
 * spdm_verify_transcript() - verify a responder signature over the transcript
 * @spdm: state, with a transcript begun and every signed byte appended
 * @context: signing context for the 1.2+ combined prefix
 * @sig: the signature
 *
 * DSP0274 1.2 15: from 1.2 on the signed message is combined_spdm_prefix ||
 * Hash(transcript), which RSA and ECDSA hash once more; before 1.2 the
 * transcript's hash is what is signed.
 *
 * Return: 0, -EKEYREJECTED for a bad signature, or another negative errno.
 */
int spdm_verify_transcript(struct spdm_state *spdm, const char *context,
			   const u8 *sig)
{
	u8 msg[SPDM_PREFIX_SIZE + SPDM_MAX_HASH_SIZE];
	u8 digest[SPDM_MAX_HASH_SIZE];
	size_t h = spdm->hash->size;
	u64 start;
	int ret;

	if (spdm->version >= SPDM_VER_12) {
		ret = spdm_build_prefix(msg, spdm->version, context);
		if (ret)
			return ret;
		ret = spdm_transcript_final(spdm, msg + SPDM_PREFIX_SIZE);
		if (ret)
			return ret;
		start = ktime_get_ns();
		ret = spdm_hash(spdm->shash, msg, SPDM_PREFIX_SIZE + h, digest);
	} else {
		ret = spdm_transcript_final(spdm, digest);
		start = ktime_get_ns();
	}
	if (!ret) {
		ret = spdm_verify(spdm->leaf_key, spdm->asym, spdm->hash,
				  digest, sig);
		spdm->stats.verifies++;
	}
	spdm_stats_time(&spdm->stats.crypto_ns, start);
	return ret;
}
