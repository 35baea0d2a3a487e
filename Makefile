# osarch: comparative OS-architecture simulator.
# `make run` and `make test` are the two set-up commands; see README.md.

CC      ?= cc
BUILD   ?= build
OPT     ?= -O2
# Required: libyaml (configs), jansson (JSON out), CMocka (tests), gnuplot
# (figures). Optional, each behind a program of its own so that no other
# command loads it (include/base/cli.h): SimGrid for `osarch scale`
# (build/osarch-scale), PAPI for `osarch calibrate` (build/osarch-calibrate).
# scripts/deps.sh installs all of them as root; otherwise the optional ones
# are built when found. SIMGRID=no / PAPI=no build without them.
DEB_PKGS := libyaml-dev libjansson-dev libcmocka-dev gnuplot-nox pkg-config
DEB_OPT_PKGS := libsimgrid-dev libpapi-dev papi-tools

# `make` alone builds the programs (the included build/config.mk's rule below
# would otherwise be the first target, and all `make` did).
.DEFAULT_GOAL := all

# The layers, lowest first (docs/architecture.md); every header folder is on
# the include path, so a file includes "x.h" whatever its layer.
LAYER_INC := include/base include/model include/core include/cmd
INCLUDES := $(addprefix -I,$(LAYER_INC))
CFLAGS_COMMON := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra -Werror \
	-Wno-error=deprecated-declarations $(INCLUDES) -g
CORE_PKGS := yaml-0.1 jansson
CFLAGS  ?=
LDFLAGS ?=

# What this machine has, found once after scripts/deps.sh ran (make reads
# the file, building it first when missing: GNU make's remade makefiles).
ifeq ($(filter clean help,$(MAKECMDGOALS)),)
include $(BUILD)/config.mk
endif
$(BUILD)/config.mk: scripts/deps.sh
	@sh scripts/deps.sh $(DEB_PKGS) -- $(DEB_OPT_PKGS)
	@mkdir -p $(BUILD)
	@{ pkg-config --exists simgrid && echo "HAVE_SIMGRID := yes" || echo "HAVE_SIMGRID := no"; \
	   pkg-config --exists papi && echo "HAVE_PAPI := yes" || echo "HAVE_PAPI := no"; } > $@
SIMGRID ?= $(HAVE_SIMGRID)
PAPI    ?= $(HAVE_PAPI)
OPT_PKGS = $(if $(filter yes,$(SIMGRID)),simgrid) $(if $(filter yes,$(PAPI)),papi)
OPT_DEFS = $(if $(filter yes,$(SIMGRID)),-DOSARCH_HAVE_SIMGRID) $(if $(filter yes,$(PAPI)),-DOSARCH_HAVE_PAPI)

PKG_CFLAGS = $(shell pkg-config --cflags $(CORE_PKGS) $(OPT_PKGS) 2>/dev/null) $(OPT_DEFS)
PKG_LIBS   = $(shell pkg-config --libs $(CORE_PKGS) 2>/dev/null) -lm
SIMGRID_LIBS = $(shell pkg-config --libs simgrid 2>/dev/null)
PAPI_LIBS  = $(shell pkg-config --libs papi 2>/dev/null)
CMOCKA_LIBS = $(shell pkg-config --libs cmocka 2>/dev/null)
ALL_CFLAGS = $(CFLAGS_COMMON) $(OPT) $(PKG_CFLAGS) $(CFLAGS)

# The core every command uses, in libosarch.a; the optional commands' own
# objects beside it.
# Layers (scripts/check-layers.sh): src/base, then the model (models/, arch/,
# workloads/), src/core, src/cmd (one file or folder per command), src/main*.c.
SCALE_SRC := $(sort $(wildcard src/cmd/scale/*.c))
CALIBRATE_SRC := $(sort $(wildcard src/cmd/calibrate/*.c))
OPT_SRC  := $(SCALE_SRC) $(CALIBRATE_SRC)
SCALE_OBJ := $(SCALE_SRC:%.c=$(BUILD)/obj/%.o)
CALIBRATE_OBJ := $(CALIBRATE_SRC:%.c=$(BUILD)/obj/%.o)
MAIN_SRC := src/main.c src/main_scale.c src/main_calibrate.c
LIB_SRC  := $(sort $(wildcard src/base/*.c) $(wildcard models/*.c) $(wildcard arch/*.c) $(wildcard workloads/*.c) \
	$(wildcard src/core/*.c) $(filter-out $(OPT_SRC),$(wildcard src/cmd/*.c src/cmd/*/*.c)))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
