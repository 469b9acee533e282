#!/usr/bin/env bash
# HTTPS goes through a proxy that re-signs every site with the corporate root. The OS bundle trusts that root;
# the pip-installed certifi that requests uses does not.
source "$(dirname "$0")/../lib.sh"

root="$WORK/rootfs"
make_rootfs "$root" "$EXAMPLES/pki/public-root.pem" "$EXAMPLES/pki/corp-root.pem"
# python:3.12-style interpreter with requests and certifi installed by pip; certifi ships its own bundle.
site="$root/usr/local/lib/python3.12/site-packages"
mkdir -p "$root/usr/local/bin" "$site/certifi" "$site/certifi-2025.8.3.dist-info" "$site/requests-2.32.5.dist-info"
: >"$root/usr/local/bin/python3.12"
ln -s python3.12 "$root/usr/local/bin/python3"
cp "$EXAMPLES/pki/public-root.pem" "$site/certifi/cacert.pem"
printf 'Metadata-Version: 2.1\nName: certifi\nVersion: 2025.8.3\n' >"$site/certifi-2025.8.3.dist-info/METADATA"
printf 'Metadata-Version: 2.1\nName: requests\nVersion: 2.32.5\n' >"$site/requests-2.32.5.dist-info/METADATA"

make_repo "$WORK/repo" "$EXAMPLE/requirements.txt"
cd "$WORK/repo"
# TG604 is a warning: fail on warnings so the pipeline stops here.
run_trustgate check --root "$root" --env-file "$EXAMPLE/build.env" --fail-on warning --annotations none
