/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * spdmctl: the unaligned accessors of the kernel's <linux/unaligned.h>
 * that drivers/spdm/wire.c uses: copies through memcpy() (no alignment
 * assumed) with an explicit byte order, whatever the host's.
 */
#ifndef SPDMCTL_COMPAT_LINUX_UNALIGNED_H
#define SPDMCTL_COMPAT_LINUX_UNALIGNED_H

#include <endian.h>
#include <string.h>

#include <linux/types.h>

static inline u16 get_unaligned_le16(const void *p)
{
	u16 v;

	memcpy(&v, p, sizeof(v));
	return le16toh(v);
}

static inline u16 get_unaligned_be16(const void *p)
{
	u16 v;

	memcpy(&v, p, sizeof(v));
	return be16toh(v);
}

static inline u32 get_unaligned_le24(const void *p)
{
	u8 b[3];

	memcpy(b, p, sizeof(b));
	return b[0] | (u32)b[1] << 8 | (u32)b[2] << 16;
}

static inline u32 get_unaligned_le32(const void *p)
{
	u32 v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

static inline u64 get_unaligned_le64(const void *p)
{
	u64 v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

static inline void put_unaligned_le16(u16 val, void *p)
{
	val = htole16(val);
	memcpy(p, &val, sizeof(val));
}

static inline void put_unaligned_le32(u32 val, void *p)
{
	val = htole32(val);
	memcpy(p, &val, sizeof(val));
}

static inline void put_unaligned_le64(u64 val, void *p)
{
	val = htole64(val);
	memcpy(p, &val, sizeof(val));
}

#endif /* SPDMCTL_COMPAT_LINUX_UNALIGNED_H */
