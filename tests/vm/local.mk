# SPDX-License-Identifier: GPL-2.0-or-later
# The VM lane: proclens's integration tests on Debian 12's own kernel with
# pure cgroup v2, under qemu (tests/vm/README.md). The unpacked kernel is
# cached in tests/vm/build of the build tree; distclean removes it.
# tests/vm/summary holds "PASSED FAILED" for tests/run-all.sh.
VM_LANE_BUILD = $(abs_top_builddir)/tests/vm/build
VM_LANE_SUMMARY = $(abs_top_builddir)/tests/vm/summary

EXTRA_DIST += \
	tests/vm/README.md \
	tests/vm/init \
	tests/vm/run.sh \
	tests/vm/smoke.sh

.PHONY: check-vm distclean-vm
# check_DATA: the helper programs the integration tests run, as in `make check`.
check-vm: proclens$(EXEEXT) $(check_DATA)
	PROCLENS_VM_SUMMARY='$(VM_LANE_SUMMARY)' \
		bash '$(abs_top_srcdir)/tests/vm/run.sh' '$(abs_top_builddir)/proclens$(EXEEXT)' \
		'$(abs_top_srcdir)/tests' '$(VM_LANE_BUILD)' $(check_DATA)

distclean-local: distclean-vm
distclean-vm:
	rm -rf '$(VM_LANE_BUILD)' '$(VM_LANE_SUMMARY)'
