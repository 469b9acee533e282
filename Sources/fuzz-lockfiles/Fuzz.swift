#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import TrustgateCore

/// Feeds one input to every lockfile reader. The bytes are decoded as UTF-8 with invalid bytes replaced, as the
/// walker does. Readers must never crash or hang, nor name a line the text does not have.
func fuzzOneInput(_ bytes: UnsafeBufferPointer<UInt8>) {
  let text = String(decoding: bytes, as: UTF8.self)
  var lineCount = 1
  for byte in text.utf8 where byte == UInt8(ascii: "\n") { lineCount += 1 }
  for reader in LockfileReaders.all {
    let reading = reader.read(text)
    for pin in reading.pins where pin.line < 1 || pin.line > lineCount {
      fatalError("\(reader.format): pin \(pin.name) at line \(pin.line) of \(lineCount)")
    }
    for issue in reading.issues {
      if let line = issue.line, line < 1 || line > lineCount {
        fatalError("\(reader.format): issue at line \(line) of \(lineCount): \(issue.message)")
      }
    }
  }
}

/// libFuzzer's callback.
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  fuzzOneInput(UnsafeBufferPointer(start: data, count: data == nil ? 0 : size))
  return 0
}
