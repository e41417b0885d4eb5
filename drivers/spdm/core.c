// SPDX-License-Identifier: GPL-2.0-only
/*
 * kspdm requester core: state lifecycle, the exchange path (errors, Busy,
 * ResponseNotReady, RequestResynch, timeouts) and the .spdm keyring
 */

#define pr_fmt(fmt) "spdm: " fmt

#include <kunit/visibility.h>
#include <crypto/public_key.h>
#include <keys/asymmetric-type.h>
#include <linux/cred.h>
#include <linux/delay.h>
#include <linux/key.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include "spdm_internal.h"

/* The trusted roots, added by an admin with keyctl */
struct key *spdm_keyring;

/* Every responder; netlink operations hold the semaphore for reading */
LIST_HEAD(spdm_states);
DECLARE_RWSEM(spdm_states_rwsem);

/**
 * spdm_find_state() - the responder with a given name
 * @name: its directory name in /sys/class/spdm
 *
 * Return: the state or NULL; the caller holds spdm_states_rwsem.
 */
struct spdm_state *spdm_find_state(const char *name)
{
	struct spdm_state *spdm;

	list_for_each_entry(spdm, &spdm_states, node)
		if (!strcmp(dev_name(spdm->class_dev), name))
			return spdm;
	return NULL;
}

bool spdm_keep_transcript;
module_param_named(keep_transcript, spdm_keep_transcript, bool, 0644);
MODULE_PARM_DESC(keep_transcript,
		 "Keep transcripts as bytes (for evidence) rather than only their running hash");

/**
 * spdm_fail() - record and report a failure
 * @spdm: state
 * @err: negative errno to return
 * @fmt: printf format of the reason
 *
 * The reason is kept as the state's last error and logged naming the
 * device.
 *
 * Return: @err.
 */
int spdm_fail(struct spdm_state *spdm, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(spdm->error, sizeof(spdm->error), fmt, ap);
	va_end(ap);
	if (!spdm->quiet)
		dev_err_ratelimited(spdm->dev, "SPDM: %s (%d)\n", spdm->error,
				    err);
	return err;
}

static const struct {
	u8 code;
	int err;
	const char *name;
} spdm_errors[] = {
	{ SPDM_ERR_INVALID_REQUEST, -EINVAL, "InvalidRequest" },
	{ SPDM_ERR_INVALID_SESSION, -ENOTCONN, "InvalidSession" },
	{ SPDM_ERR_BUSY, -EBUSY, "Busy" },
	{ SPDM_ERR_UNEXPECTED_REQUEST, -EBADE, "UnexpectedRequest" },
	{ SPDM_ERR_UNSPECIFIED, -EREMOTEIO, "Unspecified" },
	{ SPDM_ERR_DECRYPT_ERROR, -EILSEQ, "DecryptError" },
	{ SPDM_ERR_UNSUPPORTED_REQUEST, -EBADRQC, "UnsupportedRequest" },
	{ SPDM_ERR_REQUEST_IN_FLIGHT, -EALREADY, "RequestInFlight" },
	{ SPDM_ERR_INVALID_RESPONSE_CODE, -EBADSLT, "InvalidResponseCode" },
	{ SPDM_ERR_SESSION_LIMIT, -EUSERS, "SessionLimitExceeded" },
	{ SPDM_ERR_SESSION_REQUIRED, -ENOLINK, "SessionRequired" },
	{ SPDM_ERR_RESET_REQUIRED, -ENETRESET, "ResetRequired" },
	{ SPDM_ERR_RESPONSE_TOO_LARGE, -EMSGSIZE, "ResponseTooLarge" },
	{ SPDM_ERR_REQUEST_TOO_LARGE, -E2BIG, "RequestTooLarge" },
	{ SPDM_ERR_LARGE_RESPONSE, -EFBIG, "LargeResponse" },
	{ SPDM_ERR_MESSAGE_LOST, -ECOMM, "MessageLost" },
	{ SPDM_ERR_INVALID_POLICY, -EACCES, "InvalidPolicy" },
	{ SPDM_ERR_VERSION_MISMATCH, -ENOPROTOOPT, "VersionMismatch" },
	{ SPDM_ERR_RESPONSE_NOT_READY, -ETIME, "ResponseNotReady" },
	{ SPDM_ERR_REQUEST_RESYNCH, -ECONNABORTED, "RequestResynch" },
	{ SPDM_ERR_OPERATION_FAILED, -ECANCELED, "OperationFailed" },
	{ SPDM_ERR_NO_PENDING_REQUESTS, -ESRCH, "NoPendingRequests" },
	{ SPDM_ERR_VENDOR, -EREMCHG, "Vendor" },
};

