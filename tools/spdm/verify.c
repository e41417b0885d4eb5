// SPDX-License-Identifier: GPL-2.0-only
/*
 * spdmctl: verify an evidence file again, without the kernel
 *
 * The checks of tools/spdm/EVIDENCE.md, each reported on a line of its
 * own: the file's format, the certificate chain (OpenSSL), the signature
 * over L1/L2 (sig.c), the transcript itself, decoded with the kernel's
 * codec (drivers/spdm/wire.c), the measurement blocks against it and
 * the requester's nonce against the one given.  The file is hostile until
 * proven otherwise: every length and offset is checked before it is used.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/spdm.h>
#include <linux/unaligned.h>
#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "spdmctl.h"
/* After <linux/spdm.h>: it defines some SPDM_MEAS_TYPE_* as macros */
#include "wire.h"

/* MeasurementHashAlgo: raw bit stream only */
#define MEAS_HASH_RAW_ONLY	0x1

enum result {
	CHECK_OK,
	CHECK_FAIL,
	CHECK_SKIPPED,
};

static const char *const result_names[] = {
	[CHECK_OK] = "ok",
	[CHECK_FAIL] = "FAIL",
	[CHECK_SKIPPED] = "skipped",
};

struct verify {
	const char *file;
	const char *ca;
	bool have_nonce;
	uint8_t nonce[SPDM_NONCE_LEN];
	struct json_object *checks;	/* -j */
	unsigned int failed;
	bool root_trusted;
};

/* What the transcript holds, found by walking it */
struct walk {
	bool done;			/* decoded to its end */
	struct spdm_meas_block *blocks;
	size_t num_blocks;
	size_t cap;
	unsigned int exchanges;
	const uint8_t *req_nonce;	/* of the signed request */
	const uint8_t *rsp_nonce;
};

