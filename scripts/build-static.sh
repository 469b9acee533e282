#!/usr/bin/env bash
# Builds the release binary that images ship and `make bench` measures, into .build-static (SCRATCH overrides it).
# Extra arguments go to `swift build` (e.g. --product trustgate). Prints the binary's path on the last line.
#
# Besides the Swift standard library (--static-swift-stdlib), it links in what start-up would otherwise load:
#   - libstdc++ and libgcc, which the Swift runtime needs. libstdc++.so alone brings about 4,300 symbol relocations
#     that the dynamic loader resolves at every start (measured here: 1.4 ms of a C program's start-up).
#   - no exported symbols: Swift's link line adds --export-dynamic, which exported our 12,600 symbols (the runtime's
#     start-up `dladdr` scans them all); nothing loads this program as a library, so nothing needs them.
#   - no $ORIGIN run path: the loader probed the build folder for every library first (24 failed lookups).
#   - lld with packed relative relocations (DT_RELR): the 86,000 relative relocations take 17 KB instead of 2 MB.
# Together `trustgate --version` went from 11.8 to 9.9 ms (medians of 80 alternated runs, scripts/BENCH-RESULTS.md).
#   - concrete type metadata through accessors, not mangled names (`-disable-concrete-type-metadata-mangled-name-
#     accessors`): the runtime demangled a name at the first use of each generic type (a `[String: Finding]`), 7.9 %
#     of `inspect`'s samples with the protocol-conformance scans it set off; 2.3 % after. `inspect` 2.5 ms faster
#     (medians of 80 alternated runs, scripts/BENCH-RESULTS.md, session 28).
# Each part is used only where this machine has it: without libstdc++.a or lld the build is still correct, only
# slower to start.
set -euo pipefail
cd "$(dirname "$0")/.."
scratch="${SCRATCH:-.build-static}"
flags=(-c release --static-swift-stdlib --scratch-path "$scratch" --disable-local-rpath -Xlinker --no-export-dynamic
  -Xswiftc -Xfrontend -Xswiftc -disable-concrete-type-metadata-mangled-name-accessors)

swiftc="$(readlink -f "$(command -v swiftc || command -v swift)")"
toolchain_bin="$(dirname "$swiftc")"
# The compiler that finds libstdc++.a: the toolchain's clang (Swift's images have no gcc), else the system's.
libstdcxx=""
for cc in "$toolchain_bin/clang" c++ gcc; do
  if command -v "$cc" >/dev/null 2>&1; then
    candidate="$("$cc" -print-file-name=libstdc++.a 2>/dev/null || true)"
    if [[ "$candidate" == /* && -f "$candidate" ]]; then libstdcxx="$candidate"; break; fi
  fi
done
if [[ -n "$libstdcxx" ]]; then
  # Swift's static link line says -lstdc++; a folder holding only the archive makes that name resolve to it.
  libs="$scratch/static-libs"
  [[ "$libs" == /* ]] || libs="$PWD/$libs"
  mkdir -p "$libs"
  ln -sfn "$libstdcxx" "$libs/libstdc++.a"
  flags+=(-Xlinker -L"$libs" -Xswiftc -Xclang-linker -Xswiftc -static-libgcc)
else
  echo "build-static: no libstdc++.a (Debian: libstdc++-12-dev); libstdc++ stays a shared library" >&2
fi
if [[ -x "$toolchain_bin/ld.lld" ]]; then
  flags+=(-Xswiftc -use-ld=lld -Xlinker -z -Xlinker pack-relative-relocs)
else
  echo "build-static: no ld.lld beside swiftc; linking with the default linker" >&2
fi

swift build "${flags[@]}" "$@" >&2
echo "$(swift build "${flags[@]}" --show-bin-path)/trustgate"