/**
 * spdm_error_errno() - the errno an ERROR code maps to
 * @code: ErrorCode (DSP0274 Table 48)
 *
 * Every code has its own errno; reserved codes map to -EIO.
 *
 * Return: a negative errno.
 */
int spdm_error_errno(u8 code)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(spdm_errors); i++)
		if (spdm_errors[i].code == code)
			return spdm_errors[i].err;
	return -EIO;
}
EXPORT_SYMBOL_IF_KUNIT(spdm_error_errno);

static const char *spdm_error_name(u8 code)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(spdm_errors); i++)
		if (spdm_errors[i].code == code)
			return spdm_errors[i].name;
	return "reserved";
}

static const char *spdm_request_name(u8 code)
{
	switch (code) {
	case SPDM_GET_DIGESTS:		return "GET_DIGESTS";
	case SPDM_GET_CERTIFICATE:	return "GET_CERTIFICATE";
	case SPDM_CHALLENGE:		return "CHALLENGE";
	case SPDM_GET_VERSION:		return "GET_VERSION";
	case SPDM_GET_MEASUREMENTS:	return "GET_MEASUREMENTS";
	case SPDM_GET_CAPABILITIES:	return "GET_CAPABILITIES";
	case SPDM_NEGOTIATE_ALGORITHMS:	return "NEGOTIATE_ALGORITHMS";
	case SPDM_RESPOND_IF_READY:	return "RESPOND_IF_READY";
	default:			return "request";
	}
}

/**
 * spdm_ct_us() - the responder's cryptographic timeout CT
 * @spdm: state after GET_CAPABILITIES
 *
 * DSP0274 10.4: CT = 2^CTExponent microseconds, capped here so that a
 * hostile responder cannot make us wait for hours.
 *
 * Return: CT in microseconds, at least ST1.
 */
u32 spdm_ct_us(struct spdm_state *spdm)
{
	u8 e = min_t(u8, spdm->rsp_caps.ct_exponent, SPDM_MAX_CT_EXPONENT);

	return max_t(u32, BIT(e), SPDM_ST1_US);
}

/**
 * spdm_io_begin() - allocate the message buffers for one call's exchanges
 * @spdm: state, locked
 *
 * spdm->req and spdm->rsp hold max_msg_size bytes each only while a call
 * exchanges messages: a responder at rest does not keep them (64 KiB each
 * for a DOE mailbox).
 *
 * Return: 0 or -ENOMEM.
 */
int spdm_io_begin(struct spdm_state *spdm)
{
	lockdep_assert_held(&spdm->lock);
	if (spdm->req)
		return 0;
	spdm->req = kvmalloc(spdm->max_msg_size, GFP_KERNEL);
	spdm->rsp = kvmalloc(spdm->max_msg_size, GFP_KERNEL);
	if (spdm->req && spdm->rsp)
		return 0;
	spdm_io_end(spdm);
	return spdm_fail(spdm, -ENOMEM, "no memory for %zu-byte messages",
			 spdm->max_msg_size);
}

/**
 * spdm_io_end() - free the message buffers after a call
 * @spdm: state, locked or being destroyed
 */
void spdm_io_end(struct spdm_state *spdm)
{
	kvfree(spdm->req);
	kvfree(spdm->rsp);
	spdm->req = NULL;
	spdm->rsp = NULL;
}

