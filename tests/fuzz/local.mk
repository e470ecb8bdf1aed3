# SPDX-License-Identifier: GPL-2.0-or-later
# Fuzzing (docs/fuzzing.md). Every target's inputs are replayed by `make
# check` in every build, through replay.c and the normal compiler: the seed
# corpus in tests/fuzz/corpus/<target>/, the crashes found in
# tests/fuzz/crashes/<target>/. `./configure --enable-fuzzing CC=clang` also
# builds the libFuzzer programs tests/fuzz/fuzz_<target>.
FUZZ_REPLAY_CFLAGS = $(AM_CFLAGS) -DFUZZ_DIR='"$(abs_top_srcdir)/tests/fuzz"'
FUZZ_REPLAYS = \
	tests/fuzz/replay_meminfo tests/fuzz/replay_memcg_stat tests/fuzz/replay_proc_cgroup \
	tests/fuzz/replay_parse_u64 tests/fuzz/replay_parse_keys tests/fuzz/replay_cgroup_value \
	tests/fuzz/replay_sockstat tests/fuzz/replay_netdiag tests/fuzz/replay_status \
	tests/fuzz/replay_id_map tests/fuzz/replay_limits tests/fuzz/replay_nstgid \
	tests/fuzz/replay_stat_start tests/fuzz/replay_handover
check_PROGRAMS += $(FUZZ_REPLAYS)
TESTS += $(FUZZ_REPLAYS)
EXTRA_DIST += tests/fuzz/corpus tests/fuzz/crashes tests/fuzz/local.mk

if ENABLE_FUZZING
noinst_PROGRAMS = \
	tests/fuzz/fuzz_meminfo tests/fuzz/fuzz_memcg_stat tests/fuzz/fuzz_proc_cgroup \
	tests/fuzz/fuzz_parse_u64 tests/fuzz/fuzz_parse_keys tests/fuzz/fuzz_cgroup_value \
	tests/fuzz/fuzz_sockstat tests/fuzz/fuzz_netdiag tests/fuzz/fuzz_status \
	tests/fuzz/fuzz_id_map tests/fuzz/fuzz_limits tests/fuzz/fuzz_nstgid \
	tests/fuzz/fuzz_stat_start tests/fuzz/fuzz_handover
endif

