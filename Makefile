# The two commands of the README: `make demo` (the main job) and `make test` (everything CI runs).
SWIFT ?= swift

.PHONY: deps build demo test embedded-check fuzz firmware-model install uninstall deb-arm64 deb-armhf deb-amd64

# `make install`: where, and which build (release, as `make build` makes it; the install check
# installs the debug build `swift build --build-tests` made).
PREFIX ?= /usr/local
DESTDIR ?=
CONFIGURATION ?= release
BUILT := .build/$(CONFIGURATION)

deps:
	bash tools/install-deps.sh

build: deps
	$(SWIFT) build -c release

# The main job: the shipped int8 model (firmware-model/) on a dozen held-out synthetic faces,
# predictions beside the true labels with the latency, and a contact sheet (demo.png).
demo: build
	.build/release/facelyzr demo --sheet demo.png

# Rebuilds firmware-model/ from nothing: train, quantize, model card, golden set (tools/firmware-model.sh).
firmware-model: build
	bash tools/firmware-model.sh .build/release/facelyzr

# The whole test suite: the golden vectors against the numeric oracle; the numerics/kernels on
# x86-64, aarch64 and armv7 (qemu-user) giving identical results; whole models through the C API
# of the Embedded Swift builds (qemu) against x86-64; their Debian packages (extracted, the C
# examples built through pkg-config, run under qemu, lintian); the board runner's detection mode
# on camera frames of synthetic scenes, identical on three ISAs; the synthetic faces on three ISAs;
# the Python tools' tests; the run side linking without the trainer side; the Swift tests; 2,000
# hostile values on the command line (tools/fuzz/cli.sh); the installed tree (make install into a
# scratch DESTDIR, run from elsewhere).
test: deps
	python3 tools/oracle/oracle.py --check
	bash tools/cross-isa/numerics.sh
	bash tools/embedded/check.sh
	bash tools/packaging/deb-check.sh
	bash tools/cross-isa/camera.sh
	bash tools/cross-isa/synthetic.sh
	python3 tools/test_imdb_wiki_to_csv.py
	python3 tools/test_fzds.py
	python3 tools/detection/test_scenes.py
	bash tools/run-host-dependencies.sh
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	bash tools/fuzz/cli.sh
	bash tools/packaging/install-check.sh

# Embedded Swift builds for aarch64/armv7 boards, run under qemu, compared with x86-64.
embedded-check: deps
	bash tools/embedded/check.sh

# Short libFuzzer run over the blob validator and executor (tools/fuzz/run.sh RUNS for longer).
fuzz:
	bash tools/fuzz/run.sh 20000

# The host tools and the shipped models: PREFIX/bin/facelyzr and facelyzr-run-host,
# PREFIX/share/facelyzr/ (tools/packaging/install.sh). `make build && sudo make install`.
# Built only when a source is newer than the programs, so `sudo` does not rebuild as root.
$(BUILT)/facelyzr $(BUILT)/facelyzr-run-host &: Package.swift $(shell find Sources -type f)
	$(SWIFT) build -c $(CONFIGURATION) --product facelyzr
	$(SWIFT) build -c $(CONFIGURATION) --product facelyzr-run-host

install: $(BUILT)/facelyzr $(BUILT)/facelyzr-run-host
	DESTDIR="$(DESTDIR)" PREFIX="$(PREFIX)" bash tools/packaging/install.sh install $(BUILT)

uninstall:
	DESTDIR="$(DESTDIR)" PREFIX="$(PREFIX)" bash tools/packaging/install.sh uninstall

# Debian packages of the board runtime from the Embedded Swift builds (tools/packaging/deb.sh):
# .build-packages/facelyzr_VERSION_ARCH.deb with facelyzr-run, libfacelyzr.a, facelyzr.h,
# facelyzr.pc, the shipped models and an example camera service (docs/boards.md).
deb-arm64 deb-armhf deb-amd64:
	bash tools/packaging/deb.sh $(@:deb-%=%)
