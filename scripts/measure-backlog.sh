#!/usr/bin/env bash
# The cost of a backlog, on release builds, against a local nats-server (loopback only):
#   scripts/measure-backlog.sh agent [COUNT] [BIN]    an agent whose central is down queues COUNT log events
#   scripts/measure-backlog.sh central [COUNT] [BIN]  a headless central queues COUNT pings for 10 nodes that are down
# For each: RSS idle, RSS with the backlog queued, CPU while it waits (the first 30 s, then 30 s more), RSS and the
# first resend after a restart, then how fast the backlog drains once the other side is up, and whether it arrived in
# order.
# BIN is the folder with bosun and bosun-agent (default .build/release), so two builds can be compared.
# KNOWN=1 (agent mode): the central node meets the agent before it goes down, as a central node that comes back knows
# its nodes (it tells them it is back, and they send at once); without it the central node is new to the agent, which
# finds it at its next probe.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-agent}
count=${2:-100000}
bin=${3:-.build/release}
[[ -x $bin/bosun-agent && -x $bin/bosun ]] || { echo "measure: build first: swift build -c release" >&2; exit 1; }
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
nats-server -a 127.0.0.1 -p "$port" -P "$work/nats.pid" >"$work/nats.log" 2>&1 &
server="nats://127.0.0.1:$port"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; kill "$(cat "$work/nats.pid")" 2>/dev/null; sleep 0.5; rm -rf "$work"' EXIT
until grep -q "Server is ready" "$work/nats.log"; do sleep 0.05; done

rss() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
# The process's own memory (heap, stacks): RSS less the pages of files, which a node gives back after its start-up
# and faults in again as it uses code.
anon() { awk '/^RssAnon/ { print $2 }' "/proc/$1/status"; }
cpu_ms() { awk -v t="$(getconf CLK_TCK)" '{ print int(($14 + $15) * 1000 / t) }' "/proc/$1/stat"; }
now() { date +%s.%N; }
elapsed() { python3 -c "print(round($(now) - $1, 3))"; }
wait_for() { until eval "$1"; do sleep 0.05; done; }

# The sender: the agent (to its central) or the central (to 10 nodes).
start_sender() {
    if [[ $mode == agent ]]; then
        "$bin/bosun-agent" --node edge --server "$server" --data-dir "$work/sender" >>"$work/sender.log" 2>&1 &
    else
        "$bin/bosun" --headless --node central --server "$server" --data-dir "$work/sender" >>"$work/sender.log" 2>&1 &
    fi
    sender=$!
    pids+=("$sender")
    wait_for '[[ -d $work/sender/inbox ]] || [[ -f $work/sender/journal.jsonl ]]'
}

batch() { # FROM TO
    if [[ $mode == agent ]]; then
        python3 -c "import json,sys; print(json.dumps([{'toNode':'central','method':'log','methodArgs':['app'],'data':'line %d\n' % i} for i in range($1,$2)]))"
    else
        python3 -c "import json,sys; print(json.dumps([{'toNode':'n%d' % (i % 10),'method':'ping'} for i in range($1,$2)]))"
    fi
}

accepted() { local n; n=$(grep -c '"event":"accepted"' "$work/sender/journal.jsonl" 2>/dev/null) || true; echo "${n:-0}"; }

start_receiver() {
    "$bin/bosun" --headless --node central --server "$server" --data-dir "$work/receiver" --auto-approve >>"$work/receiver.log" 2>&1 &
    receiver=$!
    pids+=("$receiver")
}

start_sender
if [[ $mode == agent && ${KNOWN:-0} == 1 ]]; then
    start_receiver
    wait_for 'grep -q "\"edge\"" <("$bin/bosun" nodes --json --data-dir "$work/receiver" 2>/dev/null)'
    kill "$receiver"
    wait "$receiver" 2>/dev/null || true
fi
# Past the moment (5 s after the start) when a node gives back the pages only its start-up used.
sleep 7
idle=$(rss "$sender")
idle_anon=$(anon "$sender")
echo "$mode, $count messages, binaries in $bin"
echo "idle RSS: $idle kB (anonymous $idle_anon kB)"
for ((from = 0; from < count; from += 10000)); do
    to=$((from + 10000 < count ? from + 10000 : count))
    batch "$from" "$to" >"$work/batch.json"
    mkdir -p "$work/sender/inbox"
    mv "$work/batch.json" "$work/sender/inbox/b$from.json"
    wait_for '[[ $(accepted) -ge $to ]]'
done
sleep 2
echo "queued: RSS $(rss "$sender") kB (+$(( $(rss "$sender") - idle )) kB over idle; anonymous +$(( $(anon "$sender") - idle_anon )) kB)"
before=$(cpu_ms "$sender")
sleep 30
echo "waiting 30 s: CPU $(( $(cpu_ms "$sender") - before )) ms ($(python3 -c "print(round(($(cpu_ms "$sender") - $before) / 300, 2))")% of a core)"
# The first window holds the one write per lane that marks what was just accepted as waiting (for 100,000 messages
# about a second of SQLite's index work); the next 30 s are the backlog's steady cost.
before=$(cpu_ms "$sender")
sleep 30
echo "waiting 30 s more: CPU $(( $(cpu_ms "$sender") - before )) ms ($(python3 -c "print(round(($(cpu_ms "$sender") - $before) / 300, 2))")% of a core)"
kill "$sender"
wait "$sender" 2>/dev/null || true
lines_before=$(grep -c '"event":"attempt"' "$work/sender/journal.jsonl" || true)
t0=$(now)
start_sender
wait_for '[[ $(grep -c "\"event\":\"attempt\"" "$work/sender/journal.jsonl") -gt $lines_before ]]'
echo "restarted: first resend $(elapsed "$t0") s after the start (process start and this script's polling included); RSS $(rss "$sender") kB"
sleep 7
echo "restarted and waiting: RSS $(rss "$sender") kB (anonymous $(anon "$sender") kB)"

# The other side comes up; the backlog drains.
t0=$(now)
if [[ $mode == agent ]]; then
    start_receiver
    # From the first line written: the drain itself, without the receiver's start and the sender's next probe.
    wait_for '[[ -s $work/receiver/logs/edge/app.log ]]'
    t1=$(now)
    wait_for '[[ $(cat "$work/receiver/logs/edge/app.log" 2>/dev/null | wc -l) -ge $count ]]'
    seconds=$(elapsed "$t0")
    from_first=$(elapsed "$t1")
    echo "drained from the first line written: $count in $from_first s ($(python3 -c "print(int($count / $from_first))") msg/s)"
    python3 - "$work/receiver/logs/edge/app.log" "$count" <<'EOF'
import sys
lines = open(sys.argv[1]).read().split("\n")[:-1]
expected = ["line %d" % i for i in range(int(sys.argv[2]))]
print("arrived: %d lines, in order: %s" % (len(lines), lines == expected))
EOF
else
    for n in 0 1 2 3 4 5 6 7 8 9; do
        "$bin/bosun-agent" --node "n$n" --server "$server" --data-dir "$work/n$n" >"$work/n$n.log" 2>&1 &
        pids+=("$!")
    done
    # Counted in the store: the journal rotates at 64 MiB, and 100,000 accepted messages fill it.
    acked() { python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"select count(*) from outbox where state='acked'\").fetchone()[0])" "$work/sender/state.db"; }
    wait_for '[[ $(acked) -ge $count ]]'
    seconds=$(elapsed "$t0")
fi
echo "drained: $count in $seconds s ($(python3 -c "print(int($count / $seconds))") msg/s, receiver start included); sender RSS $(rss "$sender") kB"
