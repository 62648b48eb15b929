#!/usr/bin/env bash
# Runs the console's end-to-end scenarios (Tests/IntegrationTests/Console*TUITests.swift: real bosun in tmux, real
# nats-server and agents) and saves each step as screenshots/<step>.png and its text as screenshots/<step>.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh screenshots
out="$PWD/screenshots"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
swift build --build-tests
BOSUN_SCREENSHOTS="$work" swift test --skip-build --filter "Console(Metrics)?TUITests"
rm -f "$out"/*.png "$out"/*.txt
mkdir -p "$out"
for capture in "$work"/*.ans; do
    step=$(basename "$capture" .ans)
    /usr/bin/python3 scripts/ansi2png.py "$capture" "$out/$step.png"
    cp "$work/$step.txt" "$out/$step.txt"
    echo "screenshots/$step.png"
done
