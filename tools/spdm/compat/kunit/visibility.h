/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * spdmctl: <kunit/visibility.h> for drivers/spdm/wire.c in userspace,
 * where there is no KUnit and nothing to export.
 */
#ifndef SPDMCTL_COMPAT_KUNIT_VISIBILITY_H
#define SPDMCTL_COMPAT_KUNIT_VISIBILITY_H

#define EXPORT_SYMBOL_IF_KUNIT(sym)

#endif /* SPDMCTL_COMPAT_KUNIT_VISIBILITY_H */
