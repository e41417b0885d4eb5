// SPDX-License-Identifier: GPL-2.0-only
/*
 * spdmctl: measurements (meas-get), their evidence, and the measurement
 * extension log (mel-get)
 *
 * The kernel takes the measurements and verifies their signature; it
 * returns the blocks and, when signed, L1/L2 with the signature, the
 * offsets of the nonces and the signer's certificate chain, which
 * "spdmctl evidence" keeps in a file for "spdmctl verify" (verify.c).
 * Values with a structure (device mode, SVN) and the log are decoded with
 * the kernel's own codec, drivers/spdm/wire.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/spdm.h>

#include "spdmctl.h"
/* After <linux/spdm.h>: it defines some SPDM_MEAS_TYPE_* as macros */
#include "wire.h"

/* Values longer than this are cut short in the table */
#define MEAS_TEXT_MAX	64

struct meas_opts {
	const char *name;
	struct opt_slot slot;
	bool have_nonce;
	uint8_t nonce[SPDM_NONCE_LEN];
	unsigned long index;		/* 1..254, or SPDM_MEAS_OP_ALL */
	bool raw;
	bool new_meas;
	bool nosig;
	const char *out;		/* evidence -o */
};

struct meas_reply {
	struct evidence ev;
	bool got;
	const char *bad;		/* what is wrong with the reply */
};

static int meas_bad(struct meas_reply *r, const char *why)
{
	r->bad = why;
	return MNL_CB_ERROR;
}

static uint8_t *memdup(const void *p, size_t len)
{
	uint8_t *q = malloc(len ? len : 1);

	if (q)
		memcpy(q, p, len);
	return q;
}

/* A copy of string attribute @a in *@out, if present; -1 if out of memory */
static int attr_dup(const struct nlattr *a, char **out)
{
	const char *s = attr_str(a);

	if (!s)
		return 0;
	*out = strdup(s);
	return *out ? 0 : -1;
}

static int meas_block(struct meas_reply *r, const struct nlattr *nest,
		      struct meas_block *b)
{
	const struct nlattr *tb[SPDM_A_MEAS_BLOCK_MAX + 1];
	const struct nlattr *val;
	int index, type;

	if (mnl_attr_validate(nest, MNL_TYPE_NESTED) < 0 ||
	    nl_parse_nested(nest, tb, SPDM_A_MEAS_BLOCK_MAX) < 0)
		return meas_bad(r, "a measurement block is malformed");
	index = attr_u8(tb[SPDM_A_MEAS_BLOCK_INDEX]);
	type = attr_u8(tb[SPDM_A_MEAS_BLOCK_TYPE]);
	val = tb[SPDM_A_MEAS_BLOCK_VALUE];
	if (index < 0 || type < 0 || !val ||
	    (tb[SPDM_A_MEAS_BLOCK_RAW] &&
	     mnl_attr_validate(tb[SPDM_A_MEAS_BLOCK_RAW], MNL_TYPE_FLAG) < 0))
		return meas_bad(r, "a measurement block lacks its index, type or value");
	b->index = index;
	b->type = type;
	b->raw = tb[SPDM_A_MEAS_BLOCK_RAW];
	b->len = mnl_attr_get_payload_len(val);
	b->value = memdup(mnl_attr_get_payload(val), b->len);
	return b->value ? MNL_CB_OK : meas_bad(r, "out of memory");
}

