# The two commands of the README: `make demo` (the main job) and `make test` (everything CI runs).
SWIFT ?= swift

.PHONY: deps build demo test fuzz

deps:
	bash tools/install-deps.sh

build: deps
	$(SWIFT) build -c release

# The main job on the embedded default (synthetic faces).
demo: build
	.build/release/facelyzr version

# The whole test suite: Swift tests, the golden vectors against the numeric oracle, the
# numerics/kernels on x86-64, aarch64 and armv7 (qemu-user) giving identical results, the
# Python tools' tests, the synthetic faces on three ISAs.
test: deps
	python3 tools/oracle/oracle.py --check
	bash tools/oracle/cross-isa.sh
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	python3 tools/test_imdb_wiki_to_csv.py
	python3 tools/test_fzds.py
	bash tools/synthetic-cross-isa.sh

# Short libFuzzer run over the blob validator and executor (tools/fuzz/run.sh RUNS for longer).
fuzz:
	bash tools/fuzz/run.sh 20000
