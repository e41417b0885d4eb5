/* SPDX-License-Identifier: GPL-2.0-only */
/* spdmctl: <linux/string.h> for drivers/spdm/wire.c: the C library's */
#ifndef SPDMCTL_COMPAT_LINUX_STRING_H
#define SPDMCTL_COMPAT_LINUX_STRING_H

#include <string.h>

#endif /* SPDMCTL_COMPAT_LINUX_STRING_H */
