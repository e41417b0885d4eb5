# SPDX-License-Identifier: GPL-2.0-only
#
# kspdm top-level Makefile
#
#   make                 build the modules against $(KDIR), and spdmctl
#   make install         install both (DESTDIR, PREFIX=/usr/local)
#   make demo            set everything up and show an authenticated device
#   make check           install what is needed, build, run every KUnit suite
#                        and every integration scenario
#   make KDIR=/lib/modules/$(uname -r)/build
#                        build against an installed kernel
#   make bench           benchmarks in QEMU: a table, and bench.json
#   make vectors         regenerate the KUnit test vectors
#   make clean

PWD_ABS := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

# The default tree is Debian's linux-source-6.12, prepared and cached by
# scripts/prepare-kernel.sh outside the repository.
ifeq ($(origin KDIR), undefined)
KDIR_DEFAULT := 1
KDIR = $(shell $(PWD_ABS)/scripts/prepare-kernel.sh --print)
endif

KCONFIG_OPTS := CONFIG_SPDM=m
# A transport whose kernel support is missing is not built
ifneq ($(shell grep -s '^CONFIG_PCI_DOE=y' $(KDIR)/.config),)
KCONFIG_OPTS += CONFIG_SPDM_PCI=m
endif
ifneq ($(shell grep -s '^CONFIG_MCTP=y' $(KDIR)/.config),)
KCONFIG_OPTS += CONFIG_SPDM_MCTP=m
endif
KUNIT ?= $(if $(shell grep -s '^CONFIG_KUNIT=y' $(KDIR)/.config),1,)
ifneq ($(KUNIT),)
KCONFIG_OPTS += CONFIG_SPDM_KUNIT_TEST=m
endif

# Where the module sources are; make bench builds a copy of them
SPDM_TREE ?= $(PWD_ABS)
KBUILD_ARGS := -C $(KDIR) M=$(SPDM_TREE)/drivers/spdm $(KCONFIG_OPTS) \
	KCPPFLAGS="$(foreach o,$(KCONFIG_OPTS),-D$(subst =m,_MODULE,$(o))=1)"

PREFIX ?= /usr/local

.PHONY: all modules spdmctl install kernel check kunit integration demo \
	bench vectors clean clean-modules

all: modules spdmctl

spdmctl:
	$(MAKE) -C $(PWD_ABS)/tools/spdm

install: modules spdmctl
	$(MAKE) $(KBUILD_ARGS) INSTALL_MOD_PATH=$(DESTDIR) modules_install
	$(MAKE) -C $(PWD_ABS)/tools/spdm DESTDIR=$(DESTDIR) PREFIX=$(PREFIX) \
		install

kernel:
ifdef KDIR_DEFAULT
	@$(PWD_ABS)/scripts/prepare-kernel.sh >/dev/null
endif

modules: kernel
	$(MAKE) $(KBUILD_ARGS) W=$(or $(W),1) modules

check:
	$(PWD_ABS)/scripts/check.sh

kunit: modules
	/usr/bin/python3 $(PWD_ABS)/tools/testing/spdm/run_kunit.py \
		--kdir $(KDIR) drivers/spdm/spdm.ko \
		$(wildcard drivers/spdm/spdm_mctp.ko) drivers/spdm/spdm_kunit.ko

integration: modules
	/usr/bin/python3 $(PWD_ABS)/tools/testing/spdm/integration.py \
		--kdir $(KDIR) --modules $(PWD_ABS)/drivers/spdm

demo:
	$(PWD_ABS)/scripts/install-deps.sh
	$(MAKE) -C $(PWD_ABS) modules
	/usr/bin/python3 $(PWD_ABS)/tools/testing/spdm/integration.py --demo \
		--kdir $(KDIR) --modules $(PWD_ABS)/drivers/spdm

# The benchmarks run on a kernel without KASAN, lockdep and kmemleak
# (scripts/kernel-bench.config; BENCH_KDIR=DIR for another tree), with the
# modules built from a copy of the sources in build/bench so that the test
# build stays as it is.
BENCH_TREE := $(PWD_ABS)/build/bench

bench:
	$(PWD_ABS)/scripts/install-deps.sh
	$(MAKE) -C $(PWD_ABS) spdmctl
	rm -rf $(BENCH_TREE)
	mkdir -p $(BENCH_TREE)/drivers
	cp -r $(PWD_ABS)/include $(BENCH_TREE)/
	cp -r $(PWD_ABS)/drivers/spdm $(BENCH_TREE)/drivers/
	kdir=$${BENCH_KDIR:-$$($(PWD_ABS)/scripts/prepare-kernel.sh \
		--flavour bench | tail -n 1)} && \
	$(MAKE) -C $(PWD_ABS) KDIR=$$kdir SPDM_TREE=$(BENCH_TREE) KUNIT= \
		clean-modules modules && \
	/usr/bin/python3 $(PWD_ABS)/tools/testing/spdm/bench.py \
		--kdir $$kdir --modules $(BENCH_TREE)/drivers/spdm \
		--json $(PWD_ABS)/bench.json

vectors:
	/usr/bin/python3 $(PWD_ABS)/tools/testing/spdm/gen_vectors.py

clean-modules:
	$(MAKE) -C $(KDIR) M=$(SPDM_TREE)/drivers/spdm clean 2>/dev/null || true

clean: clean-modules
	$(MAKE) -C $(PWD_ABS)/tools/spdm clean
	rm -rf $(PWD_ABS)/build $(PWD_ABS)/bench.json
