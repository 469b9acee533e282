#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import TrustgateCore

/// The parsers of user files, by the name `FUZZ_TARGET` selects. Each must never crash or hang on any input.
let fuzzTargets: [String: @Sendable ([UInt8]) -> Void] = [
  "lockfiles": fuzzLockfiles,
  "certificates": FuzzEntryPoints.certificateFile,
  "decodes": FuzzEntryPoints.decodes,
  "policy": FuzzEntryPoints.policy,
  "policyalias": FuzzEntryPoints.policyAliases,
  "envfile": FuzzEntryPoints.envFile,
  "snapshot": FuzzEntryPoints.snapshot,
  "proxy": FuzzEntryPoints.proxy,
  "platform": FuzzEntryPoints.platform,
  "metadata": FuzzEntryPoints.pythonMetadata,
  "ini": FuzzEntryPoints.ini,
  "opensslcnf": FuzzEntryPoints.opensslConfig,
  "keystore": FuzzEntryPoints.javaKeyStore,
  "node": FuzzEntryPoints.nodeProgram,
  "tar": FuzzEntryPoints.tarLayer,
  "image": fuzzImage,
]

/// The target named by `FUZZ_TARGET` (default `lockfiles`); exits with a list when the name is unknown.
let selectedTarget: @Sendable ([UInt8]) -> Void = {
  let name = getenv("FUZZ_TARGET").map { String(cString: $0) } ?? "lockfiles"
  guard let target = fuzzTargets[name] else {
    print("unknown FUZZ_TARGET \(name); one of: \(fuzzTargets.keys.sorted().joined(separator: ", "))")
    exit(2)
  }
  return target
}()

/// Feeds one input to every lockfile reader. The bytes are decoded as UTF-8 with invalid bytes replaced, as the
/// walker does, after a reader's own decoding (pip's byte-order marks). Readers must never crash or hang, nor name a
/// line the text does not have.
func fuzzLockfiles(_ bytes: [UInt8]) {
  let plain = String(decoding: bytes, as: UTF8.self)
  FuzzEntryPoints.tomlKeepingAgrees(plain)
  for reader in LockfileReaders.all {
    let text = reader.transcoded(bytes).map { String(decoding: $0, as: UTF8.self) } ?? plain
    var lineCount = 1
    for byte in text.utf8 where byte == UInt8(ascii: "\n") { lineCount += 1 }
    let reading = reader.read(text)
    for pin in reading.pins where pin.line < 1 || pin.line > lineCount {
      fatalError("\(reader.format): pin \(pin.name) at line \(pin.line) of \(lineCount)")
    }
    for issue in reading.issues {
      if let line = issue.line, line < 1 || line > lineCount {
        fatalError("\(reader.format): issue at line \(line) of \(lineCount): \(issue.message)")
      }
    }
    for trusted in reading.trustedHosts where trusted.line < 1 || trusted.line > lineCount {
      fatalError("\(reader.format): trusted host at line \(trusted.line) of \(lineCount)")
    }
  }
}

/// A whole image archive (`docker save` or OCI layout tar): written to a temporary file, as `ContainerImage.open`
/// reads paths. The file is reused between inputs.
func fuzzImage(_ bytes: [UInt8]) {
  let path = imageScratchPath
  guard let file = fopen(path, "wb") else { return }
  _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
  fclose(file)
  _ = try? ContainerImage.open(path: path, wanted: { _ in true })
}

let imageScratchPath = "/tmp/trustgate-fuzz-image-\(getpid()).tar"

/// libFuzzer's callback.
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
  selectedTarget(bytes)
  return 0
}
