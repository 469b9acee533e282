#!/usr/bin/env bash
# Fuzzes the lockfile readers with libFuzzer for SECONDS (default 60), seeded with the lockfile fixtures.
#
# Usage: scripts/fuzz.sh [SECONDS] [extra libFuzzer flags...]
# Crashes land in fuzz-artifacts/; replay one with a plain build: swift run fuzz-lockfiles fuzz-artifacts/crash-…
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true

swift build -c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING \
  --product fuzz-lockfiles --scratch-path .build-fuzz 2>&1 | grep -v "Cannot export local symbol" || true
mkdir -p .build-fuzz/corpus fuzz-artifacts

# TOMLKit 0.6.0 leaks a few bytes on every parse (TOMLTable(string:) never frees its error buffer), which is not
# ours to fix; leak checking is off so that it does not end every run.
export ASAN_OPTIONS=detect_leaks=0
exec ./.build-fuzz/debug/fuzz-lockfiles -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=4096 \
  -detect_leaks=0 -artifact_prefix=fuzz-artifacts/ "$@" .build-fuzz/corpus Tests/Fixtures/lockfiles
