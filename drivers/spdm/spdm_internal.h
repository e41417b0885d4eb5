/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kspdm requester core: private state shared by the core's files
 */
#ifndef _SPDM_INTERNAL_H_
#define _SPDM_INTERNAL_H_

#include <crypto/akcipher.h>
#include <crypto/hash.h>
#include <linux/cleanup.h>
#include <linux/device.h>
#include <linux/ktime.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/spdm.h>
#include <linux/types.h>

#include <uapi/linux/spdm.h>

#include "wire.h"

struct shash_desc;
struct public_key;

DEFINE_FREE(crypto_free_shash, struct crypto_shash *, crypto_free_shash(_T))
DEFINE_FREE(crypto_free_akcipher, struct crypto_akcipher *,
	    crypto_free_akcipher(_T))

/* Requests are retried after Busy at most this often (DSP0274 10.12) */
#define SPDM_BUSY_RETRIES	3
/* At most this many RequestResynch restarts per authentication */
#define SPDM_RESYNCH_RETRIES	2
/* ResponseNotReady waits above 2^SPDM_MAX_RDT_EXPONENT us are refused */
#define SPDM_MAX_RDT_EXPONENT	24
/* All ResponseNotReady waits for one request together: 60 s at most */
#define SPDM_MAX_RNR_WAIT_US	(60 * USEC_PER_SEC)
/* A CTExponent above this is treated as this (2^26 us, about 67 s) */
#define SPDM_MAX_CT_EXPONENT	26
/* ST1, DSP0274 Table "Timing specification": 100 ms */
#define SPDM_ST1_US		100000
/* Certificates in one chain, root included */
#define SPDM_MAX_CHAIN_CERTS	10
/* GET_CERTIFICATE requests for one chain (64 KiB at the minimum size) */
#define SPDM_MAX_CERT_REQUESTS \
	(SPDM_MAX_CHAIN_LEN / (SPDM_MIN_DATA_TRANSFER - SPDM_CERT_RSP_HDR_SIZE) + 1)
#define SPDM_ERROR_LEN		128
/* Bounds on what a responder may make us keep */
#define SPDM_MAX_MEAS_LOG	SZ_1M	/* measurement record, all blocks */
#define SPDM_MAX_MEL		SZ_1M	/* measurement extension log */

/**
 * struct spdm_alg_info - a base asymmetric algorithm the core can verify
 * @bit: BaseAsymAlgo bit
 * @name: user-visible name
 * @pkey_algo: public_key pkey_algo of a matching key
 * @key_bits: modulus or curve size in bits
 * @sig_len: signature size on the wire
 * @rsa_pss: RSASSA-PSS rather than PKCS#1 v1.5 (RSA only)
 */
struct spdm_alg_info {
	u32 bit;
	const char *name;
	const char *pkey_algo;
	unsigned int key_bits;
	unsigned int sig_len;
	bool rsa_pss;
};

/**
 * struct spdm_hash_info - a base hash algorithm
 * @bit: BaseHashAlgo bit
 * @name: crypto API name
 * @size: digest size
 * @hash_algo: the kernel's enum hash_algo (uapi/linux/hash_info.h)
 */
struct spdm_hash_info {
	u32 bit;
	const char *name;
	unsigned int size;
	u16 hash_algo;
};

/**
 * struct spdm_transcript - the messages a signature covers
 * @desc: running hash of the messages since VCA began
 * @buf: VCA (GET_VERSION to ALGORITHMS), followed by every later message
 *	when @keep is set (kept for evidence)
 * @len: bytes used in @buf
 * @cap: allocated size of @buf
 * @vca_len: length of VCA at the start of @buf
 * @hashing: @desc is live (between begin and final)
 * @keep: keep the messages after VCA in @buf
 */
struct spdm_transcript {
	struct shash_desc *desc;
	u8 *buf;
	size_t len;
	size_t cap;
	size_t vca_len;
	bool hashing;
	bool keep;
};

/**
 * struct spdm_stats - what a responder's exchanges cost, for benchmarks
 *	(debugfs spdm/<name>/stats)
 * @requests: requests sent, retries and RESPOND_IF_READY included
 * @tx_bytes: SPDM bytes of those requests
 * @rx_bytes: SPDM bytes of their responses
 * @wait_ns: time spent waiting for the responder (in the transport, and
 *	for Busy and ResponseNotReady)
 * @crypto_ns: time spent hashing, verifying signatures and validating
 *	chains
 * @verifies: signatures verified
 * @calls: authentications and measurements
 * @call_ns: their total time; minus @wait_ns, the requester's own time
 */
struct spdm_stats {
	u64 requests;
	u64 tx_bytes;
	u64 rx_bytes;
	u64 wait_ns;
	u64 crypto_ns;
	u64 verifies;
	u64 calls;
	u64 call_ns;
};

/* Add the time since @start (ktime_get_ns()) to a counter of stats */
static inline void spdm_stats_time(u64 *counter, u64 start)
{
	*counter += ktime_get_ns() - start;
}