static int spdm_transport(struct spdm_state *spdm, const void *req,
			  size_t req_len, u32 timeout_us, size_t *rsp_len)
{
	u64 start = ktime_get_ns();
	ssize_t rc;

	rc = spdm->ops->exchange(spdm->priv, req, req_len, spdm->rsp,
				 spdm->max_msg_size, timeout_us);
	spdm_stats_time(&spdm->stats.wait_ns, start);
	spdm->stats.requests++;
	spdm->stats.tx_bytes += req_len;
	if (rc > 0)
		spdm->stats.rx_bytes += rc;
	if (rc < 0)
		return spdm_fail(spdm, rc, "%s: transport error",
				 spdm_request_name(((u8 *)req)[1]));
	if (rc > spdm->max_msg_size)
		return spdm_fail(spdm, -EOVERFLOW,
				 "%s: transport returned %zd bytes, more than %zu",
				 spdm_request_name(((u8 *)req)[1]), rc,
				 spdm->max_msg_size);
	if (rc < SPDM_HDR_SIZE)
		return spdm_fail(spdm, -EBADMSG,
				 "%s: response of %zd bytes is shorter than a header",
				 spdm_request_name(((u8 *)req)[1]), rc);
	*rsp_len = rc;
	return 0;
}

/*
 * DSP0274 10.12.1: ResponseNotReady.  Wait 2^RDTExponent us and ask again
 * with RESPOND_IF_READY, at most RDTM times.  Each further ResponseNotReady
 * carries the token for the next attempt.
 */
static int spdm_wait_ready(struct spdm_state *spdm, const u8 *req,
			   struct spdm_error_rsp *err, u32 timeout_us,
			   size_t *rsp_len)
{
	unsigned int tries = err->rdtm, i;
	u64 waited = 0, start;
	u8 riy[SPDM_HDR_SIZE];
	int ret;

	for (i = 0; i < tries; i++) {
		if (err->request_code != req[1])
			return spdm_fail(spdm, -EPROTO,
					 "%s: ResponseNotReady names request 0x%02x",
					 spdm_request_name(req[1]),
					 err->request_code);
		if (err->rdt_exponent > SPDM_MAX_RDT_EXPONENT)
			return spdm_fail(spdm, -EPROTO,
					 "%s: ResponseNotReady asks to wait 2^%u us",
					 spdm_request_name(req[1]),
					 err->rdt_exponent);
		/* RDTM times 2^RDTExponent could be over an hour: bound it */
		if (waited + (u64)(tries - i) * BIT(err->rdt_exponent) >
		    SPDM_MAX_RNR_WAIT_US)
			return spdm_fail(spdm, -ETIME,
					 "%s: ResponseNotReady would wait more than %u s",
					 spdm_request_name(req[1]),
					 (unsigned int)(SPDM_MAX_RNR_WAIT_US / USEC_PER_SEC));
		start = ktime_get_ns();
		fsleep(BIT(err->rdt_exponent));
		spdm_stats_time(&spdm->stats.wait_ns, start);
		waited += BIT(err->rdt_exponent);

		spdm_encode_respond_if_ready(riy, sizeof(riy), req[0], req[1],
					     err->token);
		ret = spdm_transport(spdm, riy, sizeof(riy), timeout_us,
				     rsp_len);
		if (ret)
			return ret;
		if (spdm->rsp[1] != SPDM_ERROR)
			return 0;
		ret = spdm_decode_error(spdm->rsp, *rsp_len, err);
		if (ret < 0)
			return spdm_fail(spdm, ret, "%s: truncated ERROR",
					 spdm_request_name(req[1]));
		if (err->code != SPDM_ERR_RESPONSE_NOT_READY)
			return 1;
	}
	return spdm_fail(spdm, -ETIME,
			 "%s: still not ready after %u RESPOND_IF_READY",
			 spdm_request_name(req[1]), tries);
}

