#!/usr/bin/env bash
# Prints the conformance fixture cache folder: ${TRUSTGATE_FIXTURE_CACHE:-$HOME/.cache/trustgate-fixtures}/
# conformance-<hash>, the hash taken over the scripts that decide what the cache holds (the build script, the PKI
# script and the venv pins). The probe, the scenarios and the runner are read from the repository at every run.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
hash="$(cat "$here/build-fixtures.sh" "$here/make-pki.sh" "$here/venvs.txt" | sha256sum | cut -c1-16)"
echo "${TRUSTGATE_FIXTURE_CACHE:-$HOME/.cache/trustgate-fixtures}/conformance-$hash"
