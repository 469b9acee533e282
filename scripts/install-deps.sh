#!/usr/bin/env bash
# Installs what trustgate needs to build and test on Debian/Ubuntu, only when it is missing.
set -euo pipefail
need=()
pkg-config --exists openssl 2>/dev/null || need+=(libssl-dev)
pkg-config --exists libgit2 2>/dev/null || need+=(libgit2-dev)
command -v pkg-config >/dev/null || need+=(pkg-config)
command -v openssl >/dev/null || need+=(openssl)
if [[ "${1:-}" == "--test" ]]; then
  command -v xmllint >/dev/null || need+=(libxml2-utils)
  command -v umoci >/dev/null || need+=(umoci)
  command -v skopeo >/dev/null || need+=(skopeo)
  command -v git >/dev/null || need+=(git)
  command -v strace >/dev/null || need+=(strace)
  command -v curl >/dev/null || need+=(curl)
  # The go command, a client of the conformance matrix and GoVerificationTests (Debian installs it in /usr/bin).
  command -v go >/dev/null || [[ -x /usr/lib/go/bin/go ]] || need+=(golang-go)
  # A real HTTP CONNECT proxy for `verify --connect` (Debian installs it in /usr/bin).
  command -v tinyproxy >/dev/null || [[ -x /usr/sbin/tinyproxy ]] || need+=(tinyproxy)
  # A JDK (java, javac, keytool) and Maven: the real clients of JavaVerificationTests and MavenVerificationTests.
  command -v javac >/dev/null && command -v keytool >/dev/null || need+=(openjdk-17-jdk-headless)
  command -v mvn >/dev/null || need+=(maven)
  command -v unshare >/dev/null || need+=(util-linux)
  # Real Debian roots for --root and image tests (bookworm and trixie: the keyring holds both).
  command -v debootstrap >/dev/null || need+=(debootstrap)
  [[ -f /usr/share/keyrings/debian-archive-keyring.gpg ]] || need+=(debian-archive-keyring)
fi
if [[ "${1:-}" == "--bench" ]]; then
  command -v hyperfine >/dev/null || need+=(hyperfine)
fi
if ((${#need[@]})); then
  echo "installing: ${need[*]}" >&2
  sudo_cmd=""
  [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need[@]}" >/dev/null
fi
if [[ "${1:-}" == "--test" ]]; then
  python3 -c 'import jsonschema' 2>/dev/null || python3 -m pip install -q jsonschema
  # The JUnit report is read back with xunitparser, which stops on a property written twice.
  python3 -c 'import xunitparser' 2>/dev/null || python3 -m pip install -q xunitparser
fi
