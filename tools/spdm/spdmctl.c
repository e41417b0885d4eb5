// SPDX-License-Identifier: GPL-2.0-only
/*
 * spdmctl: list SPDM responders, authenticate them, fetch their
 * certificate chains, attach MCTP endpoints and follow events, through
 * kspdm's generic netlink family "spdm".  See spdmctl(8).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <linux/genetlink.h>
#include <linux/spdm.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "spdmctl.h"

#define SPDMCTL_VERSION	"1.0"

static void usage(FILE *f)
{
	fputs("Usage: spdmctl [-j [-p]] COMMAND\n"
	      "\n"
	      "  dev [show [DEV]]                       list responders\n"
	      "  auth DEV [--slot N] [--nonce HEX]      authenticate DEV\n"
	      "  cert DEV [--slot N] [--pem|--der] [-o FILE]\n"
	      "                                         its certificate chain\n"
	      "  attach mctp NET EID                    attach an MCTP endpoint\n"
	      "  detach DEV                             detach an MCTP endpoint\n"
	      "  monitor [dev|sig|all] [--count N]      follow events\n"
	      "  meas DEV [--index N] [--nonce HEX] [--slot N] [--raw] [--new]\n"
	      "       [--unsigned]                      take measurements\n"
	      "  evidence DEV [--index N] [--nonce HEX] [--slot N] [--raw]\n"
	      "       [-o FILE]                         signed measurements\n"
	      "                                         and their evidence\n"
	      "  verify FILE [--ca ROOT] [--nonce HEX]  check an evidence file\n"
	      "  mel DEV [-o FILE]                      measurement extension log\n"
	      "\n"
	      "  -j, --json     JSON output      -p, --pretty  indented JSON\n"
	      "  -h, --help     this text        -V, --version its version\n",
	      f);
}

/* iproute2 style: a command may be abbreviated */
static bool matches(const char *arg, const char *word)
{
	size_t len = strlen(arg);

	return len && len <= strlen(word) && !strncmp(arg, word, len);
}

static const char *const dev_states[] = {
	[SPDM_DEV_STATE_NEW] = "new",
	[SPDM_DEV_STATE_AUTHENTICATING] = "authenticating",
	[SPDM_DEV_STATE_AUTHENTICATED] = "authenticated",
	[SPDM_DEV_STATE_FAILED] = "failed",
};

static const char *const dev_events[] = {
	[SPDM_EVENT_ADDED] = "added",
	[SPDM_EVENT_REMOVED] = "removed",
	[SPDM_EVENT_CHANGED] = "changed",
};

static const char *const rsp_codes[] = {
	[SPDM_SPDM_REQRSP_CODE_CHALLENGE_AUTH] = "challenge-auth",
	[SPDM_SPDM_REQRSP_CODE_ENDPOINT_INFO] = "endpoint-info",
	[SPDM_SPDM_REQRSP_CODE_MEASUREMENTS] = "measurements",
	[SPDM_SPDM_REQRSP_CODE_KEY_EXCHANGE_RSP] = "key-exchange-rsp",
	[SPDM_SPDM_REQRSP_CODE_FINISH] = "finish",
};

/* ------------------------------------------------------------------ */
/* dev                                                                  */
/* ------------------------------------------------------------------ */

struct dev_list {
	struct json_object *array;	/* JSON output */
	unsigned int count;
};

static struct json_object *dev_json(const struct nlattr **tb)
{
	struct json_object *o = json_object_new_object();
	struct json_object *slots = json_object_new_array();
	int ver = attr_u8(tb[SPDM_A_DEV_VERSION]);
	int mask = attr_u8(tb[SPDM_A_DEV_SLOTS]);
	const char *s;
	int i;

