# Helpers shared by the examples' run.sh scripts. Each example builds its scene in a scratch folder (a git
# repository and, where needed, a small Debian-like root filesystem), so it never depends on this machine's CA
# store or on the trustgate repository around it, then runs one trustgate command and exits with its status.
#
# TRUSTGATE names the binary (default: `trustgate` on PATH). A path with a slash in it is taken relative to the folder
# the example was started from (run.sh changes folder), so `TRUSTGATE=.build/debug/trustgate examples/…/run.sh` works.

set -euo pipefail

EXAMPLE="$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)"
EXAMPLES="$(cd "$EXAMPLE/.." && pwd)"
TRUSTGATE="${TRUSTGATE:-trustgate}"
case "$TRUSTGATE" in
  /*) ;;
  */*) TRUSTGATE="$PWD/$TRUSTGATE" ;;
esac
WORK="$(mktemp -d "${TMPDIR:-/tmp}/trustgate-example.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# make_rootfs DIR PEM... — a Debian 12 layout whose CA bundle holds the given certificates, with the
# /usr/lib/ssl/cert.pem link OpenSSL reads by default.
make_rootfs() {
  local root="$1"
  shift
  mkdir -p "$root/etc/ssl/certs" "$root/usr/lib/ssl"
  printf 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n' >"$root/etc/os-release"
  : >"$root/etc/ssl/certs/ca-certificates.crt"
  local pem
  for pem in "$@"; do cat "$pem" >>"$root/etc/ssl/certs/ca-certificates.crt"; done
  ln -s /etc/ssl/certs/ca-certificates.crt "$root/usr/lib/ssl/cert.pem"
  ln -s /etc/ssl/certs "$root/usr/lib/ssl/certs"
}

# make_repo DIR FILE... — a git repository whose first commit holds the given files (copied by name).
make_repo() {
  local repo="$1"
  shift
  mkdir -p "$repo"
  git -C "$repo" init -q
  local file
  for file in "$@"; do cp "$file" "$repo/"; done
  git -C "$repo" add -A
  git -C "$repo" -c user.name=example -c user.email=example@example.invalid commit -q --allow-empty -m baseline
}

# run_trustgate ARG... — prints the command as a user would type it, runs it, and exits with its status.
run_trustgate() {
  local shown="${*//$WORK/\$WORK}"
  shown="${shown//$EXAMPLE/\$EXAMPLE}"
  echo "\$ trustgate $shown"
  set +e
  "$TRUSTGATE" "$@"
  local status=$?
  set -e
  echo "exit status: $status"
  exit "$status"
}
