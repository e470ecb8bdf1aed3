# SPDX-License-Identifier: GPL-2.0-or-later
# The benchmark (docs/performance.md): `make bench`, as root. Its two programs
# are built only for it, never by a plain `make`, and it is no part of `make
# check`. Plain rules rather than automake primaries keep this fragment
# independent of how Makefile.am sets EXTRA_PROGRAMS and CLEANFILES.
BENCH_BINARIES = bench/trivialfs$(EXEEXT) bench/benchread$(EXEEXT)
BENCH_COMPILE = $(CC) $(DEFS) $(AM_CPPFLAGS) $(CPPFLAGS) $(AM_CFLAGS) $(CFLAGS) \
	$(AM_LDFLAGS) $(LDFLAGS)
EXTRA_DIST += bench/lib.sh bench/run.sh bench/trivialfs.c bench/benchread.c

# trivialfs runs proclens's own FUSE workers (src/session.c in libproclens.a).
bench/trivialfs$(EXEEXT): $(srcdir)/bench/trivialfs.c libproclens.a config.h
	@$(MKDIR_P) bench
	$(AM_V_CCLD)$(BENCH_COMPILE) -o $@ $(srcdir)/bench/trivialfs.c $(PROCLENS_LIBS)

bench/benchread$(EXEEXT): $(srcdir)/bench/benchread.c config.h
	@$(MKDIR_P) bench
	$(AM_V_CCLD)$(BENCH_COMPILE) -o $@ $(srcdir)/bench/benchread.c

.PHONY: bench clean-bench
bench: proclens$(EXEEXT) $(BENCH_BINARIES)
	PROCLENS='$(abs_top_builddir)/proclens' \
	TRIVIALFS='$(abs_top_builddir)/bench/trivialfs' \
	BENCHREAD='$(abs_top_builddir)/bench/benchread' \
	bash '$(abs_top_srcdir)/bench/run.sh'

clean-local: clean-bench
clean-bench:
	rm -f $(BENCH_BINARIES)

# sockstat: proclens's proc/net/sockstat next to the kernel's file (docs/sockstat.md).
BENCH_BINARIES += bench/sockload$(EXEEXT)
EXTRA_DIST += bench/sockstat.sh bench/sockload.c

bench/sockload$(EXEEXT): $(srcdir)/bench/sockload.c config.h
	@$(MKDIR_P) bench
	$(AM_V_CCLD)$(BENCH_COMPILE) -o $@ $(srcdir)/bench/sockload.c

.PHONY: bench-sockstat
bench: bench-sockstat
bench-sockstat: proclens$(EXEEXT) bench/benchread$(EXEEXT) bench/sockload$(EXEEXT)
	PROCLENS='$(abs_top_builddir)/proclens' \
	BENCHREAD='$(abs_top_builddir)/bench/benchread' \
	SOCKLOAD='$(abs_top_builddir)/bench/sockload' \
	bash '$(abs_top_srcdir)/bench/sockstat.sh'

# attack: what one hostile tenant costs the other readers (bench/attack.sh);
# the tenant's held files, sockets and routes come from the tests' tenantload.
EXTRA_DIST += bench/attack.sh

.PHONY: bench-attack
bench: bench-attack
bench-attack: proclens$(EXEEXT) bench/benchread$(EXEEXT) tests/integration/tenantload$(EXEEXT)
	PROCLENS='$(abs_top_builddir)/proclens' \
	BENCHREAD='$(abs_top_builddir)/bench/benchread' \
	TENANTLOAD='$(abs_top_builddir)/tests/integration/tenantload' \
	bash '$(abs_top_srcdir)/bench/attack.sh'

# limits: proc/self/limits next to the kernel's file and proc/meminfo, and
# listing proc/ with 5,000 processes (bench/limits.sh); pidprobe is the tests'.
EXTRA_DIST += bench/limits.sh

.PHONY: bench-limits
bench: bench-limits
bench-limits: proclens$(EXEEXT) bench/benchread$(EXEEXT) tests/integration/pidprobe$(EXEEXT)
	PROCLENS='$(abs_top_builddir)/proclens' \
	BENCHREAD='$(abs_top_builddir)/bench/benchread' \
	PIDPROBE='$(abs_top_builddir)/tests/integration/pidprobe' \
	bash '$(abs_top_srcdir)/bench/limits.sh'
