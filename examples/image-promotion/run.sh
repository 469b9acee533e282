#!/usr/bin/env bash
# Promotion gate: may the candidate image replace production? Both are OCI layouts made by make-images.sh; in a
# pipeline they come from `skopeo copy docker://registry/app:candidate oci:candidate:latest` or `docker save`.
source "$(dirname "$0")/../lib.sh"

make_repo "$WORK/repo"
cd "$WORK/repo"
run_trustgate check --image "$EXAMPLE/candidate" --baseline-image "$EXAMPLE/production" --annotations none
