#!/usr/bin/env bash
# Builds the two small OCI image layouts of this example with umoci (committed; re-run to regenerate):
#   production/  layer 0 "base: os-release, ca-certificates"   public roots in /etc/ssl/certs/ca-certificates.crt
#                layer 1 "COPY corp-root.crt … && update-ca-certificates"   anchor + bundle with the corporate root
#   candidate/   layer 0 the same base, rebuilt
#                layer 1 "COPY corp-root.crt /usr/local/share/ca-certificates/"   anchor only: the update step was dropped
# Needs umoci (https://github.com/opencontainers/umoci).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
pki="$here/../pki"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

build() {
  local name="$1" update="$2"
  local layout="$work/$name" root="$work/$name-bundle/rootfs"
  umoci init --layout "$layout"
  umoci new --image "$layout:latest"
  umoci unpack --rootless --image "$layout:latest" "$work/$name-bundle"
  mkdir -p "$root/etc/ssl/certs" "$root/usr/lib/ssl"
  printf 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n' >"$root/etc/os-release"
  cat "$pki/public-root.pem" "$pki/public-root-ec.pem" >"$root/etc/ssl/certs/ca-certificates.crt"
  ln -s /etc/ssl/certs/ca-certificates.crt "$root/usr/lib/ssl/cert.pem"
  umoci repack --image "$layout:latest" --refresh-bundle --history.created_by "base: os-release, ca-certificates" "$work/$name-bundle"
  mkdir -p "$root/usr/local/share/ca-certificates"
  cp "$pki/corp-root.pem" "$root/usr/local/share/ca-certificates/corp-root.crt"
  if [ "$update" = yes ]; then
    cat "$pki/corp-root.pem" >>"$root/etc/ssl/certs/ca-certificates.crt"
    umoci repack --image "$layout:latest" \
      --history.created_by "COPY corp-root.crt /usr/local/share/ca-certificates/ && update-ca-certificates" "$work/$name-bundle"
  else
    umoci repack --image "$layout:latest" \
      --history.created_by "COPY corp-root.crt /usr/local/share/ca-certificates/" "$work/$name-bundle"
  fi
  umoci config --image "$layout:latest" --history.created_by "ENV PATH" \
    --config.env=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
  umoci gc --layout "$layout"
  rm -rf "${here:?}/$name"
  cp -r "$layout" "$here/$name"
}

build production yes
build candidate no
