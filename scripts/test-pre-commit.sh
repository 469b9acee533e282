#!/usr/bin/env bash
# Tests the pre-commit hook with the real pre-commit (from PyPI) in a throwaway repository:
#   1. a commit that upgrades httpx 0.27.2 → 0.28.1 in uv.lock is refused, and the output names TG301;
#   2. harmless commits pass: a uv.lock change that crosses no trust boundary (the hook runs), and a README change
#      (the hook runs on every commit, `always_run`, and passes);
#   2b. a bump in common.txt, included by requirements.txt (`-r common.txt`), is refused;
#   3. (TRUSTGATE_TRY_REPO=1) `pre-commit try-repo <this repository> trustgate` builds trustgate through
#      `language: swift` from .pre-commit-hooks.yaml and refuses the same commit. Slow: a release build.
# Steps 1–2 use a `repo: local` hook (`language: system`) with the manifest's own `entry` and `files`, pointed at
# the built binary, so they test the manifest's pattern and command without a release build.
#
# Usage: scripts/test-pre-commit.sh [path/to/trustgate]   (default .build/debug/trustgate)
# Exit status: 0 passed, 1 failed, 77 skipped (pre-commit could not be installed: PyPI unreachable).
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
binary="$(cd "$(dirname "${1:-$here/.build/debug/trustgate}")" && pwd)/$(basename "${1:-trustgate}")"
[ -x "$binary" ] || { echo "no trustgate at $binary; run swift build first" >&2; exit 1; }
venv="${PRE_COMMIT_VENV:-${TMPDIR:-/tmp}/trustgate-pre-commit-venv}"
work="$(mktemp -d "${TMPDIR:-/tmp}/trustgate-pre-commit.XXXXXX")"
trap 'rm -rf "$work"' EXIT

if [ ! -x "$venv/bin/pre-commit" ]; then
  python3 -m venv "$venv"
  if ! "$venv/bin/pip" install --quiet --disable-pip-version-check pre-commit >"$work/pip.log" 2>&1; then
    cat "$work/pip.log" >&2
    echo "SKIP: could not install pre-commit from PyPI" >&2
    exit 77
  fi
fi
pre_commit="$venv/bin/pre-commit"
echo "pre-commit $("$pre_commit" --version | awk '{print $2}')"

# The manifest's id, entry and files, so the local hook is the published one except for where trustgate lives.
# pre-commit depends on PyYAML, so the venv's python reads the manifest.
{ read -r entry; read -r files; } < <("$venv/bin/python" - "$here/.pre-commit-hooks.yaml" <<'PY'
import json, sys
import yaml
hook = next(h for h in yaml.safe_load(open(sys.argv[1])) if h["id"] == "trustgate")
assert hook["language"] == "swift" and hook["pass_filenames"] is False, hook
print(hook["entry"])
# No `files:` pattern with `always_run` (an include such as common.txt may have any name): match everything.
print(json.dumps(".*" if hook.get("always_run") else hook["files"]))
PY
)
entry="$binary ${entry#trustgate }"

repo="$work/repo"
mkdir -p "$repo"
cd "$repo"
git init -q -b main .
git config user.email hook@example.invalid
git config user.name hook
cat >.pre-commit-config.yaml <<YAML
repos:
  - repo: local
    hooks:
      - id: trustgate
        name: trustgate
        entry: $entry
        language: system
        pass_filenames: false
        files: $files
YAML
cp "$here/Tests/Fixtures/lockfiles/old/uv/uv.lock" uv.lock
echo "# demo" >README.md
git add -A
git commit -q -m "httpx 0.27.2" --no-verify
"$pre_commit" install >/dev/null

fail=0
cp "$here/Tests/Fixtures/lockfiles/new/uv/uv.lock" uv.lock
git add uv.lock
if git commit -m "upgrade httpx" >"$work/refused.log" 2>&1; then
  echo "FAIL: the commit upgrading httpx in uv.lock was accepted"; fail=1
elif ! grep -q "TG301" "$work/refused.log" || ! grep -q "httpx upgraded 0.27.2 → 0.28.1" "$work/refused.log"; then
  echo "FAIL: the commit was refused, but the output does not name TG301 for httpx"; fail=1
else
  echo "ok: the commit upgrading httpx was refused with TG301"
fi
sed -n '1,12p' "$work/refused.log" | sed 's/^/    /'

git reset -q --hard HEAD
printf '# reviewed: no trust-relevant change\n' >>uv.lock
git add uv.lock
if git commit -m "lockfile comment" >"$work/harmless-lockfile.log" 2>&1; then
  echo "ok: a harmless lockfile change ran the hook and passed"
else
  echo "FAIL: a harmless lockfile change was refused"; cat "$work/harmless-lockfile.log"; fail=1
fi
grep -q "^trustgate\.*Passed" "$work/harmless-lockfile.log" || { echo "FAIL: the hook did not run on uv.lock"; fail=1; }

# requirements.txt includes common.txt (`-r common.txt`); the httpx bump is in common.txt only.
printf 'httpx==0.27.2\n' >common.txt
printf -- '-r common.txt\n' >requirements.txt
git add common.txt requirements.txt
git commit -q -m "requirements with an include" --no-verify
printf 'httpx==0.28.1\n' >common.txt
git add common.txt
if git commit -m "bump httpx in the included file" >"$work/include.log" 2>&1; then
  echo "FAIL: the commit upgrading httpx in common.txt (included by requirements.txt) was accepted"; fail=1
  cat "$work/include.log"
elif ! grep -q "TG301" "$work/include.log"; then
  echo "FAIL: the include bump was refused without TG301"; cat "$work/include.log"; fail=1
else
  echo "ok: the commit upgrading httpx in an included common.txt was refused with TG301"
fi
git reset -q --hard HEAD

echo "more words" >>README.md
git add README.md
if git commit -m "docs" >"$work/harmless.log" 2>&1; then
  echo "ok: a harmless commit passed"
else
  echo "FAIL: a harmless commit was refused"; cat "$work/harmless.log"; fail=1
fi

if [ "${TRUSTGATE_TRY_REPO:-0}" = 1 ]; then
  # The published manifest: pre-commit clones this repository (HEAD) and builds trustgate with `swift build -c release`.
  cp "$here/Tests/Fixtures/lockfiles/new/uv/uv.lock" uv.lock
  git add uv.lock
  export PRE_COMMIT_HOME="$work/pre-commit-home"
  if "$pre_commit" try-repo "$here" trustgate >"$work/try-repo.log" 2>&1; then
    echo "FAIL: try-repo accepted the httpx upgrade"; cat "$work/try-repo.log"; fail=1
  elif grep -q "TG301" "$work/try-repo.log"; then
    echo "ok: pre-commit try-repo built the swift hook and refused the httpx upgrade"
  else
    echo "FAIL: try-repo failed without TG301"; cat "$work/try-repo.log"; fail=1
  fi
fi
exit "$fail"