	json_add_str(o, "name", attr_str(tb[SPDM_A_DEV_NAME]) ?: "");
	if ((s = attr_str(tb[SPDM_A_DEV_TRANSPORT])))
		json_add_str(o, "transport", s);
	if ((s = attr_str(tb[SPDM_A_DEV_PARENT])))
		json_add_str(o, "parent", s);
	json_add_str(o, "state",
		     ENUM_NAME(dev_states, (unsigned int)attr_u8(tb[SPDM_A_DEV_STATE])));
	if (ver > 0) {
		char v[8];

		snprintf(v, sizeof(v), "%d.%d", (ver >> 4) & 0xf, ver & 0xf);
		json_add_str(o, "version", v);
	}
	if ((s = attr_str(tb[SPDM_A_DEV_HASH_ALGO])))
		json_add_str(o, "hash_algo", s);
	if ((s = attr_str(tb[SPDM_A_DEV_ASYM_ALGO])))
		json_add_str(o, "asym_algo", s);
	for (i = 0; mask > 0 && i <= SPDM_MAX_SLOT; i++)
		if (mask & (1 << i))
			json_object_array_add(slots, json_object_new_int(i));
	json_object_object_add(o, "slots", slots);
	s = attr_str(tb[SPDM_A_DEV_ERROR]);
	json_add_str(o, "error", s ?: "");
	return o;
}

static void dev_text(const struct nlattr **tb)
{
	int ver = attr_u8(tb[SPDM_A_DEV_VERSION]);
	int mask = attr_u8(tb[SPDM_A_DEV_SLOTS]);
	const char *s, *sep = "";
	int i;

	printf("%s: transport %s state %s",
	       attr_str(tb[SPDM_A_DEV_NAME]) ?: "?",
	       attr_str(tb[SPDM_A_DEV_TRANSPORT]) ?: "?",
	       ENUM_NAME(dev_states, (unsigned int)attr_u8(tb[SPDM_A_DEV_STATE])));
	if (ver > 0)
		printf(" version %d.%d", ver >> 4, ver & 0xf);
	if ((s = attr_str(tb[SPDM_A_DEV_HASH_ALGO])))
		printf(" hash %s", s);
	if ((s = attr_str(tb[SPDM_A_DEV_ASYM_ALGO])))
		printf(" asym %s", s);
	printf(" slots ");
	for (i = 0; mask > 0 && i <= SPDM_MAX_SLOT; i++) {
		if (mask & (1 << i)) {
			printf("%s%d", sep, i);
			sep = ",";
		}
	}
	if (!*sep)
		printf("none");
	putchar('\n');
	if ((s = attr_str(tb[SPDM_A_DEV_PARENT])))
		printf("    parent %s\n", s);
	s = attr_str(tb[SPDM_A_DEV_ERROR]);
	if (s && *s && strcmp(s, "none"))
		printf("    error \"%s\"\n", s);
}

static int dev_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[SPDM_A_DEV_MAX + 1];
	struct dev_list *list = data;

	if (nl_parse(nlh, tb, SPDM_A_DEV_MAX) < 0 || !tb[SPDM_A_DEV_NAME]) {
		err_msg("ignoring a malformed reply from the kernel");
		return MNL_CB_OK;
	}
	list->count++;
	if (json_out)
		json_object_array_add(list->array, dev_json(tb));
	else
		dev_text(tb);
	return MNL_CB_OK;
}

static int cmd_dev(struct nl *nl, int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct dev_list list = { 0 };
	const char *name = NULL;
	struct nlmsghdr *nlh;
	int ret;

	if (argc > 0 && !matches(argv[0], "show") && !matches(argv[0], "list"))
		return usage_err("dev: unknown subcommand '%s'", argv[0]);
	if (argc > 1)
		name = argv[1];
	if (argc > 2)
		return usage_err("dev show: unexpected '%s'", argv[2]);

	nlh = nl_start(nl, buf, SPDM_CMD_DEV_GET, !name);
	if (name)
		mnl_attr_put_strz(nlh, SPDM_A_DEV_NAME, name);
	if (json_out)
		list.array = json_object_new_array();
	ret = nl_talk(nl, nlh, dev_cb, &list);
	if (ret < 0) {
		json_object_put(list.array);
		return nl_fail(nl, "dev show", name);
	}
	if (json_out) {
		/* One device is an object, a list an array */
		if (name && list.count == 1)
			json_print(json_object_array_get_idx(list.array, 0));
		else
			json_print(list.array);
		json_object_put(list.array);
	}
	return EXIT_OK;
}

