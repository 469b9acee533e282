#!/usr/bin/env bash
# run-matrix.sh [--out DIR] [--trustgate BIN [--predict-only]] [--jobs N] [--scenarios a,b] [--pythons 3.12,3.13]
# Builds the conformance fixtures if needed (build-fixtures.sh), then runs every cell — scenario x venv x client —
# with the real clients against openssl s_server on 127.0.0.1 (matrix.py), and writes the real column to
# DIR/real.tsv (default: <cache>/runs/latest). With --trustgate, also runs `trustgate verify` for every cell in the
# same scenario, writes DIR/predicted.tsv and exits 1 when a cell disagrees. Exits 3 when the fixtures cannot be
# built here (the reason on stderr), so a test can skip.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="$("$here/build-fixtures.sh")"
out="$cache/runs/latest"
args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out="${2:?--out needs a folder}"; shift 2 ;;
    --trustgate | --jobs | --scenarios | --pythons) args+=("$1" "${2:?$1 needs a value}"); shift 2 ;;
    --predict-only) args+=("$1"); shift ;;
    *) echo "run-matrix.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
# Any of the venvs' real interpreters runs the harness (stdlib only); never a pyenv shim.
python="$(cut -f4 "$cache/pythons.tsv" | head -1)"
exec "$python" "$here/matrix.py" --cache "$cache" --out "$out" "${args[@]}"
