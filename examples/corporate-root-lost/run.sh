#!/usr/bin/env bash
# Production's image trusts the corporate root; the rebuilt candidate still has the certificate in
# /usr/local/share/ca-certificates, but the base image's bundle was regenerated without running
# update-ca-certificates after the COPY, so the bundle lost it.
source "$(dirname "$0")/../lib.sh"

make_rootfs "$WORK/production" "$EXAMPLES/pki/public-root.pem" "$EXAMPLES/pki/public-root-ec.pem" "$EXAMPLES/pki/corp-root.pem"
mkdir -p "$WORK/production/usr/local/share/ca-certificates"
cp "$EXAMPLES/pki/corp-root.pem" "$WORK/production/usr/local/share/ca-certificates/corp-root.crt"

make_rootfs "$WORK/candidate" "$EXAMPLES/pki/public-root.pem" "$EXAMPLES/pki/public-root-ec.pem"
mkdir -p "$WORK/candidate/usr/local/share/ca-certificates"
cp "$EXAMPLES/pki/corp-root.pem" "$WORK/candidate/usr/local/share/ca-certificates/corp-root.crt"

make_repo "$WORK/repo" "$EXAMPLE/requirements.txt"
cd "$WORK/repo"
# Record production once: `baseline` writes .trustgate/baseline.json, which a real repository commits …
"$TRUSTGATE" baseline --root "$WORK/production"
# … and `check` compares with it by default.
run_trustgate check --root "$WORK/candidate" --annotations none