/* ------------------------------------------------------------------ */
/* auth                                                                 */
/* ------------------------------------------------------------------ */

static int cmd_auth(struct nl *nl, int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct dev_list list = { 0 };
	uint8_t nonce[SPDM_NONCE_LEN];
	struct opt_slot slot = { 0 };
	bool have_nonce = false;
	const char *name = NULL;
	struct nlmsghdr *nlh;
	int i;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--slot")) {
			if (get_slot(argv[++i], &slot))
				return EXIT_USAGE;
		} else if (!strcmp(argv[i], "--nonce")) {
			if (!argv[i + 1] || parse_hex(argv[i + 1], nonce,
						      sizeof(nonce)) < 0)
				return usage_err("--nonce takes 64 hex digits (32 bytes), not '%s'",
						 argv[i + 1] ?: "nothing");
			have_nonce = true;
			i++;
		} else if (argv[i][0] == '-' || name) {
			return usage_err("auth: unexpected '%s'", argv[i]);
		} else {
			name = argv[i];
		}
	}
	if (!name)
		return usage_err("auth: which device?%s", "");

	nlh = nl_start(nl, buf, SPDM_CMD_AUTHENTICATE, false);
	mnl_attr_put_strz(nlh, SPDM_A_DEV_NAME, name);
	if (slot.set)
		mnl_attr_put_u8(nlh, SPDM_A_DEV_SLOT, slot.val);
	if (have_nonce)
		mnl_attr_put(nlh, SPDM_A_DEV_NONCE, sizeof(nonce), nonce);
	if (json_out)
		list.array = json_object_new_array();
	if (nl_talk(nl, nlh, dev_cb, &list) < 0) {
		json_object_put(list.array);
		return nl_fail(nl, "authentication of", name);
	}
	if (json_out) {
		json_print(list.count ? json_object_array_get_idx(list.array, 0) :
					list.array);
		json_object_put(list.array);
	}
	return EXIT_OK;
}

/* ------------------------------------------------------------------ */
/* cert                                                                 */
/* ------------------------------------------------------------------ */

struct chain_reply {
	uint8_t *der;
	size_t len;
	int slot;
};

static int chain_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[SPDM_A_DEV_MAX + 1];
	struct chain_reply *c = data;
	const struct nlattr *a;

	if (nl_parse(nlh, tb, SPDM_A_DEV_MAX) < 0)
		return MNL_CB_ERROR;
	a = tb[SPDM_A_DEV_CERT_CHAIN];
	if (!a || c->der)
		return MNL_CB_OK;
	c->len = mnl_attr_get_payload_len(a);
	c->der = malloc(c->len ? c->len : 1);
	if (!c->der)
		return MNL_CB_ERROR;
	memcpy(c->der, mnl_attr_get_payload(a), c->len);
	c->slot = attr_u8(tb[SPDM_A_DEV_SLOT]);
	return MNL_CB_OK;
}

/* The chain of @name's @slot (-1: the lowest provisioned) */
static int get_chain(struct nl *nl, const char *name, int slot,
		     struct chain_reply *c)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	memset(c, 0, sizeof(*c));
	nlh = nl_start(nl, buf, SPDM_CMD_CERT_GET, false);
	mnl_attr_put_strz(nlh, SPDM_A_DEV_NAME, name);
	if (slot >= 0)
		mnl_attr_put_u8(nlh, SPDM_A_DEV_SLOT, slot);
	if (nl_talk(nl, nlh, chain_cb, c) < 0) {
		free(c->der);
		c->der = NULL;
		return -1;
	}
	if (!c->der) {
		nl->err = EBADMSG;
		snprintf(nl->ext_msg, sizeof(nl->ext_msg),
			 "the reply has no certificate chain");
		return -1;
	}
	return 0;
}

