// SPDX-License-Identifier: GPL-2.0-only
/*
 * spdm_pci: authenticate PCIe devices through their CMA DOE mailbox
 * (PCIe r6.2 sec 6.31 Component Measurement and Authentication, DOE
 * sec 6.30, SPDM over DOE per DMTF DSP0274)
 *
 * Every PCI device with a CMA mailbox (DOE vendor 0x0001, type 1) gets an
 * SPDM state when it appears, existing ones at module load and new ones
 * through a bus notifier, and is authenticated on a workqueue so that
 * devices authenticate in parallel.  After system resume every device is
 * authenticated again.
 *
 * Policy (module parameter "policy"):
 *   off      no authentication at all
 *   log      authenticate and log the result (default)
 *   enforce  a device that has not authenticated gets no driver: its
 *            driver_override is set to "kspdm-unauthenticated" (a driver
 *            that does not exist) until an authentication succeeds; a
 *            bound driver is unbound when authentication fails.
 */

#define pr_fmt(fmt) "spdm_pci: " fmt

#include <linux/device.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/pci-doe.h>
#include <linux/slab.h>
#include <linux/spdm.h>
#include <linux/suspend.h>
#include <linux/workqueue.h>

/* DOE object type of CMA/SPDM (PCIe r6.2 sec 6.31.3) */
#define SPDM_PCI_DOE_CMA		1
/* Largest SPDM message over DOE: the DOE Length field counts 2^18 dwords */
#define SPDM_PCI_MAX_MSG		SZ_64K
#define SPDM_PCI_QUARANTINE		"kspdm-unauthenticated"

enum spdm_pci_policy {
	SPDM_PCI_OFF,
	SPDM_PCI_LOG,
	SPDM_PCI_ENFORCE,
};

static const char * const spdm_pci_policy_names[] = {
	[SPDM_PCI_OFF] = "off",
	[SPDM_PCI_LOG] = "log",
	[SPDM_PCI_ENFORCE] = "enforce",
};

static int spdm_pci_policy = SPDM_PCI_LOG;

static int spdm_pci_policy_set(const char *val, const struct kernel_param *kp)
{
	int i = sysfs_match_string(spdm_pci_policy_names, val);

	if (i < 0)
		return -EINVAL;
	WRITE_ONCE(spdm_pci_policy, i);
	return 0;
}

static int spdm_pci_policy_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n",
			  spdm_pci_policy_names[READ_ONCE(spdm_pci_policy)]);
}

static const struct kernel_param_ops spdm_pci_policy_ops = {
	.set = spdm_pci_policy_set,
	.get = spdm_pci_policy_get,
};
module_param_cb(policy, &spdm_pci_policy_ops, NULL, 0644);
MODULE_PARM_DESC(policy, "off, log (default) or enforce");

static bool spdm_pci_require_identity;
module_param_named(require_identity, spdm_pci_require_identity, bool, 0644);
MODULE_PARM_DESC(require_identity,
		 "Fail authentication when the leaf certificate has no PCIe CMA identity (SAN otherName 2.23.147)");

/**
 * struct spdm_pci_dev - one PCI function with a CMA mailbox
 * @node: entry in spdm_pci_devs
 * @pdev: the function (a reference is held)
 * @mb: its CMA DOE mailbox
 * @spdm: SPDM state
 * @work: authentication on spdm_pci_wq
 * @gone: the device is being removed: fail every exchange at once
 * @quarantined: driver_override was set by us
 */
struct spdm_pci_dev {
	struct list_head node;
	struct pci_dev *pdev;
	struct pci_doe_mb *mb;
	struct spdm_state *spdm;
	struct work_struct work;
	bool gone;
	bool quarantined;
};

static LIST_HEAD(spdm_pci_devs);
static DEFINE_MUTEX(spdm_pci_lock);	/* protects spdm_pci_devs */
static struct workqueue_struct *spdm_pci_wq;

static ssize_t spdm_pci_exchange(void *priv, const void *req, size_t req_sz,
				 void *rsp, size_t rsp_sz, u32 timeout_us)
{
	struct spdm_pci_dev *d = priv;

	/* DOE has its own timeout of 1 s per object (PCIe r6.2 sec 6.30.2) */
	if (READ_ONCE(d->gone))
		return -ENODEV;
	return pci_doe(d->mb, PCI_VENDOR_ID_PCI_SIG, SPDM_PCI_DOE_CMA, req,
		       req_sz, rsp, rsp_sz);
}

/*
 * PCIe r6.2 sec 6.31.3: the leaf certificate may carry the function's
 * identity as subjectAltName otherName 2.23.147, a string
 * "Vendor=%04x:Device=%04x:CC=%06x:REV=%02x[:SSVID=%04x:SSID=%04x][:...]".
 * Every field present must match config space; unknown fields are
 * ignored.
 */
