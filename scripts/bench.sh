#!/usr/bin/env bash
# Benchmarks, cold: trustgate keeps nothing between runs, so every run reads and parses everything it judges.
# Each comparison group is ONE hyperfine run (--warmup 3 warms only the OS page cache), so ratios against its
# yardsticks hold on a shared, noisy machine; peak memory is /usr/bin/time's maximum RSS. Prints command, mean ms,
# ratio, target and PASS/MISS, and keeps hyperfine's JSON in $BENCH_DIR/results.
#
# Yardsticks are real programs, never shims: the Python interpreter is the one `python3` resolves to
# (`sys.executable`), not pyenv's shim script.
#
# Usage: scripts/bench.sh [--quick] [--no-build] [--no-image]
#   --quick     the machine and bundle groups only, fewer runs; no git history, no image
#   --no-build  use the existing binary
#   --no-image  skip the 500 MB image group (its input takes minutes to make)
# Environment:
#   BENCH_DIR   inputs and results (default /tmp/trustgate-bench); inputs are generated once and kept
#   TRUSTGATE   the binary to measure (default: scripts/build-static.sh's release build in .build-static, what
#               images ship; it starts much faster than the dynamic build). BENCH_BUILD=dynamic measures
#               .build/release/trustgate instead.
set -euo pipefail
cd "$(dirname "$0")/.."
repo_dir="$PWD"
quick=0
build=1
with_image=1
for arg in "$@"; do
  case "$arg" in
  --quick) quick=1 ;;
  --no-build) build=0 ;;
  --no-image) with_image=0 ;;
  *) echo "usage: $0 [--quick] [--no-build] [--no-image]" >&2; exit 2 ;;
  esac
