#!/usr/bin/env bash
# A routine dependency update moves certifi across 2025.4.26, which removed seven roots (GlobalSign Root CA,
# Baltimore CyberTrust Root, …): servers that still chain only to them start failing.
source "$(dirname "$0")/../lib.sh"

make_rootfs "$WORK/rootfs" "$EXAMPLES/pki/public-root.pem"
make_repo "$WORK/repo" "$EXAMPLE/before/requirements.txt"
cp "$EXAMPLE/after/requirements.txt" "$WORK/repo/requirements.txt"

cd "$WORK/repo"
run_trustgate check --root "$WORK/rootfs" --baseline-ref HEAD --annotations none