static void report(struct verify *v, const char *check, enum result r,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int why_set(char *why, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* One line of the output, or an element of the "checks" array with -j */
static void report(struct verify *v, const char *check, enum result r,
		   const char *fmt, ...)
{
	char detail[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (r == CHECK_FAIL)
		v->failed++;
	if (json_out) {
		struct json_object *o = json_object_new_object();

		json_add_str(o, "check", check);
		json_add_str(o, "result", r == CHECK_FAIL ? "fail" :
					  result_names[r]);
		json_add_str(o, "detail", detail);
		json_object_array_add(v->checks, o);
	} else {
		printf("%s: %s: %s\n", check, result_names[r], detail);
	}
}

/* Put the reason in @why; returns -1 */
static int why_set(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
	return -1;
}

/* ------------------------------------------------------------------ */
/* Reading the file                                                     */
/* ------------------------------------------------------------------ */

static int read_file(const char *path, size_t max, char **buf, size_t *len,
		     char *why, size_t size)
{
	FILE *f = fopen(path, "rb");
	size_t n = 0, cap = 0;
	char *p = NULL, *q;

	if (!f)
		return why_set(why, size, "%s: %s", path, strerror(errno));
	for (;;) {
		size_t got;

		if (n == cap) {
			cap = cap ? 2 * cap : 65536;
			q = realloc(p, cap + 1);
			if (!q) {
				free(p);
				fclose(f);
				return why_set(why, size, "%s: out of memory",
					       path);
			}
			p = q;
		}
		got = fread(p + n, 1, cap - n, f);
		n += got;
		if (n > max) {
			free(p);
			fclose(f);
			return why_set(why, size, "%s: larger than %zu bytes",
				       path, max);
		}
		if (!got)
			break;
	}
	if (ferror(f)) {
		free(p);
		fclose(f);
		return why_set(why, size, "%s: cannot read it", path);
	}
	fclose(f);
	p[n] = '\0';
	*buf = p;
	*len = n;
	return 0;
}

/* The JSON value that is the whole of @buf, and nothing after it */
static struct json_object *parse_json(const char *buf, size_t len, char *why,
				      size_t size)
{
	struct json_tokener *tok = json_tokener_new();
	enum json_tokener_error err;
	struct json_object *obj;
	size_t end;

	if (!tok) {
		why_set(why, size, "out of memory");
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
			       JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, buf, len);
	err = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (!obj || err != json_tokener_success) {
		json_object_put(obj);
		if (err == json_tokener_continue || err == json_tokener_success)
			why_set(why, size, "the JSON ends early");
		else
			why_set(why, size, "not JSON: %s at byte %zu",
				json_tokener_error_desc(err), end);
		return NULL;
	}
	for (; end < len; end++) {
		if (!strchr(" \t\r\n", buf[end]) || !buf[end]) {
			json_object_put(obj);
			why_set(why, size, "more after the JSON object, at byte %zu",
				end);
			return NULL;
		}
	}
	return obj;
}

/* ------------------------------------------------------------------ */
/* The certificate chain                                                */
/* ------------------------------------------------------------------ */

/* Whether @key is of @asym's kind and size */
static int key_matches(EVP_PKEY *key, const struct asym_info *asym,
		       char *why, size_t size)
{
	char group[64];
	size_t glen;
	int nid;

	if (asym->rsa) {
		if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA)
			return why_set(why, size, "the leaf key is not an RSA key (%s)",
				       asym->name);
		if (EVP_PKEY_get_bits(key) != asym->bits)
			return why_set(why, size, "the leaf key has %d bits, not %d (%s)",
				       EVP_PKEY_get_bits(key), asym->bits,
				       asym->name);
		return 0;
	}
	if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC)
		return why_set(why, size, "the leaf key is not an EC key (%s)",
			       asym->name);
	if (!EVP_PKEY_get_group_name(key, group, sizeof(group), &glen))
		return why_set(why, size, "the leaf key's curve is unknown");
	nid = OBJ_sn2nid(group);
	if (nid == NID_undef)
		nid = EC_curve_nist2nid(group);
	if (nid != asym->curve)
		return why_set(why, size, "the leaf key is on curve %s, not that of %s",
			       group, asym->name);
	return 0;
}

/* The certificates of a --ca file: PEM, or DER back to back */
static STACK_OF(X509) *load_ca(const char *path, char *why, size_t size)
{
	STACK_OF(X509) *sk = sk_X509_new_null();
	const uint8_t *p, *end;
	size_t len;
	char *buf;
	BIO *bio;
	X509 *x;

	if (!sk) {
		why_set(why, size, "out of memory");
		return NULL;
	}
	if (read_file(path, 16 * 1024 * 1024, &buf, &len, why, size)) {
		sk_X509_free(sk);
		return NULL;
	}
	bio = BIO_new_mem_buf(buf, len);
	while (bio && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)))
		sk_X509_push(sk, x);
	BIO_free(bio);
	ERR_clear_error();
	if (!sk_X509_num(sk)) {
		p = (const uint8_t *)buf;
		end = p + len;
		while (p < end && (x = d2i_X509(NULL, &p, end - p)))
			sk_X509_push(sk, x);
		if (p != end) {
			sk_X509_pop_free(sk, X509_free);
			sk = NULL;
		}
		ERR_clear_error();
	}
	free(buf);
	if (!sk || !sk_X509_num(sk)) {
		sk_X509_pop_free(sk, X509_free);
		why_set(why, size, "%s holds no certificate (PEM or DER)", path);
		return NULL;
	}
	return sk;
}

/*
 * Check the chain and return the leaf's key (whatever the verdict, if
 * the leaf parses), for the signature check.
 */
/* @cert is validly self-signed, or issued and signed by one of @cas */
static bool first_signed(X509 *cert, STACK_OF(X509) *cas)
{
	int i;

	if (X509_check_issued(cert, cert) == X509_V_OK)
		return X509_self_signed(cert, 1) == 1;
	for (i = 0; i < sk_X509_num(cas); i++) {
		X509 *ca = sk_X509_value(cas, i);

		if (X509_check_issued(ca, cert) == X509_V_OK &&
		    X509_verify(cert, X509_get0_pubkey(ca)) == 1)
			return true;
	}
	return false;
}

