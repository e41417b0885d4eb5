// SPDX-License-Identifier: GPL-2.0-only
/*
 * spdmctl: the evidence format (tools/spdm/EVIDENCE.md)
 *
 * Signed measurements as meas-get returns them, in a JSON object that
 * can be verified again without the kernel: L1/L2 and its signature, the
 * offsets of the nonces and of the first GET_MEASUREMENTS, the combined
 * prefix, the signer's certificate chain and the measurement blocks.
 * evidence_json() writes it; evidence_parse() reads it back and checks
 * every member's type, encoding and bounds, since the file may come from
 * anywhere.  Whether the evidence holds is verify.c's business.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/spdm.h>
#include <limits.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>

#include "spdmctl.h"

/* The entries of the spec's enums meas-type and meas-changed */
static const char *const meas_type_names[] = {
	[SPDM_MEAS_TYPE_IMMUTABLE_ROM] = "immutable-rom",
	[SPDM_MEAS_TYPE_MUTABLE_FIRMWARE] = "mutable-firmware",
	[SPDM_MEAS_TYPE_HARDWARE_CONFIG] = "hardware-config",
	[SPDM_MEAS_TYPE_FIRMWARE_CONFIG] = "firmware-config",
	[SPDM_MEAS_TYPE_MANIFEST] = "manifest",
	[SPDM_MEAS_TYPE_DEVICE_MODE] = "device-mode",
	[SPDM_MEAS_TYPE_VERSION] = "version",
	[SPDM_MEAS_TYPE_SVN] = "svn",
	[SPDM_MEAS_TYPE_HASH_EXTEND] = "hash-extend",
	[SPDM_MEAS_TYPE_INFORMATIONAL] = "informational",
	[SPDM_MEAS_TYPE_STRUCTURED_MANIFEST] = "structured-manifest",
	NULL
};

static const char *const meas_changed_names[] = {
	[SPDM_MEAS_CHANGED_NOT_SUPPORTED] = "not-supported",
	[SPDM_MEAS_CHANGED_CHANGED] = "changed",
	[SPDM_MEAS_CHANGED_UNCHANGED] = "unchanged",
	NULL
};

/**
 * meas_type_name() - the name of a measurement type
 * @type: enum spdm_meas_type
 *
 * Return: its name in the spec's enum meas-type, or NULL if it has none.
 */
const char *meas_type_name(unsigned int type)
{
	return type <= SPDM_MEAS_TYPE_STRUCTURED_MANIFEST ?
	       meas_type_names[type] : NULL;
}

/**
 * meas_changed_name() - the name of a ContentChanged value
 * @changed: enum spdm_meas_changed
 *
 * Return: its name in the spec's enum meas-changed, or "unknown".
 */
const char *meas_changed_name(unsigned int changed)
{
	return changed <= SPDM_MEAS_CHANGED_UNCHANGED ?
	       meas_changed_names[changed] : "unknown";
}

/* The signature algorithms of BaseAsymAlgo that kspdm supports */
static const struct asym_info asyms[] = {
	{ "rsassa2048", 1U << 0, true, false, 2048, NID_undef, 256 },
	{ "rsapss2048", 1U << 1, true, true, 2048, NID_undef, 256 },
	{ "rsassa3072", 1U << 2, true, false, 3072, NID_undef, 384 },
	{ "rsapss3072", 1U << 3, true, true, 3072, NID_undef, 384 },
	{ "ecdsa-p256", 1U << 4, false, false, 256, NID_X9_62_prime256v1, 64 },
	{ "rsassa4096", 1U << 5, true, false, 4096, NID_undef, 512 },
	{ "rsapss4096", 1U << 6, true, true, 4096, NID_undef, 512 },
	{ "ecdsa-p384", 1U << 7, false, false, 384, NID_secp384r1, 96 },
	{ "ecdsa-p521", 1U << 8, false, false, 521, NID_secp521r1, 132 },
};

/**
 * asym_by_name() - a signature algorithm by its spdm name
 * @name: e.g. "rsapss3072"
 *
 * Return: its description, or NULL if kspdm does not know it.
 */
