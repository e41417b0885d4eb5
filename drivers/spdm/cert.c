// SPDX-License-Identifier: GPL-2.0-only
/*
 * kspdm: certificate chain validation against the trusted keyrings
 *
 * The certificates are parsed by the kernel's X.509 parser through the
 * asymmetric key type's preparse operation, without creating keys, and
 * chained with public_key_verify_signature().  The parser refuses
 * certificates on the kernel's blacklist.
 */

#include <kunit/visibility.h>
#include <crypto/public_key.h>
#include <keys/asymmetric-parser.h>
#include <keys/asymmetric-subtype.h>
#include <keys/asymmetric-type.h>
#include <linux/key-type.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/slab.h>

#include "spdm_internal.h"

struct spdm_cert {
	const u8 *der;
	size_t len;
	struct key_preparsed_payload prep;
};

static const struct public_key *spdm_cert_pub(const struct spdm_cert *c)
{
	return c->prep.payload.data[asym_crypto];
}

static const struct public_key_signature *spdm_cert_sig(const struct spdm_cert *c)
{
	return c->prep.payload.data[asym_auth];
}

static const struct asymmetric_key_ids *spdm_cert_ids(const struct spdm_cert *c)
{
	return c->prep.payload.data[asym_key_ids];
}

static bool spdm_cert_has(const struct spdm_cert *c, unsigned int flag)
{
	return spdm_cert_pub(c)->key_eflags & BIT(flag);
}

/* Issuer of @c is the subject of @parent */
static bool spdm_cert_issued_by(const struct spdm_cert *c,
				const struct spdm_cert *parent)
{
	return asymmetric_key_id_same(spdm_cert_sig(c)->auth_ids[2],
				      spdm_cert_ids(parent)->id[2]);
}

/*
 * Further keyrings whose keys anchor chains for every state, named by
 * serial number in the trusted_keyrings module parameter, so that an admin
 * can trust the kernel's builtin, secondary or platform keyrings, which a
 * module cannot reach by name.
 */
#define SPDM_MAX_EXTRA_KEYRINGS	4

static DEFINE_MUTEX(spdm_extra_lock);
static struct key *spdm_extra[SPDM_MAX_EXTRA_KEYRINGS];

static void spdm_put_keyrings(struct key **krs)
{
	int i;

	for (i = 0; i < SPDM_MAX_EXTRA_KEYRINGS; i++)
		key_put(krs[i]);
}

/**
 * spdm_set_trusted_keyrings() - replace the further trusted keyrings
 * @val: comma-separated keyring serial numbers (decimal or 0x hex), or ""
 *
 * Return: 0, -EINVAL for a malformed list or more than
 * SPDM_MAX_EXTRA_KEYRINGS entries, -ENOKEY for a serial that names no
 * key, -ENOTDIR for a key that is not a keyring.
 */