static EVP_PKEY *check_chain(struct verify *v, const struct evidence *ev,
			     const struct asym_info *asym)
{
	const uint8_t *p = ev->chain, *end = ev->chain + ev->chain_len;
	STACK_OF(X509) *certs = sk_X509_new_null(), *cas = NULL;
	X509_STORE_CTX *ctx = NULL;
	X509_STORE *store = NULL;
	EVP_PKEY *key = NULL;
	char why[256] = "";
	X509 *leaf = NULL;
	int i, n;

	if (!certs) {
		report(v, "chain", CHECK_FAIL, "out of memory");
		return NULL;
	}
	while (p < end) {
		X509 *x = d2i_X509(NULL, &p, end - p);

		if (!x) {
			report(v, "chain", CHECK_FAIL,
			       "certificate %d does not parse",
			       sk_X509_num(certs));
			goto out;
		}
		sk_X509_push(certs, x);
	}
	n = sk_X509_num(certs);
	leaf = sk_X509_value(certs, n - 1);
	key = X509_get_pubkey(leaf);
	if (!key) {
		report(v, "chain", CHECK_FAIL, "the leaf certificate has no usable key");
		goto out;
	}

	/* In order: each issued and signed by the one before it */
	for (i = 1; i < n; i++) {
		X509 *issuer = sk_X509_value(certs, i - 1);
		X509 *cert = sk_X509_value(certs, i);

		if (X509_check_issued(issuer, cert) != X509_V_OK ||
		    X509_verify(cert, X509_get0_pubkey(issuer)) != 1) {
			report(v, "chain", CHECK_FAIL,
			       "certificate %d is not issued and signed by certificate %d",
			       i, i - 1);
			goto out;
		}
	}

	/* And valid to a trust anchor */
	store = X509_STORE_new();
	ctx = X509_STORE_CTX_new();
	if (!store || !ctx) {
		report(v, "chain", CHECK_FAIL, "out of memory");
		goto out;
	}
	if (v->ca) {
		cas = load_ca(v->ca, why, sizeof(why));
		if (!cas) {
			report(v, "chain", CHECK_FAIL, "--ca: %s", why);
			goto out;
		}
		for (i = 0; i < sk_X509_num(cas); i++)
			X509_STORE_add_cert(store, sk_X509_value(cas, i));
		/*
		 * The path to the anchor may skip the chain's first
		 * certificate, but it is evidence too: it must be signed, by
		 * itself or by one of the trusted certificates.
		 */
		if (!first_signed(sk_X509_value(certs, 0), cas)) {
			report(v, "chain", CHECK_FAIL,
			       "certificate 0 is neither validly self-signed nor signed by a certificate of %s",
			       v->ca);
			goto out;
		}
	} else {
		X509 *root = sk_X509_value(certs, 0);

		if (X509_self_signed(root, 1) != 1) {
			report(v, "chain", CHECK_FAIL,
			       "the first certificate is not self-signed, and no --ca was given to anchor it");
			goto out;
		}
		X509_STORE_add_cert(store, root);
	}
	X509_VERIFY_PARAM_set_flags(X509_STORE_get0_param(store),
				    X509_V_FLAG_PARTIAL_CHAIN);
	if (!X509_STORE_CTX_init(ctx, store, leaf, certs)) {
		report(v, "chain", CHECK_FAIL, "cannot set up the validation");
		goto out;
	}
	if (X509_verify_cert(ctx) != 1) {
		report(v, "chain", CHECK_FAIL, "%s%s",
		       X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)),
		       v->ca ? "" : " (anchored in its own first certificate)");
		goto out;
	}

	if (key_matches(key, asym, why, sizeof(why))) {
		report(v, "chain", CHECK_FAIL, "%s", why);
		goto out;
	}
	if (!(X509_get_key_usage(leaf) & KU_DIGITAL_SIGNATURE)) {
		report(v, "chain", CHECK_FAIL,
		       "the leaf certificate's key usage does not allow digital signatures");
		goto out;
	}
	v->root_trusted = !!v->ca;
	if (v->ca)
		report(v, "chain", CHECK_OK,
		       "%d certificate%s, each issued and signed by the one before it, valid to a certificate of %s; leaf key %s",
		       n, n == 1 ? "" : "s", v->ca, asym->name);
	else
		report(v, "chain", CHECK_OK,
		       "%d certificate%s, each issued and signed by the one before it, valid to its own self-signed root; leaf key %s; WARNING: the root was NOT checked against a trusted root (no --ca)",
		       n, n == 1 ? "" : "s", asym->name);
