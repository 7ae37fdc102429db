# elig -- GNU Makefile.
#   make            library, CLI (float32) in build/f32
#   make test       float32 build, every test        make test-f64   same sources as double
#   make asan       ASan+UBSan build (double), every test
#   make check      all three (what the README's test command runs)
#   make bench      benchmarks against the PyTorch reference (not tests)
#   make install    PREFIX=/usr/local: lib, header, CLI, pkg-config file
.DEFAULT_GOAL := all
PREFIX  ?= /usr/local
CC      ?= cc
PY      ?= /usr/bin/python3
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wno-unused-parameter
# No -ffast-math, no FMA contraction: results must not depend on the optimiser's mood.
BASECFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -g -ffp-contract=off $(WARN) -Iinclude -Isrc
OPT     ?= -O2 -ftree-vectorize -fvect-cost-model=dynamic
PLPLOT_CFLAGS := $(shell pkg-config --cflags plplot 2>/dev/null)
PLPLOT_LIBS   := $(shell pkg-config --libs plplot 2>/dev/null)
# The data component (src/data: file formats, encoders, data sets) uses zlib and HDF5; the
# core library (src/*.c) depends on libm only.
HDF5_CFLAGS   := $(shell pkg-config --cflags hdf5 2>/dev/null || echo -I/usr/include/hdf5/serial)
HDF5_LIBS     := $(shell pkg-config --libs hdf5 2>/dev/null || echo -L/usr/lib/x86_64-linux-gnu/hdf5/serial -lhdf5)
DATALIBS := $(HDF5_LIBS) -lz
LIBS    := -lm
# Each object lists the headers it includes (build/*/*/*.d, read at the end of this file), so
# a changed struct in a header rebuilds every object that uses it.
DEPFLAGS := -MMD -MP