static void json_add_time(struct json_object *o, const char *key,
			  const ASN1_TIME *t)
{
	struct tm tm;
	char s[32];

	if (ASN1_TIME_to_tm(t, &tm) == 1 &&
	    strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%SZ", &tm))
		json_add_str(o, key, s);
}

static void json_add_name(struct json_object *o, const char *key,
			  const X509_NAME *name)
{
	char *s = X509_NAME_oneline(name, NULL, 0);

	if (s)
		json_add_str(o, key, s);
	OPENSSL_free(s);
}

static struct json_object *cert_json(X509 *x, const uint8_t *der, size_t len)
{
	struct json_object *o = json_object_new_object();
	const ASN1_INTEGER *serial = X509_get0_serialNumber(x);
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned int md_len;
	char *b64;

	json_add_name(o, "subject", X509_get_subject_name(x));
	json_add_name(o, "issuer", X509_get_issuer_name(x));
	if (serial)
		json_add_hex(o, "serial", serial->data, serial->length);
	json_add_time(o, "not_before", X509_get0_notBefore(x));
	json_add_time(o, "not_after", X509_get0_notAfter(x));
	if (EVP_Digest(der, len, md, &md_len, EVP_sha256(), NULL))
		json_add_hex(o, "sha256", md, md_len);
	b64 = b64_encode(der, len);
	if (b64)
		json_add_str(o, "der", b64);
	free(b64);
	return o;
}

static int cmd_cert(struct nl *nl, int argc, char **argv)
{
	struct json_object *certs = NULL, *top = NULL;
	const char *name = NULL, *out = NULL;
	struct opt_slot slot = { 0 };
	struct chain_reply c;
	const uint8_t *p, *end;
	BIO *pem = NULL;
	bool der = false;
	int ret = EXIT_FAIL, n = 0, i;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--slot")) {
			if (get_slot(argv[++i], &slot))
				return EXIT_USAGE;
		} else if (!strcmp(argv[i], "--der")) {
			der = true;
		} else if (!strcmp(argv[i], "--pem")) {
			der = false;
		} else if (!strcmp(argv[i], "-o")) {
			out = argv[++i];
			if (!out)
				return usage_err("-o takes a file name%s", "");
		} else if (argv[i][0] == '-' || name) {
			return usage_err("cert: unexpected '%s'", argv[i]);
		} else {
			name = argv[i];
		}
	}
	if (!name)
		return usage_err("cert: which device?%s", "");
	if (der && !out && !json_out && isatty(STDOUT_FILENO))
		return usage_err("cert: not writing DER to a terminal; use -o FILE%s",
				 "");

	if (get_chain(nl, name, slot.set ? (int)slot.val : -1, &c) < 0)
		return nl_fail(nl, "certificate chain of", name);

	if (json_out) {
		top = json_object_new_object();
		certs = json_object_new_array();
		json_add_str(top, "name", name);
		json_add_int(top, "slot", c.slot);
		json_object_object_add(top, "certificates", certs);
	} else if (!der) {
		pem = BIO_new(BIO_s_mem());
		if (!pem)
			goto out;
	}
	/* Every certificate must parse, back to back to the end */
	for (p = c.der, end = c.der + c.len; p < end; n++) {
		const uint8_t *start = p;
		X509 *x = d2i_X509(NULL, &p, end - p);

		if (!x) {
			err_msg("certificate chain of %s: certificate %d does not parse",
				name, n);
			goto out;
		}
		if (certs)
			json_object_array_add(certs, cert_json(x, start, p - start));
		if (pem && !PEM_write_bio_X509(pem, x)) {
			X509_free(x);
			goto out;
		}
		X509_free(x);
	}
	if (!n) {
		err_msg("certificate chain of %s: empty", name);
		goto out;
	}

	if (json_out) {
		const char *s = json_object_to_json_string_ext(top,
			(json_pretty ? JSON_C_TO_STRING_PRETTY : JSON_C_TO_STRING_PLAIN) |
			JSON_C_TO_STRING_NOSLASHESCAPE);
		char *line = malloc(strlen(s) + 2);

		if (!line)
			goto out;
		sprintf(line, "%s\n", s);
		ret = write_out(out, line, strlen(line)) ? EXIT_FAIL : EXIT_OK;
		free(line);
	} else if (pem) {
		char *data;
		long len = BIO_get_mem_data(pem, &data);

		ret = write_out(out, data, len) ? EXIT_FAIL : EXIT_OK;
	} else {
		ret = write_out(out, c.der, c.len) ? EXIT_FAIL : EXIT_OK;
	}