out:
	ERR_clear_error();
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	sk_X509_pop_free(cas, X509_free);
	sk_X509_pop_free(certs, X509_free);
	return key;
}

/* ------------------------------------------------------------------ */
/* The signature                                                        */
/* ------------------------------------------------------------------ */

static void check_signature(struct verify *v, const struct evidence *ev,
			    const struct asym_info *asym, EVP_PKEY *key)
{
	uint8_t prefix[SPDM_PREFIX_SIZE];
	const char *reason = NULL;
	char why[256];

	if (!key) {
		report(v, "signature", CHECK_FAIL, "no leaf key to verify it with");
		return;
	}
	if (key_matches(key, asym, why, sizeof(why))) {
		report(v, "signature", CHECK_FAIL, "%s", why);
		return;
	}
	if (ev->version >= SPDM_VER_12) {
		if (spdm_build_prefix(prefix, ev->version, MEAS_CONTEXT) ||
		    !ev->has_prefix ||
		    memcmp(prefix, ev->prefix, SPDM_PREFIX_SIZE)) {
			report(v, "signature", CHECK_FAIL,
			       "combined_spdm_prefix is not that of SPDM %u.%u measurements",
			       ev->version >> 4, ev->version & 0xf);
			return;
		}
	}
	if (sig_verify(key, asym->pss, sig_hash_md(ev->hash_algo),
		       ev->version >= SPDM_VER_12 ? prefix : NULL,
		       ev->transcript, ev->transcript_len, ev->sig, ev->sig_len,
		       &reason)) {
		report(v, "signature", CHECK_FAIL, "%s", reason);
		return;
	}
	report(v, "signature", CHECK_OK, "%s with %s over %s", asym->name,
	       sig_hash_name(ev->hash_algo),
	       ev->version >= SPDM_VER_12 ?
	       "the combined prefix and the transcript's hash" :
	       "the transcript");
}

/* ------------------------------------------------------------------ */
/* The transcript                                                       */
/* ------------------------------------------------------------------ */

/* BaseHashAlgo bit of a hash name; MeasurementHashAlgo is one bit up */
static uint32_t hash_bit(const char *name)
{
	static const char *const names[] = {
		"sha256", "sha384", "sha512", "sha3-256", "sha3-384",
		"sha3-512",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(name, names[i]))
			return 1U << i;
	return 0;
}

/*
 * VCA before the first GET_MEASUREMENTS (1.2+): GET_VERSION, a VERSION
 * offering the version, GET_CAPABILITIES, CAPABILITIES,
 * NEGOTIATE_ALGORITHMS and an ALGORITHMS that selects the evidence's
 * algorithms, back to back up to meas_offset.
 */
