#!/usr/bin/env bash
# httpx 0.27.2 → 0.28.1 in a pip-compile requirements.txt, compared with the last commit (what a pull request does).
source "$(dirname "$0")/../lib.sh"

make_rootfs "$WORK/rootfs" "$EXAMPLES/pki/public-root.pem"
make_repo "$WORK/repo" "$EXAMPLE/before/requirements.txt"
cp "$EXAMPLE/after/requirements.txt" "$WORK/repo/requirements.txt"

cd "$WORK/repo"
run_trustgate check --root "$WORK/rootfs" --baseline-ref HEAD --annotations none