int spdm_set_trusted_keyrings(const char *val)
{
	char *buf __free(kfree) = kstrdup(val, GFP_KERNEL);
	struct key *krs[SPDM_MAX_EXTRA_KEYRINGS] = {};
	char *cur = buf, *tok;
	int n = 0, ret = 0;

	if (!buf)
		return -ENOMEM;
	while ((tok = strsep(&cur, ",\n")) && !ret) {
		s32 serial;
		struct key *k;

		if (!*tok)
			continue;
		if (n == SPDM_MAX_EXTRA_KEYRINGS || kstrtos32(tok, 0, &serial) ||
		    serial <= 0) {
			ret = -EINVAL;
			break;
		}
		k = key_lookup(serial);
		if (IS_ERR(k)) {
			ret = -ENOKEY;
			break;
		}
		krs[n++] = k;
		if (k->type != &key_type_keyring)
			ret = -ENOTDIR;
	}
	if (ret) {
		spdm_put_keyrings(krs);
		return ret;
	}

	scoped_guard(mutex, &spdm_extra_lock) {
		for (n = 0; n < SPDM_MAX_EXTRA_KEYRINGS; n++)
			swap(spdm_extra[n], krs[n]);
	}
	spdm_put_keyrings(krs);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(spdm_set_trusted_keyrings);

static int spdm_param_set_keyrings(const char *val,
				   const struct kernel_param *kp)
{
	return spdm_set_trusted_keyrings(val);
}

static int spdm_param_get_keyrings(char *buf, const struct kernel_param *kp)
{
	int i, len = 0;

	guard(mutex)(&spdm_extra_lock);
	for (i = 0; i < SPDM_MAX_EXTRA_KEYRINGS && spdm_extra[i]; i++)
		len += sysfs_emit_at(buf, len, "%s%d", i ? "," : "",
				     key_serial(spdm_extra[i]));
	len += sysfs_emit_at(buf, len, "\n");
	return len;
}

static const struct kernel_param_ops spdm_keyrings_ops = {
	.set = spdm_param_set_keyrings,
	.get = spdm_param_get_keyrings,
};
module_param_cb(trusted_keyrings, &spdm_keyrings_ops, NULL, 0644);
MODULE_PARM_DESC(trusted_keyrings,
		 "Serials of further keyrings with trusted roots, e.g. .builtin_trusted_keys");

/**
 * spdm_cert_exit() - drop the further trusted keyrings at module unload
 */
void spdm_cert_exit(void)
{
	guard(mutex)(&spdm_extra_lock);
	spdm_put_keyrings(spdm_extra);
	memset(spdm_extra, 0, sizeof(spdm_extra));
}

/* Whether the X.509 parser took @c for self-signed, and so verified it */
static bool spdm_cert_self_signed(const struct spdm_cert *c)
{
	const struct public_key_signature *sig = spdm_cert_sig(c);
	const struct asymmetric_key_ids *ids = spdm_cert_ids(c);

	if (!spdm_cert_issued_by(c, c))
		return false;
	if (!sig->auth_ids[0] && !sig->auth_ids[1])
		return true;
	return asymmetric_key_id_same(ids->id[0], sig->auth_ids[0]) ||
	       asymmetric_key_id_same(ids->id[1], sig->auth_ids[1]);
}

/* Is @key a public key equal to @pub? */
static bool spdm_same_key(const struct key *key, const struct public_key *pub)
{
	const struct public_key *k;

	if (asymmetric_key_subtype(key) != &public_key_subtype)
		return false;
	k = asymmetric_key_public_key(key);
	return k && !strcmp(k->pkey_algo, pub->pkey_algo) &&
	       k->keylen == pub->keylen && !memcmp(k->key, pub->key, k->keylen);
}

/*
 * Is @c's own key in @keyring?  Then @c stands for a trust anchor: a root
 * the admin trusts, sent back in the chain, needs no signature checked to
 * be found trusted.  The lookup is by @c's own key identifiers, so that
 * roots sharing a name do not hide each other.
 */
static bool spdm_holds_key(struct key *keyring, const struct spdm_cert *c)
{
	const struct asymmetric_key_ids *ids = spdm_cert_ids(c);
	struct key *key;
	bool same;

	if (!ids->id[0] && !ids->id[1])
		return false;
	key = find_asymmetric_key(keyring, ids->id[1] ? NULL : ids->id[0],
				  ids->id[1], NULL, false);
	if (IS_ERR(key))
		return false;
	same = spdm_same_key(key, spdm_cert_pub(c));
	key_put(key);
	return same;
}

/* Is @c signed by a key in @keyring?  Counts in @verified what it checks. */
static int spdm_signed_by(struct key *keyring, const struct spdm_cert *c,
			  unsigned int *verified)
{
	const struct public_key_signature *sig = spdm_cert_sig(c);
	struct key *key;
	int ret;

	if (!sig->auth_ids[0] && !sig->auth_ids[1] && !sig->auth_ids[2])
		return -ENOKEY;
	key = find_asymmetric_key(keyring, sig->auth_ids[0], sig->auth_ids[1],
				  sig->auth_ids[2], false);
	if (IS_ERR(key))
		return -ENOKEY;
	ret = verify_signature(key, sig);
	(*verified)++;
	key_put(key);
	return ret ? -ENOKEY : 0;
}

/* Is @c, or its signer, in @keyring? */
static bool spdm_anchored_by(struct key *keyring, const struct spdm_cert *c,
			     unsigned int *verified)
{
	return spdm_holds_key(keyring, c) ||
	       !spdm_signed_by(keyring, c, verified);
}

/* Is @c, or its signer, in @keyring or a further trusted keyring? */
static bool spdm_cert_trusted(struct key *keyring, const struct spdm_cert *c,
			      unsigned int *verified)
{
	int i;

	if (spdm_anchored_by(keyring, c, verified))
		return true;

	guard(mutex)(&spdm_extra_lock);
	for (i = 0; i < SPDM_MAX_EXTRA_KEYRINGS && spdm_extra[i]; i++)
		if (spdm_anchored_by(spdm_extra[i], c, verified))
			return true;
	return false;
}

/* Is the leaf's key of the negotiated kind and size? */
static int spdm_leaf_fits(const struct public_key *pub,
			  const struct spdm_alg_info *asym)
{
	if (strcmp(pub->pkey_algo, asym->pkey_algo))
		return -EPERM;
	if (!strcmp(asym->pkey_algo, "rsa") &&
	    spdm_rsa_modulus_bits(pub) != asym->key_bits)
		return -EPERM;
	return 0;
}

static int spdm_parse_certs(const u8 *der, size_t len, struct spdm_cert *certs,
			    unsigned int *count, unsigned int *verified,
			    char *why, size_t why_len)
{
	unsigned int n = 0;
	int ret;

	while (len) {
		struct spdm_cert *c = &certs[n];
		size_t clen;

		if (n == SPDM_MAX_CHAIN_CERTS) {
			snprintf(why, why_len, "more than %u certificates",
				 SPDM_MAX_CHAIN_CERTS);
			return -ELOOP;
		}
		ret = spdm_der_cert_len(der, len, &clen);
		if (ret) {
			snprintf(why, why_len,
				 "certificate %u is not a DER sequence", n);
			return ret;
		}
		c->der = der;
		c->len = clen;
		c->prep.data = der;
		c->prep.datalen = clen;
		ret = key_type_asymmetric.preparse(&c->prep);
		if (ret) {
			if (ret == -EKEYREJECTED) {
				snprintf(why, why_len,
					 "certificate %u is blacklisted or its self-signature is bad",
					 n);
				ret = -EKEYREVOKED;
			} else {
				snprintf(why, why_len,
					 "certificate %u cannot be parsed (%d)",
					 n, ret);
				ret = ret == -ENOPKG ? ret : -EBADMSG;
			}
			return ret;
		}
		*count = ++n;
		if (!spdm_cert_sig(c)) {
			snprintf(why, why_len,
				 "certificate %u has an unsupported signature",
				 n - 1);
			return -ENOPKG;
		}
		if (spdm_cert_self_signed(c))
			(*verified)++;
		der += clen;
		len -= clen;
	}
	return 0;
}

/**
 * spdm_validate_chain() - validate an SPDM certificate chain
 * @keyring: trusted roots
 * @asym: negotiated signature algorithm, which the leaf key must fit
 * @hash: negotiated hash algorithm (RootHash)
 * @shash: transform for @hash
 * @chain: the chain as retrieved (Length, Reserved, RootHash, DER)
 * @len: its length
 * @leaf_key: on success the leaf's public key, to be freed with
 *	public_key_free()
 * @leaf_der: on success the leaf certificate inside @chain
 * @leaf_len: its length
 * @verified: incremented by the number of signatures verified (the X.509
 *	parser verifies those of self-signed certificates)
 * @why: on failure the reason in words
 * @why_len: size of @why
 *
 * DSP0274 10.7.1 and its certificate requirements: every certificate but
 * the leaf must be a CA allowed to sign certificates and must sign the
 * next one; one certificate must hold a trusted key or be signed by one;
 * RootHash must be the hash of the first certificate when that is a
 * self-signed root; the leaf must allow digital signatures with a key of
 * the negotiated algorithm.
 *
 * Return: 0, or -EBADMSG (malformed), -ELOOP (too many certificates),
 * -EUCLEAN (RootHash mismatch), -EPERM (constraints), -EKEYREJECTED (bad
 * signature in the chain), -EKEYREVOKED (blacklisted), -ENOKEY (no
 * trusted root), -ENOPKG (unsupported algorithm), -ENOMEM.
 */
int spdm_validate_chain(struct key *keyring,
			const struct spdm_alg_info *asym,
			const struct spdm_hash_info *hash,
			struct crypto_shash *shash,
			const u8 *chain, size_t len,
			struct public_key **leaf_key, const u8 **leaf_der,
			size_t *leaf_len, unsigned int *verified, char *why,
			size_t why_len)
{
	u8 digest[SPDM_MAX_HASH_SIZE];
	const u8 *root_hash, *der;
	struct spdm_cert *certs, *leaf;
	unsigned int n = 0, i;
	bool anchored = false;
	size_t der_len;
	int ret;

	ret = spdm_chain_split(chain, len, hash->size, &root_hash, &der,
			       &der_len);
	if (ret) {
		snprintf(why, why_len, "length field does not match %zu bytes",
			 len);
		return ret;
	}

	certs = kcalloc(SPDM_MAX_CHAIN_CERTS, sizeof(*certs), GFP_KERNEL);
	if (!certs)
		return -ENOMEM;
	ret = spdm_parse_certs(der, der_len, certs, &n, verified, why, why_len);
	if (ret)
		goto out;

	/* RootHash is checkable when the chain starts with its root */
	if (spdm_cert_issued_by(&certs[0], &certs[0])) {
		ret = spdm_hash(shash, certs[0].der, certs[0].len, digest);
		if (ret)
			goto out;
		if (memcmp(digest, root_hash, hash->size)) {
			snprintf(why, why_len,
				 "RootHash is not the hash of the root certificate");
			ret = -EUCLEAN;
			goto out;
		}
	}

	for (i = 0; i < n; i++) {
		const struct spdm_cert *c = &certs[i];

		if (i + 1 < n && (!spdm_cert_has(c, KEY_EFLAG_CA) ||
				  !spdm_cert_has(c, KEY_EFLAG_KEYCERTSIGN))) {
			snprintf(why, why_len,
				 "certificate %u is not a CA allowed to sign certificates",
				 i);
			ret = -EPERM;
			goto out;
		}
		if (i) {
			if (!spdm_cert_issued_by(c, &certs[i - 1])) {
				snprintf(why, why_len,
					 "certificate %u was not issued by certificate %u",
					 i, i - 1);
				ret = -EKEYREJECTED;
				goto out;
			}
			ret = public_key_verify_signature(spdm_cert_pub(&certs[i - 1]),
							  spdm_cert_sig(c));
			(*verified)++;
			if (ret) {
				snprintf(why, why_len,
					 "certificate %u is not signed by certificate %u (%d)",
					 i, i - 1, ret);
				ret = -EKEYREJECTED;
				goto out;
			}
		}
		if (!anchored && spdm_cert_trusted(keyring, c, verified))
			anchored = true;
	}
	if (!anchored) {
		snprintf(why, why_len, "no certificate is signed by a trusted root");
		ret = -ENOKEY;
		goto out;
	}

	leaf = &certs[n - 1];
	if (!spdm_cert_has(leaf, KEY_EFLAG_DIGITALSIG)) {
		snprintf(why, why_len, "leaf key usage lacks digitalSignature");
		ret = -EPERM;
		goto out;
	}
	if (spdm_leaf_fits(spdm_cert_pub(leaf), asym)) {
		snprintf(why, why_len, "leaf key (%s) does not fit %s",
			 spdm_cert_pub(leaf)->pkey_algo, asym->name);
		ret = -EPERM;
		goto out;
	}
	*leaf_der = leaf->der;
	*leaf_len = leaf->len;
	*leaf_key = leaf->prep.payload.data[asym_crypto];
	leaf->prep.payload.data[asym_crypto] = NULL;
	ret = 0;
out:
	for (i = 0; i < n; i++)
		key_type_asymmetric.free_preparse(&certs[i].prep);
	kfree(certs);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(spdm_validate_chain);