static int check_vca(const struct evidence *ev, const struct asym_info *asym,
		     char *why, size_t size)
{
	const uint8_t *p = ev->transcript;
	size_t end = ev->meas_offset, off, len;
	uint32_t meas_hash, base_asym, base_hash, want;
	uint8_t ver = ev->version, sel;
	struct spdm_caps caps;
	int n;

	if (end < SPDM_HDR_SIZE || p[0] != SPDM_VER_10 ||
	    p[1] != SPDM_GET_VERSION)
		return why_set(why, size, "L1/L2 does not start with GET_VERSION");
	off = SPDM_HDR_SIZE;
	n = spdm_decode_version(p + off, end - off, 1U << (ver & 0xf), &sel);
	if (n == -EPROTONOSUPPORT)
		return why_set(why, size, "VERSION does not offer SPDM %u.%u",
			       ver >> 4, ver & 0xf);
	if (n < 0)
		return why_set(why, size, "no valid VERSION at %zu: %s", off,
			       strerror(-n));
	off += n;

	if (end - off < 20 || spdm_check_header(p + off, end - off, ver,
						SPDM_GET_CAPABILITIES))
		return why_set(why, size, "no GET_CAPABILITIES of SPDM %u.%u at %zu",
			       ver >> 4, ver & 0xf, off);
	/* Param1 bit 0 (1.3): CAPABILITIES with the supported algorithms */
	if (ver >= SPDM_VER_13 && p[off + 2] & 1)
		return why_set(why, size, "GET_CAPABILITIES at %zu asks for the supported algorithms, which kspdm never does",
			       off);
	off += 20;
	n = spdm_decode_capabilities(p + off, end - off, ver, &caps);
	if (n < 0)
		return why_set(why, size, "no valid CAPABILITIES at %zu: %s", off,
			       strerror(-n));
	off += n;

	if (end - off < 32 || spdm_check_header(p + off, end - off, ver,
						SPDM_NEGOTIATE_ALGORITHMS))
		return why_set(why, size, "no NEGOTIATE_ALGORITHMS of SPDM %u.%u at %zu",
			       ver >> 4, ver & 0xf, off);
	len = get_unaligned_le16(p + off + 4);
	if (len < 32 || len > end - off)
		return why_set(why, size, "NEGOTIATE_ALGORITHMS at %zu has a bad length",
			       off);
	off += len;

	if (end - off < 36 || spdm_check_header(p + off, end - off, ver,
						SPDM_ALGORITHMS))
		return why_set(why, size, "no ALGORITHMS of SPDM %u.%u at %zu",
			       ver >> 4, ver & 0xf, off);
	len = get_unaligned_le16(p + off + 4);
	if (len < 36 || len > end - off)
		return why_set(why, size, "ALGORITHMS at %zu has a bad length", off);
	meas_hash = get_unaligned_le32(p + off + 8);
	base_asym = get_unaligned_le32(p + off + 12);
	base_hash = get_unaligned_le32(p + off + 16);
	off += len;
	if (off != end)
		return why_set(why, size, "%zu bytes between ALGORITHMS and meas_offset",
			       end - off);

	if (base_asym != asym->spdm_bit)
		return why_set(why, size, "ALGORITHMS selects BaseAsymAlgo 0x%x, not %s",
			       base_asym, asym->name);
	if (base_hash != hash_bit(sig_hash_name(ev->hash_algo)))
		return why_set(why, size, "ALGORITHMS selects BaseHashAlgo 0x%x, not %s",
			       base_hash, sig_hash_name(ev->hash_algo));
	want = !strcmp(ev->meas_hash_algo, "raw") ? MEAS_HASH_RAW_ONLY :
		hash_bit(ev->meas_hash_algo) << 1;
	if (meas_hash != want)
		return why_set(why, size, "ALGORITHMS selects MeasurementHashAlgo 0x%x, not %s",
			       meas_hash, ev->meas_hash_algo);
	return 0;
}

static int walk_add(struct walk *w, const struct spdm_meas_block *b)
{
	if (w->num_blocks == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 16;
		struct spdm_meas_block *n;

		n = realloc(w->blocks, cap * sizeof(*n));
		if (!n)
			return -1;
		w->blocks = n;
		w->cap = cap;
	}
	w->blocks[w->num_blocks++] = *b;
	return 0;
}

static const int changed_of[] = {
	[SPDM_MEAS_CHANGED_UNKNOWN >> 4] = SPDM_MEAS_CHANGED_NOT_SUPPORTED,
	[SPDM_MEAS_CHANGED_YES >> 4] = SPDM_MEAS_CHANGED_CHANGED,
	[SPDM_MEAS_CHANGED_NO >> 4] = SPDM_MEAS_CHANGED_UNCHANGED,
};

/*
 * From meas_offset to the end: GET_MEASUREMENTS and MEASUREMENTS pairs,
 * only the last signed, everything as the evidence says.
 */
static int walk_meas(const struct evidence *ev, size_t meas_hash_len,
		     struct walk *w, char *why, size_t size)
{
	const uint8_t *t = ev->transcript;
	size_t len = ev->transcript_len, off = ev->meas_offset;
	uint8_t ver = ev->version;
	int count = -1;

