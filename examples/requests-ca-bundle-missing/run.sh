#!/usr/bin/env bash
# REQUESTS_CA_BUNDLE names a file the image does not contain: requests fails every verified request.
source "$(dirname "$0")/../lib.sh"

make_rootfs "$WORK/rootfs" "$EXAMPLES/pki/public-root.pem" "$EXAMPLES/pki/public-root-ec.pem"
make_repo "$WORK/repo" "$EXAMPLE/requirements.txt"

cd "$WORK/repo"
run_trustgate check --root "$WORK/rootfs" --env-file "$EXAMPLE/build.env" --annotations none