/**
 * struct spdm_meas_log - the result of one spdm_measure()
 * @record: the measurement blocks as the responder sent them, from every
 *	response (already validated by the codec)
 * @record_len: length of @record
 * @n_blocks: number of blocks in @record
 * @count: TotalNumberOfMeasurementIndices when it was asked for, else 0
 * @index: what was asked for: SPDM_MEAS_OP_ALL or one index
 * @raw: raw bit streams were asked for
 * @is_signed: the last response was signed and its signature verified
 * @slot: the slot whose key signed
 * @content_changed: SPDM_MEAS_CHANGED_* of the signed response
 * @sig: the signature (the asym algorithm's length), NULL if unsigned
 * @transcript: L1/L2 without the signature when kept for evidence, else
 *	NULL: VCA (SPDM 1.2+) and every GET_MEASUREMENTS and MEASUREMENTS
 * @transcript_len: length of @transcript
 * @meas_off: offset of the first GET_MEASUREMENTS in @transcript
 * @req_nonce_off: offset of the requester's nonce in @transcript
 * @rsp_nonce_off: offset of the responder's nonce in @transcript
 */
struct spdm_meas_log {
	u8 *record;
	size_t record_len;
	u8 n_blocks;
	u8 count;
	u8 index;
	bool raw;
	bool is_signed;
	u8 slot;
	u8 content_changed;
	u8 *sig;
	u8 *transcript;
	size_t transcript_len;
	size_t meas_off;
	size_t req_nonce_off;
	size_t rsp_nonce_off;
};

/**
 * struct spdm_slot - one certificate slot
 * @chain: the chain as retrieved, or NULL
 * @chain_len: its length
 * @certs_off: offset of the DER certificates in @chain (after RootHash)
 * @leaf_off: offset of the leaf certificate in @chain, once validated
 * @leaf_len: its length
 * @chain_digest: hash of @chain, taken when it arrived
 * @chain_hash: BaseHashAlgo bit of @chain_digest
 * @digest: digest from the last DIGESTS
 * @validated: @chain was validated against the trusted roots and its
 *	leaf key is in &spdm_state.leaf_key
 */
struct spdm_slot {
	u8 *chain;
	size_t chain_len;
	size_t certs_off;
	size_t leaf_off;
	size_t leaf_len;
	u8 chain_digest[SPDM_MAX_HASH_SIZE];
	u32 chain_hash;
	u8 digest[SPDM_MAX_HASH_SIZE];
	bool validated;
};

/**
 * struct spdm_state - one SPDM responder
 * @lock: serialises every exchange and all fields below
 * @dev: the device behind the responder
 * @ops: transport
 * @priv: transport's cookie
 * @keyring: trusted roots
 * @max_msg_size: transport's message size limit
 * @req: request buffer (@max_msg_size bytes) while a call exchanges
 * @rsp: response buffer (@max_msg_size bytes) while a call exchanges
 * @version: negotiated version, 0 before negotiation
 * @rsp_caps: responder's capabilities
 * @algs: negotiated algorithms
 * @asym: negotiated signature algorithm
 * @hash: negotiated hash algorithm
 * @shash: hash transform for @hash
 * @transcript: current transcript
 * @provisioned: ProvisionedSlotMask of the last DIGESTS
 * @slots: certificate slots
 * @leaf_key: public key of the validated leaf of @leaf_slot
 * @leaf_slot: slot @leaf_key belongs to, -1 if none
 * @last_rsp_nonce: the responder nonce of the last signed response
 * @meas: the last measurements taken, NULL before
 * @mel: the measurement extension log, NULL before it was fetched
 * @mel_len: its length
 * @stats: costs, for benchmarks
 * @debugfs: the responder's directory in debugfs
 * @state: where the responder stands; read without @lock
 * @class_dev: the responder's device in the class "spdm"
 * @node: entry in spdm_states
 * @resynch: a RequestResynch was received
 * @l1_open: unsigned measurements were exchanged since the last signed
 *	ones or other request: the responder's L1/L2 holds them
 * @quiet: failures are expected (probing): do not log them
 * @error: the last failure in words
 */
struct spdm_state {
	struct mutex lock; /* see above */
	struct device *dev;
	const struct spdm_transport_ops *ops;
	void *priv;
	struct key *keyring;
	size_t max_msg_size;
	u8 *req;
	u8 *rsp;

	u8 version;
	struct spdm_caps rsp_caps;
	struct spdm_algs algs;
	const struct spdm_alg_info *asym;
	const struct spdm_hash_info *hash;
	struct crypto_shash *shash;
	struct spdm_transcript transcript;

	u8 provisioned;
	struct spdm_slot slots[SPDM_MAX_SLOTS];
	struct public_key *leaf_key;
	int leaf_slot;
	u8 last_rsp_nonce[SPDM_NONCE_SIZE];

	struct spdm_meas_log *meas;
	u8 *mel;
	size_t mel_len;
	struct spdm_stats stats;
	struct dentry *debugfs;