out:
	BIO_free(pem);
	json_object_put(top);
	free(c.der);
	return ret;
}

/* ------------------------------------------------------------------ */
/* attach, detach                                                       */
/* ------------------------------------------------------------------ */

static int name_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[SPDM_A_DEV_MAX + 1];
	const char *s;

	if (nl_parse(nlh, tb, SPDM_A_DEV_MAX) < 0)
		return MNL_CB_ERROR;
	s = attr_str(tb[SPDM_A_DEV_NAME]);
	if (s)
		snprintf(data, 64, "%s", s);
	return MNL_CB_OK;
}

static int cmd_attach(struct nl *nl, int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], name[64] = "", what[64];
	unsigned long net, eid;
	struct nlmsghdr *nlh;

	if (argc < 1 || !matches(argv[0], "mctp"))
		return usage_err("attach: only 'attach mctp NET EID' is known, not '%s'",
				 argc ? argv[0] : "nothing");
	if (argc != 3)
		return usage_err("attach mctp: needs NET and EID%s", "");
	if (parse_uint(argv[1], UINT32_MAX, &net) < 0)
		return usage_err("attach mctp: NET must be a number, not '%s'",
				 argv[1]);
	if (parse_uint(argv[2], 255, &eid) < 0)
		return usage_err("attach mctp: EID must be 0 to 255, not '%s'",
				 argv[2]);

	nlh = nl_start(nl, buf, SPDM_CMD_ATTACH, false);
	mnl_attr_put_u32(nlh, SPDM_A_DEV_MCTP_NET, net);
	mnl_attr_put_u8(nlh, SPDM_A_DEV_MCTP_EID, eid);
	snprintf(what, sizeof(what), "attach mctp %lu %lu", net, eid);
	if (nl_talk(nl, nlh, name_cb, name) < 0)
		return nl_fail(nl, what, NULL);
	if (json_out) {
		struct json_object *o = json_object_new_object();

		json_add_str(o, "name", name);
		json_print(o);
		json_object_put(o);
	} else {
		puts(name);
	}
	return EXIT_OK;
}

static int cmd_detach(struct nl *nl, int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	if (argc != 1)
		return usage_err("detach: needs exactly one device%s", "");
	nlh = nl_start(nl, buf, SPDM_CMD_DETACH, false);
	mnl_attr_put_strz(nlh, SPDM_A_DEV_NAME, argv[0]);
	if (nl_talk(nl, nlh, NULL, NULL) < 0)
		return nl_fail(nl, "detach", argv[0]);
	return EXIT_OK;
}

/* ------------------------------------------------------------------ */
/* monitor                                                              */
/* ------------------------------------------------------------------ */

struct monitor {
	struct nl query;	/* a second connection for lookups */
	unsigned long count;	/* stop after this many events, 0: never */
	unsigned long seen;
};

/* The responder whose parent is @path: its name and signature scheme */
struct dev_lookup {
	const char *path;
	char name[64];
	bool pss;
	bool found;
};

