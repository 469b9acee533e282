# trustgate — the two commands a new user needs: `make run` and `make test`.
SWIFT ?= swift
BIN := .build/release/trustgate

.PHONY: run test build deps test-deps bench fuzz clean

## Install what is missing, build in release mode, and gate this machine and repository.
run: deps build
	$(BIN) check

build:
	$(SWIFT) build -c release

deps:
	@scripts/install-deps.sh

test-deps:
	@scripts/install-deps.sh --test

## Run every test (the GitHub Action's tests, which build the Action in release mode, beside the others).
test: test-deps
	$(SWIFT) build --build-tests
	SWIFT=$(SWIFT) scripts/run-tests.sh

## Benchmarks: ratios against yardsticks measured in the same run (scripts/bench.sh builds the static release itself).
bench: deps
	@scripts/install-deps.sh --bench
	scripts/bench.sh

## Fuzz every parser that reads user files (libFuzzer).
fuzz: deps
	scripts/fuzz.sh

clean:
	rm -rf .build