/* The reply of meas-get: the blocks and, when signed, the evidence */
static int meas_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[SPDM_A_MEAS_MAX + 1], *a;
	struct meas_reply *r = data;
	struct evidence *ev = &r->ev;
	size_t tlen = 0, n = 0;
	const char *s;
	int64_t off;
	uint8_t *full;
	int v;

	if (r->got)
		return MNL_CB_OK;
	r->got = true;
	if (nl_parse(nlh, tb, SPDM_A_MEAS_MAX) < 0)
		return meas_bad(r, "the reply is malformed");

	s = attr_str(tb[SPDM_A_MEAS_NAME]);
	v = attr_u8(tb[SPDM_A_MEAS_VERSION]);
	if (!s || v < 0x10 || v > 0x1f)
		return meas_bad(r, "the reply lacks the device's name or SPDM version");
	ev->device = strdup(s);
	if (!ev->device)
		return meas_bad(r, "out of memory");
	ev->version = v;
	a = tb[SPDM_A_MEAS_HASH_ALGO];
	if (!a || mnl_attr_validate(a, MNL_TYPE_U16) < 0)
		return meas_bad(r, "the reply lacks the hash algorithm");
	ev->hash_algo = mnl_attr_get_u16(a);
	if (attr_dup(tb[SPDM_A_MEAS_ASYM_ALGO], &ev->asym_algo) ||
	    attr_dup(tb[SPDM_A_MEAS_MEAS_HASH_ALGO], &ev->meas_hash_algo))
		return meas_bad(r, "out of memory");
	ev->slot = attr_u8(tb[SPDM_A_MEAS_SLOT]);
	ev->count = attr_u8(tb[SPDM_A_MEAS_COUNT]);
	ev->content_changed = attr_u8(tb[SPDM_A_MEAS_CONTENT_CHANGED]);
	ev->meas_offset = attr_u32(tb[SPDM_A_MEAS_MEAS_OFFSET]);
	ev->req_nonce_offset = attr_u32(tb[SPDM_A_MEAS_REQ_NONCE_OFFSET]);
	ev->rsp_nonce_offset = attr_u32(tb[SPDM_A_MEAS_RSP_NONCE_OFFSET]);
	a = tb[SPDM_A_MEAS_COMBINED_SPDM_PREFIX];
	if (a && mnl_attr_get_payload_len(a) == SPDM_PREFIX_LEN) {
		memcpy(ev->prefix, mnl_attr_get_payload(a), SPDM_PREFIX_LEN);
		ev->has_prefix = true;
	}
	a = tb[SPDM_A_MEAS_CERT_CHAIN];
	if (a) {
		ev->chain_len = mnl_attr_get_payload_len(a);
		ev->chain = memdup(mnl_attr_get_payload(a), ev->chain_len);
		if (!ev->chain)
			return meas_bad(r, "out of memory");
	}

	/* Blocks and transcript fragments come as attributes of a kind */
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) == SPDM_A_MEAS_BLOCK)
			ev->num_blocks++;
		else if (mnl_attr_get_type(a) == SPDM_A_MEAS_TRANSCRIPT)
			tlen += mnl_attr_get_payload_len(a);
	}
	ev->blocks = calloc(ev->num_blocks ? ev->num_blocks : 1,
			    sizeof(*ev->blocks));
	full = malloc(tlen ? tlen : 1);
	if (!ev->blocks || !full) {
		free(full);
		ev->num_blocks = 0;
		return meas_bad(r, "out of memory");
	}
	tlen = 0;
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) == SPDM_A_MEAS_BLOCK) {
			if (meas_block(r, a, &ev->blocks[n]) != MNL_CB_OK) {
				ev->num_blocks = n;
				free(full);
				return MNL_CB_ERROR;
			}
			n++;
		} else if (mnl_attr_get_type(a) == SPDM_A_MEAS_TRANSCRIPT) {
			memcpy(full + tlen, mnl_attr_get_payload(a),
			       mnl_attr_get_payload_len(a));
			tlen += mnl_attr_get_payload_len(a);
		}
	}

	/* The transcript ends with the signature, from sig-offset on */
	off = attr_u32(tb[SPDM_A_MEAS_SIG_OFFSET]);
	if (!tlen) {
		free(full);
		return MNL_CB_OK;
	}
	if (off < 0 || (uint64_t)off > tlen) {
		free(full);
		return meas_bad(r, "the reply has no valid signature offset");
	}
	if ((uint64_t)off < tlen) {
		ev->sig_len = tlen - off;
		ev->sig = memdup(full + off, ev->sig_len);
		if (!ev->sig) {
			free(full);
			return meas_bad(r, "out of memory");
		}
	}
	ev->transcript = full;
	ev->transcript_len = off;
	return MNL_CB_OK;
}