const struct asym_info *asym_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(asyms); i++)
		if (!strcmp(name, asyms[i].name))
			return &asyms[i];
	return NULL;
}

static const char b64_chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/**
 * b64_encode() - base64 (RFC 4648 section 4, padded, no line breaks)
 * @buf: the bytes
 * @len: how many
 *
 * Return: a string to free(), or NULL if out of memory or too long.
 */
char *b64_encode(const uint8_t *buf, size_t len)
{
	char *s;

	if (len > INT_MAX / 4 * 3)
		return NULL;
	s = malloc(4 * ((len + 2) / 3) + 1);
	if (s)
		EVP_EncodeBlock((unsigned char *)s, buf, (int)len);
	return s;
}

static int b64_value(char c)
{
	const char *p = c ? strchr(b64_chars, c) : NULL;

	return p ? p - b64_chars : -1;
}

/**
 * b64_decode() - decode base64 strictly
 * @s: the text
 * @len: its length
 * @out: the bytes, to free()
 * @out_len: how many
 *
 * Only the canonical encoding that b64_encode() writes is accepted: the
 * alphabet of RFC 4648 section 4, a multiple of four characters, at most
 * two '=' at the end and unused bits zero; no white space.
 *
 * Return: 0, or -1 if @s is not such base64 or out of memory.
 */
int b64_decode(const char *s, size_t len, uint8_t **out, size_t *out_len)
{
	size_t pad = 0, n, i, o = 0;
	unsigned int bits = 0;
	uint32_t acc = 0;
	uint8_t *buf;

	if (len % 4)
		return -1;
	while (pad < 2 && pad < len && s[len - 1 - pad] == '=')
		pad++;
	n = len / 4 * 3 - pad;
	buf = malloc(n ? n : 1);
	if (!buf)
		return -1;
	for (i = 0; i < len - pad; i++) {
		int v = b64_value(s[i]);

		if (v < 0)
			goto bad;
		acc = acc << 6 | v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf[o++] = acc >> bits;
			acc &= (1U << bits) - 1;
		}
	}
	if (acc || o != n)
		goto bad;
	*out = buf;
	*out_len = n;
	return 0;
bad:
	free(buf);
	return -1;
}

/* Hexadecimal digits, either case, two per byte */
static int hex_decode(const char *s, size_t len, uint8_t **out, size_t *out_len)
{
	uint8_t *buf;
	size_t i;

	if (len % 2)
		return -1;
	buf = malloc(len / 2 ? len / 2 : 1);
	if (!buf)
		return -1;
	for (i = 0; i < len; i++) {
		char c = s[i];
		int v;

		if (c >= '0' && c <= '9') {
			v = c - '0';
		} else if (c >= 'a' && c <= 'f') {
			v = c - 'a' + 10;
		} else if (c >= 'A' && c <= 'F') {
			v = c - 'A' + 10;
		} else {
			free(buf);
			return -1;
		}
		if (i % 2)
			buf[i / 2] |= v;
		else
			buf[i / 2] = v << 4;
	}
	*out = buf;
	*out_len = len / 2;
	return 0;
}

/**
 * evidence_init() - an empty evidence, every optional member absent
 * @ev: filled in
 */
void evidence_init(struct evidence *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->slot = -1;
	ev->meas_offset = -1;
	ev->req_nonce_offset = -1;
	ev->rsp_nonce_offset = -1;
	ev->count = -1;
	ev->content_changed = -1;
}

/**
 * evidence_free() - free what an evidence holds and empty it
 * @ev: from evidence_init()
 */
void evidence_free(struct evidence *ev)
{
	size_t i;

	for (i = 0; i < ev->num_blocks; i++)
		free(ev->blocks[i].value);
	free(ev->blocks);
	free(ev->device);
	free(ev->asym_algo);
	free(ev->meas_hash_algo);
	free(ev->transcript);
	free(ev->sig);
	free(ev->chain);
	evidence_init(ev);
}

