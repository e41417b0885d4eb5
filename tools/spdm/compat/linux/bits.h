/* SPDX-License-Identifier: GPL-2.0-only */
/* spdmctl: BIT() and GENMASK() for drivers/spdm/wire.h, as in the kernel */
#ifndef SPDMCTL_COMPAT_LINUX_BITS_H
#define SPDMCTL_COMPAT_LINUX_BITS_H

#define BITS_PER_LONG	(8 * (int)sizeof(long))

#define BIT(nr)		(1UL << (nr))
/* Bits @l to @h inclusive, 0 <= l <= h < BITS_PER_LONG */
#define GENMASK(h, l) \
	((~0UL << (l)) & (~0UL >> (BITS_PER_LONG - 1 - (h))))

#endif /* SPDMCTL_COMPAT_LINUX_BITS_H */
