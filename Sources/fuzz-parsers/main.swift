// SwiftPM gives every executable its own `main`, so libFuzzer's `main` is never linked; this one hands control to
// libFuzzer's driver instead. Built with `-sanitize=fuzzer -DFUZZING` (scripts/fuzz.sh) it fuzzes the parser named
// by FUZZ_TARGET; a plain build replays the files named on the command line through it, so `swift build` keeps
// working without the fuzzer runtime:  FUZZ_TARGET=tar swift run fuzz-parsers fuzz-artifacts/crash-…
#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

#if FUZZING
  @_silgen_name("LLVMFuzzerRunDriver")
  func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
  ) -> CInt

  _ = selectedTarget
  var argc = CommandLine.argc
  var argv = CommandLine.unsafeArgv
  exit(runFuzzerDriver(&argc, &argv) { data, size in testOneInput(data, size) })
#else
  import TrustgateCore

  let target = selectedTarget
  for path in CommandLine.arguments.dropFirst() {
    guard let file = fopen(path, "rb") else {
      print("cannot open \(path)")
      continue
    }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65_536)
    while true {
      let count = fread(&chunk, 1, chunk.count, file)
      if count <= 0 { break }
      bytes.append(contentsOf: chunk[0..<count])
    }
    fclose(file)
    let start = ContinuousClock.now
    target(bytes)
    print("ok \(path) in \(ContinuousClock.now - start)")
    // For lockfiles, also the reader trustgate picks for this file name, timed alone.
    if getenv("FUZZ_TARGET").map({ String(cString: $0) }) ?? "lockfiles" == "lockfiles",
      let reader = LockfileReaders.reader(for: path)
    {
      let text = String(decoding: bytes, as: UTF8.self)
      let start = ContinuousClock.now
      let reading = reader.read(text)
      print("  \(reader.format): \(reading.pins.count) pins, \(reading.issues.count) issues in \(ContinuousClock.now - start)")
    }
  }
#endif