static int meas_get(struct nl *nl, const struct meas_opts *o,
		    struct meas_reply *r)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	memset(r, 0, sizeof(*r));
	evidence_init(&r->ev);
	nlh = nl_start(nl, buf, SPDM_CMD_MEAS_GET, false);
	mnl_attr_put_strz(nlh, SPDM_A_MEAS_NAME, o->name);
	if (o->slot.set)
		mnl_attr_put_u8(nlh, SPDM_A_MEAS_SLOT, o->slot.val);
	if (o->have_nonce)
		mnl_attr_put(nlh, SPDM_A_MEAS_NONCE, sizeof(o->nonce),
			     o->nonce);
	if (o->index != SPDM_MEAS_OP_ALL)
		mnl_attr_put_u8(nlh, SPDM_A_MEAS_INDEX, o->index);
	if (o->raw)
		mnl_attr_put(nlh, SPDM_A_MEAS_RAW, 0, NULL);
	if (o->new_meas)
		mnl_attr_put(nlh, SPDM_A_MEAS_NEW, 0, NULL);
	if (o->nosig)
		mnl_attr_put(nlh, SPDM_A_MEAS_UNSIGNED, 0, NULL);
	if (nl_talk(nl, nlh, meas_cb, r) < 0) {
		if (r->bad) {
			nl->err = EBADMSG;
			snprintf(nl->ext_msg, sizeof(nl->ext_msg), "%s", r->bad);
			nl->ext_attr[0] = '\0';
		}
		return -1;
	}
	if (!r->got) {
		nl->err = EBADMSG;
		snprintf(nl->ext_msg, sizeof(nl->ext_msg),
			 "the kernel sent no measurements");
		return -1;
	}
	return 0;
}

/*
 * The options of meas and evidence; @evidence: those of evidence (-o,
 * not --new nor --unsigned)
 */
static int meas_args(int argc, char **argv, bool evidence,
		     struct meas_opts *o)
{
	const char *cmd = evidence ? "evidence" : "meas";
	int i;

	memset(o, 0, sizeof(*o));
	o->index = SPDM_MEAS_OP_ALL;
	for (i = 0; i < argc; i++) {
		const char *arg = argv[i], *val = argv[i + 1];

		if (!strcmp(arg, "--slot")) {
			if (get_slot(val, &o->slot))
				return EXIT_USAGE;
			i++;
		} else if (!strcmp(arg, "--nonce")) {
			if (!val || parse_hex(val, o->nonce, sizeof(o->nonce)) < 0)
				return usage_err("--nonce takes 64 hex digits (32 bytes), not '%s'",
						 val ?: "nothing");
			o->have_nonce = true;
			i++;
		} else if (!strcmp(arg, "--index")) {
			if (val && !strcmp(val, "all"))
				o->index = SPDM_MEAS_OP_ALL;
			else if (!val || parse_uint(val, 255, &o->index) < 0 ||
				 !o->index)
				return usage_err("--index takes a measurement index from 1 to 254, or 255 or 'all', not '%s'",
						 val ?: "nothing");
			i++;
		} else if (!strcmp(arg, "--raw")) {
			o->raw = true;
		} else if (!evidence && !strcmp(arg, "--new")) {
			o->new_meas = true;
		} else if (!evidence && !strcmp(arg, "--unsigned")) {
			o->nosig = true;
		} else if (evidence && !strcmp(arg, "-o")) {
			if (!val)
				return usage_err("-o takes a file name%s", "");
			o->out = val;
			i++;
		} else if (arg[0] == '-' || o->name) {
			return usage_err(evidence ? "evidence: unexpected '%s'" :
						    "meas: unexpected '%s'", arg);
		} else {
			o->name = arg;
		}
	}
	if (!o->name)
		return usage_err("%s: which device?", cmd);
	if (o->nosig && (o->have_nonce || o->slot.set))
		return usage_err("meas: --nonce and --slot need signed measurements, not --unsigned%s",
				 "");
	return 0;
}

