#!/usr/bin/env bash
# Fuzzes every parser of user files with libFuzzer, FUZZ_SECONDS (default 60) seconds each, seeded from
# Tests/Fixtures and fuzz/seeds. One executable, fuzz-parsers; FUZZ_TARGET picks the parser.
#
# Usage: scripts/fuzz.sh [TARGET...] [-- extra libFuzzer flags...]
#   targets: lockfiles certificates decodes policy policyalias envfile snapshot proxy platform metadata ini opensslcnf
#            keystore node tar image
#            (default: all)
# Crashes land in fuzz-artifacts/TARGET/; replay one with a plain build:
#   FUZZ_TARGET=tar swift run fuzz-parsers fuzz-artifacts/tar/crash-…
# A summary line per target (runs, coverage, crashes) goes to fuzz-artifacts/summary.txt.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
all=(lockfiles certificates decodes policy policyalias envfile snapshot proxy platform metadata ini opensslcnf keystore node
  tar image)
targets=()
extra=()
while [[ $# -gt 0 ]]; do
  if [[ "$1" == "--" ]]; then shift; extra=("$@"); break; fi
  targets+=("$1"); shift
done
[[ ${#targets[@]} -gt 0 ]] || targets=("${all[@]}")

swift build -c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING \
  --product fuzz-parsers --scratch-path .build-fuzz 2>&1 | grep -v "Cannot export local symbol" || true
bin=.build-fuzz/debug/fuzz-parsers
[[ -x "$bin" ]] || { echo "fuzz.sh: build failed" >&2; exit 1; }

# Seeds for a target: fixture files copied into one directory (libFuzzer takes directories).
seed() {
  local target="$1" dir=".build-fuzz/seeds/$1"
  rm -rf "$dir"
  mkdir -p "$dir"
  case "$target" in
  lockfiles) find Tests/Fixtures/lockfiles fuzz/seeds/lockfiles -type f ;;
  certificates) find Tests/Fixtures/pki -type f -size -64k ;;
  decodes)
    # PEM texts for the lazy index, and every fixture certificate as DER for the twin template against d2i_X509.
    mkdir -p .build-fuzz/der-seeds
    for pem in Tests/Fixtures/pki/*.pem; do
      openssl x509 -in "$pem" -outform DER -out ".build-fuzz/der-seeds/$(basename "$pem" .pem).der" 2>/dev/null || true
    done
    find Tests/Fixtures/pki -type f -size -64k
    find .build-fuzz/der-seeds -type f -size +0
    # Bundles malformed the usual ways (joined without a newline, bad base64, not DER, indented, cut short), where
    # the clients' PEM readers part (PEMDialects).
    find fuzz/seeds/decodes -type f
    ;;
  policy) find fuzz/seeds/policy -type f; echo .trustgate.yml ;;
  policyalias) find fuzz/seeds/policy -type f -name '*alias*' ;;
  envfile) find fuzz/seeds/envfile -type f ;;
  snapshot) find fuzz/seeds/snapshot -type f ;;
  proxy) find fuzz/seeds/proxy -type f ;;
  platform) find Tests/Fixtures/rootfs -type f \( -name os-release -o -name status -o -name installed \) ;;
  metadata) find Tests/Fixtures/python -type f \( -name METADATA -o -name PKG-INFO -o -name pyvenv.cfg \) ;;
  ini) find /etc/pip.conf /etc/gitconfig "$HOME/.gitconfig" "$HOME/.config/pip" Tests/Fixtures fuzz/seeds/ini -type f \
    \( -name '*.conf' -o -name '*gitconfig' -o -name config -o -name '*curlrc' \) -size -64k 2>/dev/null ;;
  opensslcnf) find /etc/ssl/openssl.cnf /usr/lib/ssl/openssl.cnf fuzz/seeds/opensslcnf -type f -size -64k 2>/dev/null ;;
  keystore)
    # Stores made by the real keytool (JKS; PKCS #12 with encrypted certificates) and openssl (PKCS #12 without
    # Oracle's attribute), from the fixture roots.
    local made=.build-fuzz/keystore-seeds
    rm -rf "$made" && mkdir -p "$made"
    for pem in Tests/Fixtures/pki/*root*.pem; do
      name=$(basename "$pem" .pem)
      for type in JKS PKCS12; do
        keytool -importcert -noprompt -alias "$name" -file "$pem" -keystore "$made/$name.$type" -storetype "$type" \
          -storepass changeit >/dev/null 2>&1 || true
      done
      openssl pkcs12 -export -nokeys -in "$pem" -out "$made/$name.openssl.p12" -passout pass:changeit 2>/dev/null || true
    done
    find "$made" -type f -size +0
    ;;
  node)
    # Small programs made by the real gcc that hold what a node holds (roots side by side in .rodata, process.config,
    # OPENSSLDIR), and NODE_OPTIONS texts.
    local made=.build-fuzz/node-seeds
    rm -rf "$made" && mkdir -p "$made"
    gcc -Os -s -o "$made/node" fuzz/seeds/node/node.c 2>/dev/null || true
    gcc -Os -s -DSHARED -o "$made/node-shared" fuzz/seeds/node/node.c 2>/dev/null || true
    find "$made" fuzz/seeds/node -type f ! -name '*.c' -size +0
    ;;
  tar) find Tests/Fixtures/images -type f \( -name 'gnu-longname.tar' -o -path '*app-oci/blobs/*' \) ;;
  image) find Tests/Fixtures/images -maxdepth 1 -type f -name '*.tar' ;;
  esac | while read -r file; do cp "$file" "$dir/$(echo "$file" | tr / _)"; done
  echo "$dir"
}

# Leak checking stays off, as when TOMLKit (which leaked on every parse) was a dependency.
export ASAN_OPTIONS=detect_leaks=0
# Swift's own crash handler trips ASan and hides the real report.
export SWIFT_BACKTRACE=enable=no
mkdir -p fuzz-artifacts
status=0
for target in "${targets[@]}"; do
  seeds="$(seed "$target")"
  corpus=".build-fuzz/corpus/$target"
  mkdir -p "$corpus" "fuzz-artifacts/$target"
  max_len=8192
  [[ "$target" == tar || "$target" == image || "$target" == keystore || "$target" == node ]] && max_len=65536
  dict=()
  [[ -f "fuzz/$target.dict" ]] && dict=(-dict="fuzz/$target.dict")
  echo "== $target: ${seconds}s"
  log="fuzz-artifacts/$target/last.log"
  FUZZ_TARGET="$target" "$bin" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=4096 \
    -detect_leaks=0 -print_final_stats=1 -artifact_prefix="fuzz-artifacts/$target/" "${dict[@]}" "${extra[@]}" \
    "$corpus" "$seeds" >"$log" 2>&1
  rc=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
  crashes=$(find "fuzz-artifacts/$target" -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' | wc -l)
  line="$target: exit $rc, runs ${runs:-?}, ${cov:-cov: ?}, artifacts $crashes"
  echo "$line" | tee -a fuzz-artifacts/summary.txt
  [[ $rc -eq 0 ]] || { status=1; tail -30 "$log"; }
done
rm -f /tmp/trustgate-fuzz-image-*.tar
exit $status
