# The two commands of the README: `make demo` (the main job) and `make test` (everything CI runs).
SWIFT ?= swift

.PHONY: deps build demo test

deps:
	bash tools/install-deps.sh

build: deps
	$(SWIFT) build -c release

# The main job on the embedded default (synthetic faces).
demo: build
	.build/release/facelyzr version

# The whole test suite: Swift tests, the Python tools' tests, the synthetic faces on three ISAs.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	python3 tools/test_imdb_wiki_to_csv.py
	python3 tools/test_fzds.py
	bash tools/synthetic-cross-isa.sh
