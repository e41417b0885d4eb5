// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: whole authentication and measurement flows against a scripted
 * responder that replays generated vectors, and concurrent callers on one
 * state
 */

#include <kunit/device.h>
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <crypto/hash_info.h>
#include <linux/cred.h>
#include <linux/kthread.h>
#include <linux/netlink.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "../netlink-gen.h"
#include "../spdm_internal.h"
#include "spdm_test.h"

/**
 * struct spdm_script - the scripted responder behind the test transport
 * @test: the running test
 * @phase: the phase being played
 * @step: index of the next expected request in @phase
 * @failed: a request did not match the script
 */
struct spdm_script {
	struct kunit *test;
	const struct spdm_test_phase *phase;
	size_t step;
	bool failed;
};

static ssize_t spdm_script_exchange(void *priv, const void *req,
				    size_t req_sz, void *rsp, size_t rsp_sz,
				    u32 timeout_us)
{
	struct spdm_script *s = priv;
	const struct spdm_test_step *st;

	if (s->step >= s->phase->n_steps) {
		KUNIT_FAIL(s->test, "request %zu beyond the script: %*ph",
			   s->step, (int)min_t(size_t, req_sz, 16), req);
		s->failed = true;
		return -EIO;
	}
	st = &s->phase->steps[s->step++];
	if (req_sz != st->req_len || memcmp(req, st->req, req_sz)) {
		KUNIT_FAIL(s->test,
			   "step %zu: request %zu bytes %*ph, script %zu bytes %*ph",
			   s->step - 1, req_sz, (int)min_t(size_t, req_sz, 24),
			   req, st->req_len,
			   (int)min_t(size_t, st->req_len, 24), st->req);
		s->failed = true;
		return -EIO;
	}
	if (!st->rsp)
		return -ETIMEDOUT;
	if (st->rsp_len > rsp_sz) {
		KUNIT_FAIL(s->test, "step %zu: response larger than %zu",
			   s->step - 1, rsp_sz);
		return -EMSGSIZE;
	}
	memcpy(rsp, st->rsp, st->rsp_len);
	return st->rsp_len;
}

static const struct spdm_transport_ops spdm_script_ops = {
	.name = "kunit",
	.exchange = spdm_script_exchange,
};

KUNIT_DEFINE_ACTION_WRAPPER(spdm_test_destroy, spdm_destroy,
			    struct spdm_state *);

static struct spdm_state *spdm_test_state(struct kunit *test,
					  const struct spdm_transport_ops *ops,
					  void *priv, size_t max,
					  struct key *keyring)
{
	struct spdm_config cfg = {
		.ops = ops,
		.priv = priv,
		.max_msg_size = max,
		.keyring = keyring,
	};
	struct spdm_state *spdm;

	cfg.dev = kunit_device_register(test, "spdm-kunit");
	KUNIT_ASSERT_FALSE(test, IS_ERR(cfg.dev));
	spdm = spdm_create(&cfg);
	KUNIT_ASSERT_FALSE(test, IS_ERR(spdm));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							spdm_test_destroy,
							spdm), 0);
	return spdm;
}

/* Whether a flow takes measurements (replayed by flow_measure) */
static bool spdm_flow_measures(const struct spdm_test_flow *f)
{
	size_t i;

	for (i = 0; i < f->n_phases; i++)
		if (f->phases[i].kind == SPDM_TEST_MEASURE)
			return true;
	return false;
}

/* The flows after @prev that take measurements, or that do not */
static const void *spdm_flow_next(const void *prev, char *desc,
				  bool measures)
{
	const struct spdm_test_flow *t = prev;

	for (t = t ? t + 1 : spdm_test_flow_table;
	     t < spdm_test_flow_table + spdm_test_n_flows; t++) {
		if (spdm_flow_measures(t) == measures) {
			strscpy(desc, t->name, KUNIT_PARAM_DESC_SIZE);
			return t;
		}
	}
	return NULL;
}

static const void *spdm_flow_gen(const void *prev, char *desc)
{
	return spdm_flow_next(prev, desc, false);
}

static const void *spdm_meas_flow_gen(const void *prev, char *desc)
{
	return spdm_flow_next(prev, desc, true);
}

static int spdm_test_play(struct kunit *test, struct spdm_state *spdm,
			  struct spdm_script *s,
			  const struct spdm_test_phase *p)
{
	struct spdm_auth_params params = {
		.slot = p->slot, .nonce = p->nonce, .context = p->context,
	};

	s->phase = p;
	s->step = 0;
	return spdm_authenticate(spdm, &params);
}

/* Play an authentication phase and check its result */
static void spdm_test_auth_phase(struct kunit *test, struct spdm_state *spdm,
				 struct spdm_script *s,
				 const struct spdm_test_flow *f, size_t i)
{
	const struct spdm_test_phase *p = &f->phases[i];
	int ret;

	ret = spdm_test_play(test, spdm, s, p);
	KUNIT_EXPECT_EQ_MSG(test, ret, p->expect, "phase %zu: %s", i,
			    spdm->error);
	KUNIT_EXPECT_FALSE(test, s->failed);
	KUNIT_EXPECT_EQ_MSG(test, s->step, p->n_steps,
			    "phase %zu: script not played to its end", i);
	KUNIT_EXPECT_EQ(test, spdm->l1_open, p->l1_open);
	KUNIT_EXPECT_EQ(test, spdm_authenticated(spdm), !p->expect);
	/* a responder at rest holds no message buffers */
	KUNIT_EXPECT_NULL(test, spdm->req);
	KUNIT_EXPECT_NULL(test, spdm->rsp);
	if (p->expect)
		return;
	KUNIT_EXPECT_EQ(test, spdm->version, f->version);
	KUNIT_EXPECT_EQ(test, spdm->asym->bit, f->asym);
	KUNIT_EXPECT_EQ(test, spdm->hash->bit, f->hash);
	KUNIT_EXPECT_STREQ(test, spdm->error, "none");
}

static void flow_replay(struct kunit *test)
{
	const struct spdm_test_flow *f = test->param_value;
	struct spdm_script s = { .test = test };
	struct spdm_state *spdm;
	struct key *kr;
	size_t i;

	kr = spdm_test_keyring(test, f->root, f->root_len);
	spdm = spdm_test_state(test, &spdm_script_ops, &s, f->transport_max,
			       kr);

	for (i = 0; i < f->n_phases; i++)
		spdm_test_auth_phase(test, spdm, &s, f, i);
}

/* The last MEASUREMENTS of a phase (a MEL exchange may follow it) */
static const struct spdm_test_step *
spdm_test_last_meas(const struct spdm_test_phase *p)
{
	size_t i = p->n_steps;

	while (i--)
		if (p->steps[i].rsp && p->steps[i].rsp_len > 1 &&
		    p->steps[i].rsp[1] == SPDM_MEASUREMENTS)
			return &p->steps[i];
	return NULL;
}

/*
 * Verify a kept L1/L2 and its signature without the core's transcript
 * code: DSP0274 1.2+ signs the combined prefix and the hash of L1/L2,
 * 1.0 and 1.1 the hash of L1/L2 itself.
 */
static int spdm_test_verify_l1(struct kunit *test, struct spdm_state *spdm,
			       const u8 *l1, size_t len, const u8 *sig)
{
	static const char context[] = "responder-measurements signing";
	u8 msg[SPDM_PREFIX_SIZE + SPDM_MAX_HASH_SIZE];
	size_t h = spdm->hash->size, clen = strlen(context);
	u8 digest[SPDM_MAX_HASH_SIZE];
	char ver[20];
	int i;

	if (spdm->version < SPDM_VER_12) {
		KUNIT_ASSERT_EQ(test, spdm_hash(spdm->shash, l1, len, digest), 0);
		return spdm_verify(spdm->leaf_key, spdm->asym, spdm->hash,
				   digest, sig);
	}
	snprintf(ver, sizeof(ver), "dmtf-spdm-v1.%u.*", spdm->version & 0xf);
	for (i = 0; i < 4; i++)
		memcpy(msg + 16 * i, ver, 16);
	memset(msg + 64, 0, SPDM_PREFIX_SIZE - 64 - clen);
	memcpy(msg + SPDM_PREFIX_SIZE - clen, context, clen);
	KUNIT_ASSERT_EQ(test, spdm_hash(spdm->shash, l1, len,
					msg + SPDM_PREFIX_SIZE), 0);
	KUNIT_ASSERT_EQ(test, spdm_hash(spdm->shash, msg, SPDM_PREFIX_SIZE + h,
					digest), 0);
	return spdm_verify(spdm->leaf_key, spdm->asym, spdm->hash, digest, sig);
}