	while (off < len) {
		uint8_t enc[SPDM_HDR_SIZE + SPDM_NONCE_SIZE + 1 +
			    SPDM_REQ_CONTEXT_SIZE];
		const uint8_t *req = t + off, *context = NULL, *nonce = NULL;
		struct spdm_meas_rsp rsp;
		struct spdm_meas_block b;
		size_t req_len, r, i;
		uint8_t attrs, op, slot = 0;
		bool sig;
		int n, m;

		if (w->req_nonce)
			return why_set(why, size, "%zu more bytes after the signed MEASUREMENTS, at %zu",
				       len - off, off);
		if (len - off < SPDM_HDR_SIZE || req[1] != SPDM_GET_MEASUREMENTS)
			return why_set(why, size, "no GET_MEASUREMENTS at %zu", off);
		if (req[0] != ver)
			return why_set(why, size, "GET_MEASUREMENTS at %zu is of SPDM version 0x%02x, not 0x%02x",
				       off, req[0], ver);
		attrs = req[2];
		op = req[3];
		sig = attrs & SPDM_MEAS_REQ_SIG;
		req_len = SPDM_HDR_SIZE;
		if (sig)
			req_len += SPDM_NONCE_SIZE + (ver >= SPDM_VER_11);
		if (ver >= SPDM_VER_13)
			req_len += SPDM_REQ_CONTEXT_SIZE;
		if (len - off < req_len)
			return why_set(why, size, "GET_MEASUREMENTS at %zu is cut short",
				       off);
		if (sig) {
			nonce = req + SPDM_HDR_SIZE;
			if (ver >= SPDM_VER_11)
				slot = req[SPDM_HDR_SIZE + SPDM_NONCE_SIZE];
		}
		if (ver >= SPDM_VER_13)
			context = req + req_len - SPDM_REQ_CONTEXT_SIZE;
		/* Encoded again by the kernel's encoder, it must be the same */
		n = spdm_encode_get_measurements(enc, sizeof(enc), ver, attrs, op,
						 nonce, slot, context);
		if (n < 0 || (size_t)n != req_len || memcmp(enc, req, n))
			return why_set(why, size, "GET_MEASUREMENTS at %zu is not valid (attributes 0x%02x)",
				       off, attrs);
		off += req_len;

		/* The signed response ends where its signature would start */
		n = spdm_decode_measurements(t + off, len - off, ver, op, sig, 0,
					     meas_hash_len, &rsp);
		if (n < 0)
			return why_set(why, size, "MEASUREMENTS at %zu does not decode: %s",
				       off, strerror(-n));
		if (context && memcmp(rsp.context, context,
				      SPDM_REQ_CONTEXT_SIZE))
			return why_set(why, size, "MEASUREMENTS at %zu does not echo the RequesterContext",
				       off);
		if (op == SPDM_MEAS_OP_COUNT)
			count = rsp.total_indices;
		for (r = 0; r < rsp.record_len; r += m) {
			m = spdm_decode_meas_block(rsp.record + r,
						   rsp.record_len - r, ver,
						   meas_hash_len, &b);
			if (m <= 0)
				return why_set(why, size, "a block at %zu does not decode",
					       (size_t)(rsp.record + r - t));
			if (walk_add(w, &b))
				return why_set(why, size, "out of memory");
		}
		w->exchanges++;
		if (sig) {
			if (slot != ev->slot || (ver >= SPDM_VER_11 &&
						 rsp.slot != ev->slot))
				return why_set(why, size, "the signed exchange names slot %u, not %d",
					       ver >= SPDM_VER_11 ? rsp.slot : slot,
					       ev->slot);
			if ((size_t)(nonce - t) != (uint64_t)ev->req_nonce_offset)
				return why_set(why, size, "req_nonce_offset is %lld, but the signed request's nonce is at %zu",
					       (long long)ev->req_nonce_offset,
					       (size_t)(nonce - t));
			if ((size_t)(rsp.nonce - t) !=
			    (uint64_t)ev->rsp_nonce_offset)
				return why_set(why, size, "rsp_nonce_offset is %lld, but the signed response's nonce is at %zu",
					       (long long)ev->rsp_nonce_offset,
					       (size_t)(rsp.nonce - t));
			if (!memcmp(rsp.nonce, nonce, SPDM_NONCE_SIZE))
				return why_set(why, size, "the responder's nonce repeats the requester's");
			for (i = 0; i < SPDM_NONCE_SIZE && !rsp.nonce[i]; i++)
				;
			if (i == SPDM_NONCE_SIZE)
				return why_set(why, size, "the responder's nonce is all zeros");
			if (ver >= SPDM_VER_12 && ev->content_changed >= 0 &&
			    changed_of[rsp.content_changed >> 4] !=
			    ev->content_changed)
				return why_set(why, size, "content_changed is %s, the signed response says %s",
					       meas_changed_name(ev->content_changed),
					       meas_changed_name(changed_of[rsp.content_changed >> 4]));
			w->req_nonce = nonce;
			w->rsp_nonce = rsp.nonce;
		}
		off += n;
	}
	if (!w->req_nonce)
		return why_set(why, size, "no GET_MEASUREMENTS asks for a signature");
	if (ev->count >= 0 && count != ev->count) {
		if (count < 0)
			return why_set(why, size, "count is %d, but the transcript has no count request",
				       ev->count);
		return why_set(why, size, "count is %d, the count response says %d",
			       ev->count, count);
	}
	w->done = true;
	return 0;
}

