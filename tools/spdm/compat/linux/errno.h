/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * spdmctl: <linux/errno.h> for drivers/spdm/wire.c.  The kernel's error
 * numbers are those of the system's uapi header, which the C library's
 * <errno.h> includes as <linux/errno.h> as well: pass it through.
 */
#ifndef SPDMCTL_COMPAT_LINUX_ERRNO_H
#define SPDMCTL_COMPAT_LINUX_ERRNO_H

#include_next <linux/errno.h>

#endif /* SPDMCTL_COMPAT_LINUX_ERRNO_H */
