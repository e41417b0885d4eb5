// SPDX-License-Identifier: GPL-2.0-only
/*
 * kspdm: the sysfs class "spdm", one directory per responder, shared by
 * every transport (Documentation/ABI/testing/sysfs-class-spdm)
 */

#include <linux/device.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "spdm_internal.h"

static const char * const spdm_cap_names[] = {
	"CACHE", "CERT", "CHAL", "MEAS_NOSIG", "MEAS_SIG", "MEAS_FRESH",
	"ENCRYPT", "MAC", "MUT_AUTH", "KEY_EX", "PSK", "PSK_CTX", "ENCAP",
	"HBEAT", "KEY_UPD", "HANDSHAKE_IN_THE_CLEAR", "PUB_KEY_ID", "CHUNK",
	"ALIAS_CERT", "SET_CERT", "CSR", "CERT_INSTALL_RESET", "EP_INFO",
	"EP_INFO_SIG", "MEL", "EVENT", "MULTI_KEY", "MULTI_KEY_NEG",
	"GET_KEY_PAIR_INFO", "SET_KEY_PAIR_INFO",
};

static const char * const spdm_state_names[] = {
	[SPDM_DEV_STATE_NEW] = "new",
	[SPDM_DEV_STATE_AUTHENTICATING] = "authenticating",
	[SPDM_DEV_STATE_AUTHENTICATED] = "authenticated",
	[SPDM_DEV_STATE_FAILED] = "failed",
};

static const struct class spdm_class = {
	.name = "spdm",
};

static ssize_t authenticated_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	struct spdm_state *spdm = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%u\n", spdm_authenticated(spdm));
}

/* As in the upstream proposal: writing "re" authenticates again */
static ssize_t authenticated_store(struct device *dev,
				   struct device_attribute *attr,
				   const char *buf, size_t count)
{
	struct spdm_state *spdm = dev_get_drvdata(dev);
	int ret;

	if (!sysfs_streq(buf, "re"))
		return -EINVAL;
	ret = spdm_authenticate(spdm, NULL);
	return ret ?: count;
}
static DEVICE_ATTR_RW(authenticated);

static ssize_t state_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct spdm_state *spdm = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%s\n", spdm_state_names[READ_ONCE(spdm->state)]);
}
static DEVICE_ATTR_RO(state);

static ssize_t error_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct spdm_state *spdm = dev_get_drvdata(dev);

	guard(mutex)(&spdm->lock);
	return sysfs_emit(buf, "%s\n", spdm->error);
}
static DEVICE_ATTR_RO(error);

static ssize_t version_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct spdm_state *spdm = dev_get_drvdata(dev);

	guard(mutex)(&spdm->lock);
	if (!spdm->version)
		return sysfs_emit(buf, "none\n");
	return sysfs_emit(buf, "%u.%u\n", spdm->version >> 4,
			  spdm->version & 0xf);
}
static DEVICE_ATTR_RO(version);

static ssize_t capabilities_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	struct spdm_state *spdm = dev_get_drvdata(dev);
	int len = 0, i;
	u32 flags;

	guard(mutex)(&spdm->lock);
	flags = spdm->version ? spdm->rsp_caps.flags : 0;
	for (i = 0; i < 32; i++) {
		if (!(flags & BIT(i)))
			continue;
		if (i < ARRAY_SIZE(spdm_cap_names))
			len += sysfs_emit_at(buf, len, "%s%s", len ? " " : "",
					     spdm_cap_names[i]);
		else
			len += sysfs_emit_at(buf, len, "%sBIT%d",
					     len ? " " : "", i);
	}
	return len + sysfs_emit_at(buf, len, "\n");
}
static DEVICE_ATTR_RO(capabilities);

static ssize_t hash_algo_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	struct spdm_state *spdm = dev_get_drvdata(dev);

	guard(mutex)(&spdm->lock);
	return sysfs_emit(buf, "%s\n",
			  spdm->version && spdm->hash ? spdm->hash->name : "none");
}
static DEVICE_ATTR_RO(hash_algo);