/**
 * spdm_exchange() - send the request in spdm->req, receive into spdm->rsp
 * @spdm: state
 * @req_len: length of the request
 * @timeout_us: response time the responder may take (ST1 or CT)
 * @rsp_len: length of the response on success
 *
 * Handles ERROR responses: Busy is retried SPDM_BUSY_RETRIES times,
 * ResponseNotReady is polled with RESPOND_IF_READY, RequestResynch sets
 * spdm->resynch so that the caller restarts at GET_VERSION, and every
 * other ErrorCode fails with its own errno.  On success spdm->rsp holds a
 * response that is not an ERROR.
 *
 * Return: 0 or a negative errno (the reason is in spdm->error).
 */
int spdm_exchange(struct spdm_state *spdm, size_t req_len, u32 timeout_us,
		  size_t *rsp_len)
{
	const u8 *req = spdm->req;
	struct spdm_error_rsp err;
	unsigned int attempt;
	int ret;

	/* DSP0274 10.11: any other request ends the responder's L1/L2 */
	if (req[1] != SPDM_GET_MEASUREMENTS)
		spdm->l1_open = false;
	for (attempt = 0; attempt <= SPDM_BUSY_RETRIES; attempt++) {
		ret = spdm_transport(spdm, req, req_len, timeout_us, rsp_len);
		if (ret)
			return ret;
		if (spdm->rsp[1] != SPDM_ERROR)
			return 0;

		ret = spdm_decode_error(spdm->rsp, *rsp_len, &err);
		if (ret < 0)
			return spdm_fail(spdm, ret, "%s: truncated ERROR",
					 spdm_request_name(req[1]));
		if (spdm->rsp[0] != req[0])
			return spdm_fail(spdm, -EPROTO,
					 "%s: ERROR with version 0x%02x",
					 spdm_request_name(req[1]),
					 spdm->rsp[0]);
		if (err.code == SPDM_ERR_RESPONSE_NOT_READY) {
			ret = spdm_wait_ready(spdm, req, &err, timeout_us,
					      rsp_len);
			if (ret <= 0)
				return ret;
			/* Another ERROR ended the wait: handle it below */
		}
		if (err.code == SPDM_ERR_BUSY) {
			u64 start = ktime_get_ns();

			usleep_range(1000, 2000);
			spdm_stats_time(&spdm->stats.wait_ns, start);
			continue;
		}
		if (err.code == SPDM_ERR_REQUEST_RESYNCH)
			spdm->resynch = true;
		return spdm_fail(spdm, spdm_error_errno(err.code),
				 "%s: responder returned ERROR %s (0x%02x, data 0x%02x)",
				 spdm_request_name(req[1]),
				 spdm_error_name(err.code), err.code, err.data);
	}
	return spdm_fail(spdm, -EBUSY, "%s: responder still Busy after %u retries",
			 spdm_request_name(req[1]), SPDM_BUSY_RETRIES);
}

/**
 * spdm_response_end() - check a decoder's result and the bytes after it
 * @spdm: state
 * @consumed: what the decoder returned (message length or -errno)
 * @rsp_len: bytes received
 * @what: name of the response, for messages
 *
 * Up to pad - 1 bytes of transport padding may follow a message; more is
 * an oversized response.
 *
 * Return: 0 or a negative errno.
 */
int spdm_response_end(struct spdm_state *spdm, int consumed, size_t rsp_len,
		      const char *what)
{
	unsigned int pad = max(spdm->ops->pad, 1U);

	switch (consumed) {
	case -EBADMSG:
		return spdm_fail(spdm, consumed, "%s truncated or inconsistent (%zu bytes)",
				 what, rsp_len);
	case -ENOMSG:
		return spdm_fail(spdm, consumed,
				 "unexpected response code 0x%02x instead of %s",
				 spdm->rsp[1], what);
	case -EPROTO:
		if (spdm->version && spdm->rsp[0] != spdm->version)
			return spdm_fail(spdm, consumed,
					 "%s has version 0x%02x, negotiated 0x%02x",
					 what, spdm->rsp[0], spdm->version);
		return spdm_fail(spdm, consumed, "%s holds an invalid value", what);
	default:
		if (consumed < 0)
			return spdm_fail(spdm, consumed, "%s cannot be decoded",
					 what);
	}
	if (rsp_len - consumed >= pad)
		return spdm_fail(spdm, -EBADMSG, "%s followed by %zu extra bytes",
				 what, rsp_len - consumed);
	return 0;
}