/* The evidence of a signed log: L1/L2, its offsets and its signature */
static void spdm_test_evidence(struct kunit *test, struct spdm_state *spdm,
			       const struct spdm_test_phase *p)
{
	const struct spdm_meas_log *log = spdm->meas;
	u8 *copy;

	KUNIT_ASSERT_NOT_NULL(test, log->transcript);
	KUNIT_ASSERT_EQ(test, log->transcript_len, p->l1_len);
	KUNIT_EXPECT_MEMEQ(test, log->transcript, p->l1, p->l1_len);
	KUNIT_EXPECT_EQ(test, log->meas_off, p->meas_off);
	KUNIT_EXPECT_EQ(test, log->meas_off, spdm->version >= SPDM_VER_12 ?
			spdm->transcript.vca_len : 0);
	KUNIT_EXPECT_EQ(test, log->req_nonce_off, p->req_nonce_off);
	KUNIT_EXPECT_EQ(test, log->rsp_nonce_off, p->rsp_nonce_off);
	KUNIT_ASSERT_LE(test, log->rsp_nonce_off + SPDM_NONCE_SIZE,
			log->transcript_len);
	KUNIT_ASSERT_LE(test, log->req_nonce_off + SPDM_NONCE_SIZE,
			log->transcript_len);
	KUNIT_EXPECT_EQ(test, log->transcript[log->meas_off + 1],
			SPDM_GET_MEASUREMENTS);
	KUNIT_EXPECT_MEMEQ(test, log->transcript + log->req_nonce_off, p->nonce,
			   SPDM_NONCE_SIZE);
	KUNIT_EXPECT_MEMEQ(test, log->transcript + log->rsp_nonce_off,
			   spdm->last_rsp_nonce, SPDM_NONCE_SIZE);

	KUNIT_EXPECT_EQ(test, spdm_test_verify_l1(test, spdm, log->transcript,
						  log->transcript_len,
						  log->sig), 0);
	/* ... and not once a byte of it changes */
	copy = kunit_kmalloc(test, log->transcript_len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, copy);
	memcpy(copy, log->transcript, log->transcript_len);
	copy[log->req_nonce_off] ^= 1;
	KUNIT_EXPECT_EQ(test, spdm_test_verify_l1(test, spdm, copy,
						  log->transcript_len,
						  log->sig), -EKEYREJECTED);
}

/* Play a measurement phase and check the log, or the failure */
static void spdm_test_meas_phase(struct kunit *test, struct spdm_state *spdm,
				 struct spdm_script *s,
				 const struct spdm_test_flow *f, size_t i)
{
	const struct spdm_test_phase *p = &f->phases[i];
	struct spdm_meas_params params = {
		.slot = p->slot,
		.index = p->index,
		.nonce = p->nonce,
		.context = p->context,
		.raw = p->raw,
		.new_meas = p->new_meas,
		.nosig = p->nosig,
	};
	const struct spdm_meas_log *old = spdm->meas, *log;
	const struct spdm_test_step *last;
	const u8 *old_mel = spdm->mel;
	enum spdm_dev_state state;
	int ret;

	s->phase = p;
	s->step = 0;
	ret = spdm_measure_keep(spdm, &params, p->keep, NULL, NULL);
	KUNIT_EXPECT_EQ_MSG(test, ret, p->expect, "phase %zu: %s", i,
			    spdm->error);
	KUNIT_EXPECT_FALSE(test, s->failed);
	KUNIT_EXPECT_EQ_MSG(test, s->step, p->n_steps,
			    "phase %zu: script not played to its end", i);
	/* Unsigned measurements left in the responder's L1/L2, or not */
	KUNIT_EXPECT_EQ_MSG(test, spdm->l1_open, p->l1_open, "phase %zu", i);
	KUNIT_EXPECT_NULL(test, spdm->req);
	KUNIT_EXPECT_NULL(test, spdm->rsp);
	if (p->expect) {
		KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(spdm->error, p->error),
					  "phase %zu: error \"%s\", want \"%s\"",
					  i, spdm->error, p->error);
		/* The previous log and extension log stay */
		KUNIT_EXPECT_PTR_EQ(test, spdm->meas, old);
		KUNIT_EXPECT_PTR_EQ(test, spdm->mel, old_mel);
		state = READ_ONCE(spdm->state);
		KUNIT_EXPECT_EQ(test, state, p->untrusted ?
				SPDM_DEV_STATE_FAILED :
				SPDM_DEV_STATE_AUTHENTICATED);
		return;
	}

	KUNIT_EXPECT_TRUE(test, spdm_authenticated(spdm));
	KUNIT_EXPECT_EQ(test, spdm->leaf_slot, p->slot);
	log = spdm->meas;
	KUNIT_ASSERT_NOT_NULL(test, log);
	KUNIT_EXPECT_EQ(test, log->index, p->index);
	KUNIT_EXPECT_EQ(test, log->raw, p->raw);
	KUNIT_EXPECT_EQ(test, log->n_blocks, p->n_blocks);
	KUNIT_EXPECT_EQ(test, log->count, p->count);
	KUNIT_EXPECT_EQ(test, log->is_signed, p->is_signed);
	KUNIT_EXPECT_EQ(test, log->content_changed, p->content_changed);
	KUNIT_ASSERT_EQ(test, log->record_len, p->record_len);
	if (p->record_len)
		KUNIT_EXPECT_MEMEQ(test, log->record, p->record,
				   p->record_len);

	if (p->is_signed) {
		last = spdm_test_last_meas(p);
		KUNIT_ASSERT_NOT_NULL(test, last);
		KUNIT_EXPECT_EQ(test, log->slot, p->slot);
		KUNIT_ASSERT_NOT_NULL(test, log->sig);
		KUNIT_EXPECT_MEMEQ(test, log->sig,
				   last->rsp + last->rsp_len - spdm->asym->sig_len,
				   spdm->asym->sig_len);
	} else {
		KUNIT_EXPECT_NULL(test, log->sig);
	}
	if (p->l1)
		spdm_test_evidence(test, spdm, p);
	else
		KUNIT_EXPECT_NULL(test, log->transcript);

	if (p->mel) {
		KUNIT_ASSERT_EQ(test, spdm->mel_len, p->mel_len);
		KUNIT_EXPECT_MEMEQ(test, spdm->mel, p->mel, p->mel_len);
	} else {
		KUNIT_EXPECT_NULL(test, spdm->mel);
	}
}

/*
 * Measurement flows: authentication, then spdm_measure_keep() calls with
 * the flow's nonce and context, every request checked byte for byte
 */
static void flow_measure(struct kunit *test)
{
	const struct spdm_test_flow *f = test->param_value;
	struct spdm_script s = { .test = test };
	struct spdm_state *spdm;
	size_t i;

	spdm = spdm_test_state(test, &spdm_script_ops, &s, f->transport_max,
			       spdm_test_keyring(test, f->root, f->root_len));
	for (i = 0; i < f->n_phases; i++) {
		if (f->phases[i].kind == SPDM_TEST_MEASURE)
			spdm_test_meas_phase(test, spdm, &s, f, i);
		else
			spdm_test_auth_phase(test, spdm, &s, f, i);
	}
}

/*
 * Signatures a successful phase verifies: those of the chain when it is
 * fetched (the generated chains are a trusted self-signed root, an
 * intermediate and a leaf: the X.509 parser checks the root's, the walk
 * the two links, and the root holds a trusted key, which needs no further
 * check), and that of each signed response
 */