static void json_add_b64(struct json_object *o, const char *key,
			 const uint8_t *buf, size_t len)
{
	char *s = b64_encode(buf, len);

	if (s)
		json_add_str(o, key, s);
	free(s);
}

/**
 * evidence_json() - the evidence as a JSON object, members in the order
 * of EVIDENCE.md; absent ones are left out
 * @ev: the evidence
 *
 * Return: the object, to json_object_put().
 */
struct json_object *evidence_json(const struct evidence *ev)
{
	struct json_object *o = json_object_new_object();
	struct json_object *blocks = json_object_new_array();
	char ver[8];
	size_t i;

	json_add_str(o, "format", EVIDENCE_FORMAT);
	json_add_int(o, "format_version", EVIDENCE_VERSION);
	json_add_str(o, "device", ev->device ?: "");
	snprintf(ver, sizeof(ver), "%u.%u", (ev->version >> 4) & 0xf,
		 ev->version & 0xf);
	json_add_str(o, "version", ver);
	if (ev->slot >= 0)
		json_add_int(o, "slot", ev->slot);
	json_add_str(o, "hash_algo", sig_hash_name(ev->hash_algo));
	if (ev->asym_algo)
		json_add_str(o, "asym_algo", ev->asym_algo);
	if (ev->meas_hash_algo)
		json_add_str(o, "meas_hash_algo", ev->meas_hash_algo);
	if (ev->transcript)
		json_add_b64(o, "transcript", ev->transcript,
			     ev->transcript_len);
	if (ev->sig)
		json_add_b64(o, "signature", ev->sig, ev->sig_len);
	if (ev->meas_offset >= 0)
		json_add_int(o, "meas_offset", ev->meas_offset);
	if (ev->req_nonce_offset >= 0)
		json_add_int(o, "req_nonce_offset", ev->req_nonce_offset);
	if (ev->rsp_nonce_offset >= 0)
		json_add_int(o, "rsp_nonce_offset", ev->rsp_nonce_offset);
	if (ev->has_prefix)
		json_add_b64(o, "combined_spdm_prefix", ev->prefix,
			     SPDM_PREFIX_LEN);
	if (ev->chain)
		json_add_b64(o, "cert_chain", ev->chain, ev->chain_len);
	if (ev->count >= 0)
		json_add_int(o, "count", ev->count);
	if (ev->content_changed >= 0)
		json_add_str(o, "content_changed",
			     meas_changed_name(ev->content_changed));
	for (i = 0; i < ev->num_blocks; i++) {
		const struct meas_block *b = &ev->blocks[i];
		struct json_object *jb = json_object_new_object();
		char other[16];
		const char *type = meas_type_name(b->type);

		if (!type) {
			snprintf(other, sizeof(other), "%u", b->type);
			type = other;
		}
		json_add_int(jb, "index", b->index);
		json_add_str(jb, "type", type);
		json_object_object_add(jb, "raw",
				       json_object_new_boolean(b->raw));
		json_add_hex(jb, "value", b->value, b->len);
		json_object_array_add(blocks, jb);
	}
	json_object_object_add(o, "measurements", blocks);
	return o;
}

/* ------------------------------------------------------------------ */
/* Reading it back                                                      */
/* ------------------------------------------------------------------ */

struct parse {
	char *why;
	size_t size;
};

static int __attribute__((format(printf, 2, 3))) bad(struct parse *p,
						     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->why, p->size, fmt, ap);
	va_end(ap);
	return -1;
}

static const char *const json_type_names[] = {
	[json_type_null] = "null",
	[json_type_boolean] = "a boolean",
	[json_type_double] = "a fraction",
	[json_type_int] = "an integer",
	[json_type_object] = "an object",
	[json_type_array] = "an array",
	[json_type_string] = "a string",
};

/*
 * Member @key of @o, which must be of @type; NULL if it is absent (an
 * error if @required) or of another type (always an error).
 */