SRC     := $(sort $(wildcard src/*.c))
DATASRC := $(sort $(wildcard src/data/*.c))
CLISRC  := $(sort $(wildcard cli/*.c))
TESTSRC := $(sort $(wildcard tests/test_*.c))
FUZZSRC := $(sort $(wildcard fuzz/fuzz_*.c))

# $(1)=config name, $(2)=extra CFLAGS, $(3)=extra LDFLAGS
define BUILD_CFG
B_$(1) := build/$(1)
OBJ_$(1) := $$(patsubst src/%.c,build/$(1)/src/%.o,$(SRC))
DOBJ_$(1) := $$(patsubst src/data/%.c,build/$(1)/data/%.o,$(DATASRC))
CLIOBJ_$(1) := $$(patsubst cli/%.c,build/$(1)/cli/%.o,$(CLISRC))
TESTBIN_$(1) := $$(patsubst tests/%.c,build/$(1)/tests/%,$(TESTSRC))
FUZZBIN_$(1) := $$(patsubst fuzz/%.c,build/$(1)/fuzz/replay_%,$(FUZZSRC))
CFLAGS_$(1) := $(BASECFLAGS) $(2)
LDFLAGS_$(1) := $(3)

build/$(1)/src/%.o: src/%.c | build/$(1)/src
	$$(CC) $$(CFLAGS_$(1)) $(DEPFLAGS) -fPIC -c $$< -o $$@
build/$(1)/data/%.o: src/data/%.c | build/$(1)/data
	$$(CC) $$(CFLAGS_$(1)) $(DEPFLAGS) $(HDF5_CFLAGS) -fPIC -c $$< -o $$@
build/$(1)/libelig_data.a: $$(DOBJ_$(1))
	rm -f $$@ && ar rcs $$@ $$^
build/$(1)/cli/%.o: cli/%.c | build/$(1)/cli
	$$(CC) $$(CFLAGS_$(1)) $(DEPFLAGS) $(PLPLOT_CFLAGS) -c $$< -o $$@
build/$(1)/libelig.a: $$(OBJ_$(1))
	rm -f $$@ && ar rcs $$@ $$^
build/$(1)/libelig.so: $$(OBJ_$(1))
	$$(CC) -shared $$(LDFLAGS_$(1)) -o $$@ $$^ $(LIBS)
build/$(1)/elig: $$(CLIOBJ_$(1)) build/$(1)/libelig.a build/$(1)/libelig_data.a
	$$(CC) $$(LDFLAGS_$(1)) -o $$@ $$(CLIOBJ_$(1)) build/$(1)/libelig_data.a build/$(1)/libelig.a $(PLPLOT_LIBS) $(DATALIBS) $(LIBS)
# Tests link the objects directly and wrap the allocator to count every allocation.
build/$(1)/tests/%: tests/%.c tests/harness.h tests/gradcheck.h $$(wildcard include/*.h) $$(OBJ_$(1)) $$(DOBJ_$(1)) | build/$(1)/tests
	$$(CC) $$(CFLAGS_$(1)) $(HDF5_CFLAGS) -Itests $$(LDFLAGS_$(1)) -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free -o $$@ $$< tests/harness.c $$(OBJ_$(1)) $$(DOBJ_$(1)) $(DATALIBS) $(LIBS)
build/$(1)/fuzz/replay_%: fuzz/%.c fuzz/replay.c $$(wildcard include/*.h) $$(OBJ_$(1)) $$(DOBJ_$(1)) | build/$(1)/fuzz
	$$(CC) $$(CFLAGS_$(1)) $(HDF5_CFLAGS) $$(LDFLAGS_$(1)) -o $$@ $$< fuzz/replay.c $$(OBJ_$(1)) $$(DOBJ_$(1)) $(DATALIBS) $(LIBS)
build/$(1)/src build/$(1)/cli build/$(1)/tests build/$(1)/fuzz build/$(1)/data:
	mkdir -p $$@
build-$(1): build/$(1)/libelig.a build/$(1)/libelig_data.a build/$(1)/libelig.so build/$(1)/elig $$(TESTBIN_$(1)) $$(FUZZBIN_$(1))
endef

$(eval $(call BUILD_CFG,f32,$(OPT),))
$(eval $(call BUILD_CFG,f64,$(OPT) -DELIG_DOUBLE,))
# (the sanitizer lists contain commas, which $(call) would split: pass them through variables)
ASAN_CFLAGS  := -O1 -DELIG_DOUBLE -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
ASAN_LDFLAGS := -fsanitize=address,undefined
$(eval $(call BUILD_CFG,asan,$$(ASAN_CFLAGS),$$(ASAN_LDFLAGS)))

.PHONY: all deps demo test test-f64 asan check bench install clean refdata build-f32 build-f64 build-asan
all: build-f32

# Debian packages (only the missing ones are installed; needs root for that).
deps:
	tools/deps.sh

# The main job: e-prop on the pattern-generation task, with its figure.
demo: build-f32
	build/f32/elig train examples/eprop_pattern.cfg --out runs/eprop_pattern

# Reference data written by the NumPy e-prop reference (tests/ref), shared by all builds.
REFDIR := build/ref
refdata: $(REFDIR)/pattern/losses_f64.npy $(REFDIR)/evidence/losses_f64.npy
$(REFDIR)/%/losses_f64.npy: tests/ref/eprop_ref.py
	mkdir -p $(REFDIR)/$*
	$(PY) tests/ref/eprop_ref.py --task $* --out $(REFDIR)/$*

test: build-f32 refdata
	ELIG_REFDIR=$(REFDIR) tests/run.sh build/f32
test-f64: build-f64 refdata
	ELIG_REFDIR=$(REFDIR) tests/run.sh build/f64
asan: build-asan refdata
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
	ELIG_REFDIR=$(REFDIR) ELIG_SLOW=0 tests/run.sh build/asan
check: test test-f64 asan

bench: build-f32
	tools/deps.sh bench
	bench/run.sh build/f32

install: build-f32
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 build/f32/libelig.a build/f32/libelig.so build/f32/libelig_data.a $(DESTDIR)$(PREFIX)/lib/
	install -m 644 include/elig.h include/elig_data.h $(DESTDIR)$(PREFIX)/include/
	install -m 755 build/f32/elig $(DESTDIR)$(PREFIX)/bin/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|0.1.0|' elig.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/elig.pc

clean:
	rm -rf build

-include $(wildcard build/*/src/*.d build/*/data/*.d build/*/cli/*.d)
