/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * spdmctl: the U*_MAX limits of the kernel's <linux/limits.h> for
 * drivers/spdm/wire.c.  The C library's <limits.h> includes the system's
 * uapi <linux/limits.h> (PATH_MAX ...), found next on the include path.
 */
#ifndef SPDMCTL_COMPAT_LINUX_LIMITS_H
#define SPDMCTL_COMPAT_LINUX_LIMITS_H

#include_next <linux/limits.h>

#include <stdint.h>

#define U8_MAX		UINT8_MAX
#define U16_MAX		UINT16_MAX
#define U32_MAX		UINT32_MAX
#define U64_MAX		UINT64_MAX

#endif /* SPDMCTL_COMPAT_LINUX_LIMITS_H */