TEST_SRC := $(sort $(wildcard tests/test_*.c))
TEST_OPT := $(if $(filter yes,$(SIMGRID)),,tests/test_scale.c) $(if $(filter yes,$(PAPI)),,tests/test_calibrate.c)
TEST_BIN = $(patsubst tests/%.c,$(BUILD)/tests/%,$(filter-out $(TEST_OPT),$(TEST_SRC)))
HDRS     := $(wildcard include/*/*.h)
PROGS = $(BUILD)/osarch $(if $(filter yes,$(SIMGRID)),$(BUILD)/osarch-scale) \
	$(if $(filter yes,$(PAPI)),$(BUILD)/osarch-calibrate)

.PHONY: all deps run test test-core bench asan valgrind clean report plots golden help fuzz check-layers

all: $(PROGS)

help:
	@echo "make run    - install missing packages (as root), build, run configs/default.yaml, plots"
	@echo "make test   - build and run every CMocka test (and make check-layers)"
	@echo "make check-layers - the layout's rules: no upward include or symbol, no loop, no file over 1,500 lines"
	@echo "make bench  - speed figures: cache model, cachesim, replay, start-up, sweeps (ORIG=DIR: beside an earlier build)"
	@echo "make test-core - build and test without SimGrid and PAPI (as on a student's machine)"
	@echo "make asan   - ASan+UBSan build and tests"
	@echo "make valgrind - tests and one run under valgrind"
	@echo "make report - every experiment, the plots, then REPORT.md from docs/report.md.in"
	@echo "make handout - REPORT.md as a PDF, report/REPORT.pdf (headless Chromium); make test-handout checks it"
	@echo "make host-report - calibrate on this machine, then HOST.md (the report's appendix for it)"
	@echo "make golden - regenerate results/default/results.csv (the golden copy tests compare with)"
	@echo "make wasm   - osarch as WebAssembly beside the explorer page (emscripten); make test-wasm checks it"
	@echo "make clean"

# Checks the Debian packages; installs the missing ones when root.
deps: $(BUILD)/config.mk

$(BUILD)/obj/%.o: %.c $(HDRS) | $(BUILD)/config.mk
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -I$(BUILD) -c $< -o $@

# The git commit for manifests, rewritten only when it changes.
$(BUILD)/gitversion.h: FORCE
	@mkdir -p $(BUILD)
	@c=$$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown); \
	 [ -n "$$(git status --porcelain --untracked-files=no 2>/dev/null)" ] && c="$$c-dirty"; \
	 printf '#define OSARCH_GIT "%s"\n' "$$c" > $@.tmp; \
	 cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@
FORCE:
$(BUILD)/obj/src/core/manifest.o: $(BUILD)/gitversion.h

$(BUILD)/libosarch.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

# `osarch` links only the core libraries; the make targets that run it also
# build the optional programs it hands `scale` and `calibrate` to.
$(BUILD)/osarch: $(BUILD)/obj/src/main.o $(BUILD)/libosarch.a
	$(CC) $(ALL_CFLAGS) $^ -o $@ $(LDFLAGS) $(PKG_LIBS)
	@$(if $(filter yes,$(SIMGRID)),,echo "note: built without SimGrid: no osarch scale (install $(word 1,$(DEB_OPT_PKGS)))")
	@$(if $(filter yes,$(PAPI)),,echo "note: built without PAPI: no osarch calibrate (install libpapi-dev)")

$(BUILD)/osarch-scale: $(BUILD)/obj/src/main_scale.o $(SCALE_OBJ) $(BUILD)/libosarch.a
	$(CC) $(ALL_CFLAGS) $^ -o $@ $(LDFLAGS) $(PKG_LIBS) $(SIMGRID_LIBS)

$(BUILD)/osarch-calibrate: $(BUILD)/obj/src/main_calibrate.o $(CALIBRATE_OBJ) $(BUILD)/libosarch.a
	$(CC) $(ALL_CFLAGS) $^ -o $@ $(LDFLAGS) $(PKG_LIBS) $(PAPI_LIBS)

$(BUILD)/tests/%: tests/%.c $(wildcard tests/*.h) $(BUILD)/libosarch.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests $< $(BUILD)/libosarch.a -o $@ $(LDFLAGS) $(PKG_LIBS) $(CMOCKA_LIBS)

$(BUILD)/tests/test_scale: tests/test_scale.c tests/testutil.h $(SCALE_OBJ) $(BUILD)/libosarch.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests $< $(SCALE_OBJ) $(BUILD)/libosarch.a -o $@ $(LDFLAGS) $(PKG_LIBS) $(SIMGRID_LIBS) $(CMOCKA_LIBS)

$(BUILD)/tests/test_calibrate: tests/test_calibrate.c tests/testutil.h $(CALIBRATE_OBJ) $(BUILD)/libosarch.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests $< $(CALIBRATE_OBJ) $(BUILD)/libosarch.a -o $@ $(LDFLAGS) $(PKG_LIBS) $(PAPI_LIBS) $(CMOCKA_LIBS)

$(BUILD)/bench_cache: bench/bench_cache.c $(BUILD)/libosarch.a
	$(CC) $(ALL_CFLAGS) $< $(BUILD)/libosarch.a -o $@ $(LDFLAGS) $(PKG_LIBS)

# Each test binary runs from the repository root; CMocka reports on stderr.
test: $(PROGS) $(TEST_BIN) check-layers
	@sh scripts/run-tests.sh $(BUILD) $(TEST_BIN)

# The layout's rules (docs/architecture.md): no include or symbol reference
# from a lower layer to a higher one, no loop, no source file over 1,500
# lines, an opening comment on each, one command never using another's
# symbols. Reads the objects' symbols (nm); proves itself on a planted
# violation first.
LAYER_OBJ = $(LIB_OBJ) $(MAIN_SRC:%.c=$(BUILD)/obj/%.o) $(if $(filter yes,$(SIMGRID)),$(SCALE_OBJ)) \
	$(if $(filter yes,$(PAPI)),$(CALIBRATE_OBJ))
check-layers: $(LAYER_OBJ)
	@sh scripts/check-layers.sh $(BUILD)

run: $(PROGS)
	./$(BUILD)/osarch run configs/default.yaml
	@$(MAKE) --no-print-directory plots

plots: $(BUILD)/osarch
	@sh scripts/plots.sh

# REPORT.md, the class handout: every experiment of configs/ (a file with a
# top-level `archs:`; not validation.yaml, not machines/), the figures, then
# `osarch report` on docs/report.md.in (its directives: src/cmd/report/report.c).
report: $(PROGS)
	@sh scripts/report.sh $(BUILD)
	@$(MAKE) --no-print-directory plots
	./$(BUILD)/osarch report --template docs/report.md.in -o REPORT.md
	@$(MAKE) --no-print-directory explorer

# The committed golden copy results/default/results.csv that
# tests/test_report.c compares a fresh run with. Regenerate it only when the
# model moves a number on purpose, and say why in the commit.
golden: $(BUILD)/osarch
	./$(BUILD)/osarch run configs/default.yaml --quiet

$(BUILD)/gen_lackey: bench/gen_lackey.c
	@mkdir -p $(BUILD)
	$(CC) -O2 $< -o $@

$(BUILD)/spawn_time: bench/spawn_time.c
	@mkdir -p $(BUILD)
	$(CC) -O2 $< -o $@

# ORIG=DIR: an earlier build's repository (its programs built in DIR/build,
# e.g. a `git worktree` of 8b09f9a, issue 19's "before"): cachesim, replay,
# start-up and sweeps are timed on it too, in the same run, and printed
# beside ours as ratios.
bench: $(BUILD)/bench_cache $(BUILD)/osarch $(BUILD)/gen_lackey $(BUILD)/spawn_time
	./$(BUILD)/bench_cache
	@sh scripts/bench-cachesim.sh $(BUILD) $(ORIG)
	@sh scripts/bench-startup.sh $(BUILD) $(BUILD)/osarch $(ORIG)
	@ORIG=$(ORIG) sh scripts/bench-sweep.sh $(BUILD)/osarch bench/sweep-1000.yaml bench/sweep-10k.yaml bench/sweep-52k.yaml

# The build a student gets without SimGrid and PAPI (issue 18): osarch
# alone, every test that needs neither.
test-core:
	$(MAKE) BUILD=build-core SIMGRID=no PAPI=no test

asan:
	$(MAKE) BUILD=build-asan OPT="-O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		LDFLAGS="-fsanitize=address,undefined" test

valgrind: $(PROGS) $(TEST_BIN)
	@sh scripts/valgrind.sh $(BUILD) $(TEST_BIN)

clean:
	rm -rf build build-asan build-core build-wasm report/osarch-wasm.js report/osarch-run.js

# ---- fuzzing (issue 9): one libFuzzer harness per YAML file kind ----
FUZZ_SECONDS ?= 600
FUZZ_RSS_MB ?= 2048
FUZZ_CC ?= clang
FUZZ_KINDS := experiment:1:configs machine:2:configs/machines arch:3:arch workload:4:workloads services:5:models \
	isa:6:configs/isa faults:7:configs scale:8:configs answers:9:labs/1 lackey:10:tests/data/replay \
	cachesim-cli:11:fuzz/cachesim-cli
FUZZ ?= $(foreach k,$(FUZZ_KINDS),$(firstword $(subst :, ,$(k))))
FUZZ_LIB_SRC = $(LIB_SRC) $(if $(filter yes,$(SIMGRID)),$(SCALE_SRC))
FUZZ_LIBS = $(PKG_LIBS) $(if $(filter yes,$(SIMGRID)),$(SIMGRID_LIBS))

# A crash, a leak or a sanitizer report fails the target (the log is kept
# in build-fuzz/log-KIND.txt, its last lines shown). FUZZ=lackey runs one.
# The scale harness needs SimGrid (skipped without it).
fuzz: $(BUILD)/config.mk $(BUILD)/gitversion.h
	@mkdir -p build-fuzz
	@for spec in $(FUZZ_KINDS); do \
		kind=$${spec%%:*}; rest=$${spec#*:}; num=$${rest%%:*}; seeds=$${rest#*:}; \
		case " $(FUZZ) " in *" $$kind "*) ;; *) continue;; esac; \
		if [ $$kind = scale ] && [ "$(SIMGRID)" != yes ]; then echo "fuzz: scale skipped (no SimGrid)"; continue; fi; \
		echo "fuzz: building $$kind"; \
		$(FUZZ_CC) -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(INCLUDES) -I$(BUILD) -g -O1 \
			-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -DFUZZ_KIND=$$num \
			$(PKG_CFLAGS) fuzz/fuzz_loader.c $(FUZZ_LIB_SRC) -o build-fuzz/fuzz_$$kind $(FUZZ_LIBS) || exit 1; \
		mkdir -p build-fuzz/corpus-$$kind build-fuzz/crashes-$$kind; \
		echo "fuzz: $$kind for $(FUZZ_SECONDS) s"; \
		ASAN_OPTIONS=detect_leaks=1 ./build-fuzz/fuzz_$$kind -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
			-rss_limit_mb=$(FUZZ_RSS_MB) -dict=fuzz/osarch.dict -artifact_prefix=build-fuzz/crashes-$$kind/ \
			-print_final_stats=1 build-fuzz/corpus-$$kind $$seeds >build-fuzz/log-$$kind.txt 2>&1; \
		st=$$?; tail -n 12 build-fuzz/log-$$kind.txt; \
		if [ $$st -ne 0 ]; then echo "fuzz: $$kind failed (exit $$st); see build-fuzz/log-$$kind.txt" >&2; exit 1; fi; \
	done

# ---- real programs (issue 10): valgrind traces replayed under six architectures ----
# sed, grep, gzip and sort on a small input are traced by valgrind lackey (with
# their system calls) and run under cachegrind; `osarch cachesim` is compared
# with cachegrind, then `osarch replay` prints the MCPI table of every program
# under REPLAY_ARCHS and writes results/replay-demo/ and plots/replay-demo.png.
# See docs/replay.md. About 30 s, most of it valgrind.
REPLAY_ARCHS ?= monolithic mach mach-multiserver l4 exokernel vm-pv
REPLAY_INPUT := tests/data/replay/input.txt
REPLAY_GEOM := --I1=32768,8,64 --D1=32768,8,64 --LL=8388608,16,64

.PHONY: replay-demo
replay-demo: $(BUILD)/osarch
	@command -v valgrind >/dev/null 2>&1 || { echo "replay-demo: valgrind not found (Debian: apt-get install valgrind)" >&2; exit 2; }
	@set -e; tmp=$$(mktemp -d "$${TMPDIR:-/tmp}/osarch-replay.XXXXXX"); trap 'rm -rf "$$tmp"' EXIT; \
	in=$(REPLAY_INPUT); env="env -i PATH=/usr/bin:/bin LC_ALL=C"; \
	for p in sed grep gzip sort; do \
		case $$p in \
		sed) cmd="sed -n s/o/0/gp $$in";; \
		grep) cmd="grep -c -E fault|trap $$in";; \
		gzip) cmd="gzip -c $$in";; \
		sort) cmd="sort $$in";; \
		esac; \
		echo "replay-demo: tracing $$cmd"; \
		$$env valgrind --tool=lackey --trace-mem=yes --trace-syscalls=yes --log-fd=3 $$cmd 3>"$$tmp/$$p.trace" >/dev/null; \
		$$env valgrind --tool=cachegrind --cache-sim=yes $(REPLAY_GEOM) --cachegrind-out-file="$$tmp/$$p.cg" \
			$$cmd 3>/dev/null >/dev/null 2>&1; \
	done; \
	echo; echo "osarch cachesim against cachegrind, misses ($(REPLAY_GEOM)):"; \
	printf '%-6s %25s %25s %25s\n' program "I1 cachesim/cachegrind" "D1 cachesim/cachegrind" "LL cachesim/cachegrind"; \
	for p in sed grep gzip sort; do \
		cs=$$(./$(BUILD)/osarch cachesim $(REPLAY_GEOM) "$$tmp/$$p.trace" | sed -n 's/^summary: //p'); \
		cg=$$(sed -n 's/^summary: //p' "$$tmp/$$p.cg"); \
		echo "$$p $$cs $$cg" | awk 'function d(a, b) { return b ? 100 * (a - b) / b : 0 } \
			{ printf "%-6s %9d/%-8d %+5.2f%% %9d/%-8d %+5.2f%% %9d/%-8d %+5.2f%%\n", $$1, \
			  $$3, $$12, d($$3, $$12), $$6 + $$9, $$15 + $$18, d($$6 + $$9, $$15 + $$18), \
			  $$4 + $$7 + $$10, $$13 + $$16 + $$19, d($$4 + $$7 + $$10, $$13 + $$16 + $$19) }'; \
	done; echo; \
	./$(BUILD)/osarch replay $(addprefix --arch ,$(REPLAY_ARCHS)) -o results/replay-demo \
		"$$tmp/sed.trace" "$$tmp/grep.trace" "$$tmp/gzip.trace" "$$tmp/sort.trace"; \
	echo; echo "MCPI (share of time in the system), machine modern:"; \
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$$i] = i; next } \
		{ a = $$1; w = $$2; if (!(a in ai)) { ai[a] = ++na; an[na] = a } if (!(w in wi)) { wi[w] = ++nw; wn[nw] = w } \
		  m[a, w] = $$(c["mcpi"]); s[a, w] = $$(c["sys_share"]) } \
		END { printf "%-18s", "arch"; for (j = 1; j <= nw; j++) printf " %15s", wn[j]; printf "\n"; \
		      for (i = 1; i <= na; i++) { printf "%-18s", an[i]; \
		        for (j = 1; j <= nw; j++) printf "   %5.3f (%4.1f%%)", m[an[i], wn[j]], 100 * s[an[i], wn[j]]; printf "\n" } }' \
		results/replay-demo/results.csv; \
	if command -v gnuplot >/dev/null 2>&1; then \
		for t in png svg; do \
			gnuplot -e "term='$$t'; out='$$tmp/replay-demo.$$t'" plots/replay-demo.gp && mv -f "$$tmp/replay-demo.$$t" plots/replay-demo.$$t; \
		done; echo "replay-demo: wrote plots/replay-demo.png and plots/replay-demo.svg"; \
	else echo "replay-demo: gnuplot not found, no plot" >&2; fi

# ---- host calibration (issue 8): this machine measured, its profile, the model against it ----
# Writes configs/machines/host.yaml (machine-specific: in .gitignore), results/calibrate/
# {results.csv,host.txt}, then results/calibrate/compare.csv. About 10 s; never fails for
# want of hardware counters.
.PHONY: calibrate
calibrate: $(BUILD)/osarch $(BUILD)/osarch-calibrate
	./$(BUILD)/osarch calibrate -o configs/machines/host.yaml
	./$(BUILD)/osarch calibrate --compare -o configs/machines/host.yaml

# HOST.md, the report's appendix that only the reader's machine can write
# (docs/host.md.in from results/calibrate/; neither is committed).
.PHONY: host-report
host-report: calibrate
	./$(BUILD)/osarch report --template docs/host.md.in -o HOST.md

# ---- explorer page (issue 11): report/index.html, one self-contained static page ----
# The read-disk and read traces of every architecture of results/default as
# step lists, the comparison tables and the figures (docs/explorer.md). Runs
# the default experiment first when results/default/results.json is missing.
# REPORT.md as a printable PDF (report/REPORT.pdf) by headless Chromium's
# print; test-handout renders its pages (pdftoppm) and finds every figure.
.PHONY: handout test-handout
handout:
	@sh scripts/handout.sh
test-handout:
	@sh scripts/test-handout.sh

.PHONY: explorer test-browser
explorer: $(BUILD)/osarch
	@[ -f results/default/results.json ] || ./$(BUILD)/osarch run configs/default.yaml --quiet
	@sh scripts/explorer.sh $(BUILD)/osarch results/default report/index.html

# The page in headless Chromium (Debian's /usr/bin/chromium driven by
# playwright-core; scripts/browser-deps.sh installs both when missing), with
# the in-browser model of `make wasm` (its edit view, issue 22). Ends with
# "N passed, N failed"; screenshots in $${CI_LOG_DIR:-build}/{explorer,compare,try}*.png.
test-browser: explorer wasm
	@sh scripts/browser-deps.sh
	@cd tests/browser && OSARCH=$(BUILD)/osarch node explorer.test.mjs

# ---- the model in the browser (issue 22): osarch as WebAssembly ----
# report/osarch-wasm.js (the CLI with libyaml and jansson from Debian's
# source packages, built by Debian's emscripten; the .wasm inlined) and
# report/osarch-run.js (its wrapper) beside the explorer page, which then
# runs the model on the YAML edited in the page (docs/explorer.md).
# test-wasm: the module under Node against build/osarch, byte for byte, for
# every architecture x workload x machine profile (tests/wasm/diff.test.mjs).
.PHONY: wasm test-wasm
wasm: $(BUILD)/gitversion.h
	@OSARCH_SRC="$(LIB_SRC) src/main.c" OSARCH_INC="$(INCLUDES)" BUILD=$(BUILD) sh scripts/wasm.sh report

test-wasm: $(BUILD)/osarch wasm
	@node tests/wasm/diff.test.mjs $(BUILD)/osarch report/osarch-run.js

# ---- system-level scenarios on SimGrid (issue 6): osarch scale ----
# Contention on 1-16 cores, Mach servers on a remote host, VM live migration
# (docs/scale.md). Writes results/scale-{cores,remote,migrate}/; then
# `make plots` draws plots/scale-*.png. Each well under a minute on 2 cores.
.PHONY: scale
scale: $(BUILD)/osarch $(BUILD)/osarch-scale
	./$(BUILD)/osarch scale configs/scale-cores.yaml
	./$(BUILD)/osarch scale configs/scale-remote.yaml
	./$(BUILD)/osarch scale configs/scale-remote-clients.yaml
	./$(BUILD)/osarch scale configs/scale-migrate.yaml
