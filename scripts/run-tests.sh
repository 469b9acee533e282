#!/usr/bin/env bash
# Runs the built tests (`make test` builds them first) in several processes at once, so that both cores of a CI
# machine work: the GitHub Action's tests in one, every other test class split between SHARDS more (default: the
# number of cores, at least 1). The Action's tests run its real steps in a `git archive` export, and its build step
# (`swift build -c release --product trustgate`) takes minutes after any change to TrustgateCore, mostly on one core.
# The other tests spend most of their time in real clients (python, git, curl, go, uv) and in the debug build, on
# one core each. Classes are given to the shard with the least expected work, heaviest first (WEIGHTS, measured
# in seconds on a warm machine; a class not listed counts 1). Heavy fixtures shared between classes are built under
# a machine-wide lock (FixtureLock in Tests/TrustgateCoreTests/Support/Fixtures.swift).
# The first shard's output is printed as it runs, the others' after it; the status is non-zero when any run fails.
set -uo pipefail
cd "$(dirname "$0")/.."
swift="${SWIFT:-swift}"
shards="${SHARDS:-$(nproc 2>/dev/null || echo 2)}"
[[ "$shards" =~ ^[1-9][0-9]*$ ]] || shards=2
logs="$(mktemp -d)"
pids=()
# An interrupted run stops every shard, with the builds and servers they started: everything in their sessions.
cleanup() {
  for pid in "${pids[@]}"; do pkill -s "$pid" 2>/dev/null || kill -- -"$pid" 2>/dev/null; done
  rm -rf "$logs"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bundle="$("$swift" build --show-bin-path)/trustgatePackageTests.xctest"
if [[ ! -x "$bundle" ]]; then
  echo "run-tests: no test bundle at $bundle; build the tests first (swift build --build-tests)" >&2
  exit 1
fi

declare -A WEIGHTS=(
  [ConfigSwitchTests]=39 [ConfigTextOracleTests]=31 [ConformanceMatrixTests]=27 [LockfileScenarioTests]=17
  [GitRepositoryTests]=15 [ConnectTests]=15 [DebianImageUserTests]=14 [OutcomeGateTests]=12
  [RelativeCAPathTests]=10 [ImageBoundsTests]=8 [ImageReaderTests]=7 [LazyStoreTests]=7 [GoVerificationTests]=6
  [SecurityLevelTests]=6 [DanglingHashLinkScenarioTests]=6 [ClientVerificationTests]=6 [SARIFReporterTests]=6
  [NoStateTests]=5 [EnvironmentScenarioTests]=5 [DebianImagePromotionTests]=5 [RealVenvVerificationTests]=5
  [UvVerificationTests]=5 [JavaVerificationTests]=30 [MavenVerificationTests]=20 [NodeVerificationTests]=5 [DebianRootTests]=4 [IncludeScenarioTests]=4 [PolicyLoaderTests]=4
)

# Every class but the Action's, heaviest first.
mapfile -t classes < <("$bundle" --list-tests | sed -n 's|^\(TrustgateCoreTests\.[A-Za-z0-9_]*\)/.*|\1|p' | sort -u \
  | grep -vx 'TrustgateCoreTests\.ActionTests' \
  | while IFS= read -r class; do echo "${WEIGHTS[${class#*.}]:-1} $class"; done | sort -k1,1nr -k2 | cut -d' ' -f2)
if ((${#classes[@]} == 0)); then
  echo "run-tests: the test bundle lists no test classes" >&2
  exit 1
fi

declare -a load filters
for ((i = 0; i < shards; i++)); do load[i]=0; filters[i]=""; done
for class in "${classes[@]}"; do
  least=0
  for ((i = 1; i < shards; i++)); do ((load[i] < load[least])) && least=$i; done
  ((load[least] += ${WEIGHTS[${class#*.}]:-1}))
  filters[least]+="${filters[least]:+,}$class"
done

setsid "$bundle" TrustgateCoreTests.ActionTests >"$logs/action" 2>&1 &
pids+=($!)
names=("the GitHub Action's tests (ActionTests)")
for ((i = 1; i < shards; i++)); do
  [[ -n "${filters[i]}" ]] || continue
  setsid "$bundle" "${filters[i]}" >"$logs/shard$i" 2>&1 &
  pids+=($!)
  names+=("shard $((i + 1)) of $shards")
done
# The first shard in the foreground (Ctrl-C reaches it, and it exits 130 or 143 itself).
"$bundle" "${filters[0]}" 2>&1 | tee "$logs/shard0"
first=${PIPESTATUS[0]}
if [[ $first -eq 130 || $first -eq 143 ]]; then exit "$first"; fi

failed=0
((first == 0)) || failed=1
logfiles=("$logs/action")
for ((i = 1; i < shards; i++)); do [[ -n "${filters[i]}" ]] && logfiles+=("$logs/shard$i"); done
for index in "${!pids[@]}"; do
  wait "${pids[index]}"
  status=$?
  echo "== ${names[index]}, run beside shard 1: exit $status"
  cat "${logfiles[index]}"
  ((status == 0)) || failed=1
done

# One summary line per process, and every failure again at the end, where a CI log is read first.
echo "== summary"
for file in "$logs/shard0" "${logfiles[@]}"; do
  grep -E "^[[:space:]]*Executed [0-9]+ tests?, with" "$file" | tail -1
done
grep -h -E "error: |' failed \(" "$logs"/* || true
if ((failed)); then
  echo "run-tests: failed" >&2
  exit 1
fi
