# SPDX-License-Identifier: GPL-2.0-or-later
# Packages built from `make dist`'s tarball, so they hold exactly what a release
# holds (packaging/README.md). Each builds in a scratch tree under
# packaging-build/ and leaves its package in the build directory:
#   make deb   proclens_<version>-<release>_<arch>.deb  (dpkg-buildpackage)
#   make rpm   proclens-<version>-<release>.<arch>.rpm   (rpmbuild)
# check-packages builds both and runs tests/packaging/ against them (as root).
PACKAGE_BUILD = $(abs_top_builddir)/packaging-build

EXTRA_DIST += \
	tests/packaging/run.sh \
	tests/packaging/deb.sh \
	tests/packaging/rpm.sh \
	tests/packaging/systemd.sh \
	tests/packaging/kubernetes.sh

.PHONY: deb rpm check-packages clean-packages
# debian/ is packaging/debian copied into the unpacked tarball: dpkg-buildpackage
# looks for it at the top of the source tree only. -b: a binary package, no
# orig tarball needed. The -dbgsym package stays in the scratch tree.
deb: dist-gzip
	rm -rf '$(PACKAGE_BUILD)/deb' && mkdir -p '$(PACKAGE_BUILD)/deb'
	tar -xzf '$(distdir).tar.gz' -C '$(PACKAGE_BUILD)/deb'
	cp -R '$(PACKAGE_BUILD)/deb/$(distdir)/packaging/debian' '$(PACKAGE_BUILD)/deb/$(distdir)/debian'
	cd '$(PACKAGE_BUILD)/deb/$(distdir)' && dpkg-buildpackage -us -uc -b -Jauto
	rm -f $(PACKAGE)_*.deb
	mv '$(PACKAGE_BUILD)'/deb/$(PACKAGE)_*.deb .

# RPMBUILD_FLAGS: extra rpmbuild options. On a host whose rpm database does
# not hold the build dependencies (Debian's rpm), RPMBUILD_FLAGS=--nodeps.
RPMBUILD_FLAGS =
rpm: dist-gzip
	rm -rf '$(PACKAGE_BUILD)/rpm' && mkdir -p '$(PACKAGE_BUILD)/rpm/SOURCES'
	cp '$(distdir).tar.gz' '$(PACKAGE_BUILD)/rpm/SOURCES/'
	rpmbuild -bb --define '_topdir $(PACKAGE_BUILD)/rpm' $(RPMBUILD_FLAGS) \
		'$(srcdir)/packaging/rpm/proclens.spec'
	rm -f $(PACKAGE)-[0-9]*.rpm
	mv '$(PACKAGE_BUILD)'/rpm/RPMS/*/$(PACKAGE)-[0-9]*.rpm .

# The tests build the packages themselves (make deb, make rpm), so each
# package's build time counts in its own test.
check-packages: proclens$(EXEEXT)
	PROCLENS_PACKAGE_SUMMARY='$(abs_top_builddir)/tests/packaging/summary' \
		bash '$(abs_top_srcdir)/tests/packaging/run.sh' '$(abs_top_srcdir)/tests' '$(abs_top_builddir)'

clean-local: clean-packages
clean-packages:
	rm -rf '$(PACKAGE_BUILD)' $(PACKAGE)_*.deb $(PACKAGE)-[0-9]*.rpm
	rm -f '$(abs_top_builddir)'/tests/packaging/*.log '$(abs_top_builddir)/tests/packaging/summary'
