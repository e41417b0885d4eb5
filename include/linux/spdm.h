/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kspdm: in-kernel SPDM requester (DMTF DSP0274 1.0 to 1.3)
 *
 * A transport (PCIe DOE, MCTP, or any other subsystem's mailbox) creates one
 * &struct spdm_state per responder with spdm_create(), giving a callback that
 * sends one request and receives one response.  spdm_authenticate() then
 * negotiates version, capabilities and algorithms, retrieves and validates
 * the certificate chain and verifies a CHALLENGE_AUTH signature.
 */
#ifndef _LINUX_SPDM_H_
#define _LINUX_SPDM_H_

#include <linux/types.h>

struct device;
struct key;
struct net;
struct spdm_state;

/* Size of the nonce a requester sends in CHALLENGE (DSP0274 10.8) */
#define SPDM_NONCE_SIZE		32
/* Size of the RequesterContext of SPDM 1.3 (DSP0274 1.3 10.8) */
#define SPDM_REQ_CONTEXT_SIZE	8
/* Number of certificate slots (DSP0274 10.6) */
#define SPDM_MAX_SLOTS		8

/**
 * struct spdm_transport_ops - how the core reaches one responder
 * @name: short transport name shown to users ("doe", "mctp", ...)
 * @exchange: send the @req_sz bytes at @req and receive one response into
 *	@rsp (at most @rsp_sz bytes), waiting at most @timeout_us
 *	microseconds beyond the transport's own latency.  Returns the
 *	number of response bytes or a negative errno (-ETIMEDOUT when no
 *	response arrived).  May sleep.  Called with the state's lock held,
 *	so never concurrently for one state.
 * @pad: the transport pads responses to a multiple of @pad bytes (DOE:
 *	4), so up to @pad - 1 trailing bytes after a message are ignored.
 *	0 or 1: no padding, trailing bytes are an error.
 * @validate_leaf: optional transport-specific check of the leaf
 *	certificate (DER, @len bytes) of a chain that validated, e.g. the
 *	PCIe CMA identity.  Returns 0 or a negative errno and puts the
 *	reason into @why.  Called with the state's lock held.
 * @authenticated: optional notification after every authentication,
 *	with its result, for example to apply a policy.  Called without
 *	the state's lock.
 */
struct spdm_transport_ops {
	const char *name;
	ssize_t (*exchange)(void *priv, const void *req, size_t req_sz,
			    void *rsp, size_t rsp_sz, u32 timeout_us);
	unsigned int pad;
	int (*validate_leaf)(void *priv, const u8 *leaf, size_t len,
			     char *why, size_t why_len);
	void (*authenticated)(void *priv, int result);
};

/**
 * struct spdm_config - parameters of spdm_create()
 * @dev: the device the responder sits behind (used in messages; the
 *	state holds a reference)
 * @ops: transport operations
 * @priv: opaque pointer handed to @ops callbacks
 * @max_msg_size: largest SPDM message the transport carries in one
 *	exchange, in either direction (at least 42 bytes)
 * @keyring: keyring holding the trusted roots; NULL selects the module's
 *	".spdm" keyring
 * @name: name of the responder's directory in /sys/class/spdm; NULL
 *	uses the name of @dev
 */
struct spdm_config {
	struct device *dev;
	const char *name;
	const struct spdm_transport_ops *ops;
	void *priv;
	size_t max_msg_size;
	struct key *keyring;
};

/**
 * struct spdm_auth_params - optional parameters of spdm_authenticate()
 * @slot: certificate slot to challenge, or -1 for the lowest provisioned
 * @nonce: caller's 32-byte nonce for CHALLENGE, or NULL for a fresh one
 *	from the kernel's random number generator
 * @context: caller's 8-byte RequesterContext (SPDM 1.3), or NULL for a
 *	random one
 */
struct spdm_auth_params {
	int slot;
	const u8 *nonce;
	const u8 *context;
};

/**
 * struct spdm_meas_params - what spdm_measure() asks for
 * @slot: certificate slot whose key signs, or -1 for the slot of the last
 *	authentication
 * @index: one measurement index (1 to 254), or 255 for all
 * @nonce: caller's 32-byte nonce for GET_MEASUREMENTS, or NULL for a
 *	fresh one
 * @context: caller's 8-byte RequesterContext (SPDM 1.3), or NULL
 * @raw: ask for raw bit streams instead of digests (SPDM 1.2+)
 * @new_meas: NewMeasurementRequested (SPDM 1.3)
 * @nosig: ask for measurements without a signature
 */
struct spdm_meas_params {
	int slot;
	u8 index;
	const u8 *nonce;
	const u8 *context;
	bool raw;
	bool new_meas;
	bool nosig;
};

struct spdm_state *spdm_create(const struct spdm_config *cfg);
int spdm_authenticate(struct spdm_state *spdm,
		      const struct spdm_auth_params *params);
bool spdm_authenticated(struct spdm_state *spdm);
int spdm_measure(struct spdm_state *spdm,
		 const struct spdm_meas_params *params);
void spdm_destroy(struct spdm_state *spdm);
/* Longest name of a responder attached through netlink */
#define SPDM_ATTACH_NAME_LEN	64

/**
 * struct spdm_attach_ops - attach and detach through netlink (spdm_mctp)
 * @attach: attach MCTP endpoint @eid of network @netid in @net and put
 *	its name into @name (@len bytes); 0 or a negative errno
 * @detach: detach the endpoint called @name in @net; -ENOENT if unknown
 */
struct spdm_attach_ops {
	int (*attach)(struct net *net, u32 netid, u8 eid, char *name,
		      size_t len);
	int (*detach)(struct net *net, const char *name);
};

int spdm_register_attach(const struct spdm_attach_ops *ops);
void spdm_unregister_attach(const struct spdm_attach_ops *ops);
int spdm_cert_other_name(const u8 *cert, size_t len, const u8 *oid,
			 size_t oid_len, const u8 **val, size_t *val_len);

#endif /* _LINUX_SPDM_H_ */
