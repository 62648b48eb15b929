#!/usr/bin/env bash
# Measures the release agent (build it first: make agent-release) against a local nats-server:
#   scripts/measure-agent.sh idle [SECONDS]   binary size, RSS and CPU time after SECONDS idle (default 600),
#                                             hello every 10 s
#   scripts/measure-agent.sh metrics [SECONDS]
#                                             with a central engine (bosun serve) storing the agent's metrics (a sample
#                                             every 10 s, the default): the agent's CPU use over SECONDS (default 60),
#                                             after the first sample has been stored; AGENT_ARGS adds agent options
#                                             (AGENT_ARGS="--metrics-interval 0" gives the baseline without metrics)
#   scripts/measure-agent.sh breakdown [SECONDS]
#                                             after SECONDS idle (default 30): RSS by mapping (the agent's own code,
#                                             read-only data and data, each library, anonymous memory), from
#                                             /proc/PID/smaps, and the threads by name
#   scripts/measure-agent.sh load [COUNT]     the agent's RSS after it answered COUNT pings (default 10000) sent by a
#                                             central engine (bosun serve, .build/debug or BOSUN), and how long they took
#   scripts/measure-agent.sh commands [COUNT]
#                                             the agent's peak RSS while it runs COUNT `bash -c "echo hi"` (default
#                                             1000) written at once to the inmsg.txt of a central engine (bosun serve,
#                                             .build/debug or BOSUN) whose key the agent trusts, until all are acked;
#                                             then its RSS by mapping, as breakdown gives it, and its CPU time per
#                                             command; SETTLE=SECONDS lets the agent idle that long first (it gives
#                                             start-up's pages back after 5 s) and resets its peak, so the peak is
#                                             that of the commands alone
# AGENT=path measures another agent binary; extra environment (MALLOC_ARENA_MAX=2 …) reaches the agent as is.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-idle}
agent=${AGENT:-.build/release/bosun-agent}
[[ -x $agent ]] || { echo "measure: build it first: make agent-release" >&2; exit 1; }
work=$(mktemp -d)
if [[ $mode == commands ]]; then
    # The agent runs only what a key it trusts signed: the central's, made before either starts.
    AGENT_ARGS="${AGENT_ARGS:-} --trust $("${BOSUN:-.build/debug/bosun}" keys show --data-dir "$work/central")"
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
nats-server -a 127.0.0.1 -p "$port" -P "$work/nats.pid" >"$work/nats.log" 2>&1 &
"$agent" --node measure --server "nats://127.0.0.1:$port" --data-dir "$work/data" ${AGENT_ARGS:-} >"$work/agent.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; kill "$(cat "$work/nats.pid")" 2>/dev/null; rm -rf "$work"' EXIT

# A central engine (bosun serve, .build/debug or BOSUN) on the same server; ARGS are added to its options.
start_central() {
    bosun=${BOSUN:-.build/debug/bosun}
    "$bosun" serve --server "nats://127.0.0.1:$port" --data-dir "$work/central" "$@" >"$work/central.log" 2>&1 &
    central=$!
    trap 'kill $pid $central 2>/dev/null; kill "$(cat "$work/nats.pid")" 2>/dev/null; rm -rf "$work"' EXIT
}

report() {
    local ticks utime stime
    ticks=$(getconf CLK_TCK)
    read -r utime stime < <(awk '{ print $14, $15 }' "/proc/$pid/stat")
    echo "$1: $(grep -E '^VmRSS' "/proc/$pid/status" | tr -s '\t ' ' '), $(grep -E '^VmHWM' "/proc/$pid/status" | tr -s '\t ' ' ')," \
        "anonymous $(awk '/^Anonymous/ { print $2 }' "/proc/$pid/smaps_rollup") kB," \
        "file-backed $(awk '/^Pss_File/ { print $2 }' "/proc/$pid/smaps_rollup") kB," \
        "private dirty $(awk '/^Private_Dirty/ { print $2 }' "/proc/$pid/smaps_rollup") kB," \
        "$(ls "/proc/$pid/task" | wc -l) threads, CPU $(( (utime + stime) * 1000 / ticks )) ms"
}

