# TrendGuard build. `make` builds build/trendguard (the command line of
# src/cmd and the terminal app of src/tui over the core library of
# src/core; no libxgboost) and build/trendguard-train (the trainer,
# libxgboost). SANITIZE=1 builds everything with ASan+UBSan under build/san.

VERSION := 0.1.0
PREFIX  ?= /usr/local
DESTDIR ?=
MANDIR  ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions
CC      ?= cc
PKG_CONFIG ?= pkg-config
WERROR  ?= 1

BUILD := build
ifeq ($(SANITIZE),1)
BUILD := build/san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=undefined
endif

CORE_PKGS  := sqlite3 libcjson libcurl
APP_PKGS   := ncursesw
XGB_PKGS   := xgboost
TEST_PKGS  := cmocka

pc_cflags = $(shell $(PKG_CONFIG) --cflags $(1) 2>/dev/null)
pc_libs   = $(shell $(PKG_CONFIG) --libs $(1) 2>/dev/null)

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wformat=2
ifeq ($(WERROR),1)
WARN += -Werror
endif
OPT ?= -O2 -g
CFLAGS_ALL := -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L \
  -DTG_VERSION='"$(VERSION)"' -DTG_DATADIR='"$(PREFIX)/share/trendguard"' \
  $(OPT) $(WARN) $(SANFLAGS) -Iinclude -Isrc -MMD -MP \
  $(call pc_cflags,$(CORE_PKGS) $(APP_PKGS)) $(UNISTRING_CFLAGS) $(CFLAGS)
LDFLAGS_ALL := $(SANFLAGS) $(LDFLAGS)
CORE_LIBS := $(call pc_libs,$(CORE_PKGS)) -lm -lpthread
# libunistring (grapheme clusters) ships no pkg-config file on Debian 12:
# pkg-config when it has one, else the library by name.
UNISTRING_CFLAGS := $(call pc_cflags,libunistring)
UNISTRING_LIBS := $(or $(call pc_libs,libunistring),-lunistring)
APP_LIBS  := $(call pc_libs,$(APP_PKGS)) $(UNISTRING_LIBS)
XGB_CFLAGS := $(call pc_cflags,$(XGB_PKGS))
XGB_LIBS  := $(call pc_libs,$(XGB_PKGS))
TEST_LIBS := $(call pc_libs,$(TEST_PKGS))


