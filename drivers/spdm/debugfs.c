// SPDX-License-Identifier: GPL-2.0-only
/*
 * kspdm: debugfs spdm/<responder>/stats, the costs of a responder's
 * exchanges for benchmarks (Documentation/spdm-bench.rst).  Not an ABI.
 */

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/seq_file.h>

#include "spdm_internal.h"

static struct dentry *spdm_debugfs_root;

static int spdm_stats_show(struct seq_file *m, void *v)
{
	struct spdm_state *spdm = m->private;
	struct spdm_stats st;

	scoped_guard(mutex, &spdm->lock)
		st = spdm->stats;
	seq_printf(m, "requests %llu\ntx_bytes %llu\nrx_bytes %llu\n",
		   st.requests, st.tx_bytes, st.rx_bytes);
	seq_printf(m, "wait_ns %llu\ncrypto_ns %llu\nverifies %llu\n",
		   st.wait_ns, st.crypto_ns, st.verifies);
	seq_printf(m, "calls %llu\ncall_ns %llu\n", st.calls, st.call_ns);
	return 0;
}

static int spdm_stats_open(struct inode *inode, struct file *file)
{
	return single_open(file, spdm_stats_show, inode->i_private);
}

/* Writing anything sets every counter back to 0 */
static ssize_t spdm_stats_write(struct file *file, const char __user *buf,
				size_t count, loff_t *ppos)
{
	struct spdm_state *spdm = file_inode(file)->i_private;

	guard(mutex)(&spdm->lock);
	memset(&spdm->stats, 0, sizeof(spdm->stats));
	return count;
}

static const struct file_operations spdm_stats_fops = {
	.owner = THIS_MODULE,
	.open = spdm_stats_open,
	.read = seq_read,
	.write = spdm_stats_write,
	.llseek = seq_lseek,
	.release = single_release,
};

/**
 * spdm_debugfs_add() - create the responder's debugfs directory
 * @spdm: state
 * @name: its name in /sys/class/spdm
 *
 * debugfs is optional: failures are ignored.
 */
void spdm_debugfs_add(struct spdm_state *spdm, const char *name)
{
	spdm->debugfs = debugfs_create_dir(name, spdm_debugfs_root);
	debugfs_create_file("stats", 0600, spdm->debugfs, spdm,
			    &spdm_stats_fops);
}

/**
 * spdm_debugfs_del() - remove it, waiting for its readers
 * @spdm: state
 */
void spdm_debugfs_del(struct spdm_state *spdm)
{
	debugfs_remove(spdm->debugfs);
	spdm->debugfs = NULL;
}

/**
 * spdm_debugfs_init() - create debugfs spdm/
 */
void spdm_debugfs_init(void)
{
	spdm_debugfs_root = debugfs_create_dir("spdm", NULL);
}

/**
 * spdm_debugfs_exit() - remove debugfs spdm/
 */
void spdm_debugfs_exit(void)
{
	debugfs_remove(spdm_debugfs_root);
}