done
dir="${BENCH_DIR:-/tmp/trustgate-bench}"
mkdir -p "$dir/results"
results="$dir/results"
rm -f "$results"/*.json "$results"/rss.tsv

if [[ -n "${TRUSTGATE:-}" ]]; then
  bin="$TRUSTGATE"
elif [[ "${BENCH_BUILD:-static}" == dynamic ]]; then
  bin="$repo_dir/.build/release/trustgate"
  [[ $build == 0 ]] || swift build -c release --product trustgate
else
  bin="$repo_dir/.build-static/release/trustgate"
  [[ $build == 0 ]] || scripts/build-static.sh --product trustgate >/dev/null
fi
[[ -x "$bin" ]] || { echo "bench: no binary at $bin" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "bench: hyperfine is not installed" >&2; exit 1; }

# The real interpreters: what `python3` resolves to, and one with `cryptography` for the bundle yardstick (the
# system Python's, when the first has none).
python=$(python3 -c 'import sys; print(sys.executable)')
crypto_python=""
for candidate in "$python" /usr/bin/python3; do
  if "$candidate" -c 'import cryptography.x509' 2>/dev/null; then crypto_python="$candidate"; break; fi
done
[[ -n "$crypto_python" ]] || { echo "bench: no Python with cryptography (apt-get install python3-cryptography)" >&2; exit 1; }

# ---- inputs, made once -------------------------------------------------------------------------------------------
gen() { python3 "$repo_dir/scripts/fixtures/make-bench-lockfiles.py" "$@"; }
empty_repo="$dir/empty-repo"
mkdir -p "$empty_repo"
small_root="$dir/small-root"
if [[ ! -f "$small_root/etc/ssl/certs/ca-certificates.crt" ]]; then
  mkdir -p "$small_root/etc/ssl/certs"
  cp /etc/ssl/certs/ca-certificates.crt "$small_root/etc/ssl/certs/"
  cp /etc/os-release "$small_root/etc/os-release" 2>/dev/null || true
fi
bundle_root="$dir/bundle-root"
if [[ ! -f "$bundle_root/etc/ssl/certs/ca-certificates.crt" ]]; then
  scripts/fixtures/make-big-bundle.sh "$bundle_root/etc/ssl/certs/ca-certificates.crt" 5000
fi
req_repo="$dir/requirements-repo"
if [[ ! -f "$req_repo/requirements.txt" ]]; then
  mkdir -p "$req_repo"
  gen requirements "$req_repo/requirements.txt" 10000
fi
history_repo="$dir/history-repo"
image="$dir/big-image.tar"
if [[ $quick == 0 ]]; then
  if [[ ! -f "$history_repo.done" ]]; then
    rm -rf "$history_repo" "$dir/locks"
    mkdir -p "$dir/locks"
    gen uv "$dir/locks/uv.lock" 2000 1
    gen uv "$dir/locks/uv.lock.next" 2000 2
    gen poetry "$dir/locks/poetry.lock" 2000 1
    gen poetry "$dir/locks/poetry.lock.next" 2000 2
    git init -q -b main "$history_repo"
    gen fast-import 10000 "$dir/locks" | git -C "$history_repo" fast-import --quiet
    git -C "$history_repo" checkout -q -f main
    touch "$history_repo.done"
  fi
  [[ -f "$dir/history-baseline.json" ]] ||
    "$bin" baseline --root "$small_root" --repo "$history_repo" --output "$dir/history-baseline.json" >/dev/null
  [[ $with_image == 0 || -f "$image" ]] || scripts/fixtures/make-big-image.sh "$image"
fi

# ---- measuring ---------------------------------------------------------------------------------------------------
runs=()
[[ $quick == 1 ]] && runs=(--min-runs 5) && interleaved_rounds=10
# group NAME CMD... : one hyperfine invocation, every command measured side by side.
group() {
  local name="$1"
  shift
  echo "== $name" >&2
  hyperfine --warmup 3 "${runs[@]}" -N -i --style basic --export-json "$results/$name.json" "$@" >&2
}
# rss NAME CMD: peak resident memory in KiB.
rss() {
  local name="$1"
  shift
  local kib
  kib=$(/usr/bin/time -f %M -o "$results/rss.tmp" "$@" >/dev/null 2>&1; tail -1 "$results/rss.tmp")
  printf '%s\t%s\n' "$name" "$kib" >>"$results/rss.tsv"
}

openssl_run="openssl storeutl -noout -certs /etc/ssl/certs/ca-certificates.crt"
python_probe="$python -c 'import ssl; ssl.create_default_context()'"
inspect_here="$bin inspect"
startup="$bin --version"
openssl_startup="openssl version"
# Context for the first target: openssl storeutl over every PEM file `inspect` reads on this host, concatenated
# (the OS bundle, each real file of the store folders, every Python's certifi, pip's copy and vendored bundles; the
# JDK's keystore left out, storeutl cannot read it). The target compares inspect with storeutl on ONE bundle; this
# row says what OpenSSL's own reader takes for the certificates inspect actually reads. Made from `inspect --format
# json` of this run's binary, before measuring.
inspected_pem="$dir/inspected-certificates.pem"
"$bin" inspect --format json 2>/dev/null | python3 -c '
import json, os, sys
snapshot = json.load(sys.stdin)
paths = [s["path"] for s in snapshot["stores"] if s["kind"] == "bundle"]
for store in snapshot["stores"]:
    if store["kind"] != "bundle" and os.path.isdir(store["path"]):
        for folder, _, names in os.walk(store["path"], followlinks=store["kind"] == "directory"):
            paths += [os.path.join(folder, name) for name in sorted(names)]
            if store["kind"] != "directory":
                break
for env in snapshot["python"]["environments"]:
    paths += [b["path"] for b in [env.get("certifi"), env.get("pipCertifi")] + env.get("vendoredBundles", []) if b]
seen, out = set(), open(sys.argv[1], "wb")
for path in paths:
    real = os.path.realpath(path)
    if real in seen or not os.path.isfile(real):
        continue
    seen.add(real)
    data = open(real, "rb").read()
    if b"-----BEGIN CERTIFICATE-----" in data:
        out.write(data if data.endswith(b"\n") else data + b"\n")
' "$inspected_pem" || : >"$inspected_pem" # without it the row measures an empty file, and says 0 certificates
inspected_count=$(grep -c -- '-----BEGIN CERTIFICATE-----' "$inspected_pem" || true)
openssl_inspected="openssl storeutl -noout -certs $inspected_pem"

# This machine and repository: openssl reading the system bundle, Python's default context, trustgate's process
# start-up alone (--version), a whole inspection, and openssl's own start-up (`openssl version`): the two start-ups
# tell how the work after start-up compares.
group machine "$openssl_run" "$python_probe" "$startup" "$inspect_here" "$openssl_startup" "$openssl_inspected"
rss "$inspect_here" $inspect_here
# The same comparison with the commands interleaved, one run of each per round, and medians: hyperfine runs each
# command's runs as one block, so on a shared machine a slow or fast spell lands on one command only (between full
# runs here openssl's mean ranged 33-48 ms). A cross-check of the table's first ratio, not a target of its own.
python3 - "$results/machine-interleaved.json" "${interleaved_rounds:-40}" "$openssl_run" "$inspect_here" \
  "$startup" "$openssl_startup" <<'PY'
import json, shlex, statistics, subprocess, sys, time
out, rounds, commands = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
times = {command: [] for command in commands}
for turn in range(rounds + 3):
    for command in commands[turn % len(commands):] + commands[:turn % len(commands)]:
        start = time.perf_counter()
        subprocess.run(shlex.split(command), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        if turn >= 3:  # the first rounds warm the page cache, like hyperfine's --warmup
            times[command].append((time.perf_counter() - start) * 1000)
json.dump({"results": [{"command": c, "median": statistics.median(t), "times": t} for c, t in times.items()]},
          open(out, "w"))
PY

# A 5,000-certificate bundle: Python cryptography parsing it (interpreter start-up included, as trustgate's is)
# against trustgate inspecting a root that holds it; a 10,000-pin requirements file beside a small root.
bundle_file="$bundle_root/etc/ssl/certs/ca-certificates.crt"
crypto_load="$crypto_python -c 'from cryptography import x509; x509.load_pem_x509_certificates(open(\"$bundle_file\", \"rb\").read())'"
small="$bin inspect --root $small_root --repo $empty_repo"
bundle="$bin inspect --root $bundle_root --repo $empty_repo"
requirements="$bin inspect --root $small_root --repo $req_repo"
group inputs "$crypto_load" "$bundle" "$small" "$requirements"
for command in "$bundle" "$requirements"; do rss "$command" $command; done

# `check` on this host with 3 endpoints in the policy (each verified for every client present) against `check` with
# the same policy minus the endpoints. The chains come from a private PKI made once by openssl.
endpoints_repo="$dir/endpoints-repo"
plain_repo="$dir/endpoints-plain-repo"
if [[ ! -f "$endpoints_repo/.trustgate.yml" ]]; then
  mkdir -p "$endpoints_repo/tls" "$plain_repo"
  (
    cd "$endpoints_repo/tls"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout root.key -subj "/CN=bench root" \
      -days 3650 -addext "keyUsage=critical,keyCertSign" -out root.pem 2>/dev/null
    for name in api auth files; do
      openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$name.key" -subj "/CN=$name.example" \
        -out "$name.csr" 2>/dev/null
      printf 'subjectAltName=DNS:%s.example\n' "$name" >"$name.ext"
      openssl x509 -req -in "$name.csr" -CA root.pem -CAkey root.key -CAcreateserial -days 365 -extfile "$name.ext" \
        -out "$name.pem" 2>/dev/null
      rm -f "$name.key" "$name.csr" "$name.ext"
    done
    rm -f root.key
  )
  printf 'version: 1\n' >"$plain_repo/.trustgate.yml"
  {
    printf 'version: 1\nendpoints:\n'
    for name in api auth files; do printf '  - name: %s\n    chain: tls/%s.pem\n    host: %s.example\n' "$name" "$name" "$name"; done
  } >"$endpoints_repo/.trustgate.yml"
fi
e_plain="$bin check --repo $plain_repo --annotations none"
e_three="$bin check --repo $endpoints_repo --annotations none"
group endpoints "$e_plain" "$e_three"

if [[ $quick == 0 ]]; then
  # 10,000 commits, 2,000-package lockfiles: check against a git ref (HEAD~1's lockfiles read through libgit2) and
  # against a recorded baseline, beside an inspection of the same tree.
  h_inspect="$bin inspect --root $small_root --repo $history_repo"
  h_ref="$bin check --root $small_root --repo $history_repo --baseline-ref HEAD~1"
  h_file="$bin check --root $small_root --repo $history_repo --baseline $dir/history-baseline.json"
  # The floor under --baseline-ref: git itself reading HEAD~1's two lockfiles (8.7 MB inflated from the pack, one
  # of them a delta on the other), before any parsing or diffing.
  h_git="git -C $history_repo archive --format=tar HEAD~1 uv.lock poetry.lock"
  group history "$h_inspect" "$h_ref" "$h_file" "$h_git"
  for command in "$h_inspect" "$h_ref" "$h_file"; do rss "$command" $command; done

  if [[ $with_image == 1 ]]; then
    # Gating a 500 MB image against reading (and hashing) it once.
    i_hash="sha256sum $image"
    i_check="$bin check --image $image"
    group image "$i_hash" "$i_check"
    rss "$i_check" $i_check
  fi
fi

# ---- table -------------------------------------------------------------------------------------------------------
python3 - "$results" "$bin" "$quick" "$inspected_count" <<'PY'
import json, os, sys
results, binary, quick = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
inspected_count = sys.argv[4]
rss = {}
if os.path.exists(f"{results}/rss.tsv"):
    for line in open(f"{results}/rss.tsv"):
        name, _, kib = line.rstrip("\n").rpartition("\t")
        rss[name] = int(kib) if kib.isdigit() else None

def load(group):
    path = f"{results}/{group}.json"
    if not os.path.exists(path):
        return None
    # A list, not a dict: the same command appears twice when a preparation tells the runs apart.
    return [(r["command"], r["mean"] * 1000, (r["user"] + r["system"]) * 1000)
            for r in json.load(open(path))["results"]]

# (group, command index, label, yardstick index, max ratio, max ms, max MiB)
rows = []
def check(group, index, label, yard=None, ratio=None, ms=None, mib=None):
    rows.append((group, index, label, yard, ratio, ms, mib))

check("machine", 0, "openssl storeutl system bundle (yardstick)")
check("machine", 1, "python3 ssl.create_default_context() (yardstick)")
check("machine", 2, "trustgate --version (process start-up only)")
check("machine", 3, "trustgate inspect (this machine+repo)", 0, 1.0, None, 30)
check("machine", 3, "  ... vs python ssl default context", 1, 0.35)
check("machine", 4, "openssl version (its start-up only)")
check("machine", 5, f"openssl storeutl, inspect's {inspected_count} PEM certs")
check("machine", 3, "  ... inspect vs that (same input, context)", 5)
check("inputs", 0, "python cryptography, 5,000-cert bundle (yardstick)")
check("inputs", 1, "trustgate inspect, 5,000-cert bundle", 0, 1.0)
check("inputs", 2, "inspect small root, empty repo")
check("inputs", 3, "inspect 10,000-pin requirements")
check("endpoints", 0, "check, policy without endpoints (yardstick)")
check("endpoints", 1, "check, 3 endpoints verified per client", 0, 1.2)
if not quick:
    check("history", 0, "inspect, 10k commits, 2k-pkg locks (yardstick)")
    check("history", 1, "check --baseline-ref HEAD~1", 0, 1.3)
    check("history", 2, "check --baseline FILE", 0, 1.3)
    check("history", 3, "  git archive HEAD~1 lockfiles (ref's floor)", 0)
    check("image", 0, "sha256sum 500 MB image (yardstick)")
    check("image", 1, "check --image 500 MB tar", 0, None, 2000, 50)

print(f"\nbinary: {binary}")
# Targets are judged on wall-clock means (what a CI job waits for). The CPU columns (user + system) say what the
# ratio is when other work shares the cores: on a loaded machine wall times stretch by several times.
print(f"{'command':<48} {'mean ms':>9} {'ratio':>7} {'CPU ms':>8} {'CPU ratio':>9} {'RSS MiB':>8}  {'target':<22} result")
failed = 0
for group, index, label, yard, max_ratio, max_ms, max_mib in rows:
    data = load(group)
    if data is None:
        continue
    command, mean, cpu = data[index]
    ratio = mean / data[yard][1] if yard is not None else None
    cpu_ratio = cpu / data[yard][2] if yard is not None else None
    kib = rss.get(command)
    mib = kib / 1024 if kib else None
    targets, ok = [], True
    if max_ratio is not None:
        targets.append(f"ratio<={max_ratio:g}")
        ok &= ratio <= max_ratio
    if max_ms is not None:
        targets.append(f"<={max_ms:g}ms")
        ok &= mean <= max_ms
    if max_mib is not None and not label.startswith("  "):
        targets.append(f"<={max_mib}MiB")
        ok &= mib is not None and mib <= max_mib
    verdict = ("PASS" if ok else "MISS") if targets else ""
    failed += verdict == "MISS"
    print(f"{label:<48} {mean:9.1f} {'' if ratio is None else f'{ratio:7.3f}':>7} {cpu:8.1f} "
          f"{'' if cpu_ratio is None else f'{cpu_ratio:9.3f}':>9} "
          f"{'' if mib is None or label.startswith('  ') else f'{mib:8.1f}':>8}  {', '.join(targets):<22} {verdict}")
history = load("history")
if history is not None and len(history) > 3:
    # The floor under --baseline-ref on this machine: the inspection's CPU plus git's own reading of HEAD~1's
    # lockfiles, spread perfectly over every core, before the ref's lockfiles are parsed or anything is diffed.
    cores = os.cpu_count() or 1
    floor = (history[0][2] + history[3][2]) / cores
    print(f"\n--baseline-ref floor on {cores} cores: (inspect CPU {history[0][2]:.1f} + git archive CPU "
          f"{history[3][2]:.1f}) / {cores} = {floor:.1f} ms, {floor / history[0][1]:.3f} x inspect's "
          f"{history[0][1]:.1f} ms, before parsing the ref's lockfiles")
machine = load("machine")
if machine is not None and len(machine) > 4:
    # What each takes after its own process start-up: openssl's bundle reading against trustgate's whole inspection.
    theirs = machine[0][1] - machine[4][1]
    ours = machine[3][1] - machine[2][1]
    print(f"\nafter start-up: trustgate inspect {ours:.1f} ms (inspect - --version) against openssl storeutl "
          f"{theirs:.1f} ms (storeutl - openssl version): {ours / theirs:.3f} x; start-ups {machine[2][1]:.1f} ms "
          f"against {machine[4][1]:.1f} ms")
if os.path.exists(f"{results}/machine-interleaved.json"):
    interleaved = json.load(open(f"{results}/machine-interleaved.json"))["results"]
    storeutl, inspect, startup, openssl_startup = (r["median"] for r in interleaved)
    print(f"interleaved, {len(interleaved[0]['times'])} rounds, "
          f"medians: inspect {inspect:.1f} ms against storeutl {storeutl:.1f} ms: {inspect / storeutl:.3f} x; "
          f"after start-up {(inspect - startup) / (storeutl - openssl_startup):.3f} x; start-ups {startup:.1f} ms "
          f"against {openssl_startup:.1f} ms")
print(f"\n{failed} target(s) missed; JSON in {results}")
PY
