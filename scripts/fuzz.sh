#!/usr/bin/env bash
# Runs one libFuzzer target for a given time: scripts/fuzz.sh TARGET SECONDS   (TARGET: message, batch, reply)
# Builds bosun-fuzz with the fuzzer and AddressSanitizer in its own scratch path (.build/fuzz), so the normal
# debug and release builds are untouched. Seeds come from Tests/FuzzCorpus/TARGET; what the fuzzer finds goes to
# .build/fuzz/corpus/TARGET, and a crashing input to .build/fuzz/artifacts/TARGET/. Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."

target="${1:?usage: scripts/fuzz.sh message|batch|reply SECONDS}"
seconds="${2:?usage: scripts/fuzz.sh TARGET SECONDS}"
case "$target" in message | batch | reply) ;; *) echo "fuzz: unknown target $target" >&2; exit 64 ;; esac

scratch=.build/fuzz
# FUZZING swaps the replay tool's main for libFuzzer's driver; lld links AddressSanitizer without gold's warning.
swift build -c release --scratch-path "$scratch" --product bosun-fuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -DFUZZING -Xswiftc -use-ld=lld
binary="$(swift build -c release --scratch-path "$scratch" --show-bin-path)/bosun-fuzz"

corpus="$scratch/corpus/$target"
artifacts="$scratch/artifacts/$target"
mkdir -p "$corpus" "$artifacts"
# Messages are at most 1 MiB; larger inputs only test the size check.
# The Swift runtime's own crash backtracer would race AddressSanitizer's report.
SWIFT_BACKTRACE=enable=no BOSUN_FUZZ_TARGET="$target" "$binary" "$corpus" "Tests/FuzzCorpus/$target" \
    -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=4096 \
    -artifact_prefix="$artifacts/" -print_final_stats=1