	enum spdm_dev_state state;
	struct list_head node;
	struct device *class_dev;
	bool resynch;
	bool l1_open;
	bool quiet;
	char error[SPDM_ERROR_LEN];
};

/* core.c */
__printf(3, 4)
int spdm_fail(struct spdm_state *spdm, int err, const char *fmt, ...);
int spdm_io_begin(struct spdm_state *spdm);
void spdm_io_end(struct spdm_state *spdm);
int spdm_exchange(struct spdm_state *spdm, size_t req_len, u32 timeout_us,
		  size_t *rsp_len);
int spdm_response_end(struct spdm_state *spdm, int consumed, size_t rsp_len,
		      const char *what);
void spdm_drop_slot(struct spdm_state *spdm, u8 slot);
int spdm_record(struct spdm_state *spdm, size_t req_len, size_t rsp_len,
		int consumed, const char *what);
u32 spdm_ct_us(struct spdm_state *spdm);
int spdm_error_errno(u8 code);
extern struct key *spdm_keyring;

/* transcript (crypto.c) */
void spdm_transcript_reset(struct spdm_state *spdm);
void spdm_transcript_vca_done(struct spdm_state *spdm);
int spdm_transcript_begin(struct spdm_state *spdm);
int spdm_transcript_begin_l(struct spdm_state *spdm);
int spdm_transcript_append(struct spdm_state *spdm, const void *buf,
			   size_t len);
int spdm_transcript_final(struct spdm_state *spdm, u8 *digest);
void spdm_transcript_free(struct spdm_transcript *t);

/* crypto.c */
extern u32 spdm_supported_asym;
extern u32 spdm_supported_hash;
int spdm_crypto_probe(void);
const struct spdm_alg_info *spdm_asym_info(u32 bit);
const struct spdm_hash_info *spdm_hash_info(u32 bit);
int spdm_hash(struct crypto_shash *tfm, const void *buf, size_t len,
	      u8 *out);
int spdm_rsa_modulus_bits(const struct public_key *pub);
int spdm_verify(const struct public_key *pub,
		const struct spdm_alg_info *asym,
		const struct spdm_hash_info *hash,
		const u8 *digest, const u8 *sig);
int spdm_verify_transcript(struct spdm_state *spdm, const char *context,
			   const u8 *sig);

/* meas.c */
extern bool spdm_measure_at_auth;
int spdm_measure_locked(struct spdm_state *spdm,
			const struct spdm_meas_params *p, bool keep);
int spdm_mel_locked(struct spdm_state *spdm);
void spdm_meas_log_free(struct spdm_meas_log *log);
int spdm_meas_hash_len(struct spdm_state *spdm);
int spdm_measure_keep(struct spdm_state *spdm,
		      const struct spdm_meas_params *p, bool keep,
		      int (*fill)(struct spdm_state *spdm, void *arg),
		      void *arg);

/* cert.c */
int spdm_validate_chain(struct key *keyring,
			const struct spdm_alg_info *asym,
			const struct spdm_hash_info *hash,
			struct crypto_shash *shash,
			const u8 *chain, size_t len,
			struct public_key **leaf_key, const u8 **leaf_der,
			size_t *leaf_len, unsigned int *verified, char *why,
			size_t why_len);

int spdm_set_trusted_keyrings(const char *val);
void spdm_cert_exit(void);

/* The responders, for netlink; read-held across a netlink operation */
extern struct list_head spdm_states;
extern struct rw_semaphore spdm_states_rwsem;
struct spdm_state *spdm_find_state(const char *name);

extern bool spdm_keep_transcript;

/* netlink.c */
bool spdm_netlink_sig_listeners(void);
void spdm_netlink_sig(struct spdm_state *spdm, u8 rsp_code, u8 slot,
		      size_t start, size_t req_nonce_off, size_t rsp_nonce_off,
		      const u8 *sig, const char *context);
int spdm_netlink_init(void);
void spdm_netlink_exit(void);
void spdm_netlink_notify(struct spdm_state *spdm, enum spdm_event event);
void spdm_netlink_notify_locked(struct spdm_state *spdm,
				enum spdm_event event, const char *reason);

/* sysfs.c */
int spdm_sysfs_add(struct spdm_state *spdm, const char *name);
void spdm_debugfs_add(struct spdm_state *spdm, const char *name);
void spdm_debugfs_del(struct spdm_state *spdm);
void spdm_debugfs_init(void);
void spdm_debugfs_exit(void);
void spdm_sysfs_del(struct spdm_state *spdm);
void spdm_sysfs_refresh(struct spdm_state *spdm);
int spdm_sysfs_init(void);
void spdm_sysfs_exit(void);

/* negotiate.c */
int spdm_negotiate(struct spdm_state *spdm);

/* auth.c */
int spdm_get_digests_and_certs(struct spdm_state *spdm, int *slot);
int spdm_challenge(struct spdm_state *spdm, int slot, const u8 *nonce,
		   const u8 *context);

#endif /* _SPDM_INTERNAL_H_ */
