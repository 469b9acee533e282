#!/usr/bin/env bash
# Benchmarks: each comparison group is ONE hyperfine run (--warmup 3), so ratios against its yardstick hold on a
# shared, noisy machine; peak memory is /usr/bin/time's maximum RSS. Prints command, mean ms, ratio, target and
# PASS/MISS, and keeps hyperfine's JSON in $BENCH_DIR/results.
#
# Usage: scripts/bench.sh [--quick] [--no-build]
#   --quick     the #3 groups only (machine inspect, big bundle, big requirements), fewer runs; no image, no git
#   --no-build  use the existing binary
# Environment:
#   BENCH_DIR   inputs and results (default /tmp/trustgate-bench); inputs are generated once and kept
#   TRUSTGATE   the binary to measure (default: a release build with --static-swift-stdlib in .build-static,
#               what images ship; it starts much faster than the dynamic build). BENCH_BUILD=dynamic measures
#               .build/release/trustgate instead.
set -euo pipefail
cd "$(dirname "$0")/.."
repo_dir="$PWD"
quick=0
build=1
for arg in "$@"; do
  case "$arg" in
  --quick) quick=1 ;;
  --no-build) build=0 ;;
  *) echo "usage: $0 [--quick] [--no-build]" >&2; exit 2 ;;
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
  [[ $build == 0 ]] || swift build -c release --static-swift-stdlib --scratch-path .build-static --product trustgate
fi
[[ -x "$bin" ]] || { echo "bench: no binary at $bin" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "bench: hyperfine is not installed" >&2; exit 1; }

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
  [[ -f "$image" ]] || scripts/fixtures/make-big-image.sh "$image"
fi

# ---- measuring ---------------------------------------------------------------------------------------------------
# trustgate keeps what it parsed between runs, and whole snapshots with the kernel's answers that vouch for them (see
# `trustgate --help`); hyperfine's warm-up runs fill both, so plain rows measure a run with nothing changed (a
# pre-commit hook, a re-run job). "edited" rows touch a file or folder the run reads before each run: the stored
# snapshot no longer holds (and the touched path is too fresh to store another), so the run collects with the parse
# cache warm, as after an edit. "cold" rows run with TRUSTGATE_CACHE=off: every file parsed, as on a fresh CI runner.
export TRUSTGATE_CACHE_DIR="$dir/cache"
cold="env TRUSTGATE_CACHE=off"
runs=()
[[ $quick == 1 ]] && runs=(--min-runs 5)
# group NAME [--prepare CMD]... CMD... : one hyperfine invocation; the first command is the yardstick. Preparations,
# when given, are one per command (`true` for none).
group() {
  local name="$1"
  shift
  local prepare=()
  while [[ "${1:-}" == --prepare ]]; do
    prepare+=(--prepare "$2")
    shift 2
  done
  echo "== $name" >&2
  hyperfine --warmup 3 "${runs[@]}" -N -i --style basic "${prepare[@]}" --export-json "$results/$name.json" "$@" >&2
}
# settle CMD: lets paths touched by an "edited" row age past two seconds, then runs CMD once so it stores its
# snapshot again; the plain row's memory is then measured on the run it stands for.
settle() {
  sleep 2.1
  "$@" >/dev/null 2>&1 || true
}
# rss NAME CMD: peak resident memory in KiB.
rss() {
  local name="$1"
  shift
  local kib
  kib=$(/usr/bin/time -f %M -o "$results/rss.tmp" "$@" >/dev/null 2>&1; tail -1 "$results/rss.tmp")
  printf '%s\t%s\n' "$name" "$kib" >>"$results/rss.tsv"
}

python_probe='python3 -c "import ssl, certifi; ssl.create_default_context(cafile=certifi.where())"'
openssl_run='openssl storeutl -noout -certs /etc/ssl/certs/ca-certificates.crt'
inspect_here="$bin inspect"

# #3: inspect on this machine and repository against the Python probe and an openssl read of the system bundle.
# "edited": the repository's Sources folder touched before each run (its listing is one of the answers).
edit_here="touch $repo_dir/Sources"
group machine --prepare true --prepare true --prepare true --prepare "$edit_here" --prepare true \
  "$python_probe" "$openssl_run" "$inspect_here" "$inspect_here" "$cold $inspect_here"
settle $inspect_here
rss "$inspect_here" $inspect_here
touch "$repo_dir/Sources"
rss "$inspect_here, edited" $inspect_here
rss "$cold $inspect_here" $cold $inspect_here

# #3: a 5,000-certificate bundle and a 10,000-pin requirements file, each against a small root and empty repo. The
# requirements file is touched before each run, so it is parsed every time (the parser's own speed).
small="$bin inspect --root $small_root --repo $empty_repo"
bundle="$bin inspect --root $bundle_root --repo $empty_repo"
requirements="$bin inspect --root $small_root --repo $req_repo"
bundle_file="$bundle_root/etc/ssl/certs/ca-certificates.crt"
group inputs --prepare true --prepare true --prepare "touch $bundle_file" --prepare "touch $req_repo/requirements.txt" \
  --prepare true "$small" "$bundle" "$bundle" "$requirements" "$cold $bundle"
