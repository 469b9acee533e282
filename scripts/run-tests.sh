#!/usr/bin/env bash
# Runs the built tests (`make test` builds them first) in two processes at once: the GitHub Action's tests beside
# every other test. The Action's tests run its real steps in a `git archive` export, and its build step
# (`swift build -c release --product trustgate`) takes minutes after any change to TrustgateCore: whole-module
# optimisation recompiles the module, mostly on one core. Run alone first, they took 161 of the suite's 399 s.
# The Action's output is printed after the rest's; the status is non-zero when either run fails.
set -uo pipefail
cd "$(dirname "$0")/.."
swift="${SWIFT:-swift}"
action_log="$(mktemp)"
action=""
# An interrupted run stops the Action's tests too, with the build they started: everything in their session.
cleanup() {
  if [[ -n "$action" ]]; then pkill -s "$action" 2>/dev/null || kill -- -"$action" 2>/dev/null; fi
  rm -f "$action_log"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The Action's tests through the test bundle itself: a second `swift test` would wait for the first's lock on .build.
bundle="$("$swift" build --show-bin-path)/trustgatePackageTests.xctest"
if [[ ! -x "$bundle" ]]; then
  echo "run-tests: no test bundle at $bundle; build the tests first (swift build --build-tests)" >&2
  exit 1
fi
setsid "$bundle" TrustgateCoreTests.ActionTests >"$action_log" 2>&1 &
action=$!
"$swift" test --skip-build --skip '^TrustgateCoreTests\.ActionTests/'
rest=$?
# Ctrl-C reaches `swift test`, which stops and exits 130 itself (so this shell's own INT trap does not run).
if [[ $rest -eq 130 || $rest -eq 143 ]]; then exit "$rest"; fi
wait "$action"
action_status=$?

echo "== the GitHub Action's tests (ActionTests), run beside the others: exit $action_status"
cat "$action_log"
if [[ $rest -ne 0 || $action_status -ne 0 ]]; then
  echo "run-tests: failed (other tests: exit $rest; ActionTests: exit $action_status)" >&2
  exit 1
fi