static void print_hex(const uint8_t *buf, size_t len, size_t max)
{
	size_t i;

	for (i = 0; i < len && i < max; i++)
		printf("%02x", buf[i]);
	if (len > max)
		printf("... (%zu bytes)", len);
	else if (!len)
		printf("(empty)");
}

static const char *const op_mode_bits[] = {
	"manufacturing", "validation", "normal", "recovery", "rma",
	"decommissioned",
};

static const char *const dev_mode_bits[] = {
	"non-invasive-debug-active", "invasive-debug-active",
	"non-invasive-debug-was-active", "invasive-debug-was-active",
	"invasive-debug-was-active-after-mfg",
};

static void print_bits(uint32_t v, const char *const *names, size_t n)
{
	const char *sep = "";
	size_t i;

	if (!v) {
		printf("none");
		return;
	}
	for (i = 0; i < n; i++) {
		if (v & (1U << i)) {
			printf("%s%s", sep, names[i]);
			sep = ",";
		}
	}
	v &= ~((1U << n) - 1);
	if (v)
		printf("%s0x%x", sep, v);
}

/*
 * What a value with a known structure says, after its hex; a device mode
 * takes two more lines, indented by @indent
 */
static void meas_value_text(const struct meas_block *b, int indent)
{
	struct spdm_meas_block blk = {
		.index = b->index,
		.type = b->type,
		.raw = b->raw,
		.value_len = b->len,
		.value = b->value,
	};
	struct spdm_meas_device_mode mode;
	uint64_t svn;
	size_t i;

	if (b->type == SPDM_MEAS_TYPE_SVN && !spdm_meas_svn(&blk, &svn)) {
		printf("  (svn %llu)", (unsigned long long)svn);
	} else if (b->type == SPDM_MEAS_TYPE_VERSION && b->raw && b->len) {
		for (i = 0; i < b->len; i++)
			if (b->value[i] < 0x20 || b->value[i] > 0x7e)
				break;
		if (i == b->len)
			printf("  \"%.*s\"", (int)b->len, (const char *)b->value);
	}
	putchar('\n');
	if (b->type == SPDM_MEAS_TYPE_DEVICE_MODE &&
	    !spdm_meas_device_mode(&blk, &mode)) {
		printf("%*soperational mode: capabilities ", indent, "");
		print_bits(mode.op_mode_caps, op_mode_bits,
			   ARRAY_SIZE(op_mode_bits));
		printf(", state ");
		print_bits(mode.op_mode_state, op_mode_bits,
			   ARRAY_SIZE(op_mode_bits));
		printf("\n%*sdevice mode: capabilities ", indent, "");
		print_bits(mode.dev_mode_caps, dev_mode_bits,
			   ARRAY_SIZE(dev_mode_bits));
		printf(", state ");
		print_bits(mode.dev_mode_state, dev_mode_bits,
			   ARRAY_SIZE(dev_mode_bits));
		putchar('\n');
	}
}