/**
 * spdm_record() - check a response and add the exchange to the transcript
 * @spdm: state
 * @req_len: length of the request in spdm->req
 * @rsp_len: bytes received in spdm->rsp
 * @consumed: what the decoder returned (message length or -errno)
 * @what: name of the response, for messages
 *
 * Return: 0 or a negative errno.
 */
int spdm_record(struct spdm_state *spdm, size_t req_len, size_t rsp_len,
		int consumed, const char *what)
{
	int ret;

	ret = spdm_response_end(spdm, consumed, rsp_len, what);
	if (!ret)
		ret = spdm_transcript_append(spdm, spdm->req, req_len);
	if (!ret)
		ret = spdm_transcript_append(spdm, spdm->rsp, consumed);
	return ret;
}

/**
 * spdm_create() - create the state of one SPDM responder
 * @cfg: transport and device
 *
 * The responder gets a directory in /sys/class/spdm below @cfg->dev.
 *
 * Return: the state, or an ERR_PTR: -EINVAL for a bad configuration,
 * -ENOKEY without a keyring, -EEXIST if the sysfs name is taken, -ENOMEM.
 */
struct spdm_state *spdm_create(const struct spdm_config *cfg)
{
	struct spdm_state *spdm;
	int ret;

	if (!cfg || !cfg->dev || !cfg->ops || !cfg->ops->exchange ||
	    cfg->max_msg_size < SPDM_MIN_DATA_TRANSFER ||
	    cfg->max_msg_size > SZ_16M)
		return ERR_PTR(-EINVAL);
	if (!cfg->keyring && !spdm_keyring)
		return ERR_PTR(-ENOKEY);

	spdm = kzalloc(sizeof(*spdm), GFP_KERNEL);
	if (!spdm)
		return ERR_PTR(-ENOMEM);
	mutex_init(&spdm->lock);
	INIT_LIST_HEAD(&spdm->node);
	spdm->dev = get_device(cfg->dev);
	spdm->ops = cfg->ops;
	spdm->priv = cfg->priv;
	spdm->keyring = key_get(cfg->keyring ?: spdm_keyring);
	spdm->max_msg_size = cfg->max_msg_size;
	spdm->leaf_slot = -1;
	strscpy(spdm->error, "not authenticated");
	ret = spdm_sysfs_add(spdm, cfg->name ?: dev_name(cfg->dev));
	if (ret) {
		spdm_destroy(spdm);
		return ERR_PTR(ret);
	}
	spdm_debugfs_add(spdm, dev_name(spdm->class_dev));
	scoped_guard(rwsem_write, &spdm_states_rwsem)
		list_add_tail(&spdm->node, &spdm_states);
	spdm_netlink_notify(spdm, SPDM_EVENT_ADDED);
	return spdm;
}
EXPORT_SYMBOL_GPL(spdm_create);

/**
 * spdm_drop_slot() - forget a slot's chain and, if it is the one in use,
 * the validated leaf key
 * @spdm: state
 * @slot: slot number
 */
void spdm_drop_slot(struct spdm_state *spdm, u8 slot)
{
	struct spdm_slot *s = &spdm->slots[slot];

	kvfree(s->chain);
	s->chain = NULL;
	s->chain_len = 0;
	s->chain_hash = 0;
	s->validated = false;
	if (spdm->leaf_slot == slot) {
		public_key_free(spdm->leaf_key);
		spdm->leaf_key = NULL;
		spdm->leaf_slot = -1;
	}
}

/**
 * spdm_destroy() - free the state of a responder
 * @spdm: state from spdm_create(), or NULL
 *
 * The caller makes sure that no spdm_authenticate() runs any more.
 */
