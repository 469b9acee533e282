#!/usr/bin/env bash
# with-scenario.sh [--venv DIR] SCENARIO -- COMMAND…
# with-scenario.sh --list                 one line per scenario: name, server (root kind), description
#
# Runs COMMAND in a conformance scenario: a clean environment (env -i: PATH, LANG, a scratch HOME of the scenario,
# NODE_OPTIONS=--use-openssl-ca and the scenario's trust variables; with --venv also VIRTUAL_ENV=DIR and DIR/bin
# first on PATH) inside a private mount namespace (unshare -m) where /etc/pip.conf is the scenario's (empty unless
# the scenario sets `cert`) and, for the OS-store scenarios, /etc/ssl/certs is the PKI's os-certs/ (this host's store
# plus the private root).
# The real client probe and `trustgate verify` are both run through this script, so they see the same setting.
# Needs the fixtures (build-fixtures.sh). Exits 3 when the scenario cannot be set up here (no fixtures; a mount
# namespace needed and unshare -m not permitted), 2 for bad usage, else COMMAND's status.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="$("$here/cache-dir.sh")"
pki="$cache/pki"

# name | server | description. The server is the root kind whose chain s_server serves (make-pki.sh).
SCENARIOS="none|ku|nothing set
ssl-cert-file|ku|SSL_CERT_FILE = a bundle (OS roots + the private root)
ssl-cert-dir|ku|SSL_CERT_DIR = a folder with the root and its hash link
requests-ca-bundle|ku|REQUESTS_CA_BUNDLE = the bundle
requests-ca-bundle-folder|ku|REQUESTS_CA_BUNDLE = the hash-linked folder
curl-ca-bundle|ku|CURL_CA_BUNDLE = the bundle
missing-file+ssl-cert-dir|ku|SSL_CERT_FILE names a missing file, SSL_CERT_DIR the hash-linked folder
missing-file+os-store|ku|SSL_CERT_FILE names a missing file, the root is in OpenSSL's default folder (mount namespace)
ssl-cert-file-folder|ku|SSL_CERT_FILE names the hash-linked folder
ssl-cert-dir-no-hash|ku|SSL_CERT_DIR = a folder of PEM files without hash links
requests-ca-bundle-no-hash|ku|REQUESTS_CA_BUNDLE = a folder of PEM files without hash links
rewritten-bundle|ku|SSL_CERT_FILE and REQUESTS_CA_BUNDLE = the bundle rewritten without the private root
os-store|ku|the root in the OS store only (mount namespace over /etc/ssl/certs)
pip-conf|ku|/etc/pip.conf cert = the root (mount namespace)
user-pip-conf|ku|~/.config/pip/pip.conf cert = the root
pip-cert|ku|PIP_CERT = the root
shotgun-cacerts|ku|SHOTGUN_API_CACERTS = the root
aws-ca-bundle|ku|AWS_CA_BUNDLE = the root
git-ssl-cainfo|ku|GIT_SSL_CAINFO = the root
every-var|ku|every trust variable = the root (keyUsage, SKID: RFC 5280-conformant)
every-var-noku|noku|every trust variable = a root without keyUsage
every-var-noski|noski|every trust variable = a root without subjectKeyIdentifier (intermediate without AKID)
intermediate-only|ku|every trust variable = the intermediate alone (no root: only PARTIAL_CHAIN verifies)"

if [[ "${1:-}" == "--list" ]]; then
  printf '%s\n' "$SCENARIOS" | tr '|' '\t'
  exit 0
fi

usage() { echo "usage: with-scenario.sh [--venv DIR] SCENARIO -- COMMAND… (or --list); $*" >&2; exit 2; }
inside=0
venv=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --venv) venv="${2:?--venv needs a folder}"; shift 2 ;;
    --inside) inside=1; shift ;;
    *) break ;;
  esac