static int lookup_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[SPDM_A_DEV_MAX + 1];
	struct dev_lookup *l = data;
	const char *parent, *name, *asym;

	if (nl_parse(nlh, tb, SPDM_A_DEV_MAX) < 0 || l->found)
		return MNL_CB_OK;
	parent = attr_str(tb[SPDM_A_DEV_PARENT]);
	name = attr_str(tb[SPDM_A_DEV_NAME]);
	if (!parent || !name || strcmp(parent, l->path))
		return MNL_CB_OK;
	asym = attr_str(tb[SPDM_A_DEV_ASYM_ALGO]);
	snprintf(l->name, sizeof(l->name), "%s", name);
	l->pss = asym && !strncmp(asym, "rsapss", 6);
	l->found = true;
	return MNL_CB_OK;
}

/*
 * Check a sig event against the leaf key of its slot, fetched now: the
 * transcript up to sig-offset is what was signed (with the combined
 * prefix from SPDM 1.2 on), the rest is the signature.
 */
static int sig_check(struct monitor *m, const struct spdm_sig *s,
		     struct dev_lookup *l, const char **why)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct chain_reply c;
	EVP_PKEY *key;
	int ret;

	if (s->sig_offset >= s->transcript_len ||
	    s->req_nonce_offset > s->sig_offset - SPDM_NONCE_LEN ||
	    s->rsp_nonce_offset > s->sig_offset - SPDM_NONCE_LEN ||
	    s->sig_offset < SPDM_NONCE_LEN) {
		*why = "offsets outside the transcript";
		return -1;
	}
	l->path = s->device;
	if (nl_talk(&m->query, nl_start(&m->query, buf, SPDM_CMD_DEV_GET, true),
		    lookup_cb, l) < 0 || !l->found) {
		*why = "the device is gone";
		return -1;
	}
	if (get_chain(&m->query, l->name, s->slot, &c) < 0) {
		*why = "cannot fetch the slot's certificate chain";
		return -1;
	}
	key = sig_leaf_key(c.der, c.len, why);
	free(c.der);
	if (!key)
		return -1;
	ret = sig_verify(key, l->pss, sig_hash_md(s->hash_algo),
			 s->has_prefix ? s->prefix : NULL, s->transcript,
			 s->sig_offset, s->transcript + s->sig_offset,
			 s->transcript_len - s->sig_offset, why);
	EVP_PKEY_free(key);
	return ret;
}

