#!/usr/bin/env bash
# Builds the conformance matrix's heavy fixtures once per machine into the cache folder that cache-dir.sh names:
#   pki/                       the private PKI (make-pki.sh)
#   tools/                     a venv holding uv (from PyPI), which builds the client venvs
#   venvs/py<X.Y>-<kind>/      per Python among 3.11, 3.12, 3.13 found here and per kind in venvs.txt, the real
#                              clients from PyPI at pinned versions
#   pythons.tsv                python  kind  venv path  interpreter  (one line per venv)
#   build-seconds              how long the build took
# Pythons are the real interpreters under $(pyenv root)/versions/ (never the shims), else /usr/bin/python3.X.
# Prints the cache folder on success. Exits 3 when the fixtures cannot be built here (no PyPI, no openssl, no
# Python among 3.11-3.13), with the reason on stderr, so callers can skip.
set -euo pipefail
export LC_ALL=C TZ=UTC
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="$("$here/cache-dir.sh")"
if [[ -f "$cache/complete" ]]; then echo "$cache"; exit 0; fi

skip() { echo "build-fixtures: cannot build the conformance fixtures here: $*" >&2; exit 3; }
command -v openssl >/dev/null || skip "openssl is not installed (apt-get install -y openssl)"
[[ -f /etc/ssl/certs/ca-certificates.crt ]] || skip "no /etc/ssl/certs/ca-certificates.crt (apt-get install -y ca-certificates)"

pythons=()
pyroot="$(pyenv root 2>/dev/null || true)"
for minor in 3.11 3.12 3.13; do
  found=""
  if [[ -n "$pyroot" ]]; then
    for candidate in "$pyroot"/versions/"$minor".*/bin/python3; do
      [[ -x "$candidate" ]] && found="$candidate"
    done
  fi
  [[ -z "$found" && -x "/usr/bin/python$minor" ]] && found="/usr/bin/python$minor"
  [[ -n "$found" ]] && pythons+=("$minor=$found")
done
((${#pythons[@]})) || skip "no Python among 3.11, 3.12, 3.13 (pyenv install 3.12, or apt-get install -y python3)"

start=$(date +%s)
work="$cache.partial-$$"
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT

"$here/make-pki.sh" "$work/pki" >/dev/null

# uv from PyPI, installed with the first Python's own pip.
first="${pythons[0]#*=}"
"$first" -m venv "$work/tools" || skip "$first -m venv failed"
"$work/tools/bin/python" -m pip install -q uv==0.13.9 >"$work/tools.log" 2>&1 \
  || skip "pip could not install uv from PyPI (no network?): $(tail -3 "$work/tools.log")"
uv="$work/tools/bin/uv"

: >"$work/pythons.tsv"
while IFS=$'\t' read -r kind pins; do
  [[ -z "$kind" || "$kind" == \#* ]] && continue
  for entry in "${pythons[@]}"; do
    minor="${entry%%=*}"
    interpreter="${entry#*=}"
    venv="$work/venvs/py$minor-$kind"
    "$uv" venv -q --python "$interpreter" "$venv" >>"$work/uv.log" 2>&1 || skip "uv venv failed for $interpreter"
    # shellcheck disable=SC2086
    "$uv" pip install -q --python "$venv/bin/python" $pins >>"$work/uv.log" 2>&1 \
      || skip "uv pip install failed for py$minor-$kind (no network?): $(tail -3 "$work/uv.log")"
    printf '%s\t%s\t%s\t%s\n' "$minor" "$kind" "$cache/venvs/py$minor-$kind" "$interpreter" >>"$work/pythons.tsv"
  done
done <"$here/venvs.txt"

# uv venvs record absolute paths (pyvenv.cfg home, bin/ shebangs): build in place by renaming, then fix the paths.
rm -rf "$cache"
mv "$work" "$cache"
trap - EXIT
grep -rlI --exclude-dir=__pycache__ "$work" "$cache/venvs" "$cache/tools" 2>/dev/null | while read -r f; do
  sed -i "s#$work#$cache#g" "$f"
done
echo $(($(date +%s) - start)) >"$cache/build-seconds"
touch "$cache/complete"
echo "$cache"