static u64 spdm_test_phase_verifies(const struct spdm_test_phase *p)
{
	bool chain = false;
	u64 n = 0;
	size_t j;

	for (j = 0; j < p->n_steps; j++) {
		const struct spdm_test_step *st = &p->steps[j];

		if (!st->rsp || st->rsp_len < 2)
			continue;
		if (st->rsp[1] == SPDM_CERTIFICATE)
			chain = true;
		if (st->rsp[1] == SPDM_CHALLENGE_AUTH ||
		    (st->rsp[1] == SPDM_MEASUREMENTS && st->req_len > 2 &&
		     st->req[1] == SPDM_GET_MEASUREMENTS &&
		     (st->req[2] & SPDM_MEAS_REQ_SIG)))
			n++;
	}
	return n + (chain ? 3 : 0);
}

/*
 * debugfs stats: after each phase of a flow, requests and bytes are those
 * of the script's steps, one call per phase, the signatures verified those
 * the phase needs, and crypto and waiting time both fit in the calls' time
 */
static void spdm_test_stats_flow(struct kunit *test,
				 const struct spdm_test_flow *f)
{
	struct spdm_script s = { .test = test };
	struct spdm_stats want = {};
	struct spdm_state *spdm;
	u64 crypto = 0;
	size_t i, j;

	KUNIT_ASSERT_NOT_NULL(test, f);
	spdm = spdm_test_state(test, &spdm_script_ops, &s, f->transport_max,
			       spdm_test_keyring(test, f->root, f->root_len));
	for (i = 0; i < f->n_phases; i++) {
		const struct spdm_test_phase *p = &f->phases[i];

		if (p->kind == SPDM_TEST_MEASURE)
			spdm_test_meas_phase(test, spdm, &s, f, i);
		else
			spdm_test_auth_phase(test, spdm, &s, f, i);
		for (j = 0; j < p->n_steps; j++) {
			want.requests++;
			want.tx_bytes += p->steps[j].req_len;
			if (p->steps[j].rsp)
				want.rx_bytes += p->steps[j].rsp_len;
		}
		want.calls++;
		if (!p->expect)
			want.verifies += spdm_test_phase_verifies(p);
		else
			want.verifies = spdm->stats.verifies;
		KUNIT_EXPECT_EQ_MSG(test, spdm->stats.verifies, want.verifies,
				    "%s phase %zu", f->name, i);
		KUNIT_EXPECT_EQ_MSG(test, spdm->stats.requests, want.requests,
				    "%s phase %zu", f->name, i);
		KUNIT_EXPECT_EQ_MSG(test, spdm->stats.tx_bytes, want.tx_bytes,
				    "%s phase %zu", f->name, i);
		KUNIT_EXPECT_EQ_MSG(test, spdm->stats.rx_bytes, want.rx_bytes,
				    "%s phase %zu", f->name, i);
		KUNIT_EXPECT_EQ_MSG(test, spdm->stats.calls, want.calls,
				    "%s phase %zu", f->name, i);
		/* every successful phase hashes a transcript at least */
		if (!p->expect)
			KUNIT_EXPECT_GT_MSG(test, spdm->stats.crypto_ns, crypto,
					    "%s phase %zu", f->name, i);
		crypto = spdm->stats.crypto_ns;
		KUNIT_EXPECT_LE(test, spdm->stats.crypto_ns + spdm->stats.wait_ns,
				spdm->stats.call_ns);
	}
}

static const char * const spdm_stats_flows[] = {
	/* a full authentication, then one with the chain cached */
	"reauth_cached",
	/* Busy and ResponseNotReady: every retry is a request */
	"v10_ecdsa_p256_rnr_busy",
	/* authentication, then measurements of one index and of all */
	"meas_v12_ecdsa_p256_sha256",
	/* the fallback: probing indices one by one */
	"meas_v12_ecdsa_p256_sha256_fallback",
	/* unsigned measurements, then signed ones with the MEL */
	"meas_v13_mel_nosig_then_signed",
};