static int spdm_pci_check_identity(struct pci_dev *pdev, const char *id,
				   size_t len, char *why, size_t why_len)
{
	static const char * const keys[] = {
		"Vendor", "Device", "CC", "REV", "SSVID", "SSID",
	};
	const u32 want[] = {
		pdev->vendor, pdev->device, pdev->class, pdev->revision,
		pdev->subsystem_vendor, pdev->subsystem_device,
	};
	char *buf __free(kfree) = kmemdup_nul(id, len, GFP_KERNEL);
	unsigned int seen = 0;
	char *cur = buf, *tok;
	int i;

	if (!buf)
		return -ENOMEM;
	while ((tok = strsep(&cur, ":"))) {
		char *val = strchr(tok, '=');
		u32 v;

		if (!val)
			continue;
		*val++ = 0;
		for (i = 0; i < ARRAY_SIZE(keys); i++)
			if (!strcmp(tok, keys[i]))
				break;
		if (i == ARRAY_SIZE(keys))
			continue;
		if (kstrtou32(val, 16, &v)) {
			snprintf(why, why_len, "identity field %s=%s malformed",
				 keys[i], val);
			return -EBADMSG;
		}
		if (v != want[i]) {
			snprintf(why, why_len,
				 "identity %s=%x, config space has %x",
				 keys[i], v, want[i]);
			return -EPERM;
		}
		seen |= BIT(i);
	}
	if ((seen & 0xf) != 0xf) {
		snprintf(why, why_len,
			 "identity lacks one of Vendor, Device, CC, REV");
		return -EBADMSG;
	}
	return 0;
}

static int spdm_pci_validate_leaf(void *priv, const u8 *leaf, size_t len,
				  char *why, size_t why_len)
{
	static const u8 cma_oid[] = { 0x67, 0x81, 0x13 };	/* 2.23.147 */
	struct spdm_pci_dev *d = priv;
	const u8 *id;
	size_t id_len;
	int ret;

	ret = spdm_cert_other_name(leaf, len, cma_oid, sizeof(cma_oid), &id,
				   &id_len);
	if (ret == -ENOENT) {
		if (READ_ONCE(spdm_pci_require_identity)) {
			snprintf(why, why_len,
				 "no PCIe CMA identity (SAN otherName 2.23.147)");
			return -EPERM;
		}
		pci_warn(d->pdev,
			 "SPDM: leaf certificate has no PCIe CMA identity\n");
		return 0;
	}
	if (ret) {
		snprintf(why, why_len, "subjectAltName malformed");
		return ret;
	}
	return spdm_pci_check_identity(d->pdev, id, id_len, why, why_len);
}

static int spdm_pci_set_override(struct pci_dev *pdev, const char *s)
{
#ifdef SPDM_HAVE_DEVICE_SET_DRIVER_OVERRIDE
	return device_set_driver_override(&pdev->dev, s);
#else
	return driver_set_override(&pdev->dev, &pdev->driver_override, s,
				   strlen(s));
#endif
}

static void spdm_pci_quarantine(struct spdm_pci_dev *d)
{
	if (d->quarantined)
		return;
	if (spdm_pci_set_override(d->pdev, SPDM_PCI_QUARANTINE)) {
		pci_err(d->pdev, "SPDM: cannot keep drivers away\n");
		return;
	}
	d->quarantined = true;
	pci_info(d->pdev, "SPDM: no driver until authenticated (policy enforce)\n");
}

static void spdm_pci_release(struct spdm_pci_dev *d, bool attach)
{
	if (!d->quarantined)
		return;
	spdm_pci_set_override(d->pdev, "");
	d->quarantined = false;
	if (attach && device_attach(&d->pdev->dev) < 0)
		pci_warn(d->pdev, "SPDM: driver probe failed\n");
}

/* Called by the core after every authentication, also after "re" */
static void spdm_pci_authenticated(void *priv, int result)
{
	struct spdm_pci_dev *d = priv;

	if (!result) {
		pci_info(d->pdev, "SPDM: authenticated\n");
		spdm_pci_release(d, true);
		return;
	}
	pci_warn(d->pdev, "SPDM: authentication failed (%d)\n", result);
	if (READ_ONCE(spdm_pci_policy) != SPDM_PCI_ENFORCE || d->gone)
		return;
	spdm_pci_quarantine(d);
	if (d->pdev->dev.driver)
		device_release_driver(&d->pdev->dev);
}

static const struct spdm_transport_ops spdm_pci_ops = {
	.name = "doe",
	.exchange = spdm_pci_exchange,
	.pad = 4,
	.validate_leaf = spdm_pci_validate_leaf,
	.authenticated = spdm_pci_authenticated,
};

static void spdm_pci_work(struct work_struct *work)
{
	struct spdm_pci_dev *d = container_of(work, struct spdm_pci_dev, work);

	if (READ_ONCE(spdm_pci_policy) == SPDM_PCI_OFF || READ_ONCE(d->gone))
		return;
	spdm_authenticate(d->spdm, NULL);
}

static struct spdm_pci_dev *spdm_pci_find(struct pci_dev *pdev)
{
	struct spdm_pci_dev *d;

