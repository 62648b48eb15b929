#!/usr/bin/env bash
# Measures the release agent: binary size, then RSS and CPU time after SECONDS idle (hello every 10 s) with a
# local nats-server. Usage: scripts/measure-agent.sh [SECONDS]   (default 600; build first: make agent-release)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
agent=.build/release/bosun-agent
[[ -x $agent ]] || { echo "measure: build it first: make agent-release" >&2; exit 1; }
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
nats-server -a 127.0.0.1 -p "$port" -P "$work/nats.pid" >"$work/nats.log" 2>&1 &
"$agent" --node measure --server "nats://127.0.0.1:$port" --data-dir "$work/data" >"$work/agent.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; kill "$(cat "$work/nats.pid")" 2>/dev/null; rm -rf "$work"' EXIT
echo "binary: $(stat -c %s "$agent") bytes"
sleep "$seconds"
ticks=$(getconf CLK_TCK)
read -r utime stime < <(awk '{ print $14, $15 }' "/proc/$pid/stat")
echo "after ${seconds} s idle: $(grep -E '^VmRSS' "/proc/$pid/status" | tr -s ' ')," \
    "$(grep -E '^VmHWM' "/proc/$pid/status" | tr -s ' '), CPU $(( (utime + stime) * 1000 / ticks )) ms"
