#!/usr/bin/env bash
# Tests the pre-commit hook with the real pre-commit (from PyPI) in a throwaway repository:
#   1. a commit that upgrades httpx 0.27.2 → 0.28.1 in uv.lock is refused, and the output names TG301;
#   2. harmless commits pass: a uv.lock change that crosses no trust boundary (the hook runs), and a README change
#      (the hook runs on every commit, `always_run`, and passes);
#   2b. a bump in common.txt, included by requirements.txt (`-r common.txt`), is refused;
#   3. pre-push (`trustgate-push`): a bump committed with --no-verify and pushed to a local bare remote is refused
#      with TG301 (the pushed range PRE_COMMIT_FROM_REF..PRE_COMMIT_TO_REF, both read from git); a harmless push passes;
#   4. manual (`trustgate-upstream`, `pre-commit run --hook-stage manual`): the working tree against @{upstream};
#   5. (TRUSTGATE_TRY_REPO=1) `pre-commit try-repo <this repository> trustgate` builds trustgate through
#      `language: swift` from .pre-commit-hooks.yaml and refuses the same commit. Slow: a release build.
# Steps 1–4 use `repo: local` hooks (`language: system`) with the manifest's own ids, entries, files and stages,
# pointed at the built binary, so they test the manifest's patterns and commands without a release build.
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

# The manifest's hooks (id, entry, files, stages, always_run) as local hooks, so each is the published one except for
# where trustgate lives. pre-commit depends on PyYAML, so the venv's python reads the manifest and writes the config.
repo="$work/repo"
mkdir -p "$repo"
# The hooks inspect a root with this machine's CA bundle and nothing else (`args: [--root …]`): what they decide must
# not depend on the private roots or Python packages of the machine the test runs on (a crossing after which every
# client still verifies the machine's private roots is only a warning).
rootfs="$work/rootfs"
mkdir -p "$rootfs/etc/ssl/certs"
cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/"
"$venv/bin/python" - "$here/.pre-commit-hooks.yaml" "$binary" "$repo/.pre-commit-config.yaml" "$rootfs" <<'PY'
import json, sys
import yaml
manifest, binary, config, rootfs = sys.argv[1:]
hooks = []
for hook in yaml.safe_load(open(manifest)):
    assert hook["language"] == "swift" and hook["pass_filenames"] is False, hook
    assert hook["entry"].startswith("trustgate "), hook
    local = {"id": hook["id"], "name": hook["id"], "entry": binary + hook["entry"][len("trustgate"):],
             "language": "system", "pass_filenames": False, "stages": hook["stages"], "args": ["--root", rootfs]}
    for key in ("files", "always_run", "require_serial"):
        if key in hook:
            local[key] = hook[key]
    hooks.append(local)
assert {h["id"] for h in hooks} >= {"trustgate", "trustgate-push", "trustgate-upstream"}, hooks
json.dump({"repos": [{"repo": "local", "hooks": hooks}]}, open(config, "w"), indent=2)
PY

cd "$repo"
git init -q -b main .
git config user.email hook@example.invalid
git config user.name hook
cp "$here/Tests/Fixtures/lockfiles/old/uv/uv.lock" uv.lock
echo "# demo" >README.md
git add -A
git commit -q -m "httpx 0.27.2" --no-verify
"$pre_commit" install -t pre-commit -t pre-push >/dev/null

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

# pre-push: a bump committed with --no-verify (the pre-commit hook skipped) is refused when pushed. The remote is a
# local bare repository; pre-commit passes the pushed range as PRE_COMMIT_FROM_REF..PRE_COMMIT_TO_REF.
git init -q --bare "$work/remote.git"
git remote add origin "$work/remote.git"
git push -q --no-verify -u origin main >/dev/null 2>&1
cp "$here/Tests/Fixtures/lockfiles/new/uv/uv.lock" uv.lock
git commit -q --no-verify -am "upgrade httpx, hook skipped"
if git push origin main >"$work/push.log" 2>&1; then
  echo "FAIL: the push of an httpx upgrade committed with --no-verify was accepted"; cat "$work/push.log"; fail=1
elif ! grep -q "TG301" "$work/push.log" || ! grep -q "httpx upgraded 0.27.2 → 0.28.1" "$work/push.log"; then
  echo "FAIL: the push was refused, but the output does not name TG301 for httpx"; cat "$work/push.log"; fail=1
else
  echo "ok: the push of an httpx upgrade committed with --no-verify was refused with TG301"
fi
grep -q "git range" "$work/push.log" || { echo "FAIL: the pre-push hook did not compare the pushed range"; fail=1; }

# manual: the working tree against @{upstream} (origin/main still has httpx 0.27.2).
if "$pre_commit" run trustgate-upstream --hook-stage manual >"$work/manual.log" 2>&1; then
  echo "FAIL: the manual stage passed an httpx upgrade not on the upstream branch"; cat "$work/manual.log"; fail=1
elif grep -q "TG301" "$work/manual.log" && grep -q "@{upstream}" "$work/manual.log"; then
  echo "ok: the manual stage compared with @{upstream} and found TG301"
else
  echo "FAIL: the manual stage failed without TG301 against @{upstream}"; cat "$work/manual.log"; fail=1
fi

# A harmless push passes, and the pre-push hook ran on it.
git reset -q --hard origin/main
printf '# reviewed before the push\n' >>uv.lock
git commit -q --no-verify -am "lockfile comment"
if git push origin main >"$work/push-harmless.log" 2>&1; then
  echo "ok: a harmless push passed"
else
  echo "FAIL: a harmless push was refused"; cat "$work/push-harmless.log"; fail=1
fi
grep -q "^trustgate-push\.*Passed" "$work/push-harmless.log" || { echo "FAIL: the pre-push hook did not run"; fail=1; }

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