static void meas_text(const struct evidence *ev)
{
	size_t i;

	printf("%s: SPDM %u.%u, %zu measurement block%s, ", ev->device,
	       (ev->version >> 4) & 0xf, ev->version & 0xf, ev->num_blocks,
	       ev->num_blocks == 1 ? "" : "s");
	/* The kernel names the slot of signed measurements only */
	if (ev->slot >= 0)
		printf("signed by slot %d (%s, %s)", ev->slot,
		       ev->asym_algo ?: "?", sig_hash_name(ev->hash_algo));
	else
		printf("unsigned");
	if (ev->count >= 0)
		printf(", %d indices", ev->count);
	if (ev->content_changed >= 0)
		printf(", content-changed %s",
		       meas_changed_name(ev->content_changed));
	putchar('\n');
	if (!ev->num_blocks)
		return;
	printf("%5s  %-19s  %-6s  %s\n", "index", "type", "form", "value");
	for (i = 0; i < ev->num_blocks; i++) {
		const struct meas_block *b = &ev->blocks[i];
		const char *type = meas_type_name(b->type);

		printf("%5u  ", b->index);
		if (type)
			printf("%-19s  ", type);
		else
			printf("type-%-14u  ", b->type);
		printf("%-6s  ", b->raw ? "raw" : "digest");
		print_hex(b->value, b->len, MEAS_TEXT_MAX);
		meas_value_text(b, 5 + 2 + 19 + 2 + 6 + 2);
	}
}

/**
 * cmd_meas() - spdmctl meas: take measurements and show them
 * @nl: the connection
 * @argc: the arguments after "meas"
 * @argv: them
 *
 * Return: an exit code.
 */
int cmd_meas(struct nl *nl, int argc, char **argv)
{
	struct meas_opts o;
	struct meas_reply r;
	int ret;

	ret = meas_args(argc, argv, false, &o);
	if (ret)
		return ret;
	if (meas_get(nl, &o, &r) < 0) {
		evidence_free(&r.ev);
		return nl_fail(nl, "measurements of", o.name);
	}
	if (json_out) {
		struct json_object *obj = evidence_json(&r.ev);

		json_print(obj);
		json_object_put(obj);
	} else {
		meas_text(&r.ev);
	}
	evidence_free(&r.ev);
	return EXIT_OK;
}

/* What signed evidence lacks, or NULL if it is complete */
static const char *evidence_missing(const struct evidence *ev)
{
	if (!ev->sig)
		return "a signature";
	if (!ev->transcript || !ev->transcript_len)
		return "the transcript";
	if (ev->slot < 0)
		return "the slot";
	if (!ev->asym_algo || !ev->meas_hash_algo)
		return "the algorithms";
	if (ev->meas_offset < 0 || ev->req_nonce_offset < 0 ||
	    ev->rsp_nonce_offset < 0)
		return "the offsets";
	if (ev->version >= 0x12 && !ev->has_prefix)
		return "the combined prefix";
	if (!ev->chain || !ev->chain_len)
		return "the certificate chain";
	return NULL;
}

/**
 * cmd_evidence() - spdmctl evidence: write signed measurements to a file
 * @nl: the connection
 * @argc: the arguments after "evidence"
 * @argv: them
 *
 * Return: an exit code.
 */
int cmd_evidence(struct nl *nl, int argc, char **argv)
{
	struct json_object *obj;
	struct meas_opts o;
	struct meas_reply r;
	const char *missing, *s;
	char *text;
	int ret;

	ret = meas_args(argc, argv, true, &o);
	if (ret)
		return ret;
	if (meas_get(nl, &o, &r) < 0) {
		evidence_free(&r.ev);
		return nl_fail(nl, "measurements of", o.name);
	}
	ret = EXIT_FAIL;
	missing = evidence_missing(&r.ev);
	if (missing) {
		err_msg("evidence of %s: the kernel's reply lacks %s", o.name,
			missing);
		goto out;
	}
	if (o.have_nonce &&
	    ((uint64_t)r.ev.req_nonce_offset + SPDM_NONCE_LEN >
	     r.ev.transcript_len ||
	     memcmp(r.ev.transcript + r.ev.req_nonce_offset, o.nonce,
		    SPDM_NONCE_LEN))) {
		err_msg("evidence of %s: the transcript does not hold the nonce given",
			o.name);
		goto out;
	}
	obj = evidence_json(&r.ev);
	s = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY |
					   JSON_C_TO_STRING_SPACED |
					   JSON_C_TO_STRING_NOSLASHESCAPE);
	if (asprintf(&text, "%s\n", s) < 0) {
		err_msg("evidence of %s: out of memory", o.name);
	} else {
		if (!write_out(o.out, text, strlen(text)))
			ret = EXIT_OK;
		free(text);
	}
	json_object_put(obj);