static int sig_event(struct monitor *m, const struct nlmsghdr *nlh)
{
	const struct nlattr *tb[SPDM_A_SIG_MAX + 1], *a;
	struct spdm_sig s = { 0 };
	struct dev_lookup l = { 0 };
	const char *why = NULL;
	size_t len = 0;
	bool ok;

	if (nl_parse(nlh, tb, SPDM_A_SIG_MAX) < 0)
		return -1;
	/* The transcript comes in fragments */
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == SPDM_A_SIG_TRANSCRIPT)
			len += mnl_attr_get_payload_len(a);
	s.transcript = malloc(len ? len : 1);
	if (!s.transcript)
		return -1;
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) != SPDM_A_SIG_TRANSCRIPT)
			continue;
		memcpy(s.transcript + s.transcript_len,
		       mnl_attr_get_payload(a), mnl_attr_get_payload_len(a));
		s.transcript_len += mnl_attr_get_payload_len(a);
	}
	s.device = attr_str(tb[SPDM_A_SIG_DEVICE]) ?: "";
	s.rsp_code = attr_u8(tb[SPDM_A_SIG_RSP_CODE]);
	s.slot = attr_u8(tb[SPDM_A_SIG_SLOT]);
	if (tb[SPDM_A_SIG_HASH_ALGO] &&
	    mnl_attr_validate(tb[SPDM_A_SIG_HASH_ALGO], MNL_TYPE_U16) == 0)
		s.hash_algo = mnl_attr_get_u16(tb[SPDM_A_SIG_HASH_ALGO]);
	s.sig_offset = attr_u32(tb[SPDM_A_SIG_SIG_OFFSET]);
	s.req_nonce_offset = attr_u32(tb[SPDM_A_SIG_REQ_NONCE_OFFSET]);
	s.rsp_nonce_offset = attr_u32(tb[SPDM_A_SIG_RSP_NONCE_OFFSET]);
	a = tb[SPDM_A_SIG_COMBINED_SPDM_PREFIX];
	if (a && mnl_attr_get_payload_len(a) == SPDM_PREFIX_LEN) {
		memcpy(s.prefix, mnl_attr_get_payload(a), SPDM_PREFIX_LEN);
		s.has_prefix = true;
	}

	ok = sig_check(m, &s, &l, &why) == 0;
	if (json_out) {
		struct json_object *o = json_object_new_object();

		json_add_str(o, "event", "sig");
		json_add_str(o, "device", s.device);
		if (l.found)
			json_add_str(o, "name", l.name);
		json_add_str(o, "rsp_code", ENUM_NAME(rsp_codes, s.rsp_code));
		json_add_int(o, "slot", s.slot);
		json_add_str(o, "hash_algo", sig_hash_name(s.hash_algo));
		json_add_int(o, "transcript_len", s.transcript_len);
		json_add_int(o, "sig_offset", s.sig_offset);
		if (ok || (why && strcmp(why, "offsets outside the transcript"))) {
			json_add_hex(o, "req_nonce",
				     s.transcript + s.req_nonce_offset,
				     SPDM_NONCE_LEN);
			json_add_hex(o, "rsp_nonce",
				     s.transcript + s.rsp_nonce_offset,
				     SPDM_NONCE_LEN);
		}
		json_object_object_add(o, "verified",
				       json_object_new_boolean(ok));
		if (!ok)
			json_add_str(o, "verify_error", why);
		json_print(o);
		json_object_put(o);
	} else {
		printf("sig %s %s slot %u %s transcript %zu bytes signature %s%s\n",
		       l.found ? l.name : s.device,
		       ENUM_NAME(rsp_codes, s.rsp_code), s.slot,
		       sig_hash_name(s.hash_algo), s.transcript_len,
		       ok ? "verified" : "NOT verified: ", ok ? "" : why);
		fflush(stdout);
	}
	free(s.transcript);
	return 0;
}

static void dev_event(const struct nlmsghdr *nlh)
{
	const struct nlattr *tb[SPDM_A_DEV_MAX + 1];
	const char *event, *name, *state, *reason, *transport;

	if (nl_parse(nlh, tb, SPDM_A_DEV_MAX) < 0)
		return;
	event = ENUM_NAME(dev_events, (unsigned int)attr_u8(tb[SPDM_A_DEV_EVENT]));
	name = attr_str(tb[SPDM_A_DEV_NAME]) ?: "?";
	transport = attr_str(tb[SPDM_A_DEV_TRANSPORT]) ?: "?";
	state = ENUM_NAME(dev_states, (unsigned int)attr_u8(tb[SPDM_A_DEV_STATE]));
	reason = attr_str(tb[SPDM_A_DEV_REASON]);
	if (json_out) {
		struct json_object *o = json_object_new_object();

		json_add_str(o, "event", event);
		json_add_str(o, "name", name);
		json_add_str(o, "transport", transport);
		json_add_str(o, "state", state);
		if (reason)
			json_add_str(o, "reason", reason);
		json_print(o);
		json_object_put(o);
		return;
	}
	printf("%s %s transport %s state %s", event, name, transport, state);
	if (reason && *reason)
		printf(" reason \"%s\"", reason);
	putchar('\n');
	fflush(stdout);
}

static int monitor_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	struct monitor *m = data;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*genl)))
		return MNL_CB_OK;
	if (genl->cmd == SPDM_CMD_DEV_NTF)
		dev_event(nlh);
	else if (genl->cmd == SPDM_CMD_SIG)
		sig_event(m, nlh);
	else
		return MNL_CB_OK;
	if (m->count && ++m->seen >= m->count)
		return MNL_CB_STOP;
	return MNL_CB_OK;
}

