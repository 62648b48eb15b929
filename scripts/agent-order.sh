#!/usr/bin/env bash
# Writes scripts/bosun-agent.order, the order in which `make agent-release` lays out the agent's functions
# (lld --symbol-ordering-file): the functions a running agent executes, packed together, so that its code
# is resident in a few hundred kB instead of spread over every 64 kB window of the binary that the kernel maps
# around a fault. Run it through `make agent-order` (which builds what it needs), after a change that moves much
# code or bumps the Swift toolchain; a stale file only costs memory (names it lists that are gone are skipped).
#   scripts/agent-order.sh AGENT [OUTPUT]
# AGENT is a release agent built with the flags of agent-release but with its symbols (not stripped). The agent
# runs under valgrind's callgrind against a local nats-server and a central engine (bosun serve, .build/debug or
# BOSUN): idle alone (its hello waiting for the central), then with the central (hello, metrics samples), then
# COMMANDS `bash -c "echo hi"` (default 200: enough that its collections grow as under load) and a ping. The
# functions of the agent's own binary that ran are the output, by phase: first those an idle agent runs again and
# again (hello, metrics samples, probes), then those running commands adds, last those only start-up ran, so that
# what an idle agent keeps resident after start-up (it gives start-up's pages back: StartupPages) is packed
# together. Needs valgrind (apt-get install valgrind).
set -euo pipefail
cd "$(dirname "$0")/.."
agent=${1:?usage: scripts/agent-order.sh AGENT [OUTPUT]}
output=${2:-scripts/bosun-agent.order}
commands=${COMMANDS:-200}
bosun=${BOSUN:-.build/debug/bosun}
[[ -x $agent ]] || { echo "agent-order: no agent binary at $agent" >&2; exit 1; }
[[ -x $bosun ]] || { echo "agent-order: no bosun at $bosun (swift build --product bosun, or BOSUN=path)" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "agent-order: needs valgrind (apt-get install valgrind)" >&2; exit 1; }
[[ $(nm "$agent" 2>/dev/null | grep -c " [Tt] ") -gt 0 ]] || { echo "agent-order: $agent has no symbols (stripped?)" >&2; exit 1; }

work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
nats-server -a 127.0.0.1 -p "$port" -P "$work/nats.pid" >"$work/nats.log" 2>&1 &
trust=$("$bosun" keys show --data-dir "$work/central")
valgrind --tool=callgrind --demangle=no --dump-instr=no --callgrind-out-file="$work/callgrind.out" \
    "$agent" --node order --server "nats://127.0.0.1:$port" --data-dir "$work/data" --trust "$trust" \
    >"$work/agent.log" 2>&1 &
pid=$!
central=
trap 'kill $pid $central 2>/dev/null; kill "$(cat "$work/nats.pid")" 2>/dev/null; rm -rf "$work"' EXIT

wait_for() { # SECONDS TEST...: polls TEST until it holds, fails after SECONDS
    local deadline=$((SECONDS + $1)); shift
    until "$@"; do
        ((SECONDS < deadline)) || { echo "agent-order: timed out waiting for: $*" >&2; tail -5 "$work/agent.log" >&2; exit 1; }
        sleep 0.5
    done
}
acked() { [[ $(grep -c '"event":"acked"' "$work/central/journal.jsonl" 2>/dev/null || true) -ge $1 ]]; }

# Ends a phase: callgrind writes what ran since the last dump to callgrind.out.N.
dump() { callgrind_control --dump="$1" $pid >/dev/null 2>&1; }

echo "agent-order: agent under callgrind, starting"
wait_for 120 grep -q listening "$work/agent.log"
sleep 10
dump start-up
echo "agent-order: idle alone for 25 s"
sleep 25
dump idle-alone
echo "agent-order: with a central engine, until a metrics sample is stored"
"$bosun" serve --server "nats://127.0.0.1:$port" --data-dir "$work/central" --auto-approve >"$work/central.log" 2>&1 &
central=$!
wait_for 120 grep -q listening "$work/central.log"
wait_for 180 bash -c "'$bosun' metrics order --json --data-dir '$work/central' 2>/dev/null | grep -q '\"metric\":\"cpu\"'"
sleep 12
dump idle-with-central
echo "agent-order: $commands commands and a ping"
python3 -c "import json; print(json.dumps([{'toNode':'order','method':'cliCommand','methodArgs':['bash','-c','echo hi']}]*$commands + [{'toNode':'order','method':'ping'}]))" >"$work/batch.json"
mv "$work/batch.json" "$work/central/inmsg.txt"
wait_for 1200 acked $((commands + 1))
sleep 12
dump commands
kill -TERM $pid
wait $pid || true

# callgrind names each function once in full ("fn=(id) name"), later by id; a name seen twice gets a "'2" suffix.
# Functions that --icf=all folded into one share an address and callgrind names only one of them, while lld keeps
# whichever comes first in its input: every name at the address of a function that ran is written.
nm --defined-only "$agent" >"$work/symbols.txt"
python3 - "$work/callgrind.out" "$(basename "$agent")" "$work/symbols.txt" >"$output" <<'PY'
import collections, re, sys
prefix, binary, symbols = sys.argv[1:]
addresses, aliases = collections.defaultdict(list), collections.defaultdict(list)
for line in open(symbols):
    words = line.split(maxsplit=2)
    if len(words) == 3 and words[1] in "TtWw":
        addresses[words[2]].append(words[0])
        aliases[words[0]].append(words[2])

def ran(path):
    """The functions of the binary that ran in one dump, in the order callgrind lists them."""
    names, objects, current = {}, {}, None
    for line in open(path, errors="replace"):
        match = re.match(r"(c?)(ob|fn)=\((\d+)\)(?: (.*))?$", line.rstrip("\n"))
        if not match:
            continue
        called, kind, key, name = match.groups()
        table = objects if kind == "ob" else names
        if name:
            table[key] = name
        if called:
            continue
        if kind == "ob":
            current = objects[key]
        elif current and current.rsplit("/", 1)[-1] == binary:
            yield re.sub(r"'\d+$", "", names[key])

# Dumps 1-4: start-up, idle alone, idle with the central, commands. Idle first, start-up last.
seen = set()
for part in (2, 3, 4, 1):
    for symbol in ran(f"{prefix}.{part}"):
        for alias in [symbol] + [a for address in addresses[symbol] for a in aliases[address]]:
            if alias not in seen:
                seen.add(alias)
                print(alias)
PY
echo "agent-order: $(wc -l <"$output") functions written to $output"
