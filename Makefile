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

# The whole test suite: Swift tests, then the Python tools' tests.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	python3 tools/test_imdb_wiki_to_csv.py
