/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * spdmctl: shared declarations
 *
 * The netlink side (nl.c) speaks the generic netlink family "spdm"
 * (Documentation/netlink/specs/spdm.yaml) through libmnl; the signature
 * side (sig.c) re-verifies SPDM signatures with OpenSSL.
 */
#ifndef SPDMCTL_H
#define SPDMCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>
#include <libmnl/libmnl.h>
#include <openssl/evp.h>

/* Exit codes (spdmctl(8)) */
#define EXIT_OK		0
#define EXIT_FAIL	1	/* the operation failed */
#define EXIT_USAGE	2	/* bad command line */

#define SPDM_NONCE_LEN	32
#define SPDM_PREFIX_LEN	100
#define SPDM_MAX_SLOT	7

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
/* The name of enum value @v in table @tab, or "unknown" */
#define ENUM_NAME(tab, v) \
	((v) < ARRAY_SIZE(tab) && (tab)[v] ? (tab)[v] : "unknown")

/* Large enough for a certificate chain or a signed transcript */
#define NL_BUF_SIZE	(1024 * 1024)

struct nl {
	struct mnl_socket *sock;
	char *buf;		/* NL_BUF_SIZE bytes: what recv() got last */
	unsigned int portid;
	unsigned int seq;
	uint16_t family;
	uint32_t grp_monitor;
	uint32_t grp_sig;
	/* the last request, to name the attribute an extended ACK points at */
	const struct nlmsghdr *req;
	/* the last error: errno and the kernel's extended ACK */
	int err;
	char ext_msg[256];
	char ext_attr[64];
};

typedef int (*nl_msg_cb)(const struct nlmsghdr *nlh, void *data);

int nl_open(struct nl *nl);
void nl_close(struct nl *nl);
struct nlmsghdr *nl_start(struct nl *nl, void *buf, uint8_t cmd, bool dump);
int nl_talk(struct nl *nl, struct nlmsghdr *req, nl_msg_cb cb, void *data);
int nl_join(struct nl *nl, uint32_t group);
int nl_listen(struct nl *nl, nl_msg_cb cb, void *data);
const char *nl_strerror(const struct nl *nl, char *buf, size_t size);
int nl_parse(const struct nlmsghdr *nlh, const struct nlattr **tb,
	     unsigned int max);
int nl_parse_nested(const struct nlattr *nest, const struct nlattr **tb,
		    unsigned int max);

/* util.c */
extern bool json_out;		/* -j */
extern bool json_pretty;	/* -p */

struct opt_slot {
	bool set;
	unsigned long val;
};

void err_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int usage_err(const char *fmt, const char *arg);
int parse_uint(const char *s, unsigned long max, unsigned long *val);
int parse_hex(const char *s, uint8_t *out, size_t len);
char *hex_str(const uint8_t *buf, size_t len);
void json_print(struct json_object *obj);
void json_add_str(struct json_object *o, const char *key, const char *val);
void json_add_int(struct json_object *o, const char *key, int64_t val);
void json_add_hex(struct json_object *o, const char *key, const uint8_t *buf,
		  size_t len);
const char *attr_str(const struct nlattr *a);
int attr_u8(const struct nlattr *a);
int64_t attr_u32(const struct nlattr *a);
int nl_fail(struct nl *nl, const char *what, const char *dev);
int get_slot(const char *arg, struct opt_slot *slot);
int write_out(const char *path, const void *buf, size_t len);

/* A signature as the sig group sends it, transcript in one piece */
struct spdm_sig {
	const char *device;
	uint8_t rsp_code;
	uint8_t slot;
	uint16_t hash_algo;		/* the kernel's enum hash_algo */
	uint32_t sig_offset;
	uint32_t req_nonce_offset;
	uint32_t rsp_nonce_offset;
	bool has_prefix;
	uint8_t prefix[SPDM_PREFIX_LEN];
	uint8_t *transcript;
	size_t transcript_len;
};

/* evidence.c: signed measurements and their evidence (EVIDENCE.md) */
#define EVIDENCE_FORMAT		"kspdm-evidence"
#define EVIDENCE_VERSION	1
#define EVIDENCE_MAX_FILE	(64 * 1024 * 1024)
#define MEAS_CONTEXT		"responder-measurements signing"

/* A signature algorithm by its spdm name (as in sysfs) */
struct asym_info {
	const char *name;		/* e.g. "ecdsa-p384" */
	uint32_t spdm_bit;		/* BaseAsymAlgo */
	bool rsa;
	bool pss;			/* RSASSA-PSS rather than PKCS#1 v1.5 */
	int bits;			/* RSA modulus or EC field size */
	int curve;			/* OpenSSL NID of the curve (ECDSA) */
	size_t sig_len;
};

/* One measurement block */
struct meas_block {
	uint8_t index;
	uint8_t type;			/* enum spdm_meas_type */
	bool raw;			/* raw bit stream rather than digest */
	uint8_t *value;
	size_t len;
};

/*
 * Measurements and, when signed, the evidence to verify them: what
 * meas-get returns and what an evidence file holds.  Offsets and the
 * fields after them are -1 or NULL when absent.
 */
struct evidence {
	char *device;
	uint8_t version;		/* SPDMVersion, 0x10 to 0x13 */
	int slot;
	uint16_t hash_algo;		/* the kernel's enum hash_algo */
	char *asym_algo;
	char *meas_hash_algo;		/* a hash name or "raw" */
	uint8_t *transcript;		/* L1/L2 without the signature */
	size_t transcript_len;
	uint8_t *sig;
	size_t sig_len;
	int64_t meas_offset;
	int64_t req_nonce_offset;
	int64_t rsp_nonce_offset;
	bool has_prefix;
	uint8_t prefix[SPDM_PREFIX_LEN];
	uint8_t *chain;			/* DER certificates, root first */
	size_t chain_len;
	int count;			/* TotalNumberOfMeasurementIndices */
	int content_changed;		/* enum spdm_meas_changed */
	struct meas_block *blocks;
	size_t num_blocks;
};

const char *meas_type_name(unsigned int type);
const char *meas_changed_name(unsigned int changed);
const struct asym_info *asym_by_name(const char *name);
char *b64_encode(const uint8_t *buf, size_t len);
int b64_decode(const char *s, size_t len, uint8_t **out, size_t *out_len);
void evidence_init(struct evidence *ev);
void evidence_free(struct evidence *ev);
struct json_object *evidence_json(const struct evidence *ev);
int evidence_parse(struct json_object *obj, struct evidence *ev, char *why,
		   size_t size);

/* meas.c */
int cmd_meas(struct nl *nl, int argc, char **argv);
int cmd_evidence(struct nl *nl, int argc, char **argv);
int cmd_mel(struct nl *nl, int argc, char **argv);

/* verify.c */
int cmd_verify(struct nl *nl, int argc, char **argv);

/* sig.c */
const EVP_MD *sig_hash_md(uint16_t hash_algo);
const char *sig_hash_name(uint16_t hash_algo);
int sig_hash_by_name(const char *name);
int sig_verify(EVP_PKEY *key, bool pss, const EVP_MD *md,
	       const uint8_t *prefix, const uint8_t *msg, size_t msg_len,
	       const uint8_t *sig, size_t sig_len, const char **why);
EVP_PKEY *sig_leaf_key(const uint8_t *chain, size_t len, const char **why);

#endif /* SPDMCTL_H */