static ssize_t asym_algo_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	struct spdm_state *spdm = dev_get_drvdata(dev);

	guard(mutex)(&spdm->lock);
	return sysfs_emit(buf, "%s\n",
			  spdm->version && spdm->asym ? spdm->asym->name : "none");
}
static DEVICE_ATTR_RO(asym_algo);

static ssize_t slots_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct spdm_state *spdm = dev_get_drvdata(dev);
	int len = 0, i;

	guard(mutex)(&spdm->lock);
	for (i = 0; i < SPDM_MAX_SLOTS; i++)
		if (spdm->provisioned & BIT(i))
			len += sysfs_emit_at(buf, len, "%s%d", len ? " " : "",
					     i);
	return len + sysfs_emit_at(buf, len, "\n");
}
static DEVICE_ATTR_RO(slots);

static ssize_t transport_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	struct spdm_state *spdm = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%s\n", spdm->ops->name ?: "unknown");
}
static DEVICE_ATTR_RO(transport);

static struct attribute *spdm_attrs[] = {
	&dev_attr_authenticated.attr,
	&dev_attr_state.attr,
	&dev_attr_error.attr,
	&dev_attr_version.attr,
	&dev_attr_capabilities.attr,
	&dev_attr_hash_algo.attr,
	&dev_attr_asym_algo.attr,
	&dev_attr_slots.attr,
	&dev_attr_transport.attr,
	NULL
};

static const struct attribute_group spdm_group = {
	.attrs = spdm_attrs,
};

/*
 * certificates/slotN: the chain's DER certificates as the device sent them,
 * without the SPDM header (Length, Reserved, RootHash), so that openssl
 * reads them directly.
 */
static ssize_t spdm_cert_read(struct file *file, struct kobject *kobj,
			      struct bin_attribute *attr, char *buf,
			      loff_t off, size_t count)
{
	struct spdm_state *spdm = dev_get_drvdata(kobj_to_dev(kobj));
	const struct spdm_slot *s = &spdm->slots[(uintptr_t)attr->private];

	guard(mutex)(&spdm->lock);
	if (!s->chain)
		return 0;
	return memory_read_from_buffer(buf, count, &off,
				       s->chain + s->certs_off,
				       s->chain_len - s->certs_off);
}

#define SPDM_CERT_ATTR(n)						\
	static struct bin_attribute spdm_cert_attr_##n = {		\
		.attr = { .name = "slot" #n, .mode = 0444 },		\
		.private = (void *)n,					\
		.read = spdm_cert_read,					\
	}

SPDM_CERT_ATTR(0);
SPDM_CERT_ATTR(1);
SPDM_CERT_ATTR(2);
SPDM_CERT_ATTR(3);
SPDM_CERT_ATTR(4);
SPDM_CERT_ATTR(5);
SPDM_CERT_ATTR(6);
SPDM_CERT_ATTR(7);

static struct bin_attribute *spdm_cert_attrs[] = {
	&spdm_cert_attr_0, &spdm_cert_attr_1, &spdm_cert_attr_2,
	&spdm_cert_attr_3, &spdm_cert_attr_4, &spdm_cert_attr_5,
	&spdm_cert_attr_6, &spdm_cert_attr_7, NULL
};

static umode_t spdm_cert_visible(struct kobject *kobj,
				 struct bin_attribute *attr, int n)
{
	struct spdm_state *spdm = dev_get_drvdata(kobj_to_dev(kobj));

	guard(mutex)(&spdm->lock);
	return spdm->slots[n].chain ? 0444 : 0;
}

static const struct attribute_group spdm_cert_group = {
	.name = "certificates",
	.bin_attrs = spdm_cert_attrs,
	.is_bin_visible = spdm_cert_visible,
};

/*
 * measurements/<index>: one file per block of the last measurements,
 * "<type> <digest|raw> <value in hex>"; measurements/record: the blocks as
 * the responder sent them; measurements/mel: the measurement extension log
 */
#define SPDM_MEAS_INDICES	254	/* 1 to 0xfe */