done
scenario="${1:-}"
[[ -n "$scenario" ]] || usage "no scenario given"
shift
[[ "${1:-}" == "--" ]] || usage "expected -- after the scenario"
shift
[[ $# -gt 0 ]] || usage "no command given"
printf '%s\n' "$SCENARIOS" | cut -d'|' -f1 | grep -qxF -- "$scenario" \
  || usage "unknown scenario '$scenario' (see --list)"
[[ -f "$cache/complete" ]] || { echo "with-scenario: no fixtures at $cache; run build-fixtures.sh" >&2; exit 3; }

every_var() { # CA file → every variable a client reads
  vars+=("SSL_CERT_FILE=$1" "REQUESTS_CA_BUNDLE=$1" "CURL_CA_BUNDLE=$1" "PIP_CERT=$1" "SHOTGUN_API_CACERTS=$1"
    "AWS_CA_BUNDLE=$1" "GIT_SSL_CAINFO=$1" "NODE_EXTRA_CA_CERTS=$1")
}

vars=()
os_store=0
pip_conf=""
user_pip_conf=""
case "$scenario" in
  none) ;;
  ssl-cert-file) vars+=("SSL_CERT_FILE=$pki/bundle-ku.pem") ;;
  ssl-cert-dir) vars+=("SSL_CERT_DIR=$pki/hashdir") ;;
  requests-ca-bundle) vars+=("REQUESTS_CA_BUNDLE=$pki/bundle-ku.pem") ;;
  requests-ca-bundle-folder) vars+=("REQUESTS_CA_BUNDLE=$pki/hashdir") ;;
  curl-ca-bundle) vars+=("CURL_CA_BUNDLE=$pki/bundle-ku.pem") ;;
  missing-file+ssl-cert-dir) vars+=("SSL_CERT_FILE=$pki/missing.pem" "SSL_CERT_DIR=$pki/hashdir") ;;
  missing-file+os-store) vars+=("SSL_CERT_FILE=$pki/missing.pem"); os_store=1 ;;
  ssl-cert-file-folder) vars+=("SSL_CERT_FILE=$pki/hashdir") ;;
  ssl-cert-dir-no-hash) vars+=("SSL_CERT_DIR=$pki/plaindir") ;;
  requests-ca-bundle-no-hash) vars+=("REQUESTS_CA_BUNDLE=$pki/plaindir") ;;
  rewritten-bundle) vars+=("SSL_CERT_FILE=$pki/bundle-rewritten.pem" "REQUESTS_CA_BUNDLE=$pki/bundle-rewritten.pem") ;;
  os-store) os_store=1 ;;
  pip-conf) pip_conf="$pki/ca-ku.pem" ;;
  user-pip-conf) user_pip_conf="$pki/ca-ku.pem" ;;
  pip-cert) vars+=("PIP_CERT=$pki/ca-ku.pem") ;;
  shotgun-cacerts) vars+=("SHOTGUN_API_CACERTS=$pki/ca-ku.pem") ;;
  aws-ca-bundle) vars+=("AWS_CA_BUNDLE=$pki/ca-ku.pem") ;;
  git-ssl-cainfo) vars+=("GIT_SSL_CAINFO=$pki/ca-ku.pem") ;;
  every-var) every_var "$pki/ca-ku.pem" ;;
  every-var-noku) every_var "$pki/ca-noku.pem" ;;
  every-var-noski) every_var "$pki/ca-noski.pem" ;;
  intermediate-only) every_var "$pki/intermediate-ku.pem" ;;
esac

# The scenario's own files, made at every call (cheap): a scratch HOME and the pip.conf files.
state="$cache/scenarios/$scenario"
home="$state/home"
if [[ $inside -eq 0 ]]; then
  # Same bytes at every call, written by rename, so calls running side by side never see a half-written file.
  put() { mkdir -p "$(dirname "$1")"; printf '%s' "$2" >"$1.$$"; mv -f "$1.$$" "$1"; }
  mkdir -p "$home"
  if [[ -n "$pip_conf" ]]; then put "$state/etc-pip.conf" "[global]"$'\n'"cert = $pip_conf"$'\n'
  else put "$state/etc-pip.conf" ""; fi
  [[ -n "$user_pip_conf" ]] && put "$home/.config/pip/pip.conf" "[global]"$'\n'"cert = $user_pip_conf"$'\n'
  needs_mounts=$((os_store || ${#pip_conf}))
  if unshare -m --propagation private true 2>/dev/null; then
    exec unshare -m --propagation private "$0" ${venv:+--venv "$venv"} --inside "$scenario" -- "$@"
  fi
  if [[ $needs_mounts -ne 0 ]]; then
    echo "with-scenario: '$scenario' needs a mount namespace and unshare -m is not permitted here" >&2
    exit 3
  fi
  echo "with-scenario: unshare -m not permitted; running '$scenario' with this host's /etc/pip.conf" >&2
else
  # In the private mount namespace: nothing here reaches the host.
  if [[ -e /etc/pip.conf ]]; then
    mount --bind "$state/etc-pip.conf" /etc/pip.conf
  elif [[ -n "$pip_conf" ]]; then
    # No /etc/pip.conf to bind over: an overlay on /etc that adds one.
    mkdir -p "$state/etc-upper" "$state/etc-work"
    cp "$state/etc-pip.conf" "$state/etc-upper/pip.conf"
    mount -t overlay overlay -o "lowerdir=/etc,upperdir=$state/etc-upper,workdir=$state/etc-work" /etc
  fi
  [[ $os_store -eq 1 ]] && mount --bind "$pki/os-certs" /etc/ssl/certs
fi

# NODE_OPTIONS in every scenario: node (a client only with a Node variable) on OpenSSL's store, which the scenarios
# vary; its bundled roots are NodeVerificationTests' cells. No other client reads it.
base=("PATH=${venv:+$venv/bin:}/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" "HOME=$home"
  "LANG=C.UTF-8" "LC_ALL=C.UTF-8" "NODE_OPTIONS=--use-openssl-ca")
[[ -n "$venv" ]] && base+=("VIRTUAL_ENV=$venv")
[[ -n "${TRUSTGATE_CACHE_DIR:-}" ]] && base+=("TRUSTGATE_CACHE_DIR=$TRUSTGATE_CACHE_DIR")
exec env -i "${base[@]}" "${vars[@]}" "$@"
