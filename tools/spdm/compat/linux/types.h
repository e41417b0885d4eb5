/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * spdmctl: the kernel's short integer types for drivers/spdm/wire.c.
 *
 * This directory comes first on the include path of every spdmctl object,
 * so the system's <linux/types.h> (the __u8 ... that the other uapi
 * headers need) is included from here too.
 */
#ifndef SPDMCTL_COMPAT_LINUX_TYPES_H
#define SPDMCTL_COMPAT_LINUX_TYPES_H

#include_next <linux/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

#endif /* SPDMCTL_COMPAT_LINUX_TYPES_H */