static void check_transcript(struct verify *v, const struct evidence *ev,
			     const struct asym_info *asym, struct walk *w)
{
	size_t meas_hash_len = 0;
	char why[256];

	if (strcmp(ev->meas_hash_algo, "raw"))
		meas_hash_len = EVP_MD_get_size(sig_hash_md(sig_hash_by_name(ev->meas_hash_algo)));
	if (ev->version >= SPDM_VER_12) {
		if (check_vca(ev, asym, why, sizeof(why))) {
			report(v, "transcript", CHECK_FAIL, "%s", why);
			return;
		}
	} else if (ev->meas_offset) {
		report(v, "transcript", CHECK_FAIL,
		       "meas_offset must be 0 before SPDM 1.2 (no VCA in L1/L2)");
		return;
	}
	if (walk_meas(ev, meas_hash_len, w, why, sizeof(why))) {
		report(v, "transcript", CHECK_FAIL, "%s", why);
		return;
	}
	report(v, "transcript", CHECK_OK,
	       "%s%u GET_MEASUREMENTS exchange%s, the last one signed by slot %d",
	       ev->version >= SPDM_VER_12 ? "VCA, then " : "", w->exchanges,
	       w->exchanges == 1 ? "" : "s", ev->slot);
}

/* ------------------------------------------------------------------ */
/* The measurements and the nonce                                       */
/* ------------------------------------------------------------------ */

static void check_measurements(struct verify *v, const struct evidence *ev,
			       const struct walk *w)
{
	size_t i;

	if (!w->done) {
		report(v, "measurements", CHECK_FAIL,
		       "cannot compare them: the transcript does not decode");
		return;
	}
	for (i = 0; i < ev->num_blocks && i < w->num_blocks; i++) {
		const struct meas_block *a = &ev->blocks[i];
		const struct spdm_meas_block *b = &w->blocks[i];

		if (a->index != b->index || a->type != b->type ||
		    a->raw != b->raw || a->len != b->value_len ||
		    memcmp(a->value, b->value, a->len)) {
			report(v, "measurements", CHECK_FAIL,
			       "measurements[%zu] (index %u) is not the transcript's block %zu (index %u)",
			       i, a->index, i, b->index);
			return;
		}
	}
	if (ev->num_blocks != w->num_blocks) {
		report(v, "measurements", CHECK_FAIL,
		       "%zu blocks listed, the transcript has %zu",
		       ev->num_blocks, w->num_blocks);
		return;
	}
	report(v, "measurements", CHECK_OK,
	       "%zu block%s, those of the transcript", ev->num_blocks,
	       ev->num_blocks == 1 ? "" : "s");
}

static void check_nonce(struct verify *v, const struct walk *w)
{
	char *hex;

	if (!w->req_nonce) {
		report(v, "nonce", CHECK_FAIL,
		       "the transcript has no signed request to take it from");
		return;
	}
	hex = hex_str(w->req_nonce, SPDM_NONCE_LEN);
	if (!v->have_nonce)
		report(v, "nonce", CHECK_SKIPPED,
		       "no --nonce given; the requester's nonce is %s",
		       hex ?: "?");
	else if (memcmp(w->req_nonce, v->nonce, SPDM_NONCE_LEN))
		report(v, "nonce", CHECK_FAIL,
		       "the requester's nonce is %s, not the one given",
		       hex ?: "?");
	else
		report(v, "nonce", CHECK_OK, "the requester's nonce is the one given");
	free(hex);
}