CORE_SRC  := $(sort $(wildcard src/core/*.c))
CLI_SRC   := $(sort $(wildcard src/cli/*.c))
CMD_SRC   := $(filter-out src/cmd/main.c,$(sort $(wildcard src/cmd/*.c)))
TUI_SRC   := $(sort $(wildcard src/tui/*.c))
TRAIN_SRC := $(filter-out src/train/main.c,$(sort $(wildcard src/train/*.c)))
UNIT_SRC  := $(sort $(wildcard tests/unit/test_*.c))
BENCH_SRC := $(sort $(wildcard tests/bench/bench_*.c))
FUZZ_SRC  := $(sort $(wildcard tests/fuzz/fuzz_*.c))

CORE_OBJ  := $(CORE_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ   := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
CMD_OBJ   := $(CMD_SRC:%.c=$(BUILD)/obj/%.o)
TUI_OBJ   := $(TUI_SRC:%.c=$(BUILD)/obj/%.o)
TRAIN_OBJ := $(TRAIN_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_BIN := $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)

CORE_LIB  := $(BUILD)/libtrendguard.a
CLI_LIB   := $(BUILD)/libtgcli.a
CMD_LIB   := $(BUILD)/libtgcmd.a
TUI_LIB   := $(BUILD)/libtgtui.a
TRAIN_LIB := $(BUILD)/libtgtrain.a
APP_BIN   := $(BUILD)/trendguard
TRAIN_BIN := $(BUILD)/trendguard-train
# The man pages and completions are made by the programs from their option
# tables (PROG --generate man|bash|zsh), so they always match --help.
MAN_PAGES := $(BUILD)/man/trendguard.1 $(BUILD)/man/trendguard-train.1
BASH_COMP := $(BUILD)/completions/bash/trendguard \
             $(BUILD)/completions/bash/trendguard-train
ZSH_COMP  := $(BUILD)/completions/zsh/_trendguard \
             $(BUILD)/completions/zsh/_trendguard-train
DOCS      := $(MAN_PAGES) $(BASH_COMP) $(ZSH_COMP)

.PHONY: all deps run test unit bench fuzz valgrind mutate install uninstall clean
all: $(APP_BIN) $(TRAIN_BIN) $(DOCS)

# Installs missing Debian packages (apt-get as root or with sudo; otherwise
# prints the one command to run).
deps:
	@scripts/deps.sh

$(BUILD)/obj/src/train/%.o: src/train/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(XGB_CFLAGS) -c -o $@ $<

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

# The pilot's kept figures carry a digest of the code that computes them
# (src/core/report_pilot_cache.c), so that figures a build computed
# otherwise are never read as this build's.
PILOT_FIGURES_SRC := $(sort $(wildcard src/core/report_pilot*.[ch])) \
  src/core/stats.c include/trendguard/report.h
PILOT_FIGURES_DIGEST := $(shell cat $(PILOT_FIGURES_SRC) | sha256sum | cut -c1-16)
$(BUILD)/obj/src/core/report_pilot_cache.o: $(PILOT_FIGURES_SRC)
$(BUILD)/obj/src/core/report_pilot_cache.o: \
  CFLAGS_ALL += -DTG_PILOT_DIGEST='"$(PILOT_FIGURES_DIGEST)"'

$(CORE_LIB): $(CORE_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^
$(CLI_LIB): $(CLI_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^
$(CMD_LIB): $(CMD_OBJ) $(BUILD)/obj/empty.o
	rm -f $@ && ar rcs $@ $^
$(TUI_LIB): $(TUI_OBJ) $(BUILD)/obj/empty.o
	rm -f $@ && ar rcs $@ $^
$(TRAIN_LIB): $(TRAIN_OBJ) $(BUILD)/obj/empty.o
	rm -f $@ && ar rcs $@ $^
$(BUILD)/obj/empty.o:
	@mkdir -p $(dir $@)
	echo 'typedef int tg_empty_unit;' | $(CC) $(CFLAGS_ALL) -x c -c -o $@ -

$(APP_BIN): $(BUILD)/obj/src/cmd/main.o $(CMD_LIB) $(TUI_LIB) $(CLI_LIB) $(CORE_LIB)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(APP_LIBS) $(CORE_LIBS)

$(TRAIN_BIN): $(BUILD)/obj/src/train/main.o $(TRAIN_LIB) $(CLI_LIB) $(CORE_LIB)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(XGB_LIBS) $(CORE_LIBS)

# generate OUT BIN WHAT: BIN --generate WHAT into OUT, whole or not at all.
generate = @mkdir -p $(dir $(1)) && $(2) --generate $(3) > $(1).tmp && mv $(1).tmp $(1)
$(BUILD)/man/%.1: $(BUILD)/%
	$(call generate,$@,$<,man)
$(BUILD)/completions/bash/%: $(BUILD)/%
	$(call generate,$@,$<,bash)
$(BUILD)/completions/zsh/_%: $(BUILD)/%
	$(call generate,$@,$<,zsh)

# Unit tests may link everything, libxgboost included (parity tests).
$(BUILD)/tests/%: tests/unit/%.c $(CMD_LIB) $(TUI_LIB) $(TRAIN_LIB) $(CLI_LIB) $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(XGB_CFLAGS) -Itests -Isrc -o $@ $< $(CMD_LIB) $(TUI_LIB) $(TRAIN_LIB) \
	  $(CLI_LIB) $(CORE_LIB) $(LDFLAGS_ALL) $(TEST_LIBS) $(XGB_LIBS) $(APP_LIBS) $(CORE_LIBS)

$(BUILD)/bench/%: tests/bench/%.c $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(XGB_CFLAGS) -o $@ $< $(CORE_LIB) $(LDFLAGS_ALL) \
	  $(XGB_LIBS) $(CORE_LIBS)

# Benchmarks: BENCH_SCALE=full (default), small or demo.

unit: all $(UNIT_BIN)

test: deps
	@$(MAKE) --no-print-directory unit
	@BUILD=$(BUILD) tests/run.sh

# The whole suite under Valgrind's memcheck, on the normal (unsanitized)
# build: tests/valgrind.sh (about 40 minutes on 2 cores; not part of test).
valgrind:
	@TG_EXTRA_PKGS=valgrind scripts/deps.sh
	@$(MAKE) --no-print-directory unit SANITIZE=
	@BUILD=build tests/valgrind.sh

# Plants typical bugs one at a time (tests/mutate/mutants.txt) and reports
# which the suite catches; not part of test. MUTATE_E2E=0: unit tests only.
mutate: deps
	@tests/mutate/run.sh

run: deps
	@$(MAKE) --no-print-directory all
	@$(APP_BIN) $(ARGS)

bench: deps
	@$(MAKE) --no-print-directory all $(BENCH_BIN)
	@BUILD=$(BUILD) BENCH_SCALE=$(BENCH_SCALE) tests/bench/run.sh

# libFuzzer targets (clang); FUZZ_SECONDS per target.
FUZZ_SECONDS ?= 60
BENCH_SCALE ?= full
fuzz: deps
	@FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh

# The programs, the shipped files, the man pages and the bash and zsh
# completions (where bash-completion and zsh look under PREFIX).
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/trendguard \
	  $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 0755 $(APP_BIN) $(TRAIN_BIN) $(DESTDIR)$(PREFIX)/bin/
	cp -R assets data $(DESTDIR)$(PREFIX)/share/trendguard/
	install -m 0644 $(MAN_PAGES) $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 $(BASH_COMP) $(DESTDIR)$(BASHCOMPDIR)/
	install -m 0644 $(ZSH_COMP) $(DESTDIR)$(ZSHCOMPDIR)/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/trendguard $(DESTDIR)$(PREFIX)/bin/trendguard-train
	rm -rf $(DESTDIR)$(PREFIX)/share/trendguard
	rm -f $(DESTDIR)$(MANDIR)/man1/trendguard.1 $(DESTDIR)$(MANDIR)/man1/trendguard-train.1
	rm -f $(DESTDIR)$(BASHCOMPDIR)/trendguard $(DESTDIR)$(BASHCOMPDIR)/trendguard-train
	rm -f $(DESTDIR)$(ZSHCOMPDIR)/_trendguard $(DESTDIR)$(ZSHCOMPDIR)/_trendguard-train

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj $(BUILD)/tests $(BUILD)/bench -name '*.d' 2>/dev/null)
