#!/usr/bin/env bash
# A policy that requires a vendor root and carries two ignores: one still valid, one expired.
source "$(dirname "$0")/../lib.sh"

# The OS bundle lacks the payments root the policy requires.
make_rootfs "$WORK/rootfs" "$EXAMPLES/pki/public-root.pem" "$EXAMPLES/pki/corp-root.pem"
make_repo "$WORK/repo" "$EXAMPLE/before/requirements.txt"
cp "$EXAMPLE/trustgate.yml" "$WORK/repo/.trustgate.yml"
cp "$EXAMPLE/after/requirements.txt" "$WORK/repo/requirements.txt"

cd "$WORK/repo"
run_trustgate check --root "$WORK/rootfs" --baseline-ref HEAD --annotations none