/* ------------------------------------------------------------------ */

static void print_verdict(struct verify *v, const char *device)
{
	bool ok = !v->failed;

	if (json_out) {
		struct json_object *o = json_object_new_object();

		json_add_str(o, "file", v->file);
		if (device)
			json_add_str(o, "device", device);
		json_object_object_add(o, "checks", v->checks);
		json_object_object_add(o, "root_trusted",
				       json_object_new_boolean(ok && v->root_trusted));
		json_object_object_add(o, "nonce_checked",
				       json_object_new_boolean(ok && v->have_nonce));
		json_object_object_add(o, "verified",
				       json_object_new_boolean(ok));
		json_print(o);
		json_object_put(o);
		v->checks = NULL;
		return;
	}
	if (!ok)
		printf("verdict: NOT verified (%u check%s failed)\n", v->failed,
		       v->failed == 1 ? "" : "s");
	else if (v->root_trusted && v->have_nonce)
		printf("verdict: verified\n");
	else
		printf("verdict: verified, but %s%s%s\n",
		       v->root_trusted ? "" :
		       "the root was not checked against a trusted root (no --ca)",
		       !v->root_trusted && !v->have_nonce ? " and " : "",
		       v->have_nonce ? "" :
		       "the nonce was not checked (no --nonce)");
}

/**
 * cmd_verify() - spdmctl verify: check an evidence file
 * @nl: unused: verify needs no kernel
 * @argc: the arguments after "verify"
 * @argv: them
 *
 * Return: EXIT_OK if every check holds, EXIT_FAIL if one does not or the
 * file cannot be read, EXIT_USAGE for a wrong command line.
 */
int cmd_verify(struct nl *nl, int argc, char **argv)
{
	struct verify v = { 0 };
	struct walk w = { 0 };
	const struct asym_info *asym;
	struct json_object *obj = NULL;
	struct evidence ev;
	char why[256], *buf = NULL;
	EVP_PKEY *key;
	size_t len;
	int i;

	(void)nl;
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--ca")) {
			if (!argv[i + 1])
				return usage_err("--ca takes a certificate file%s", "");
			v.ca = argv[++i];
		} else if (!strcmp(argv[i], "--nonce")) {
			if (!argv[i + 1] || parse_hex(argv[i + 1], v.nonce,
						      sizeof(v.nonce)) < 0)
				return usage_err("--nonce takes 64 hex digits (32 bytes), not '%s'",
						 argv[i + 1] ?: "nothing");
			v.have_nonce = true;
			i++;
		} else if ((argv[i][0] == '-' && argv[i][1]) || v.file) {
			return usage_err("verify: unexpected '%s'", argv[i]);
		} else {
			v.file = argv[i];
		}
	}
	if (!v.file)
		return usage_err("verify: which evidence file?%s", "");

	evidence_init(&ev);
	if (json_out)
		v.checks = json_object_new_array();
	if (!read_file(v.file, EVIDENCE_MAX_FILE, &buf, &len, why, sizeof(why)))
		obj = parse_json(buf, len, why, sizeof(why));
	if (!obj || evidence_parse(obj, &ev, why, sizeof(why))) {
		report(&v, "format", CHECK_FAIL, "%s", why);
		print_verdict(&v, NULL);
		goto out;
	}
	asym = asym_by_name(ev.asym_algo);
	report(&v, "format", CHECK_OK,
	       "evidence of %s: SPDM %u.%u, slot %d, %s, %s, measurements %s",
	       ev.device, ev.version >> 4, ev.version & 0xf, ev.slot,
	       ev.asym_algo, sig_hash_name(ev.hash_algo), ev.meas_hash_algo);

	key = check_chain(&v, &ev, asym);
	check_signature(&v, &ev, asym, key);
	EVP_PKEY_free(key);
	check_transcript(&v, &ev, asym, &w);
	check_measurements(&v, &ev, &w);
	check_nonce(&v, &w);
	print_verdict(&v, ev.device);
out:
	json_object_put(v.checks);
	json_object_put(obj);
	free(buf);
	free(w.blocks);
	evidence_free(&ev);
	return v.failed ? EXIT_FAIL : EXIT_OK;
}