static int cmd_monitor(struct nl *nl, int argc, char **argv)
{
	bool dev = false, sig = false;
	struct monitor m = { 0 };
	int i, ret;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--count")) {
			if (!argv[i + 1] ||
			    parse_uint(argv[i + 1], UINT32_MAX, &m.count) < 0)
				return usage_err("--count takes a number, not '%s'",
						 argv[i + 1] ?: "nothing");
			i++;
		} else if (matches(argv[i], "dev")) {
			dev = true;
		} else if (matches(argv[i], "sig")) {
			sig = true;
		} else if (matches(argv[i], "all")) {
			dev = sig = true;
		} else {
			return usage_err("monitor: unknown '%s'", argv[i]);
		}
	}
	if (!dev && !sig)
		dev = sig = true;
	if (nl_open(&m.query) < 0) {
		err_msg("monitor: %s", strerror(errno));
		return EXIT_FAIL;
	}
	if ((dev && nl_join(nl, nl->grp_monitor) < 0) ||
	    (sig && nl_join(nl, nl->grp_sig) < 0)) {
		err_msg("monitor: cannot join the %s group: %s",
			dev ? SPDM_MCGRP_MONITOR : SPDM_MCGRP_SIG,
			strerror(errno));
		nl_close(&m.query);
		return EXIT_FAIL;
	}
	ret = nl_listen(nl, monitor_cb, &m);
	if (ret < 0)
		err_msg("monitor: %s", strerror(errno));
	nl_close(&m.query);
	return ret < 0 ? EXIT_FAIL : EXIT_OK;
}

/* ------------------------------------------------------------------ */

static const struct {
	const char *name;
	int (*fn)(struct nl *nl, int argc, char **argv);
} commands[] = {
	{ "dev", cmd_dev },
	{ "auth", cmd_auth },
	{ "authenticate", cmd_auth },
	{ "cert", cmd_cert },
	{ "attach", cmd_attach },
	{ "detach", cmd_detach },
	{ "monitor", cmd_monitor },
	{ "meas", cmd_meas },
	{ "measurements", cmd_meas },
	{ "evidence", cmd_evidence },
	{ "verify", cmd_verify },
	{ "mel", cmd_mel },
};

int main(int argc, char **argv)
{
	const char *cmd;
	struct nl nl;
	size_t i;
	int ret;

	for (argc--, argv++; argc > 0 && argv[0][0] == '-'; argc--, argv++) {
		const char *o = argv[0];

		if (!strcmp(o, "-j") || !strcmp(o, "--json")) {
			json_out = true;
		} else if (!strcmp(o, "-p") || !strcmp(o, "--pretty")) {
			json_pretty = true;
		} else if (!strcmp(o, "-jp") || !strcmp(o, "-pj")) {
			json_out = json_pretty = true;
		} else if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
			usage(stdout);
			return EXIT_OK;
		} else if (!strcmp(o, "-V") || !strcmp(o, "--version")) {
			printf("spdmctl %s\n", SPDMCTL_VERSION);
			return EXIT_OK;
		} else {
			return usage_err("unknown option '%s'", o);
		}
	}
	if (argc < 1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = argv[0];
	if (matches(cmd, "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (matches(cmd, commands[i].name))
			break;
	if (i == ARRAY_SIZE(commands))
		return usage_err("unknown command '%s'", cmd);
	/* verify needs no kernel */
	if (commands[i].fn == cmd_verify)
		return cmd_verify(NULL, argc - 1, argv + 1);

	if (nl_open(&nl) < 0) {
		if (errno == ENOENT)
			err_msg("the kernel has no SPDM netlink family (is spdm.ko loaded?)");
		else
			err_msg("cannot reach the kernel: %s", strerror(errno));
		return EXIT_FAIL;
	}
	ret = commands[i].fn(&nl, argc - 1, argv + 1);
	nl_close(&nl);
	return ret;
}
