# Bosun: `make demo` to see it work, `make test` to run the whole suite. Both install what is missing first.
SWIFT ?= swift
BIN = .build/debug

.PHONY: setup build release agent-release agent-order demo test unit integration format clean screenshots bench

setup:
	@scripts/setup.sh

build: setup
	$(SWIFT) build

release: setup
	$(SWIFT) build -c release --product bosun-agent -Xswiftc -Osize
	$(SWIFT) build -c release --product bosun

# The agent for edge nodes: Swift's runtime and libstdc++ linked in, symbols stripped. On the target it needs only
# libnats3.4, libsqlite3-0 and libsodium23 (beside libc 2.36 or later, as in Debian 12). Prints the binary's size
# and what it links. Laid out for a small resident set: each function in a section of its own, those a running agent
# executes packed together in the order of scripts/bosun-agent.order (make agent-order writes it) with the
# compiler's local helpers beside them (scripts/bosun-agent.ld), relative relocations packed (DT_RELR), no symbols
# exported and libstdc++ from its static archive (found by the C compiler, linked through a directory that holds
# only it), so that the loader reads and the kernel maps a few hundred kB where it mapped megabytes. Its read-only
# data is kept out of the writable segment (scripts/bosun-agent.ld), so that what start-up read of it can be given
# back.
AGENT_CXX = $(CURDIR)/.build/agent-static-cxx
AGENT_FLAGS = --static-swift-stdlib -Xswiftc -Osize -Xswiftc -Xfrontend -Xswiftc -function-sections \
	-Xcc -ffunction-sections -Xswiftc -use-ld=lld -Xswiftc -L$(AGENT_CXX) -Xlinker --icf=all -Xlinker --gc-sections \
	-Xlinker -z -Xlinker pack-relative-relocs -Xlinker --no-export-dynamic -Xlinker -T -Xlinker $(CURDIR)/scripts/bosun-agent.ld

$(AGENT_CXX)/libstdc++.a:
	@archive=$$($(CC) -print-file-name=libstdc++.a); \
	[ -f "$$archive" ] || { echo "agent-release: no libstdc++.a (apt-get install libstdc++-12-dev)" >&2; exit 1; }; \
	mkdir -p $(AGENT_CXX) && ln -sf "$$archive" $@

agent-release: setup $(AGENT_CXX)/libstdc++.a
	@# swift build does not know the order file and the linker script: a change to either alone must still relink.
	@for input in scripts/bosun-agent.order scripts/bosun-agent.ld; do \
		[ "$$input" -nt .build/release/bosun-agent ] && rm -f .build/release/bosun-agent; done; true
	$(SWIFT) build -c release --product bosun-agent $(AGENT_FLAGS) -Xlinker -s \
		-Xlinker --symbol-ordering-file=$(CURDIR)/scripts/bosun-agent.order -Xlinker --no-warn-symbol-ordering
	@ls -l .build/release/bosun-agent | awk '{ printf "bosun-agent: %d bytes (%.1f MiB)\n", $$5, $$5 / 1048576 }'
	@ldd .build/release/bosun-agent | awk '{ print "  needs " $$1 }'

# Writes scripts/bosun-agent.order from a run of the agent under valgrind (scripts/agent-order.sh says how); then
# make agent-release lays the agent out by it.
agent-order: setup $(AGENT_CXX)/libstdc++.a
	$(SWIFT) build -c release --product bosun-agent $(AGENT_FLAGS) -Xlinker --strip-debug
	$(SWIFT) build --product bosun
	scripts/agent-order.sh .build/release/bosun-agent

demo: build
	$(BIN)/bosun demo

test: build
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

unit: build
	$(SWIFT) test --filter SharedTests

# PNG screenshots (and their text) of the console's end-to-end scenario, in screenshots/.
screenshots: build
	scripts/screenshots.sh

format:
	$(SWIFT) format --in-place --recursive Sources Tests Package.swift

clean:
	rm -rf .build

# Benchmarks (not part of the tests): the delivery engine against raw libnats measured in the same run, the
# console's frame render time and RSS with 10,000 nodes and 100,000 messages, a backlog of 100,000 messages on an
# agent and on a central node (RSS, CPU while waiting, first resend after a restart, drain rate and order), and the
# agent's footprint (size, RSS idle and after 10,000 messages). Release builds; several minutes. For the idle figure over 10 minutes:
# scripts/measure-agent.sh idle 600. The agent is built as it is deployed (`make agent-release`): its footprint and
# cost are the ones a node sees.
bench: setup agent-release
	$(SWIFT) build -c release --product bosun-bench
	$(SWIFT) build -c release --product bosun
	.build/release/bosun-bench run
	.build/release/bosun-bench mailbox-mode --output docs/benchmarks/jetstream-mode.json
	.build/release/bosun bench-render
	scripts/measure-backlog.sh agent 100000
	scripts/measure-backlog.sh central 100000
	$(MAKE) --no-print-directory agent-release
	scripts/measure-agent.sh idle 30
	BOSUN=.build/release/bosun scripts/measure-agent.sh load 10000