struct spdm_meas_attr {
	struct device_attribute attr;
	char name[4];
};

static struct spdm_meas_attr spdm_meas_attrs[SPDM_MEAS_INDICES];
static struct attribute *spdm_meas_attr_ptrs[SPDM_MEAS_INDICES + 1];

/* Names of the meas-type enum of the netlink spec */
static const char * const spdm_meas_type_names[] = {
	[SPDM_MEAS_TYPE_ROM] = "immutable-rom",
	[SPDM_MEAS_TYPE_FIRMWARE] = "mutable-firmware",
	[SPDM_MEAS_TYPE_HW_CONFIG] = "hardware-config",
	[SPDM_MEAS_TYPE_FW_CONFIG] = "firmware-config",
	[SPDM_MEAS_TYPE_MANIFEST] = "manifest",
	[SPDM_MEAS_TYPE_DEVICE_MODE] = "device-mode",
	[SPDM_MEAS_TYPE_VERSION] = "version",
	[SPDM_MEAS_TYPE_SVN] = "svn",
	[SPDM_MEAS_TYPE_HASH_EXTEND] = "hash-extend",
	[SPDM_MEAS_TYPE_INFORMATIONAL] = "informational",
	[SPDM_MEAS_TYPE_STRUCT_MANIFEST] = "structured-manifest",
};

/* The block of @index in the last measurements; lock held */
static bool spdm_meas_find(struct spdm_state *spdm, unsigned int index,
			   struct spdm_meas_block *b)
{
	const struct spdm_meas_log *log = spdm->meas;
	int hash_len = spdm_meas_hash_len(spdm);
	size_t off;
	int n;

	if (!log)
		return false;
	for (off = 0; off < log->record_len; off += n) {
		n = spdm_decode_meas_block(log->record + off,
					   log->record_len - off,
					   spdm->version, hash_len, b);
		if (n <= 0)
			return false;
		if (b->index == index)
			return true;
	}
	return false;
}

static ssize_t spdm_meas_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	struct spdm_meas_attr *ma = container_of(attr, struct spdm_meas_attr,
						 attr);
	unsigned int index = ma - spdm_meas_attrs + 1;
	struct spdm_state *spdm = dev_get_drvdata(dev);
	struct spdm_meas_block b;
	const char *type;
	int len;

	guard(mutex)(&spdm->lock);
	if (!spdm_meas_find(spdm, index, &b))
		return -ENODATA;
	type = b.type < ARRAY_SIZE(spdm_meas_type_names) &&
	       spdm_meas_type_names[b.type] ?
	       spdm_meas_type_names[b.type] : "reserved";
	len = sysfs_emit(buf, "%s %s ", type, b.raw ? "raw" : "digest");
	if (len + 2 * b.value_len + 1 >= PAGE_SIZE)
		return sysfs_emit_at(buf, len,
				     "(%u bytes, too long to show: see record)\n",
				     b.value_len);
	bin2hex(buf + len, b.value, b.value_len);
	len += 2 * b.value_len;
	return len + sysfs_emit_at(buf, len, "\n");
}

static umode_t spdm_meas_visible(struct kobject *kobj, struct attribute *attr,
				 int n)
{
	struct spdm_state *spdm = dev_get_drvdata(kobj_to_dev(kobj));
	struct spdm_meas_block b;

	guard(mutex)(&spdm->lock);
	return spdm_meas_find(spdm, n + 1, &b) ? 0444 : 0;
}

static ssize_t spdm_meas_record_read(struct file *f, struct kobject *kobj,
				     struct bin_attribute *attr, char *buf,
				     loff_t off, size_t count)
{
	struct spdm_state *spdm = dev_get_drvdata(kobj_to_dev(kobj));

	guard(mutex)(&spdm->lock);
	if (!spdm->meas)
		return 0;
	return memory_read_from_buffer(buf, count, &off, spdm->meas->record,
				       spdm->meas->record_len);
}