void spdm_destroy(struct spdm_state *spdm)
{
	int i;

	if (!spdm)
		return;
	if (!list_empty(&spdm->node)) {
		spdm_netlink_notify(spdm, SPDM_EVENT_REMOVED);
		/* Waits for netlink operations on any responder */
		scoped_guard(rwsem_write, &spdm_states_rwsem)
			list_del_init(&spdm->node);
	}
	spdm_debugfs_del(spdm);
	spdm_sysfs_del(spdm);
	for (i = 0; i < SPDM_MAX_SLOTS; i++)
		spdm_drop_slot(spdm, i);
	spdm_transcript_free(&spdm->transcript);
	spdm_meas_log_free(spdm->meas);
	kvfree(spdm->mel);
	crypto_free_shash(spdm->shash);
	spdm_io_end(spdm);
	key_put(spdm->keyring);
	put_device(spdm->dev);
	mutex_destroy(&spdm->lock);
	kfree(spdm);
}
EXPORT_SYMBOL_GPL(spdm_destroy);

static int spdm_authenticate_once(struct spdm_state *spdm, int slot,
				  const u8 *nonce, const u8 *context)
{
	int ret;

	ret = spdm_negotiate(spdm);
	if (ret)
		return ret;
	ret = spdm_get_digests_and_certs(spdm, &slot);
	if (ret)
		return ret;
	return spdm_challenge(spdm, slot, nonce, context);
}

/**
 * spdm_cert_other_name() - find an otherName in a certificate's SAN
 * @cert: DER certificate
 * @len: its length
 * @oid: DER content of the otherName's type-id
 * @oid_len: its length
 * @val: the name's string value, inside @cert
 * @val_len: its length
 *
 * For transports that bind a device identity to the leaf certificate,
 * such as PCIe CMA (otherName 2.23.147).
 *
 * Return: 0, -ENOENT if there is no such name, -EBADMSG if malformed.
 */
int spdm_cert_other_name(const u8 *cert, size_t len, const u8 *oid,
			 size_t oid_len, const u8 **val, size_t *val_len)
{
	return spdm_x509_other_name(cert, len, oid, oid_len, val, val_len);
}
EXPORT_SYMBOL_GPL(spdm_cert_other_name);

static int spdm_authenticate_locked(struct spdm_state *spdm, int slot,
				    const u8 *nonce, const u8 *context)
{
	unsigned int resynchs = 0;
	int ret;

	for (;;) {
		spdm->resynch = false;
		ret = spdm_authenticate_once(spdm, slot, nonce, context);
		if (!ret || !spdm->resynch)
			return ret;
		/* DSP0274 10.12: RequestResynch, start again at GET_VERSION */
		if (resynchs++ == SPDM_RESYNCH_RETRIES)
			return spdm_fail(spdm, -ECONNABORTED,
					 "gave up after %u RequestResynch",
					 resynchs);
	}
}

/*
 * Authenticate with the lock held, announcing the start and keeping the
 * state and error current; with @measure and measure_at_auth, measurements
 * follow and their failure fails the authentication.  A caller that
 * measures next itself passes false, so that they are not taken twice.
 */
static int spdm_authenticate_state(struct spdm_state *spdm, int slot,
				   const u8 *caller_nonce,
				   const u8 *caller_context, bool measure)
{
	u8 nonce[SPDM_NONCE_SIZE], context[SPDM_REQ_CONTEXT_SIZE];
	u64 start = ktime_get_ns();
	int ret;

	lockdep_assert_held(&spdm->lock);
	if (caller_nonce)
		memcpy(nonce, caller_nonce, sizeof(nonce));
	else
		get_random_bytes(nonce, sizeof(nonce));
	if (caller_context)
		memcpy(context, caller_context, sizeof(context));
	else
		get_random_bytes(context, sizeof(context));

	WRITE_ONCE(spdm->state, SPDM_DEV_STATE_AUTHENTICATING);
	spdm_netlink_notify_locked(spdm, SPDM_EVENT_CHANGED,
				   "authentication started");
	ret = spdm_io_begin(spdm);
	if (!ret)
		ret = spdm_authenticate_locked(spdm, slot, nonce, context);
	if (!ret && measure && READ_ONCE(spdm_measure_at_auth) &&
	    (spdm->rsp_caps.flags & (SPDM_CAP_MEAS_SIG | SPDM_CAP_MEAS_NOSIG))) {
		struct spdm_meas_params p = {
			.slot = -1,
			.index = SPDM_MEAS_OP_ALL,
			.nosig = !(spdm->rsp_caps.flags & SPDM_CAP_MEAS_SIG),
		};

		ret = spdm_measure_locked(spdm, &p, false);
	}
	if (!ret)
		strscpy(spdm->error, "none");
	WRITE_ONCE(spdm->state, ret ? SPDM_DEV_STATE_FAILED :
			       SPDM_DEV_STATE_AUTHENTICATED);
	spdm->stats.calls++;
	spdm_stats_time(&spdm->stats.call_ns, start);
	return ret;
}

