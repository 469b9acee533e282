#!/usr/bin/env bash
# run-matrix.sh [--out DIR] [--trustgate BIN] [--fresh] [--jobs N] [--scenarios a,b] [--pythons 3.12,3.13]
# Builds the conformance fixtures if needed (build-fixtures.sh), then runs every cell — scenario x venv x client —
# with the real clients against openssl s_server on 127.0.0.1 (matrix.py), and writes the real column to
# DIR/real.tsv (default DIR: <cache>/runs/latest). With --trustgate, also runs `trustgate verify` for every cell in
# the same scenario, writes DIR/predicted.tsv and exits 1 when a cell disagrees.
# The real column of a complete run (every scenario and Python, no problem) is kept in the cache as
# real-<hash of probe.py, with-scenario.sh, matrix.py>.tsv and reused until one of those scripts changes (or
# --fresh): what the real clients do depends only on the cached venvs and PKI, this machine and those scripts.
# Exits 3 when the fixtures cannot be built here (the reason on stderr), so a test can skip.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="$("$here/build-fixtures.sh")"
out="$cache/runs/latest"
args=()
fresh=0
partial=0
trustgate=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out="${2:?--out needs a folder}"; shift 2 ;;
    --trustgate) trustgate="${2:?--trustgate needs a binary}"; args+=("$1" "$2"); shift 2 ;;
    --scenarios | --pythons) partial=1; args+=("$1" "${2:?$1 needs a value}"); shift 2 ;;
    --jobs) args+=("$1" "${2:?$1 needs a value}"); shift 2 ;;
    --fresh) fresh=1; shift ;;
    *) echo "run-matrix.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
# Any of the venvs' real interpreters runs the harness (stdlib only); never a pyenv shim.
python="$(cut -f4 "$cache/pythons.tsv" | head -1)"
real="$cache/real-$(cat "$here/probe.py" "$here/with-scenario.sh" "$here/matrix.py" | sha256sum | cut -c1-16).tsv"
mkdir -p "$out"
if [[ $fresh -eq 0 && $partial -eq 0 && -s "$real" ]]; then
  cp "$real" "$out/real.tsv"
  echo "matrix: the real column from $real (run with --fresh to measure again)"
  [[ -z "$trustgate" ]] && exit 0
  exec "$python" "$here/matrix.py" --cache "$cache" --out "$out" --predict-only "${args[@]}"
fi
status=0
"$python" "$here/matrix.py" --cache "$cache" --out "$out" "${args[@]}" || status=$?
if [[ $partial -eq 0 && ($status -eq 0 || $status -eq 1) && -s "$out/real.tsv" && ! -s "$out/problems.txt" ]]; then
  cp "$out/real.tsv" "$real.$$" && mv -f "$real.$$" "$real"
fi
exit "$status"