static void spdm_stats_flow_desc(const char * const *name, char *desc)
{
	strscpy(desc, *name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(spdm_stats_flow, spdm_stats_flows, spdm_stats_flow_desc);

static void flow_stats(struct kunit *test)
{
	const char * const *name = test->param_value;

	spdm_test_stats_flow(test, spdm_test_find_flow(test, *name));
}

/* A CHALLENGE_AUTH whose Nonce is all zeros is refused before its signature */
static void flow_zero_nonce(struct kunit *test)
{
	const struct spdm_test_flow *f = spdm_test_find_flow(test,
							"v12_ecdsa_p256_sha256");
	struct spdm_script s = { .test = test };
	struct spdm_test_phase phase;
	struct spdm_test_step *steps;
	struct spdm_auth_params params = {};
	struct spdm_state *spdm;
	size_t last;
	u8 *rsp;

	KUNIT_ASSERT_NOT_NULL(test, f);
	phase = f->phases[0];
	last = phase.n_steps - 1;
	steps = kunit_kmalloc_array(test, phase.n_steps, sizeof(*steps),
				    GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, steps);
	memcpy(steps, phase.steps, phase.n_steps * sizeof(*steps));
	rsp = kunit_kmalloc(test, steps[last].rsp_len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, rsp);
	memcpy(rsp, steps[last].rsp, steps[last].rsp_len);
	KUNIT_ASSERT_EQ(test, rsp[1], SPDM_CHALLENGE_AUTH);
	memset(rsp + SPDM_HDR_SIZE + 32, 0, SPDM_NONCE_SIZE);
	steps[last].rsp = rsp;
	phase.steps = steps;
	s.phase = &phase;

	spdm = spdm_test_state(test, &spdm_script_ops, &s, f->transport_max,
			       spdm_test_keyring(test, f->root, f->root_len));
	params.slot = phase.slot;
	params.nonce = phase.nonce;
	params.context = phase.context;
	KUNIT_EXPECT_EQ(test, spdm_authenticate(spdm, &params), -EEXIST);
	KUNIT_EXPECT_STREQ(test, spdm->error, "CHALLENGE_AUTH nonce is all zeros");
	KUNIT_EXPECT_EQ(test, s.step, phase.n_steps);
}

static struct device_attribute *spdm_test_attr(struct kunit *test,
					       struct device *dev,
					       const char *name)
{
	struct attribute **a;

	for (a = dev->groups[0]->attrs; *a; a++)
		if (!strcmp((*a)->name, name))
			return container_of(*a, struct device_attribute, attr);
	KUNIT_FAIL(test, "no attribute %s", name);
	return NULL;
}

static const char *spdm_test_show(struct kunit *test, struct spdm_state *spdm,
				  const char *name)
{
	struct device *dev = spdm->class_dev;
	struct device_attribute *attr = spdm_test_attr(test, dev, name);
	char *buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, attr);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_GT(test, attr->show(dev, attr, buf), 0);
	return buf;
}

/* A transport's leaf check and result notification */
struct spdm_hooked {
	struct spdm_script s;
	int reject;
	size_t leaf_len;
	int results;
	int last;
};

static int spdm_hook_leaf(void *priv, const u8 *leaf, size_t len, char *why,
			  size_t why_len)
{
	struct spdm_hooked *h = priv;

	h->leaf_len = len;
	if (!h->reject)
		return 0;
	snprintf(why, why_len, "identity mismatch");
	return h->reject;
}

static void spdm_hook_result(void *priv, int result)
{
	struct spdm_hooked *h = priv;

	h->results++;
	h->last = result;
}

static ssize_t spdm_hooked_exchange(void *priv, const void *req,
				    size_t req_sz, void *rsp, size_t rsp_sz,
				    u32 timeout_us)
{
	struct spdm_hooked *h = priv;

	return spdm_script_exchange(&h->s, req, req_sz, rsp, rsp_sz,
				    timeout_us);
}

static const struct spdm_transport_ops spdm_hooked_ops = {
	.name = "kunit-hooked",
	.exchange = spdm_hooked_exchange,
	.validate_leaf = spdm_hook_leaf,
	.authenticated = spdm_hook_result,
};

static void flow_transport_hooks(struct kunit *test)
{
	const struct spdm_test_flow *f = spdm_test_find_flow(test,
							"reauth_changed_chain");
	struct spdm_hooked h = { .s.test = test, .reject = -EPERM };
	struct spdm_state *spdm;

	KUNIT_ASSERT_NOT_NULL(test, f);
	spdm = spdm_test_state(test, &spdm_hooked_ops, &h, f->transport_max,
			       spdm_test_keyring(test, f->root, f->root_len));

	/* Rejected after the chain validated: no CHALLENGE is sent */
	KUNIT_EXPECT_EQ(test, spdm_test_play(test, spdm, &h.s, &f->phases[0]),
			-EPERM);
	KUNIT_EXPECT_EQ(test, h.s.step, f->phases[0].n_steps - 1);
	KUNIT_EXPECT_GT(test, h.leaf_len, 0);
	KUNIT_EXPECT_STREQ(test, spdm->error,
			   "slot 0 leaf certificate: identity mismatch");
	KUNIT_EXPECT_EQ(test, h.results, 1);
	KUNIT_EXPECT_EQ(test, h.last, -EPERM);

	/* Accepted: the next phase (a new chain) succeeds */
	h.reject = 0;
	KUNIT_EXPECT_EQ(test, spdm_test_play(test, spdm, &h.s, &f->phases[1]),
			0);
	KUNIT_EXPECT_EQ(test, h.results, 2);
	KUNIT_EXPECT_EQ(test, h.last, 0);
}

/* The transport's leaf check also runs when the chain is cached */
static void flow_transport_hooks_cached(struct kunit *test)
{
	const struct spdm_test_flow *f = spdm_test_find_flow(test, "reauth_cached");
	struct spdm_hooked h = { .s.test = test };
	struct spdm_state *spdm;

	KUNIT_ASSERT_NOT_NULL(test, f);
	spdm = spdm_test_state(test, &spdm_hooked_ops, &h, f->transport_max,
			       spdm_test_keyring(test, f->root, f->root_len));
	KUNIT_EXPECT_EQ(test, spdm_test_play(test, spdm, &h.s, &f->phases[0]),
			0);
	h.reject = -EPERM;
	KUNIT_EXPECT_EQ(test, spdm_test_play(test, spdm, &h.s, &f->phases[1]),
			-EPERM);
	KUNIT_EXPECT_EQ(test, h.s.step, f->phases[1].n_steps - 1);
	KUNIT_EXPECT_FALSE(test, spdm_authenticated(spdm));
}

/* What /sys/class/spdm/<name>/ shows after a success and a failure */
static void flow_sysfs(struct kunit *test)
{
	const struct spdm_test_flow *f = spdm_test_find_flow(test,
							"v13_ecdsa_p384_sha384");
	const struct spdm_test_flow *bad = spdm_test_find_flow(test,
							  "missing_chal_cap");
	struct spdm_script s = { .test = test };
	const struct attribute_group *certs;
	struct device_attribute *attr;
	struct spdm_state *spdm;
	struct device *dev;
	u8 *buf;

	KUNIT_ASSERT_NOT_NULL(test, f);
	KUNIT_ASSERT_NOT_NULL(test, bad);
	spdm = spdm_test_state(test, &spdm_script_ops, &s, f->transport_max,
			       spdm_test_keyring(test, f->root, f->root_len));
	dev = spdm->class_dev;
	KUNIT_ASSERT_NOT_NULL(test, dev);
	KUNIT_EXPECT_STREQ(test, dev_name(dev), dev_name(spdm->dev));
	KUNIT_EXPECT_PTR_EQ(test, dev->parent, spdm->dev);
	KUNIT_EXPECT_STREQ(test, spdm_test_show(test, spdm, "state"), "new\n");
	KUNIT_EXPECT_STREQ(test, spdm_test_show(test, spdm, "authenticated"),
			   "0\n");
	KUNIT_EXPECT_STREQ(test, spdm_test_show(test, spdm, "version"),
			   "none\n");

	KUNIT_ASSERT_EQ(test, spdm_test_play(test, spdm, &s, &f->phases[0]), 0);
	KUNIT_EXPECT_STREQ(test, spdm_test_show(test, spdm, "authenticated"),
			   "1\n");
	KUNIT_EXPECT_STREQ(test, spdm_test_show(test, spdm, "state"),
			   "authenticated\n");
	KUNIT_EXPECT_STREQ(test, spdm_test_show(test, spdm, "error"), "none\n");
	KUNIT_EXPECT_STREQ(test, spdm_test_show(test, spdm, "version"),
			   "1.3\n");
	KUNIT_EXPECT_STREQ(test, spdm_test_show(test, spdm, "capabilities"),
			   "CERT CHAL MEAS_SIG\n");
	KUNIT_EXPECT_STREQ(test, spdm_test_show(test, spdm, "hash_algo"),
			   "sha384\n");
	KUNIT_EXPECT_STREQ(test, spdm_test_show(test, spdm, "asym_algo"),
			   "ecdsa-p384\n");
	KUNIT_EXPECT_STREQ(test, spdm_test_show(test, spdm, "slots"), "0\n");
	KUNIT_EXPECT_STREQ(test, spdm_test_show(test, spdm, "transport"),
			   "kunit\n");

	/* certificates/slot0 is the chain as sent; slot1 is hidden */
	certs = dev->groups[1];
	KUNIT_EXPECT_STREQ(test, certs->name, "certificates");
	KUNIT_EXPECT_EQ(test, certs->is_bin_visible(&dev->kobj,
						    certs->bin_attrs[0], 0),
			0444);
	KUNIT_EXPECT_EQ(test, certs->is_bin_visible(&dev->kobj,
						    certs->bin_attrs[1], 1), 0);
	buf = kunit_kzalloc(test, SPDM_MAX_CHAIN_LEN, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_EQ(test, certs->bin_attrs[0]->read(NULL, &dev->kobj,
							certs->bin_attrs[0],
							buf, 0,
							SPDM_MAX_CHAIN_LEN),
			(ssize_t)spdm->slots[0].chain_len - 4 - 48);
	KUNIT_EXPECT_EQ(test, buf[0], 0x30);
	KUNIT_EXPECT_MEMEQ(test, buf, spdm->slots[0].chain + 4 + 48,
			   spdm->slots[0].chain_len - 4 - 48);

	attr = spdm_test_attr(test, dev, "authenticated");
	KUNIT_ASSERT_NOT_NULL(test, attr);
	KUNIT_EXPECT_EQ(test, attr->store(dev, attr, "yes\n", 4), -EINVAL);

	/* A failure is shown with its reason */
	KUNIT_EXPECT_EQ(test, spdm_test_play(test, spdm, &s, &bad->phases[0]),
			-EOPNOTSUPP);
	KUNIT_EXPECT_STREQ(test, spdm_test_show(test, spdm, "authenticated"),
			   "0\n");
	KUNIT_EXPECT_STREQ(test, spdm_test_show(test, spdm, "state"),
			   "failed\n");
	KUNIT_EXPECT_NOT_NULL(test, strstr(spdm_test_show(test, spdm, "error"),
					   "lack CERT_CAP and CHAL_CAP"));
}

/*
 * Concurrent callers on one state are serialised: a transport that
 * notices two exchanges at once fails the test.  The responder answers
 * nothing, so every call fails quickly with -ETIMEDOUT.
 */
struct spdm_overlap {
	atomic_t inside;
	atomic_t calls;
	bool overlap;
};

static ssize_t spdm_overlap_exchange(void *priv, const void *req,
				     size_t req_sz, void *rsp, size_t rsp_sz,
				     u32 timeout_us)
{
	struct spdm_overlap *o = priv;

	if (atomic_inc_return(&o->inside) > 1)
		o->overlap = true;
	atomic_inc(&o->calls);
	usleep_range(500, 1000);
	atomic_dec(&o->inside);
	return -ETIMEDOUT;
}

static const struct spdm_transport_ops spdm_overlap_ops = {
	.name = "kunit-overlap",
	.exchange = spdm_overlap_exchange,
};

struct spdm_thread_arg {
	struct spdm_state *spdm;
	struct completion done;
	int ret;
};

static int spdm_auth_thread(void *data)
{
	struct spdm_thread_arg *a = data;
	int i;

	for (i = 0; i < 20; i++) {
		a->ret = spdm_authenticate(a->spdm, NULL);
		if (a->ret != -ETIMEDOUT)
			break;
	}
	complete(&a->done);
	return 0;
}

static void flow_concurrent_callers(struct kunit *test)
{
	struct spdm_thread_arg args[4];
	struct spdm_overlap o = {};
	struct spdm_state *spdm;
	int i;

	spdm = spdm_test_state(test, &spdm_overlap_ops, &o, 1024,
			       spdm_test_keyring(test, NULL, 0));
	for (i = 0; i < ARRAY_SIZE(args); i++) {
		struct task_struct *t;

		args[i].spdm = spdm;
		init_completion(&args[i].done);
		t = kthread_run(spdm_auth_thread, &args[i], "spdm-kunit-%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	}
	for (i = 0; i < ARRAY_SIZE(args); i++) {
		wait_for_completion(&args[i].done);
		KUNIT_EXPECT_EQ(test, args[i].ret, -ETIMEDOUT);
	}
	KUNIT_EXPECT_FALSE(test, o.overlap);
	KUNIT_EXPECT_EQ(test, atomic_read(&o.calls), 4 * 20);
	KUNIT_EXPECT_FALSE(test, spdm_authenticated(spdm));
}

/* A responder that is never ready, with an absurd RDTM x 2^RDTExponent */
static ssize_t spdm_never_ready(void *priv, const void *req, size_t req_sz,
				void *rsp, size_t rsp_sz, u32 timeout_us)
{
	const u8 *q = req;
	u8 *r = rsp;
	int *calls = priv;

	(*calls)++;
	if (q[1] == SPDM_GET_VERSION) {
		static const u8 version[] = { 0x10, 0x04, 0, 0, 0, 1, 0, 0x12 };

		memcpy(rsp, version, sizeof(version));
		return sizeof(version);
	}
	/* ResponseNotReady: RDTExponent 24 (16.7 s), RDTM 255 */
	r[0] = q[0];
	r[1] = SPDM_ERROR;
	r[2] = SPDM_ERR_RESPONSE_NOT_READY;
	r[3] = 0;
	r[4] = 24;
	r[5] = q[1];
	r[6] = 1;
	r[7] = 255;
	return 8;
}

static const struct spdm_transport_ops spdm_never_ready_ops = {
	.name = "kunit-never-ready",
	.exchange = spdm_never_ready,
};

static void flow_not_ready_bounded(struct kunit *test)
{
	struct spdm_state *spdm;
	int calls = 0;

	spdm = spdm_test_state(test, &spdm_never_ready_ops, &calls, 1024,
			       spdm_test_keyring(test, NULL, 0));
	KUNIT_EXPECT_EQ(test, spdm_authenticate(spdm, NULL), -ETIME);
	KUNIT_EXPECT_STREQ(test, spdm->error,
			   "GET_CAPABILITIES: ResponseNotReady would wait more than 60 s");
	/* Refused before any wait or RESPOND_IF_READY */
	KUNIT_EXPECT_EQ(test, calls, 2);
}

static void flow_bad_config(struct kunit *test)
{
	struct spdm_config cfg = {
		.ops = &spdm_script_ops,
		.max_msg_size = 41,
	};

	cfg.dev = kunit_device_register(test, "spdm-kunit-cfg");
	KUNIT_ASSERT_FALSE(test, IS_ERR(cfg.dev));
	KUNIT_EXPECT_EQ(test, PTR_ERR(spdm_create(&cfg)), -EINVAL);
	cfg.max_msg_size = 42;
	cfg.ops = NULL;
	KUNIT_EXPECT_EQ(test, PTR_ERR(spdm_create(&cfg)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(spdm_create(NULL)), -EINVAL);
}

static void flow_bad_slot(struct kunit *test)
{
	struct spdm_auth_params params = { .slot = 8 };
	struct spdm_overlap o = {};
	struct spdm_state *spdm;

	spdm = spdm_test_state(test, &spdm_overlap_ops, &o, 1024,
			       spdm_test_keyring(test, NULL, 0));
	KUNIT_EXPECT_EQ(test, spdm_authenticate(spdm, &params), -EINVAL);
	params.slot = -2;
	KUNIT_EXPECT_EQ(test, spdm_authenticate(spdm, &params), -EINVAL);
	KUNIT_EXPECT_EQ(test, atomic_read(&o.calls), 0);
}

/*
 * The generic netlink family, driven through a kernel netlink socket the
 * way a tool would: requests with explicit destination, replies parsed
 * with the family's attribute numbers, extended ACK messages.
 */
struct spdm_nl {
	struct kunit *test;
	struct socket *sock;
	struct nlattr *tb[SPDM_A_DEV_MAX + 1];
	void *buf;
	char extack[128];
	int cmd;
};

static void spdm_nl_close(void *sock)
{
	sock_release(sock);
}

static void spdm_nl_open(struct kunit *test, struct spdm_nl *nl)
{
	int one = 1;

	nl->test = test;
	KUNIT_ASSERT_EQ(test, sock_create_kern(&init_net, AF_NETLINK, SOCK_RAW,
					       NETLINK_GENERIC, &nl->sock), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, spdm_nl_close,
							nl->sock), 0);
	KUNIT_ASSERT_EQ(test, nl->sock->ops->setsockopt(nl->sock, SOL_NETLINK,
							NETLINK_EXT_ACK,
							KERNEL_SOCKPTR(&one),
							sizeof(one)), 0);
	KUNIT_ASSERT_EQ(test, nl->sock->ops->setsockopt(nl->sock, SOL_NETLINK,
							NETLINK_CAP_ACK,
							KERNEL_SOCKPTR(&one),
							sizeof(one)), 0);
	nl->buf = kunit_kzalloc(test, SZ_128K, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, nl->buf);
}

static void spdm_nl_join(struct spdm_nl *nl, unsigned int grp)
{
	struct sockaddr_nl any = { .nl_family = AF_NETLINK };
	u32 id = spdm_nl_family.mcgrp_offset + grp;

	/* A port of its own: port 0 is the kernel's, skipped by multicast */
	KUNIT_ASSERT_EQ(nl->test, kernel_bind(nl->sock, (struct sockaddr *)&any,
					      sizeof(any)), 0);
	KUNIT_ASSERT_EQ(nl->test,
			nl->sock->ops->setsockopt(nl->sock, SOL_NETLINK,
						  NETLINK_ADD_MEMBERSHIP,
						  KERNEL_SOCKPTR(&id),
						  sizeof(id)), 0);
}

/* Start a request in nl->buf (which replies overwrite: build each anew) */
static struct nlmsghdr *spdm_nl_msg(struct spdm_nl *nl, u8 cmd, u16 flags)
{
	struct nlmsghdr *nh = nl->buf;
	struct genlmsghdr *gh;

	memset(nl->buf, 0, NLMSG_LENGTH(GENL_HDRLEN));
	nh->nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	nh->nlmsg_type = spdm_nl_family.id;
	nh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	gh = nlmsg_data(nh);
	gh->cmd = cmd;
	gh->version = SPDM_FAMILY_VERSION;
	return nh;
}

/* Receive one datagram at @off into nl->buf; returns its length */
static int spdm_nl_recv(struct spdm_nl *nl, size_t off)
{
	struct kvec iov = { .iov_base = nl->buf + off,
			    .iov_len = SZ_128K - off };
	struct msghdr msg = {};

	WRITE_ONCE(nl->sock->sk->sk_rcvtimeo, 5 * HZ);
	return kernel_recvmsg(nl->sock, &msg, &iov, 1, SZ_128K - off, 0);
}

/*
 * Parse the messages in nl->buf: the attributes of the last reply go to
 * nl->tb, the extended ACK message to nl->extack.  Returns the ACK's
 * error, 1 if the datagram ended without one, or counts dump entries
 * in *entries.
 */
static int spdm_nl_parse(struct spdm_nl *nl, size_t off, int len,
			 int *entries)
{
	struct nlmsghdr *nh;

	for (nh = nl->buf + off; nlmsg_ok(nh, len); nh = nlmsg_next(nh, &len)) {
		if (nh->nlmsg_type == NLMSG_DONE)
			return 0;
		if (nh->nlmsg_type == NLMSG_ERROR) {
			struct nlmsgerr *e = nlmsg_data(nh);
			struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = {};

			if (nh->nlmsg_flags & NLM_F_ACK_TLVS)
				nla_parse(tb, NLMSGERR_ATTR_MAX,
					  (void *)(e + 1),
					  nh->nlmsg_len - NLMSG_LENGTH(sizeof(*e)),
					  NULL, NULL);
			if (tb[NLMSGERR_ATTR_MSG])
				nla_strscpy(nl->extack, tb[NLMSGERR_ATTR_MSG],
					    sizeof(nl->extack));
			return e->error;
		}
		nl->cmd = ((struct genlmsghdr *)nlmsg_data(nh))->cmd;
		nla_parse(nl->tb, SPDM_A_DEV_MAX,
			  nlmsg_data(nh) + GENL_HDRLEN,
			  nh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN), NULL,
			  NULL);
		if (entries)
			++*entries;
	}
	return 1;
}

/* Send the request in nl->buf and collect the answer */
static int spdm_nl_do(struct spdm_nl *nl, int *entries)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct nlmsghdr *nh = nl->buf;
	struct kvec iov = { .iov_base = nl->buf, .iov_len = nh->nlmsg_len };
	struct msghdr msg = { .msg_name = &kernel,
			      .msg_namelen = sizeof(kernel) };
	size_t off = 0;
	int ret, len;

	memset(nl->tb, 0, sizeof(nl->tb));
	nl->extack[0] = 0;
	ret = kernel_sendmsg(nl->sock, &msg, &iov, 1, nh->nlmsg_len);
	KUNIT_ASSERT_EQ(nl->test, ret, (int)nh->nlmsg_len);
	/* Each datagram after the last: nl->tb points into earlier ones */
	do {
		off = ALIGN(off, 8);
		len = spdm_nl_recv(nl, off);
		KUNIT_ASSERT_GT(nl->test, len, 0);
		ret = spdm_nl_parse(nl, off, len, entries);
		off += len;
	} while (ret == 1);
	return ret;
}

/* A state authenticated once by the scripted responder */
static struct spdm_state *spdm_nl_state(struct kunit *test,
					struct spdm_script *s,
					const struct spdm_test_flow *f)
{
	struct spdm_state *spdm;

	spdm = spdm_test_state(test, &spdm_script_ops, s, f->transport_max,
			       spdm_test_keyring(test, f->root, f->root_len));
	KUNIT_ASSERT_EQ(test, spdm_test_play(test, spdm, s, &f->phases[0]), 0);
	return spdm;
}

static void netlink_dev_get(struct kunit *test)
{
	const struct spdm_test_flow *f = spdm_test_find_flow(test,
							     "v12_ecdsa_p256_sha256");
	struct spdm_script s = { .test = test };
	const char *name;
	struct spdm_state *spdm;
	struct nlmsghdr *nh;
	struct spdm_nl nl;
	int entries = 0;

	KUNIT_ASSERT_NOT_NULL(test, f);
	spdm = spdm_nl_state(test, &s, f);
	name = dev_name(spdm->class_dev);
	spdm_nl_open(test, &nl);

	nh = spdm_nl_msg(&nl, SPDM_CMD_DEV_GET, 0);
	spdm_test_nla_put(nh, SPDM_A_DEV_NAME, name, strlen(name) + 1);
	KUNIT_ASSERT_EQ(test, spdm_nl_do(&nl, NULL), 0);
	KUNIT_ASSERT_NOT_NULL(test, nl.tb[SPDM_A_DEV_NAME]);
	KUNIT_ASSERT_NOT_NULL(test, nl.tb[SPDM_A_DEV_VERSION]);
	KUNIT_EXPECT_EQ(test, nl.cmd, SPDM_CMD_DEV_GET);
	KUNIT_EXPECT_STREQ(test, (char *)nla_data(nl.tb[SPDM_A_DEV_NAME]), name);
	KUNIT_EXPECT_STREQ(test, (char *)nla_data(nl.tb[SPDM_A_DEV_TRANSPORT]),
			   "kunit");
	KUNIT_EXPECT_EQ(test, nla_get_u8(nl.tb[SPDM_A_DEV_STATE]),
			SPDM_DEV_STATE_AUTHENTICATED);
	KUNIT_EXPECT_EQ(test, nla_get_u8(nl.tb[SPDM_A_DEV_VERSION]), 0x12);
	KUNIT_EXPECT_EQ(test, nla_get_u8(nl.tb[SPDM_A_DEV_SLOTS]), 1);
	KUNIT_EXPECT_STREQ(test, (char *)nla_data(nl.tb[SPDM_A_DEV_HASH_ALGO]),
			   "sha256");
	KUNIT_EXPECT_STREQ(test, (char *)nla_data(nl.tb[SPDM_A_DEV_ASYM_ALGO]),
			   "ecdsa-p256");
	KUNIT_EXPECT_STREQ(test, (char *)nla_data(nl.tb[SPDM_A_DEV_ERROR]),
			   "none");

	/* The dump lists every responder, ours among them */
	spdm_nl_msg(&nl, SPDM_CMD_DEV_GET, NLM_F_DUMP);
	KUNIT_EXPECT_EQ(test, spdm_nl_do(&nl, &entries), 0);
	KUNIT_EXPECT_GE(test, entries, 1);

	/* Unknown and missing names */
	nh = spdm_nl_msg(&nl, SPDM_CMD_DEV_GET, 0);
	spdm_test_nla_put(nh, SPDM_A_DEV_NAME, "nonexistent", 12);
	KUNIT_EXPECT_EQ(test, spdm_nl_do(&nl, NULL), -ENODEV);
	KUNIT_EXPECT_STREQ(test, nl.extack, "no such SPDM responder");
	spdm_nl_msg(&nl, SPDM_CMD_DEV_GET, 0);
	KUNIT_EXPECT_EQ(test, spdm_nl_do(&nl, NULL), -EINVAL);
}

static void netlink_authenticate_and_monitor(struct kunit *test)
{
	const struct spdm_test_flow *f = spdm_test_find_flow(test,
							     "reauth_cached");
	struct spdm_script s = { .test = test };
	struct spdm_nl nl, mon;
	struct spdm_state *spdm;
	struct nlmsghdr *nh;
	const char *name;
	u8 slot = 0;
	int len;

	KUNIT_ASSERT_NOT_NULL(test, f);
	spdm = spdm_nl_state(test, &s, f);
	name = dev_name(spdm->class_dev);
	spdm_nl_open(test, &nl);
	spdm_nl_open(test, &mon);
	spdm_nl_join(&mon, SPDM_NLGRP_MONITOR);

	/* Phase 2 of the script expects its own nonce: pass it */
	s.phase = &f->phases[1];
	s.step = 0;
	nh = spdm_nl_msg(&nl, SPDM_CMD_AUTHENTICATE, 0);
	spdm_test_nla_put(nh, SPDM_A_DEV_NAME, name, strlen(name) + 1);
	spdm_test_nla_put(nh, SPDM_A_DEV_SLOT, &slot, 1);
	spdm_test_nla_put(nh, SPDM_A_DEV_NONCE, f->phases[1].nonce, 32);
	KUNIT_ASSERT_EQ_MSG(test, spdm_nl_do(&nl, NULL), 0, "%s", nl.extack);
	KUNIT_EXPECT_EQ(test, s.step, f->phases[1].n_steps);
	KUNIT_ASSERT_NOT_NULL(test, nl.tb[SPDM_A_DEV_STATE]);
	KUNIT_EXPECT_EQ(test, nla_get_u8(nl.tb[SPDM_A_DEV_STATE]),
			SPDM_DEV_STATE_AUTHENTICATED);
	/* A reply carries the command of its request (YNL relies on it) */
	KUNIT_EXPECT_EQ(test, nl.cmd, SPDM_CMD_AUTHENTICATE);

	/* The monitor saw the change */
	len = spdm_nl_recv(&mon, 0);
	KUNIT_ASSERT_GT(test, len, 0);
	KUNIT_ASSERT_GT(test, spdm_nl_parse(&mon, 0, len, NULL), 0);
	KUNIT_EXPECT_EQ(test, mon.cmd, SPDM_CMD_DEV_NTF);
	KUNIT_ASSERT_NOT_NULL(test, mon.tb[SPDM_A_DEV_NAME]);
	KUNIT_ASSERT_NOT_NULL(test, mon.tb[SPDM_A_DEV_EVENT]);
	KUNIT_EXPECT_STREQ(test, (char *)nla_data(mon.tb[SPDM_A_DEV_NAME]), name);
	KUNIT_EXPECT_EQ(test, nla_get_u8(mon.tb[SPDM_A_DEV_EVENT]),
			SPDM_EVENT_CHANGED);
	KUNIT_EXPECT_EQ(test, nla_get_u8(mon.tb[SPDM_A_DEV_STATE]),
			SPDM_DEV_STATE_AUTHENTICATING);
	KUNIT_ASSERT_NOT_NULL(test, mon.tb[SPDM_A_DEV_REASON]);
	KUNIT_EXPECT_STREQ(test, (char *)nla_data(mon.tb[SPDM_A_DEV_REASON]),
			   "authentication started");
	/* ... and its end */
	len = spdm_nl_recv(&mon, 0);
	KUNIT_ASSERT_GT(test, len, 0);
	KUNIT_ASSERT_GT(test, spdm_nl_parse(&mon, 0, len, NULL), 0);
	KUNIT_ASSERT_NOT_NULL(test, mon.tb[SPDM_A_DEV_STATE]);
	KUNIT_EXPECT_EQ(test, nla_get_u8(mon.tb[SPDM_A_DEV_STATE]),
			SPDM_DEV_STATE_AUTHENTICATED);
	KUNIT_EXPECT_STREQ(test, (char *)nla_data(mon.tb[SPDM_A_DEV_REASON]),
			   "none");

	/*
	 * A slot known to be empty is refused without asking the device or
	 * changing its state
	 */
	slot = 3;
	nh = spdm_nl_msg(&nl, SPDM_CMD_AUTHENTICATE, 0);
	spdm_test_nla_put(nh, SPDM_A_DEV_NAME, name, strlen(name) + 1);
	spdm_test_nla_put(nh, SPDM_A_DEV_SLOT, &slot, 1);
	KUNIT_EXPECT_EQ(test, spdm_nl_do(&nl, NULL), -ENOENT);
	KUNIT_EXPECT_STREQ(test, nl.extack,
			   "slot 3 is not provisioned (slots 0x01)");
	KUNIT_EXPECT_EQ(test, s.step, f->phases[1].n_steps);
	KUNIT_EXPECT_EQ(test, spdm->state, SPDM_DEV_STATE_AUTHENTICATED);

	/* A failure comes back with its reason as extended ACK */
	s.phase = &f->phases[1];
	s.step = 0;
	nh = spdm_nl_msg(&nl, SPDM_CMD_AUTHENTICATE, 0);
	spdm_test_nla_put(nh, SPDM_A_DEV_NAME, name, strlen(name) + 1);
	spdm_test_nla_put(nh, SPDM_A_DEV_NONCE, f->phases[1].nonce, 32);
	KUNIT_EXPECT_EQ(test, spdm_nl_do(&nl, NULL), -EEXIST);
	KUNIT_EXPECT_STREQ(test, nl.extack,
			   "CHALLENGE_AUTH nonce repeats the previous one");

	/* cert-get returns slot 0's certificates */
	nh = spdm_nl_msg(&nl, SPDM_CMD_CERT_GET, 0);
	spdm_test_nla_put(nh, SPDM_A_DEV_NAME, name, strlen(name) + 1);
	KUNIT_ASSERT_EQ(test, spdm_nl_do(&nl, NULL), 0);
	KUNIT_ASSERT_NOT_NULL(test, nl.tb[SPDM_A_DEV_CERT_CHAIN]);
	KUNIT_EXPECT_EQ(test, nla_len(nl.tb[SPDM_A_DEV_CERT_CHAIN]),
			spdm->slots[0].chain_len - spdm->slots[0].certs_off);
	KUNIT_EXPECT_MEMEQ(test, nla_data(nl.tb[SPDM_A_DEV_CERT_CHAIN]),
			   spdm->slots[0].chain + spdm->slots[0].certs_off,
			   nla_len(nl.tb[SPDM_A_DEV_CERT_CHAIN]));
	slot = 3;
	nh = spdm_nl_msg(&nl, SPDM_CMD_CERT_GET, 0);
	spdm_test_nla_put(nh, SPDM_A_DEV_NAME, name, strlen(name) + 1);
	spdm_test_nla_put(nh, SPDM_A_DEV_SLOT, &slot, 1);
	KUNIT_EXPECT_EQ(test, spdm_nl_do(&nl, NULL), -ENOENT);
}

/*
 * The sig event: the transcript, the signature and the offsets let a
 * verifier outside the kernel check the signature, which we do here.
 */
static void netlink_sig_event(struct kunit *test)
{
	const struct spdm_test_flow *f = spdm_test_find_flow(test,
							     "v12_ecdsa_p384_sha384");
	struct spdm_script s = { .test = test };
	u32 sig_off = 0, req_off = 0, rsp_off = 0;
	u8 digest[SPDM_MAX_HASH_SIZE], msg[SPDM_PREFIX_SIZE + SPDM_MAX_HASH_SIZE];
	const u8 *prefix = NULL;
	struct spdm_state *spdm;
	struct nlmsghdr *nh;
	struct nlattr *a;
	struct spdm_nl sig;
	size_t len = 0, h;
	u8 *t;
	int rem, n;

	KUNIT_ASSERT_NOT_NULL(test, f);
	spdm_nl_open(test, &sig);
	spdm_nl_join(&sig, SPDM_NLGRP_SIG);
	spdm = spdm_nl_state(test, &s, f);
	h = spdm->hash->size;

	n = spdm_nl_recv(&sig, 0);
	KUNIT_ASSERT_GT(test, n, 0);
	nh = sig.buf;
	KUNIT_ASSERT_TRUE(test, nlmsg_ok(nh, n));
	KUNIT_EXPECT_EQ(test, ((struct genlmsghdr *)nlmsg_data(nh))->cmd,
			SPDM_CMD_SIG);
	t = kunit_kzalloc(test, SZ_128K, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	nla_for_each_attr(a, nlmsg_data(nh) + GENL_HDRLEN,
			  nh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN), rem) {
		switch (nla_type(a)) {
		case SPDM_A_SIG_SIG_OFFSET:
			sig_off = nla_get_u32(a);
			break;
		case SPDM_A_SIG_REQ_NONCE_OFFSET:
			req_off = nla_get_u32(a);
			break;
		case SPDM_A_SIG_RSP_NONCE_OFFSET:
			rsp_off = nla_get_u32(a);
			break;
		case SPDM_A_SIG_COMBINED_SPDM_PREFIX:
			prefix = nla_data(a);
			break;
		case SPDM_A_SIG_HASH_ALGO:
			KUNIT_EXPECT_EQ(test, nla_get_u16(a), HASH_ALGO_SHA384);
			break;
		case SPDM_A_SIG_TRANSCRIPT:
			KUNIT_ASSERT_LE(test, len + nla_len(a), SZ_128K);
			memcpy(t + len, nla_data(a), nla_len(a));
			len += nla_len(a);
			break;
		}
	}
	KUNIT_ASSERT_NOT_NULL(test, prefix);
	KUNIT_ASSERT_EQ(test, len, sig_off + spdm->asym->sig_len);
	KUNIT_EXPECT_MEMEQ(test, t + req_off, f->phases[0].nonce, 32);
	KUNIT_EXPECT_MEMEQ(test, t + rsp_off, spdm->last_rsp_nonce, 32);

	/* DSP0274 1.2: the signature covers prefix || Hash(transcript) */
	memcpy(msg, prefix, SPDM_PREFIX_SIZE);
	KUNIT_ASSERT_EQ(test, spdm_hash(spdm->shash, t, sig_off,
					msg + SPDM_PREFIX_SIZE), 0);
	KUNIT_ASSERT_EQ(test, spdm_hash(spdm->shash, msg, SPDM_PREFIX_SIZE + h,
					digest), 0);
	KUNIT_EXPECT_EQ(test, spdm_verify(spdm->leaf_key, spdm->asym,
					  spdm->hash, digest, t + sig_off), 0);
	/* ... and not once a byte of the transcript changes */
	t[req_off] ^= 1;
	KUNIT_ASSERT_EQ(test, spdm_hash(spdm->shash, t, sig_off,
					msg + SPDM_PREFIX_SIZE), 0);
	KUNIT_ASSERT_EQ(test, spdm_hash(spdm->shash, msg, SPDM_PREFIX_SIZE + h,
					digest), 0);
	KUNIT_EXPECT_EQ(test, spdm_verify(spdm->leaf_key, spdm->asym,
					  spdm->hash, digest, t + sig_off),
			-EKEYREJECTED);
}

/* Attach and detach MCTP endpoints through spdm_mctp */
static void netlink_attach_detach(struct kunit *test)
{
	u32 net = 1;
	u8 eid = 77;
	struct nlmsghdr *nh;
	struct spdm_nl nl;
	int ret;

	spdm_nl_open(test, &nl);
	nh = spdm_nl_msg(&nl, SPDM_CMD_ATTACH, 0);
	spdm_test_nla_put(nh, SPDM_A_DEV_MCTP_NET, &net, sizeof(net));
	spdm_test_nla_put(nh, SPDM_A_DEV_MCTP_EID, &eid, sizeof(eid));
	ret = spdm_nl_do(&nl, NULL);
	if (!IS_ENABLED(CONFIG_SPDM_MCTP)) {
		KUNIT_EXPECT_EQ(test, ret, -EOPNOTSUPP);
		KUNIT_EXPECT_STREQ(test, nl.extack, "spdm_mctp is not loaded");
		return;
	}
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "%s", nl.extack);
	KUNIT_ASSERT_NOT_NULL(test, nl.tb[SPDM_A_DEV_NAME]);
	KUNIT_EXPECT_STREQ(test, (char *)nla_data(nl.tb[SPDM_A_DEV_NAME]),
			   "mctp-1-77");

	/* Twice is refused */
	nh = spdm_nl_msg(&nl, SPDM_CMD_ATTACH, 0);
	spdm_test_nla_put(nh, SPDM_A_DEV_MCTP_NET, &net, sizeof(net));
	spdm_test_nla_put(nh, SPDM_A_DEV_MCTP_EID, &eid, sizeof(eid));
	KUNIT_EXPECT_EQ(test, spdm_nl_do(&nl, NULL), -EEXIST);
	KUNIT_EXPECT_STREQ(test, nl.extack, "endpoint already attached");

	nh = spdm_nl_msg(&nl, SPDM_CMD_DETACH, 0);
	spdm_test_nla_put(nh, SPDM_A_DEV_NAME, "mctp-1-77", 10);
	KUNIT_EXPECT_EQ(test, spdm_nl_do(&nl, NULL), 0);
	nh = spdm_nl_msg(&nl, SPDM_CMD_DETACH, 0);
	spdm_test_nla_put(nh, SPDM_A_DEV_NAME, "mctp-1-77", 10);
	KUNIT_EXPECT_EQ(test, spdm_nl_do(&nl, NULL), -ENOENT);
	KUNIT_EXPECT_STREQ(test, nl.extack, "no such attached endpoint");

	/* Both attributes are needed */
	nh = spdm_nl_msg(&nl, SPDM_CMD_ATTACH, 0);
	spdm_test_nla_put(nh, SPDM_A_DEV_MCTP_NET, &net, sizeof(net));
	KUNIT_EXPECT_EQ(test, spdm_nl_do(&nl, NULL), -EINVAL);
}

/* Malformed and unprivileged requests are refused, never a crash */
static void netlink_refused(struct kunit *test)
{
	static const u8 short_nonce[31];
	struct nlmsghdr *nh;
	struct spdm_nl nl;
	struct cred *cred;
	const struct cred *old;
	u8 slot = 9;
	int ret;

	spdm_nl_open(test, &nl);
	nh = spdm_nl_msg(&nl, SPDM_CMD_AUTHENTICATE, 0);
	spdm_test_nla_put(nh, SPDM_A_DEV_NAME, "x", 2);
	spdm_test_nla_put(nh, SPDM_A_DEV_NONCE, short_nonce, sizeof(short_nonce));
	KUNIT_EXPECT_EQ(test, spdm_nl_do(&nl, NULL), -ERANGE);
	KUNIT_EXPECT_NE(test, nl.extack[0], 0);

	nh = spdm_nl_msg(&nl, SPDM_CMD_CERT_GET, 0);
	spdm_test_nla_put(nh, SPDM_A_DEV_NAME, "x", 2);
	spdm_test_nla_put(nh, SPDM_A_DEV_SLOT, &slot, 1);
	KUNIT_EXPECT_EQ(test, spdm_nl_do(&nl, NULL), -ERANGE);

	/* A name that is not a string */
	nh = spdm_nl_msg(&nl, SPDM_CMD_DEV_GET, 0);
	spdm_test_nla_put(nh, SPDM_A_DEV_NAME, &slot, 1);
	KUNIT_EXPECT_EQ(test, spdm_nl_do(&nl, NULL), -EINVAL);

	/* Without CAP_NET_ADMIN */
	cred = prepare_creds();
	KUNIT_ASSERT_NOT_NULL(test, cred);
	cap_lower(cred->cap_effective, CAP_NET_ADMIN);
	old = override_creds(cred);
	nh = spdm_nl_msg(&nl, SPDM_CMD_AUTHENTICATE, 0);
	spdm_test_nla_put(nh, SPDM_A_DEV_NAME, "x", 2);
	ret = spdm_nl_do(&nl, NULL);
	revert_creds(old);
	put_cred(cred);
	KUNIT_EXPECT_EQ(test, ret, -EPERM);
}

static struct kunit_case spdm_flow_cases[] = {
	KUNIT_CASE_PARAM(flow_replay, spdm_flow_gen),
	KUNIT_CASE_PARAM(flow_measure, spdm_meas_flow_gen),
	KUNIT_CASE(flow_zero_nonce),
	KUNIT_CASE_PARAM(flow_stats, spdm_stats_flow_gen_params),
	KUNIT_CASE(flow_sysfs),
	KUNIT_CASE(flow_transport_hooks),
	KUNIT_CASE(flow_transport_hooks_cached),
	KUNIT_CASE(flow_concurrent_callers),
	KUNIT_CASE(flow_not_ready_bounded),
	KUNIT_CASE(flow_bad_config),
	KUNIT_CASE(flow_bad_slot),
	KUNIT_CASE(netlink_dev_get),
	KUNIT_CASE(netlink_authenticate_and_monitor),
	KUNIT_CASE(netlink_sig_event),
	KUNIT_CASE(netlink_attach_detach),
	KUNIT_CASE(netlink_refused),
	{}
};

static struct kunit_suite spdm_flow_suite = {
	.name = "spdm_flow",
	.test_cases = spdm_flow_cases,
};

kunit_test_suite(spdm_flow_suite);