/* After an authentication, without the lock: tell sysfs, netlink, transport */
static void spdm_authenticate_done(struct spdm_state *spdm, int ret)
{
	/* Readers of the certificate and measurement files take the lock */
	spdm_sysfs_refresh(spdm);
	spdm_netlink_notify(spdm, SPDM_EVENT_CHANGED);
	if (spdm->ops->authenticated)
		spdm->ops->authenticated(spdm->priv, ret);
}

/**
 * spdm_authenticate() - authenticate a responder
 * @spdm: state from spdm_create()
 * @params: slot, nonce and context, or NULL for the defaults
 *
 * Negotiates version, capabilities and algorithms, retrieves the
 * certificate chains of all provisioned slots (unless DIGESTS shows that
 * the chains validated last time are unchanged), validates the chosen
 * slot's chain against the trusted roots and verifies CHALLENGE_AUTH.
 * Callers on the same state are serialised.
 *
 * Return: 0 if the responder is authenticated, else a negative errno; the
 * reason is logged and kept for the state's users.
 */
int spdm_authenticate(struct spdm_state *spdm,
		      const struct spdm_auth_params *params)
{
	int slot = params ? params->slot : -1;
	int ret;

	if (slot < -1 || slot >= SPDM_MAX_SLOTS)
		return -EINVAL;
	scoped_guard(mutex, &spdm->lock) {
		ret = spdm_authenticate_state(spdm, slot,
					      params ? params->nonce : NULL,
					      params ? params->context : NULL,
					      true);
		spdm_io_end(spdm);
	}
	spdm_authenticate_done(spdm, ret);
	return ret;
}
EXPORT_SYMBOL_GPL(spdm_authenticate);

/*
 * A failed check of signed measurements means the responder cannot be
 * trusted; a responder that cannot measure, or a transport error, leaves
 * its authentication as it was.
 */
static bool spdm_meas_untrusted(int err)
{
	return err == -EKEYREJECTED || err == -EEXIST || err == -EPROTO ||
	       err == -EBADMSG || err == -ESTALE;
}

/**
 * spdm_measure_keep() - take measurements, authenticating first if needed
 * @spdm: state
 * @p: what to ask for
 * @keep: keep L1/L2 as bytes in the log (for evidence)
 * @fill: called with the lock held after success, to copy the log out;
 *	may be NULL
 * @arg: passed to @fill
 *
 * Return: 0, the result of @fill, or a negative errno.
 */