out:
	evidence_free(&r.ev);
	return ret;
}

/* ------------------------------------------------------------------ */
/* mel                                                                  */
/* ------------------------------------------------------------------ */

struct mel_reply {
	char *name;
	uint8_t *mel;
	size_t len;
	bool got;
	bool bad;		/* the reply is malformed */
};

static int mel_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[SPDM_A_MEAS_MAX + 1];
	struct mel_reply *r = data;
	const char *s;

	if (r->got)
		return MNL_CB_OK;
	r->got = true;
	if (nl_parse(nlh, tb, SPDM_A_MEAS_MAX) < 0) {
		r->bad = true;
		return MNL_CB_ERROR;
	}
	s = attr_str(tb[SPDM_A_MEAS_NAME]);
	if (s)
		r->name = strdup(s);
	if (tb[SPDM_A_MEAS_MEL]) {
		r->len = mnl_attr_get_payload_len(tb[SPDM_A_MEAS_MEL]);
		r->mel = memdup(mnl_attr_get_payload(tb[SPDM_A_MEAS_MEL]),
				r->len);
	}
	return MNL_CB_OK;
}

/*
 * Decode the whole log into @entries (pointing into @mel): the header,
 * then exactly NumberOfEntries entries filling the entries' length, and
 * nothing after them.  Returns the number of entries, or -1 with @why.
 */
static long mel_decode(const uint8_t *mel, size_t len,
		       struct spdm_mel_entry **entries, char *why,
		       size_t size)
{
	struct spdm_mel_hdr hdr;
	size_t off, end, n = 0;
	int ret;

	*entries = NULL;
	ret = spdm_decode_mel_header(mel, len, &hdr);
	if (ret < 0) {
		snprintf(why, size, "its header does not decode (%s)",
			 strerror(-ret));
		return -1;
	}
	if (hdr.entries_len > len - SPDM_MEL_HDR_SIZE) {
		snprintf(why, size, "its header announces %u bytes of entries, only %zu follow",
			 hdr.entries_len, len - SPDM_MEL_HDR_SIZE);
		return -1;
	}
	end = SPDM_MEL_HDR_SIZE + (size_t)hdr.entries_len;
	if (end != len) {
		snprintf(why, size, "%zu bytes follow its entries", len - end);
		return -1;
	}
	/* The header decoder checked that this many entries fit */
	*entries = calloc(hdr.num_entries ? hdr.num_entries : 1,
			  sizeof(**entries));
	if (!*entries) {
		snprintf(why, size, "out of memory");
		return -1;
	}
	for (off = SPDM_MEL_HDR_SIZE; off < end; n++) {
		if (n == hdr.num_entries) {
			snprintf(why, size, "it has more than the %u entries its header announces",
				 hdr.num_entries);
			return -1;
		}
		ret = spdm_decode_mel_entry(mel + off, end - off,
					    &(*entries)[n]);
		if (ret < 0) {
			snprintf(why, size, "entry %zu (at byte %zu) does not decode (%s)",
				 n, off, strerror(-ret));
			return -1;
		}
		off += ret;
	}
	if (n != hdr.num_entries) {
		snprintf(why, size, "it has %zu entries, its header announces %u",
			 n, hdr.num_entries);
		return -1;
	}
	return n;
}

