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

# The whole test suite: Swift tests, and the golden vectors against the numeric oracle.
test: deps
	python3 tools/oracle/oracle.py --check
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