breakdown() { # RSS by mapping, from /proc/PID/smaps, and the threads by name
    python3 - "$pid" <<'PY'
import collections, re, sys
pid = sys.argv[1]
fields = ("Rss", "Pss", "Private_Dirty", "Private_Clean", "Shared_Clean")
sums = collections.defaultdict(collections.Counter)
exe = __import__("os").readlink(f"/proc/{pid}/exe")
key = None
for line in open(f"/proc/{pid}/smaps"):
    words = line.split()
    if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
        path = words[5] if len(words) > 5 else "[anonymous]"
        name = "bosun-agent" if path == exe else path.rsplit("/", 1)[-1]
        key = name if path.startswith("[") else f"{name} {words[1]}"
    elif words[0].rstrip(":") in fields:
        sums[key][words[0].rstrip(":")] += int(words[1])
print(f"{'mapping (kB)':36} {'Rss':>6} {'Pss':>6} {'dirty':>6} {'clean':>6} {'shared':>6}")
for name, kb in sorted(sums.items(), key=lambda item: -item[1]["Rss"])[:24]:
    print(f"{name[:36]:36} " + " ".join(f"{kb[f]:6}" for f in fields))
total = sum(sums.values(), collections.Counter())
print(f"{'total':36} " + " ".join(f"{total[f]:6}" for f in fields))
PY
    echo "threads: $(cat /proc/$pid/task/*/comm | sort | uniq -c | awk '{ printf "%s%s x%s", sep, $2, $1; sep = ", " }')"
}

echo "binary: $(stat -c %s "$agent") bytes"
until grep -q listening "$work/agent.log"; do sleep 0.1; done
case $mode in
idle)
    seconds=${2:-600}
    report "after 1 s"
    sleep "$seconds"
    report "after ${seconds} s idle"
    ;;
metrics)
    seconds=${2:-60}
    start_central
    if [[ ${AGENT_ARGS:-} == *"--metrics-interval 0"* ]]; then
        until "$bosun" nodes --data-dir "$work/central" 2>/dev/null | grep -q '^measure'; do sleep 1; done
    else
        until "$bosun" metrics measure --json --data-dir "$work/central" 2>/dev/null | grep -q '"metric":"cpu"'; do sleep 1; done
    fi
    ticks=$(getconf CLK_TCK)
    cpu() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
    before=$(cpu)
    report "first sample stored"
    sleep "$seconds"
    after=$(cpu)
    report "after ${seconds} s (agent options: ${AGENT_ARGS:-none})"
    echo "agent CPU: $(( (after - before) * 1000 / ticks )) ms in ${seconds} s =" \
        "$(python3 -c "print(f'{($after - $before) / $ticks / $seconds * 100:.3f}')")% of a core"
    echo "samples stored: $("$bosun" metrics measure --json --data-dir "$work/central" 2>/dev/null | grep -c '"metric":"cpu"')"
    ;;
breakdown)
    seconds=${2:-30}
    sleep "$seconds"
    report "after ${seconds} s idle"
    breakdown
    ;;
commands)
    count=${2:-1000}
    report "before"
    if ((${SETTLE:-0} > 0)); then
        sleep "$SETTLE"
        echo 5 >"/proc/$pid/clear_refs" # resets VmHWM
        report "after ${SETTLE} s idle, peak reset"
    fi
    start_central --auto-approve
    until grep -q listening "$work/central.log" 2>/dev/null; do sleep 0.1; done
    python3 -c "import json; print(json.dumps([{'toNode':'measure','method':'cliCommand','methodArgs':['bash','-c','echo hi']}]*$count))" >"$work/batch.json"
    start=$(date +%s.%N)
    cpu_before=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
    mv "$work/batch.json" "$work/central/inmsg.txt"
    until [[ $(grep -c '"event":"acked"' "$work/central/journal.jsonl" 2>/dev/null || true) -ge $count ]]; do
        grep -q '"event":"failed"' "$work/central/journal.jsonl" 2>/dev/null && { echo "measure: a command failed" >&2; exit 1; }
        sleep 0.2
    done
    echo "$count commands run and acked in $(python3 -c "import time; print(round(time.time() - $start, 1))") s"
    echo "agent CPU per command: $(awk -v a="$cpu_before" -v t="$(getconf CLK_TCK)" -v n="$count" \
        '{ printf "%.0f", ($14 + $15 - a) / t / n * 1e6 }' "/proc/$pid/stat") µs"
    report "after $count commands"
    breakdown
    ;;
load)
    count=${2:-10000}
    report "before"
    start_central
    until [[ -d $work/central/inbox ]]; do sleep 0.1; done
    python3 -c "import json; print(json.dumps([{'toNode':'measure','method':'ping'}]*$count))" >"$work/batch.json"
    start=$(date +%s.%N)
    mv "$work/batch.json" "$work/central/inbox/batch.json"
    until [[ $(grep -c '"event":"acked"' "$work/central/journal.jsonl" 2>/dev/null || true) -ge $count ]]; do sleep 0.5; done
    echo "$count pings sent, answered and acked in $(python3 -c "import time; print(round(time.time() - $start, 1))") s"
    report "after $count handled messages"
    echo "the sender (bosun serve): $(grep -E '^VmRSS' "/proc/$central/status" | tr -s '\t ' ' ')"
    sleep 30
    report "30 s later"
    ;;
*) echo "usage: $0 idle [SECONDS] | breakdown [SECONDS] | metrics [SECONDS] | load [COUNT] | commands [COUNT]" >&2; exit 64 ;;
esac