# Per program: a replay is replay.c with the target; a fuzzer the target alone.
tests_fuzz_replay_meminfo_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_meminfo.c tests/fuzz/fuzz.h
tests_fuzz_replay_meminfo_CFLAGS = $(FUZZ_REPLAY_CFLAGS) -DFUZZ_TARGET='"meminfo"'
tests_fuzz_replay_meminfo_LDADD = $(PROCLENS_LIBS)
tests_fuzz_replay_memcg_stat_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_memcg_stat.c tests/fuzz/fuzz.h
tests_fuzz_replay_memcg_stat_CFLAGS = $(FUZZ_REPLAY_CFLAGS) -DFUZZ_TARGET='"memcg_stat"'
tests_fuzz_replay_memcg_stat_LDADD = $(PROCLENS_LIBS)
tests_fuzz_replay_proc_cgroup_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_proc_cgroup.c tests/fuzz/fuzz.h
tests_fuzz_replay_proc_cgroup_CFLAGS = $(FUZZ_REPLAY_CFLAGS) -DFUZZ_TARGET='"proc_cgroup"'
tests_fuzz_replay_proc_cgroup_LDADD = $(PROCLENS_LIBS)
tests_fuzz_replay_parse_u64_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_parse_u64.c tests/fuzz/fuzz.h
tests_fuzz_replay_parse_u64_CFLAGS = $(FUZZ_REPLAY_CFLAGS) -DFUZZ_TARGET='"parse_u64"'
tests_fuzz_replay_parse_u64_LDADD = $(PROCLENS_LIBS)
tests_fuzz_replay_parse_keys_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_parse_keys.c tests/fuzz/fuzz.h
tests_fuzz_replay_parse_keys_CFLAGS = $(FUZZ_REPLAY_CFLAGS) -DFUZZ_TARGET='"parse_keys"'
tests_fuzz_replay_parse_keys_LDADD = $(PROCLENS_LIBS)
tests_fuzz_replay_cgroup_value_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_cgroup_value.c tests/fuzz/fuzz.h
tests_fuzz_replay_cgroup_value_CFLAGS = $(FUZZ_REPLAY_CFLAGS) -DFUZZ_TARGET='"cgroup_value"'
tests_fuzz_replay_cgroup_value_LDADD = $(PROCLENS_LIBS)
tests_fuzz_replay_sockstat_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_sockstat.c tests/fuzz/fuzz.h
tests_fuzz_replay_sockstat_CFLAGS = $(FUZZ_REPLAY_CFLAGS) -DFUZZ_TARGET='"sockstat"'
tests_fuzz_replay_sockstat_LDADD = $(PROCLENS_LIBS)
tests_fuzz_replay_netdiag_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_netdiag.c tests/fuzz/fuzz.h
tests_fuzz_replay_netdiag_CFLAGS = $(FUZZ_REPLAY_CFLAGS) -DFUZZ_TARGET='"netdiag"'
tests_fuzz_replay_netdiag_LDADD = $(PROCLENS_LIBS)
tests_fuzz_replay_status_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_status.c tests/fuzz/fuzz.h
tests_fuzz_replay_status_CFLAGS = $(FUZZ_REPLAY_CFLAGS) -DFUZZ_TARGET='"status"'
tests_fuzz_replay_status_LDADD = $(PROCLENS_LIBS)
tests_fuzz_replay_id_map_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_id_map.c tests/fuzz/fuzz.h
tests_fuzz_replay_id_map_CFLAGS = $(FUZZ_REPLAY_CFLAGS) -DFUZZ_TARGET='"id_map"'
tests_fuzz_replay_id_map_LDADD = $(PROCLENS_LIBS)
tests_fuzz_replay_limits_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_limits.c tests/fuzz/fuzz.h
tests_fuzz_replay_limits_CFLAGS = $(FUZZ_REPLAY_CFLAGS) -DFUZZ_TARGET='"limits"'
tests_fuzz_replay_limits_LDADD = $(PROCLENS_LIBS)
tests_fuzz_replay_nstgid_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_nstgid.c tests/fuzz/fuzz.h
tests_fuzz_replay_nstgid_CFLAGS = $(FUZZ_REPLAY_CFLAGS) -DFUZZ_TARGET='"nstgid"'
tests_fuzz_replay_nstgid_LDADD = $(PROCLENS_LIBS)
tests_fuzz_replay_stat_start_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_stat_start.c tests/fuzz/fuzz.h
tests_fuzz_replay_stat_start_CFLAGS = $(FUZZ_REPLAY_CFLAGS) -DFUZZ_TARGET='"stat_start"'
tests_fuzz_replay_stat_start_LDADD = $(PROCLENS_LIBS)
tests_fuzz_replay_handover_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_handover.c tests/fuzz/fuzz.h
tests_fuzz_replay_handover_CFLAGS = $(FUZZ_REPLAY_CFLAGS) -DFUZZ_TARGET='"handover"'
tests_fuzz_replay_handover_LDADD = $(PROCLENS_LIBS)
tests_fuzz_fuzz_meminfo_SOURCES = tests/fuzz/fuzz_meminfo.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_meminfo_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
tests_fuzz_fuzz_meminfo_LDADD = $(PROCLENS_LIBS)
tests_fuzz_fuzz_memcg_stat_SOURCES = tests/fuzz/fuzz_memcg_stat.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_memcg_stat_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
tests_fuzz_fuzz_memcg_stat_LDADD = $(PROCLENS_LIBS)
tests_fuzz_fuzz_proc_cgroup_SOURCES = tests/fuzz/fuzz_proc_cgroup.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_proc_cgroup_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
tests_fuzz_fuzz_proc_cgroup_LDADD = $(PROCLENS_LIBS)
tests_fuzz_fuzz_parse_u64_SOURCES = tests/fuzz/fuzz_parse_u64.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_parse_u64_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
tests_fuzz_fuzz_parse_u64_LDADD = $(PROCLENS_LIBS)
tests_fuzz_fuzz_parse_keys_SOURCES = tests/fuzz/fuzz_parse_keys.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_parse_keys_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
tests_fuzz_fuzz_parse_keys_LDADD = $(PROCLENS_LIBS)
tests_fuzz_fuzz_cgroup_value_SOURCES = tests/fuzz/fuzz_cgroup_value.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_cgroup_value_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
tests_fuzz_fuzz_cgroup_value_LDADD = $(PROCLENS_LIBS)
tests_fuzz_fuzz_sockstat_SOURCES = tests/fuzz/fuzz_sockstat.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_sockstat_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
tests_fuzz_fuzz_sockstat_LDADD = $(PROCLENS_LIBS)
tests_fuzz_fuzz_netdiag_SOURCES = tests/fuzz/fuzz_netdiag.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_netdiag_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
tests_fuzz_fuzz_netdiag_LDADD = $(PROCLENS_LIBS)
tests_fuzz_fuzz_status_SOURCES = tests/fuzz/fuzz_status.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_status_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
tests_fuzz_fuzz_status_LDADD = $(PROCLENS_LIBS)
tests_fuzz_fuzz_id_map_SOURCES = tests/fuzz/fuzz_id_map.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_id_map_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
tests_fuzz_fuzz_id_map_LDADD = $(PROCLENS_LIBS)
tests_fuzz_fuzz_limits_SOURCES = tests/fuzz/fuzz_limits.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_limits_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
tests_fuzz_fuzz_limits_LDADD = $(PROCLENS_LIBS)
tests_fuzz_fuzz_nstgid_SOURCES = tests/fuzz/fuzz_nstgid.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_nstgid_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
tests_fuzz_fuzz_nstgid_LDADD = $(PROCLENS_LIBS)
tests_fuzz_fuzz_stat_start_SOURCES = tests/fuzz/fuzz_stat_start.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_stat_start_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
tests_fuzz_fuzz_stat_start_LDADD = $(PROCLENS_LIBS)
tests_fuzz_fuzz_handover_SOURCES = tests/fuzz/fuzz_handover.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_handover_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
tests_fuzz_fuzz_handover_LDADD = $(PROCLENS_LIBS)
