# Bosun: `make demo` to see it work, `make test` to run the whole suite. Both install what is missing first.
SWIFT ?= swift
BIN = .build/debug

.PHONY: setup build release demo test unit integration format clean bench

setup:
	@scripts/setup.sh

build: setup
	$(SWIFT) build

release: setup
	$(SWIFT) build -c release --product bosun-agent -Xswiftc -Osize
	$(SWIFT) build -c release --product bosun

demo: build
	$(BIN)/bosun demo

test: build
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

unit: build
	$(SWIFT) test --filter SharedTests

format:
	$(SWIFT) format --in-place --recursive Sources Tests Package.swift

clean:
	rm -rf .build

# Benchmarks of the delivery engine against raw libnats, measured in the same run (not part of the tests).
bench: setup
	$(SWIFT) build -c release --product bosun-agent
	$(SWIFT) build -c release --product bosun-bench
	.build/release/bosun-bench run