	list_for_each_entry(d, &spdm_pci_devs, node)
		if (d->pdev == pdev)
			return d;
	return NULL;
}

static void spdm_pci_add(struct pci_dev *pdev)
{
	struct spdm_config cfg = {
		.dev = &pdev->dev,
		.ops = &spdm_pci_ops,
		.max_msg_size = SPDM_PCI_MAX_MSG,
	};
	struct pci_doe_mb *mb;
	struct spdm_pci_dev *d;

	if (READ_ONCE(spdm_pci_policy) == SPDM_PCI_OFF)
		return;
	mb = pci_find_doe_mailbox(pdev, PCI_VENDOR_ID_PCI_SIG,
				  SPDM_PCI_DOE_CMA);
	if (!mb)
		return;

	guard(mutex)(&spdm_pci_lock);
	if (spdm_pci_find(pdev))
		return;
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return;
	d->pdev = pci_dev_get(pdev);
	d->mb = mb;
	INIT_WORK(&d->work, spdm_pci_work);
	cfg.priv = d;
	d->spdm = spdm_create(&cfg);
	if (IS_ERR(d->spdm)) {
		pci_err(pdev, "SPDM: cannot create state (%ld)\n",
			PTR_ERR(d->spdm));
		pci_dev_put(pdev);
		kfree(d);
		return;
	}
	list_add_tail(&d->node, &spdm_pci_devs);
	/* Before any driver can bind: the authentication is asynchronous */
	if (READ_ONCE(spdm_pci_policy) == SPDM_PCI_ENFORCE && !pdev->dev.driver)
		spdm_pci_quarantine(d);
	queue_work(spdm_pci_wq, &d->work);
}

static void spdm_pci_free(struct spdm_pci_dev *d, bool attach)
{
	WRITE_ONCE(d->gone, true);
	cancel_work_sync(&d->work);
	spdm_destroy(d->spdm);
	spdm_pci_release(d, attach);
	pci_dev_put(d->pdev);
	kfree(d);
}

static void spdm_pci_remove(struct pci_dev *pdev)
{
	struct spdm_pci_dev *d;

	scoped_guard(mutex, &spdm_pci_lock) {
		d = spdm_pci_find(pdev);
		if (d)
			list_del(&d->node);
	}
	if (d)
		spdm_pci_free(d, false);
}

static int spdm_pci_notify(struct notifier_block *nb, unsigned long action,
			   void *data)
{
	struct pci_dev *pdev = to_pci_dev(data);

	switch (action) {
	case BUS_NOTIFY_ADD_DEVICE:
		spdm_pci_add(pdev);
		break;
	case BUS_NOTIFY_DEL_DEVICE:
		spdm_pci_remove(pdev);
		break;
	}
	return NOTIFY_OK;
}

static struct notifier_block spdm_pci_nb = {
	.notifier_call = spdm_pci_notify,
};

/* Authenticate every device again after resume: it may have been swapped */
static int spdm_pci_pm_notify(struct notifier_block *nb, unsigned long action,
			      void *data)
{
	struct spdm_pci_dev *d;

	switch (action) {
	case PM_POST_SUSPEND:
	case PM_POST_HIBERNATION:
	case PM_POST_RESTORE:
		scoped_guard(mutex, &spdm_pci_lock)
			list_for_each_entry(d, &spdm_pci_devs, node)
				queue_work(spdm_pci_wq, &d->work);
		break;
	}
	return NOTIFY_OK;
}

static struct notifier_block spdm_pci_pm_nb = {
	.notifier_call = spdm_pci_pm_notify,
};

static int __init spdm_pci_init(void)
{
	struct pci_dev *pdev = NULL;
	int ret;

	spdm_pci_wq = alloc_workqueue("spdm_pci", WQ_UNBOUND, 0);
	if (!spdm_pci_wq)
		return -ENOMEM;
	ret = bus_register_notifier(&pci_bus_type, &spdm_pci_nb);
	if (ret) {
		destroy_workqueue(spdm_pci_wq);
		return ret;
	}
	register_pm_notifier(&spdm_pci_pm_nb);
	for_each_pci_dev(pdev)
		spdm_pci_add(pdev);
	return 0;
}

static void __exit spdm_pci_exit(void)
{
	struct spdm_pci_dev *d, *tmp;
	LIST_HEAD(devs);

	unregister_pm_notifier(&spdm_pci_pm_nb);
	bus_unregister_notifier(&pci_bus_type, &spdm_pci_nb);
	scoped_guard(mutex, &spdm_pci_lock)
		list_splice_init(&spdm_pci_devs, &devs);
	/* Without this module nothing enforces: let quarantined devices bind */
	list_for_each_entry_safe(d, tmp, &devs, node)
		spdm_pci_free(d, true);
	destroy_workqueue(spdm_pci_wq);
}

module_init(spdm_pci_init);
module_exit(spdm_pci_exit);

MODULE_DESCRIPTION("SPDM authentication of PCIe devices over CMA DOE");
MODULE_LICENSE("GPL");