static void mel_text(const char *name, size_t len,
		     const struct spdm_mel_entry *entries, long n)
{
	long i;

	printf("%s: measurement extension log, %ld entr%s, %zu bytes\n", name,
	       n, n == 1 ? "y" : "ies", len);
	if (!n)
		return;
	printf("%9s  %5s  %-19s  %-6s  %s\n", "mel-index", "index", "type",
	       "form", "value");
	for (i = 0; i < n; i++) {
		const struct spdm_mel_entry *e = &entries[i];
		struct meas_block b = {
			.index = e->meas_index,
			.type = e->type,
			.raw = e->raw,
			.value = (uint8_t *)e->value,
			.len = e->value_len,
		};

		printf("%9u  %5u  %-19s  %-6s  ", e->mel_index, e->meas_index,
		       meas_type_name(e->type) ?: "?",
		       e->raw ? "raw" : "digest");
		print_hex(e->value, e->value_len, MEAS_TEXT_MAX);
		meas_value_text(&b, 9 + 2 + 5 + 2 + 19 + 2 + 6 + 2);
	}
}

static struct json_object *mel_json(const char *name,
				    const struct spdm_mel_entry *entries,
				    long n)
{
	struct json_object *o = json_object_new_object();
	struct json_object *a = json_object_new_array();
	long i;

	json_add_str(o, "name", name);
	json_add_int(o, "num_entries", n);
	for (i = 0; i < n; i++) {
		const struct spdm_mel_entry *e = &entries[i];
		struct json_object *je = json_object_new_object();

		json_add_int(je, "mel_index", e->mel_index);
		json_add_int(je, "index", e->meas_index);
		json_add_str(je, "type", meas_type_name(e->type) ?: "?");
		json_object_object_add(je, "raw",
				       json_object_new_boolean(e->raw));
		json_add_hex(je, "value", e->value, e->value_len);
		json_object_array_add(a, je);
	}
	json_object_object_add(o, "entries", a);
	return o;
}

/**
 * cmd_mel() - spdmctl mel: the measurement extension log
 * @nl: the connection
 * @argc: the arguments after "mel"
 * @argv: them
 *
 * Return: an exit code.
 */
int cmd_mel(struct nl *nl, int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], why[160];
	struct spdm_mel_entry *entries = NULL;
	const char *name = NULL, *out = NULL;
	struct mel_reply r = { 0 };
	struct nlmsghdr *nlh;
	int ret = EXIT_FAIL, i;
	long n;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-o")) {
			out = argv[++i];
			if (!out)
				return usage_err("-o takes a file name%s", "");
		} else if (argv[i][0] == '-' || name) {
			return usage_err("mel: unexpected '%s'", argv[i]);
		} else {
			name = argv[i];
		}
	}
	if (!name)
		return usage_err("mel: which device?%s", "");

	nlh = nl_start(nl, buf, SPDM_CMD_MEL_GET, false);
	mnl_attr_put_strz(nlh, SPDM_A_MEAS_NAME, name);
	if (nl_talk(nl, nlh, mel_cb, &r) < 0) {
		if (r.bad) {
			nl->err = EBADMSG;
			snprintf(nl->ext_msg, sizeof(nl->ext_msg),
				 "the reply is malformed");
			nl->ext_attr[0] = '\0';
		}
		ret = nl_fail(nl, "measurement extension log of", name);
		goto out;
	}
	if (!r.mel) {
		err_msg("measurement extension log of %s: the reply has no log",
			name);
		goto out;
	}
	if (out) {
		if (!write_out(out, r.mel, r.len))
			ret = EXIT_OK;
		goto out;
	}
	n = mel_decode(r.mel, r.len, &entries, why, sizeof(why));
	if (n < 0) {
		err_msg("measurement extension log of %s: %s", name, why);
		goto out;
	}
	if (json_out) {
		struct json_object *o = mel_json(r.name ?: name, entries, n);

		json_print(o);
		json_object_put(o);
	} else {
		mel_text(r.name ?: name, r.len, entries, n);
	}
	ret = EXIT_OK;
out:
	free(entries);
	free(r.mel);
	free(r.name);
	return ret;
}