int spdm_measure_keep(struct spdm_state *spdm,
		      const struct spdm_meas_params *p, bool keep,
		      int (*fill)(struct spdm_state *spdm, void *arg),
		      void *arg)
{
	bool authed = false;
	int ret = 0;

	if (p->slot < -1 || p->slot >= SPDM_MAX_SLOTS || !p->index)
		return -EINVAL;
	scoped_guard(mutex, &spdm->lock) {
		/* Signed by another slot than the authenticated one: auth it */
		if (READ_ONCE(spdm->state) != SPDM_DEV_STATE_AUTHENTICATED ||
		    (p->slot >= 0 && p->slot != spdm->leaf_slot)) {
			authed = true;
			ret = spdm_authenticate_state(spdm, p->slot, NULL, NULL,
						      false);
		}
		if (!ret)
			ret = spdm_io_begin(spdm);
		if (!ret) {
			u64 start = ktime_get_ns();

			ret = spdm_measure_locked(spdm, p, keep);
			spdm->stats.calls++;
			spdm_stats_time(&spdm->stats.call_ns, start);
			if (spdm_meas_untrusted(ret)) {
				WRITE_ONCE(spdm->state, SPDM_DEV_STATE_FAILED);
				authed = true;
			}
		}
		spdm_io_end(spdm);
		if (!ret && fill)
			ret = fill(spdm, arg);
	}
	if (authed)
		spdm_authenticate_done(spdm, ret);
	else
		spdm_sysfs_refresh(spdm);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(spdm_measure_keep);

/**
 * spdm_measure() - take measurements of a responder
 * @spdm: state from spdm_create()
 * @params: which measurements, slot, nonce and context; NULL for all,
 *	signed by the slot of the last authentication with fresh values
 *
 * Authenticates first if the responder is not authenticated, or with
 * @params->slot if another slot was authenticated.  The measurements
 * replace the responder's log in sysfs; a change against the previous log
 * is announced on the netlink monitor group.  A signature or nonce that
 * does not verify fails the responder's authentication too.
 *
 * Return: 0, -EOPNOTSUPP if the responder cannot do what was asked, or
 * another negative errno (the reason is logged and kept).
 */
int spdm_measure(struct spdm_state *spdm,
		 const struct spdm_meas_params *params)
{
	struct spdm_meas_params def = {
		.slot = -1,
		.index = SPDM_MEAS_OP_ALL,
	};

	return spdm_measure_keep(spdm, params ?: &def, false, NULL, NULL);
}
EXPORT_SYMBOL_GPL(spdm_measure);

/**
 * spdm_authenticated() - result of the last authentication
 * @spdm: state
 *
 * Return: true if the last spdm_authenticate() succeeded.
 */
bool spdm_authenticated(struct spdm_state *spdm)
{
	return READ_ONCE(spdm->state) == SPDM_DEV_STATE_AUTHENTICATED;
}
EXPORT_SYMBOL_GPL(spdm_authenticated);

static int __init spdm_init(void)
{
	int ret;

	ret = spdm_crypto_probe();
	if (ret) {
		pr_err("no usable hash or signature algorithm in the crypto API\n");
		return ret;
	}
	ret = spdm_sysfs_init();
	if (ret)
		return ret;
	spdm_debugfs_init();
	spdm_keyring = keyring_alloc(".spdm", GLOBAL_ROOT_UID, GLOBAL_ROOT_GID,
				     current_cred(),
				     (KEY_POS_ALL & ~KEY_POS_SETATTR) |
				     KEY_USR_VIEW | KEY_USR_READ |
				     KEY_USR_WRITE | KEY_USR_SEARCH,
				     KEY_ALLOC_NOT_IN_QUOTA, NULL, NULL);
	if (IS_ERR(spdm_keyring)) {
		ret = PTR_ERR(spdm_keyring);
		spdm_keyring = NULL;
		spdm_debugfs_exit();
		spdm_sysfs_exit();
		pr_err("cannot create the .spdm keyring (%d)\n", ret);
		return ret;
	}
	ret = spdm_netlink_init();
	if (ret) {
		key_put(spdm_keyring);
		spdm_debugfs_exit();
		spdm_sysfs_exit();
		pr_err("cannot register the netlink family (%d)\n", ret);
		return ret;
	}
	pr_info("requester ready (hashes 0x%x, signatures 0x%x)\n",
		spdm_supported_hash, spdm_supported_asym);
	return 0;
}

static void __exit spdm_exit(void)
{
	spdm_netlink_exit();
	spdm_cert_exit();
	key_put(spdm_keyring);
	spdm_sysfs_exit();
	spdm_debugfs_exit();
}

module_init(spdm_init);
module_exit(spdm_exit);

MODULE_DESCRIPTION("SPDM requester (DMTF DSP0274)");
MODULE_LICENSE("GPL");
