// SPDX-License-Identifier: GPL-2.0-only
/*
 * spdmctl: the evidence format (tools/spdm/EVIDENCE.md)
 *
 * Signed measurements as meas-get returns them, in a JSON object that
 * can be verified again without the kernel: L1/L2 and its signature, the
 * offsets of the nonces and of the first GET_MEASUREMENTS, the combined
 * prefix, the signer's certificate chain and the measurement blocks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/spdm.h>

#include "spdmctl.h"

/* The entries of the spec's enums meas-type and meas-changed */
const char *const meas_type_names[] = {
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

const char *const meas_changed_names[] = {
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

static const char b64_chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/**
 * b64_encode() - base64 (RFC 4648 section 4, padded, no line breaks)
 * @buf: the bytes
 * @len: how many
 *
 * Return: a string to free(), or NULL if out of memory.
 */
char *b64_encode(const uint8_t *buf, size_t len)
{
	char *s = malloc(4 * ((len + 2) / 3) + 1), *p = s;
	size_t i;

	if (!s)
		return NULL;
	for (i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)buf[i] << 16;

		if (i + 1 < len)
			v |= buf[i + 1] << 8;
		if (i + 2 < len)
			v |= buf[i + 2];
		*p++ = b64_chars[v >> 18];
		*p++ = b64_chars[(v >> 12) & 0x3f];
		*p++ = i + 1 < len ? b64_chars[(v >> 6) & 0x3f] : '=';
		*p++ = i + 2 < len ? b64_chars[v & 0x3f] : '=';
	}
	*p = '\0';
	return s;
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