static struct json_object *member(struct parse *p, struct json_object *o,
				  const char *key, enum json_type type,
				  bool required, bool *failed)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v)) {
		if (required)
			*failed = bad(p, "%s is missing", key) < 0;
		return NULL;
	}
	if (!json_object_is_type(v, type)) {
		*failed = bad(p, "%s must be %s, not %s", key,
			      json_type_names[type],
			      ENUM_NAME(json_type_names,
					(unsigned int)json_object_get_type(v))) < 0;
		return NULL;
	}
	return v;
}

/* A string member without NULs: its text and length */
static const char *str_member(struct parse *p, struct json_object *o,
			      const char *key, bool required, size_t *len,
			      bool *failed)
{
	struct json_object *v = member(p, o, key, json_type_string, required,
				       failed);
	const char *s;

	if (!v)
		return NULL;
	s = json_object_get_string(v);
	*len = json_object_get_string_len(v);
	if (strlen(s) != *len) {
		*failed = bad(p, "%s holds a NUL character", key) < 0;
		return NULL;
	}
	return s;
}

/* An integer member from @min to @max; -1 if absent or invalid */
static int64_t int_member(struct parse *p, struct json_object *o,
			  const char *key, bool required, int64_t min,
			  int64_t max, bool *failed)
{
	struct json_object *v = member(p, o, key, json_type_int, required,
				       failed);
	int64_t val;

	if (!v)
		return -1;
	/* json-c saturates what does not fit an int64: out of range too */
	val = json_object_get_int64(v);
	if (val < min || val > max) {
		*failed = bad(p, "%s must be from %lld to %lld", key,
			      (long long)min, (long long)max) < 0;
		return -1;
	}
	return val;
}