settle $bundle
for command in "$small" "$bundle" "$cold $bundle"; do rss "$command" $command; done
touch "$bundle_file"
rss "$bundle, edited" $bundle
touch "$req_repo/requirements.txt"
rss "$requirements" $requirements

if [[ $quick == 0 ]]; then
  # #4: check against a git ref and against a recorded baseline, 10,000 commits, 2,000-package lockfiles; plain, after
  # an edit (the repository folder touched: the current side is collected, with the parse cache), and cold.
  h_inspect="$bin inspect --root $small_root --repo $history_repo"
  h_ref="$bin check --root $small_root --repo $history_repo --baseline-ref HEAD~1"
  h_file="$bin check --root $small_root --repo $history_repo --baseline $dir/history-baseline.json"
  h_edit="touch $history_repo"
  group history --prepare true --prepare true --prepare true --prepare "$h_edit" --prepare "$h_edit" \
    --prepare "$h_edit" --prepare true --prepare true \
    "$h_inspect" "$h_ref" "$h_file" "$h_inspect" "$h_ref" "$h_file" "$cold $h_inspect" "$cold $h_ref"
  settle $h_inspect
  for command in "$h_inspect" "$h_ref" "$h_file" "$cold $h_inspect" "$cold $h_ref"; do rss "$command" $command; done

  # #5: gating a 500 MB image against reading (and hashing) it once.
  i_hash="sha256sum $image"
  i_check="$bin check --image $image"
  group image "$i_hash" "$i_check"
  rss "$i_check" $i_check
fi

# ---- table -------------------------------------------------------------------------------------------------------
python3 - "$results" "$bin" "$quick" <<'PY'
import json, os, sys
results, binary, quick = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
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
    return [(r["command"], r["mean"] * 1000) for r in json.load(open(path))["results"]]

# (group, command index, label, yardstick index, max ratio, max ms, max MiB)
rows = []
def check(group, index, label, yard=None, ratio=None, ms=None, mib=None):
    rows.append((group, index, label, yard, ratio, ms, mib))

check("machine", 0, "python ssl+certifi probe (yardstick)")
check("machine", 1, "openssl storeutl system bundle")
check("machine", 2, "trustgate inspect (this machine+repo)", 0, 0.1, None, 30)
check("machine", 2, "  ... vs openssl", 1, 1.0)
check("machine", 3, "trustgate inspect, edited (parse cache)", 0, 0.1, None, 30)
check("machine", 3, "  ... vs openssl", 1, 1.0)
check("machine", 4, "trustgate inspect, cold (cache off)", 0, 0.1, None, 30)
check("machine", 4, "  ... vs openssl", 1, 1.0)
check("inputs", 0, "inspect small root, empty repo (yardstick)")
check("inputs", 1, "inspect 5,000-cert bundle", 0, None, 100, 30)
check("inputs", 2, "inspect 5,000-cert bundle, edited", 0, None, 100, 30)
check("inputs", 3, "inspect 10,000-pin requirements (parsed each run)", 0, None, 50, 30)
check("inputs", 4, "inspect 5,000-cert bundle, cold", 0, None, 100, 30)
if not quick:
    check("history", 0, "inspect, 10k commits, 2k-pkg locks (yardstick)")
    check("history", 1, "check --baseline-ref HEAD~1", 0, 1.2)
    check("history", 2, "check --baseline FILE", 0, 1.2)
    check("history", 3, "inspect, edited (yardstick)")
    check("history", 4, "check --baseline-ref HEAD~1, edited", 3, 1.2)
    check("history", 5, "check --baseline FILE, edited", 3, 1.2)
    check("history", 6, "inspect, cold (yardstick)")
    check("history", 7, "check --baseline-ref HEAD~1, cold", 6, 1.2)
    check("image", 0, "sha256sum 500 MB image (yardstick)")
    check("image", 1, "check --image 500 MB tar", 0, None, 2000, 50)

print(f"\nbinary: {binary}")
print(f"{'command':<48} {'mean ms':>9} {'ratio':>7} {'RSS MiB':>8}  {'target':<26} result")
failed = 0
for group, index, label, yard, max_ratio, max_ms, max_mib in rows:
    data = load(group)
    if data is None:
        continue
    command, mean = data[index]
    ratio = mean / data[yard][1] if yard is not None else None
    kib = rss.get(command + ", edited" if ", edited" in label else command)
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
    print(f"{label:<48} {mean:9.1f} {'' if ratio is None else f'{ratio:7.3f}':>7} "
          f"{'' if mib is None or label.startswith('  ') else f'{mib:8.1f}':>8}  {', '.join(targets):<26} {verdict}")
print(f"\n{failed} target(s) missed; JSON in {results}")
PY