static ssize_t spdm_meas_mel_read(struct file *f, struct kobject *kobj,
				  struct bin_attribute *attr, char *buf,
				  loff_t off, size_t count)
{
	struct spdm_state *spdm = dev_get_drvdata(kobj_to_dev(kobj));

	guard(mutex)(&spdm->lock);
	return memory_read_from_buffer(buf, count, &off, spdm->mel,
				       spdm->mel_len);
}

static struct bin_attribute spdm_meas_record_attr = {
	.attr = { .name = "record", .mode = 0444 },
	.read = spdm_meas_record_read,
};

static struct bin_attribute spdm_meas_mel_attr = {
	.attr = { .name = "mel", .mode = 0444 },
	.read = spdm_meas_mel_read,
};

static struct bin_attribute *spdm_meas_bin_attrs[] = {
	&spdm_meas_record_attr, &spdm_meas_mel_attr, NULL
};

static umode_t spdm_meas_bin_visible(struct kobject *kobj,
				     struct bin_attribute *attr, int n)
{
	struct spdm_state *spdm = dev_get_drvdata(kobj_to_dev(kobj));

	guard(mutex)(&spdm->lock);
	if (attr == &spdm_meas_mel_attr)
		return spdm->mel ? 0444 : 0;
	return spdm->meas ? 0444 : 0;
}

static const struct attribute_group spdm_meas_group = {
	.name = "measurements",
	.attrs = spdm_meas_attr_ptrs,
	.is_visible = spdm_meas_visible,
	.bin_attrs = spdm_meas_bin_attrs,
	.is_bin_visible = spdm_meas_bin_visible,
};

static const struct attribute_group *spdm_groups[] = {
	&spdm_group,
	&spdm_cert_group,
	&spdm_meas_group,
	NULL
};

/**
 * spdm_sysfs_add() - create the responder's directory in /sys/class/spdm
 * @spdm: new state
 * @name: directory name
 *
 * The directory sits below the parent device and links back to it.
 *
 * Return: 0 or a negative errno (-EEXIST for a name in use).
 */
int spdm_sysfs_add(struct spdm_state *spdm, const char *name)
{
	struct device *dev;

	dev = device_create_with_groups(&spdm_class, spdm->dev, 0, spdm,
					spdm_groups, "%s", name);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	spdm->class_dev = dev;
	return 0;
}

/**
 * spdm_sysfs_del() - remove the responder's directory
 * @spdm: state
 */
void spdm_sysfs_del(struct spdm_state *spdm)
{
	if (spdm->class_dev)
		device_unregister(spdm->class_dev);
	spdm->class_dev = NULL;
}

/**
 * spdm_sysfs_refresh() - show the files of the present chains and
 * measurements
 * @spdm: state, not locked (readers of those files take the lock)
 */
void spdm_sysfs_refresh(struct spdm_state *spdm)
{
	if (!spdm->class_dev)
		return;
	if (sysfs_update_group(&spdm->class_dev->kobj, &spdm_cert_group))
		dev_warn(spdm->dev, "SPDM: cannot update certificate files\n");
	if (sysfs_update_group(&spdm->class_dev->kobj, &spdm_meas_group))
		dev_warn(spdm->dev, "SPDM: cannot update measurement files\n");
}

/**
 * spdm_sysfs_init() - register the class
 *
 * Return: 0 or a negative errno.
 */
int spdm_sysfs_init(void)
{
	int i;

	for (i = 0; i < SPDM_MEAS_INDICES; i++) {
		struct spdm_meas_attr *ma = &spdm_meas_attrs[i];

		snprintf(ma->name, sizeof(ma->name), "%d", i + 1);
		sysfs_attr_init(&ma->attr.attr);
		ma->attr.attr.name = ma->name;
		ma->attr.attr.mode = 0444;
		ma->attr.show = spdm_meas_show;
		spdm_meas_attr_ptrs[i] = &ma->attr.attr;
	}
	return class_register(&spdm_class);
}

/**
 * spdm_sysfs_exit() - unregister the class
 */
void spdm_sysfs_exit(void)
{
	class_unregister(&spdm_class);
}