/* A base64 member: its bytes, at least @min and at most @max of them */
static int b64_member(struct parse *p, struct json_object *o, const char *key,
		      bool required, size_t min, size_t max, uint8_t **out,
		      size_t *out_len, bool *failed)
{
	const char *s;
	size_t len;

	*out = NULL;
	*out_len = 0;
	s = str_member(p, o, key, required, &len, failed);
	if (!s)
		return -1;
	if (b64_decode(s, len, out, out_len) < 0) {
		*failed = bad(p, "%s is not base64", key) < 0;
		return -1;
	}
	if (*out_len < min || *out_len > max) {
		if (min == max)
			*failed = bad(p, "%s must be %zu bytes, not %zu", key,
				      min, *out_len) < 0;
		else
			*failed = bad(p, "%s must be %zu to %zu bytes, not %zu",
				      key, min, max, *out_len) < 0;
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

/* The index of @s in the NULL-terminated @names, or -1 */
static int name_index(const char *const *names, const char *s)
{
	int i;

	for (i = 0; names[i]; i++)
		if (!strcmp(names[i], s))
			return i;
	return -1;
}

/* Put @where before the problem already in @p */
static int bad_in(struct parse *p, const char *where)
{
	char inner[256];

	snprintf(inner, sizeof(inner), "%s", p->why);
	return bad(p, "%s: %s", where, inner);
}

static const char *const top_keys[] = {
	"format", "format_version", "device", "version", "slot", "hash_algo",
	"asym_algo", "meas_hash_algo", "transcript", "signature",
	"meas_offset", "req_nonce_offset", "rsp_nonce_offset",
	"combined_spdm_prefix", "cert_chain", "count", "content_changed",
	"measurements", NULL
};

static const char *const block_keys[] = {
	"index", "type", "raw", "value", NULL
};

/* Only the members of @keys, each once (json-c keeps the last of a name) */
static int known_keys(struct parse *p, struct json_object *o,
		      const char *const *keys, const char *where)
{
	json_object_object_foreach(o, key, val) {
		(void)val;
		if (name_index(keys, key) < 0)
			return bad(p, "%s has an unknown member \"%.40s\"",
				   where, key);
	}
	return 0;
}

static int parse_block(struct parse *p, struct json_object *o, size_t n,
		       struct meas_block *b)
{
	char where[48];
	bool failed = false;
	struct json_object *raw;
	const char *s;
	size_t len;
	int64_t index;
	int type;

	snprintf(where, sizeof(where), "measurements[%zu]", n);
	if (!json_object_is_type(o, json_type_object))
		return bad(p, "%s must be an object", where);
	if (known_keys(p, o, block_keys, where))
		return -1;
	index = int_member(p, o, "index", true, 1, 254, &failed);
	if (failed)
		return bad_in(p, where);
	s = str_member(p, o, "type", true, &len, &failed);
	if (failed)
		return bad_in(p, where);
	type = name_index(meas_type_names, s);
	if (type < 0)
		return bad(p, "%s: type \"%.40s\" is not a measurement type",
			   where, s);
	raw = member(p, o, "raw", json_type_boolean, true, &failed);
	if (failed)
		return bad_in(p, where);
	s = str_member(p, o, "value", true, &len, &failed);
	if (failed)
		return bad_in(p, where);
	/* DMTFSpecMeasurementValueSize is a u16 */
	if (len > 2 * 0xffff || hex_decode(s, len, &b->value, &b->len) < 0)
		return bad(p, "%s: value is not up to 65535 bytes in hexadecimal",
			   where);
	b->index = index;
	b->type = type;
	b->raw = json_object_get_boolean(raw);
	return 0;
}

/**
 * evidence_parse() - read an evidence object, checking every member
 * @obj: the parsed JSON
 * @ev: filled in; evidence_free() it whatever the result
 * @why: the first problem found, if any
 * @size: the size of @why
 *
 * Every member of EVIDENCE.md is checked for its type, its encoding and
 * its range: the known names only, base64 and hexadecimal strictly, the
 * signature as long as the algorithm's, the offsets inside the
 * transcript, combined_spdm_prefix present exactly from SPDM 1.2 on.
 * Nothing here says whether the evidence holds.
 *
 * Return: 0, or -1 with @why set.
 */
int evidence_parse(struct json_object *obj, struct evidence *ev, char *why,
		   size_t size)
{
	struct parse pp = { .why = why, .size = size }, *p = &pp;
	const struct asym_info *asym;
	struct json_object *blocks;
	uint8_t *prefix;
	bool failed = false;
	const char *s;
	size_t len, i;
	int64_t v;
	int h;

	evidence_init(ev);
	if (!json_object_is_type(obj, json_type_object))
		return bad(p, "the evidence must be a JSON object");
	if (known_keys(p, obj, top_keys, "the evidence"))
		return -1;

	s = str_member(p, obj, "format", true, &len, &failed);
	if (failed)
		return -1;
	if (strcmp(s, EVIDENCE_FORMAT))
		return bad(p, "format must be \"%s\"", EVIDENCE_FORMAT);
	v = int_member(p, obj, "format_version", true, 0, INT32_MAX, &failed);
	if (failed)
		return -1;
	if (v != EVIDENCE_VERSION)
		return bad(p, "format_version %lld is not %d", (long long)v,
			   EVIDENCE_VERSION);

	s = str_member(p, obj, "device", true, &len, &failed);
	if (failed)
		return -1;
	if (!len || len > 64)
		return bad(p, "device must be 1 to 64 characters");
	for (i = 0; i < len; i++)
		if (!isprint((unsigned char)s[i]) || s[i] & 0x80)
			return bad(p, "device must be printable ASCII");
	ev->device = strdup(s);

	s = str_member(p, obj, "version", true, &len, &failed);
	if (failed)
		return -1;
	if (len != 3 || s[0] != '1' || s[1] != '.' || s[2] < '0' || s[2] > '3')
		return bad(p, "version must be \"1.0\" to \"1.3\"");
	ev->version = 0x10 | (s[2] - '0');

	ev->slot = int_member(p, obj, "slot", true, 0, SPDM_MAX_SLOT, &failed);
	if (failed)
		return -1;
	if (ev->version < 0x11 && ev->slot)
		return bad(p, "slot must be 0 with SPDM 1.0");

	s = str_member(p, obj, "hash_algo", true, &len, &failed);
	if (failed)
		return -1;
	h = sig_hash_by_name(s);
	if (h < 0)
		return bad(p, "hash_algo \"%.40s\" is not a hash SPDM uses", s);
	ev->hash_algo = h;

	s = str_member(p, obj, "asym_algo", true, &len, &failed);
	if (failed)
		return -1;
	asym = asym_by_name(s);
	if (!asym)
		return bad(p, "asym_algo \"%.40s\" is not a signature algorithm kspdm knows",
			   s);
	ev->asym_algo = strdup(s);

	s = str_member(p, obj, "meas_hash_algo", true, &len, &failed);
	if (failed)
		return -1;
	if (strcmp(s, "raw") && sig_hash_by_name(s) < 0)
		return bad(p, "meas_hash_algo \"%.40s\" is neither \"raw\" nor a hash SPDM uses",
			   s);
	ev->meas_hash_algo = strdup(s);
	if (!ev->device || !ev->asym_algo || !ev->meas_hash_algo)
		return bad(p, "out of memory");

	if (b64_member(p, obj, "transcript", true, 1, EVIDENCE_MAX_FILE,
		       &ev->transcript, &ev->transcript_len, &failed))
		return -1;
	if (b64_member(p, obj, "signature", true, asym->sig_len,
		       asym->sig_len, &ev->sig, &ev->sig_len, &failed))
		return -1;

	ev->meas_offset = int_member(p, obj, "meas_offset", true, 0,
				     ev->transcript_len - 1, &failed);
	if (failed)
		return -1;
	ev->req_nonce_offset = int_member(p, obj, "req_nonce_offset", true, 0,
					  (int64_t)ev->transcript_len -
					  SPDM_NONCE_LEN, &failed);
	if (failed)
		return -1;
	ev->rsp_nonce_offset = int_member(p, obj, "rsp_nonce_offset", true, 0,
					  (int64_t)ev->transcript_len -
					  SPDM_NONCE_LEN, &failed);
	if (failed)
		return -1;

	if (b64_member(p, obj, "combined_spdm_prefix", ev->version >= 0x12,
		       SPDM_PREFIX_LEN, SPDM_PREFIX_LEN, &prefix, &len,
		       &failed) == 0) {
		if (ev->version < 0x12) {
			free(prefix);
			return bad(p, "combined_spdm_prefix must be absent before SPDM 1.2");
		}
		memcpy(ev->prefix, prefix, SPDM_PREFIX_LEN);
		ev->has_prefix = true;
		free(prefix);
	}
	if (failed)
		return -1;

	/* The certificates of an SPDM chain, whose Length is a u16 */
	if (b64_member(p, obj, "cert_chain", true, 1, 0xffff, &ev->chain,
		       &ev->chain_len, &failed))
		return -1;

	ev->count = int_member(p, obj, "count", false, 0, 254, &failed);
	if (failed)
		return -1;
	s = str_member(p, obj, "content_changed", false, &len, &failed);
	if (failed)
		return -1;
	if (s) {
		if (ev->version < 0x12)
			return bad(p, "content_changed must be absent before SPDM 1.2");
		ev->content_changed = name_index(meas_changed_names, s);
		if (ev->content_changed < 0)
			return bad(p, "content_changed \"%.40s\" is none of not-supported, changed, unchanged",
				   s);
	}

	blocks = member(p, obj, "measurements", json_type_array, true, &failed);
	if (failed)
		return -1;
	len = json_object_array_length(blocks);
	/* Every block comes from a response of the transcript */
	if (len > ev->transcript_len / (4 + 3))
		return bad(p, "measurements has too many blocks");
	ev->blocks = calloc(len ? len : 1, sizeof(*ev->blocks));
	if (!ev->blocks)
		return bad(p, "out of memory");
	for (i = 0; i < len; i++) {
		if (parse_block(p, json_object_array_get_idx(blocks, i), i,
				&ev->blocks[i]))
			return -1;
		ev->num_blocks++;
	}
	return 0;
}
