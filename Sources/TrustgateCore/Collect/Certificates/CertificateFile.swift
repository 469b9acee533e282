import Dispatch
import Synchronization
#if canImport(Glibc)
  import Glibc
#endif

/// What one certificate file (PEM bundle or DER) holds, entry by entry, with the line each entry starts on.
public struct CertificateFileReading: Sendable {
  public struct Entry: Sendable {
    public var line: Int
    public var certificate: Certificate
  }

  public struct Issue: Sendable, Equatable {
    public var line: Int?
    public var message: String
    public var fix: String
  }

  public var entries: [Entry] = []
  public var unparsable = 0
  public var issues: [Issue] = []
  /// Plain CERTIFICATE blocks only, each BEGIN first on its line and each END line alone, nothing broken: every
  /// client's PEM reader takes all of it (`PEMDialects`). Otherwise the readers may part (`CertificateSet.readings`).
  public var plain = false
}

/// Reads PEM bundles of any size (`CERTIFICATE`, `X509 CERTIFICATE` and OpenSSL `TRUSTED CERTIFICATE` blocks, text
/// between blocks ignored) and single DER certificates. A broken entry is an issue at its line; the rest still count.
public enum CertificateFile {
  private static let begin: [UInt8] = Array("-----BEGIN ".utf8)

  public static func read(_ bytes: [UInt8], cache: CertificateCache? = nil) -> CertificateFileReading {
    var reading = CertificateFileReading()
    if bytes.isEmpty {
      reading.issues.append(
        .init(line: nil, message: "the file is empty", fix: "Restore the CA bundle (reinstall ca-certificates or certifi)."))
      return reading
    }
    if contains(bytes, begin) {
      readPEM(bytes, cache: cache, into: &reading)
    } else if bytes[0] == 0x30 {
      do {
        let certificate = try cache?.certificate(der: bytes, trusted: false) ?? X509Parser.certificate(der: bytes)
        reading.entries.append(.init(line: 1, certificate: certificate))
      } catch {
        reading.unparsable = 1
        reading.issues.append(
          .init(line: nil, message: "not a readable DER certificate (\(error))", fix: "Replace it with a valid certificate in PEM or DER form."))
      }
    } else {
      // A non-empty file without a PEM block is one failed DER attempt (as `openssl storeutl` counts it).
      reading.unparsable = 1
      reading.issues.append(
        .init(
          line: nil, message: "no certificates: neither PEM nor DER",
          fix: "Point this at a PEM bundle (-----BEGIN CERTIFICATE----- blocks) or a DER certificate."))
    }
    return reading
  }

  private static func contains(_ bytes: [UInt8], _ needle: [UInt8]) -> Bool {
    firstOccurrence(of: needle, in: bytes) != nil
  }

  /// Splits into lines once, then walks the BEGIN/END blocks.
  private static func readPEM(_ bytes: [UInt8], cache: CertificateCache?, into reading: inout CertificateFileReading) {
    var blocks: [Block] = []
    // An END line whose type is not its BEGIN line's.
    var oddEnd = false
    var lineNumber = 0
    var blockLabel: String? = nil
    var blockLine = 0
    var bodyStart = 0
    var start = 0
    let count = bytes.count
    while start < count {
      var end = start
      while end < count && bytes[end] != 0x0A { end += 1 }
      lineNumber += 1
      var lineEnd = end
      if lineEnd > start && bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
      let isMarker = lineEnd - start >= 10 && bytes[start] == 0x2D && bytes[start + 1] == 0x2D && bytes[start + 4] == 0x2D
      if isMarker {
        let line = String(decoding: bytes[start..<lineEnd], as: UTF8.self)
        if line.hasPrefix("-----BEGIN "), line.hasSuffix("-----") {
          if let open = blockLabel {
            reading.unparsable += isCertificateLabel(open) ? 1 : 0
            reading.issues.append(truncated(open, line: blockLine))
          }
          blockLabel = String(line.dropFirst(11).dropLast(5))
          blockLine = lineNumber
          bodyStart = end + 1
        } else if line.hasPrefix("-----END "), let label = blockLabel {
          // The body is a slice of the file, line breaks included (base64 decoding skips them): no copies.
          blocks.append(Block(label: label, line: blockLine, body: bytes[min(bodyStart, start)..<start]))
          blockLabel = nil
          // `cat` of a file without its last newline: the next file's BEGIN on this END line.
          let marker = "-----END \(label)-----"
          let rest = line.hasPrefix(marker) ? line.dropFirst(marker.count).drop { $0 == " " || $0 == "\t" } : ""
          if !line.hasPrefix(marker) { oddEnd = true }
          if !rest.isEmpty {
            reading.issues.append(
              .init(
                line: lineNumber,
                message: "the END line at line \(lineNumber) runs on into `\(String(rest.prefix(40)).capped())` "
                  + "(two files joined without a newline): OpenSSL, Go and node do not read the certificate that "
                  + "starts there, and OpenSSL loads nothing of the file",
                fix: "Put a newline after each `-----END CERTIFICATE-----` (`cat` joins a file that lacks its last "
                  + "newline to the next one's first line)."))
          }
        }
      }
      start = end + 1
    }
    if let open = blockLabel {
      reading.unparsable += isCertificateLabel(open) ? 1 : 0
      reading.issues.append(truncated(open, line: blockLine))
    }
    for outcome in parse(blocks, cache: cache) {
      switch outcome {
      case .certificate(let line, let certificate, let issue):
        reading.entries.append(.init(line: line, certificate: certificate))
        if let issue { reading.issues.append(issue) }
      case .issue(let issue): reading.issues.append(issue)
      case .unparsable(let issue):
        reading.unparsable += 1
        reading.issues.append(issue)
      }
    }
    // Every BEGIN one of the blocks read (none indented, after a byte-order mark or inside a line).
    reading.plain =
      reading.issues.isEmpty && !oddEnd && blocks.allSatisfy { $0.label == "CERTIFICATE" }
      && occurrences(of: begin, in: bytes) == blocks.count
  }

  /// Whether a base64 body that decoded to `decoded` bytes lacks the `=` its last group needs (one for two bytes
  /// left over, two for one), looking only at its end: every other group of a body that decodes is whole.
  private static func lacksPadding(_ body: ArraySlice<UInt8>, decoded: Int) -> Bool {
    let needed = (3 - decoded % 3) % 3
    guard needed > 0 else { return false }
    var found = 0
    var at = body.endIndex
    while at > body.startIndex {
      at -= 1
      let byte = body[at]
      if byte == 0x0A || byte == 0x0D || byte == 0x20 || byte == 0x09 { continue }
      guard byte == UInt8(ascii: "=") else { break }
      found += 1
    }
    return found < needed
  }

  /// How many times `needle` occurs in `bytes` (`memmem`: the whole bundle is searched on every run).
  static func occurrences(of needle: [UInt8], in bytes: [UInt8]) -> Int {
    var count = 0
    var rest = bytes[...]
    while let at = firstIndex(of: needle, in: rest) {
      count += 1
      rest = rest[(at + needle.count)...]
    }
    return count
  }

  struct Block: Sendable {
    var label: String
    var line: Int
    var body: ArraySlice<UInt8>
  }

  enum Outcome: Sendable {
    /// A certificate, and what is wrong with how it is written (its base64 padding) when something is.
    case certificate(Int, Certificate, CertificateFileReading.Issue?)
    case issue(CertificateFileReading.Issue)
    case unparsable(CertificateFileReading.Issue)
  }

  /// Parses blocks on every core for large bundles (OpenSSL is thread-safe); results keep file order.
  static func parse(_ blocks: [Block], cache: CertificateCache?) -> [Outcome] {
    guard blocks.count >= 64 else { return blocks.map { outcome($0, cache) } }
    let results = OutcomeBuffer(count: blocks.count)
    let workers = max(1, min(8, activeProcessorCount()))
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
      var index = worker
      while index < blocks.count {
        results.set(index, outcome(blocks[index], cache))
        index += workers
      }
    }
    return results.values
  }

  static func outcome(_ block: Block, _ cache: CertificateCache?) -> Outcome {
    var scratch = CertificateFileReading()
    finish(label: block.label, line: block.line, body: block.body, cache: cache, into: &scratch)
    if let entry = scratch.entries.first { return .certificate(block.line, entry.certificate, scratch.issues.first) }
    if let issue = scratch.issues.first { return scratch.unparsable > 0 ? .unparsable(issue) : .issue(issue) }
    return .issue(.init(line: block.line, message: "empty block", fix: "Remove it."))
  }

  private static func isCertificateLabel(_ label: String) -> Bool {
    label == "CERTIFICATE" || label == "TRUSTED CERTIFICATE" || label == "X509 CERTIFICATE"
  }

  private static func truncated(_ label: String, line: Int) -> CertificateFileReading.Issue {
    .init(
      line: line, message: "\(label) block has no END line (the file is truncated)",
      fix: "Regenerate the bundle (update-ca-certificates / update-ca-trust, or reinstall the package that ships it).")
  }

  private static func finish(
    label: String, line: Int, body: ArraySlice<UInt8>, cache: CertificateCache?, into reading: inout CertificateFileReading
  ) {
    guard isCertificateLabel(label) else {
      let fix =
        label.contains("PRIVATE KEY")
        ? "Remove the private key: a CA bundle holds certificates only, and anyone who can read it now has the key."
        : "Remove the block; CA bundles hold certificates only."
      reading.issues.append(.init(line: line, message: "a \(label) block where certificates were expected", fix: fix))
      return
    }
    guard let der = Base64.decode(body) else {
      reading.unparsable += 1
      reading.issues.append(
        .init(
          line: line, message: "certificate at line \(line) is not valid base64",
          fix: "Replace the damaged certificate with a fresh copy, or regenerate the bundle."))
      return
    }
    // OpenSSL, GnuTLS and Go want the base64 in whole groups of four (its `=` padding); rustls does not.
    if lacksPadding(body, decoded: der.count) {
      reading.issues.append(
        .init(
          line: line,
          message: "certificate at line \(line) lacks its base64 `=` padding: OpenSSL, GnuTLS and Go do not read it "
            + "(OpenSSL and GnuTLS then load nothing of the file)",
          fix: "Replace the damaged certificate with a fresh copy (`openssl x509 -in cert.pem` writes it whole)."))
    }
    do {
      // OpenSSL reads a certificate with bytes after it and passes them over; Go, webpki and GnuTLS refuse it.
      let trailing = label != "TRUSTED CERTIFICATE" && !LazyFiles.whole(der)
      let trusted = label == "TRUSTED CERTIFICATE" || trailing
      let certificate =
        try cache?.certificate(der: der, trusted: trusted) ?? X509Parser.certificate(der: der, trusted: trusted)
      reading.entries.append(.init(line: line, certificate: certificate))
      if trailing {
        reading.issues.append(
          .init(
            line: line,
            message: "certificate at line \(line) has bytes after it: OpenSSL (curl, Python, node) reads it, Go, "
              + "rustls (uv) and GnuTLS (git) do not (GnuTLS then loads nothing of the file)",
            fix: "Replace the damaged certificate with a fresh copy (`openssl x509 -in cert.pem` writes it whole)."))
      }
    } catch {
      reading.unparsable += 1
      reading.issues.append(
        .init(
          line: line, message: "certificate at line \(line) does not parse (\(error))",
          fix: "Replace the damaged certificate with a fresh copy, or regenerate the bundle."))
    }
  }
}

/// Standard base64 with whitespace allowed, as in PEM bodies.
enum Base64 {
  /// A character's 6 bits shifted into place for each position of a 4-character group; anything that is not a base64
  /// digit has bit 24 set in all four, so one OR of four lookups says whether a whole group is plain digits.
  private static let tables: [UInt32] = {
    var t = [UInt32](repeating: 1 << 24, count: 4 * 256)
    for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
      for position in 0..<4 { t[position * 256 + Int(c)] = UInt32(i) << UInt32(18 - 6 * position) }
    }
    return t
  }()

  /// Every PEM block is decoded (its DER digest says whether it was parsed already), so this is a hot loop: groups of
  /// four digits (a PEM line is 16 of them) go through the tables at once; line breaks, spaces and `=` padding take
  /// the character-by-character path. One output buffer of the largest possible size, trimmed once.
  /// Whitespace (space, tab, CR, LF) may appear anywhere; at most two `=`, and only after the last digit; trailing bits
  /// that do not fill a byte are dropped. Nil when anything else appears or nothing decodes.
  static func decode(_ input: ArraySlice<UInt8>) -> [UInt8]? {
    let capacity = input.count * 3 / 4 + 3
    var failed = false
    let out = [UInt8](unsafeUninitializedCapacity: capacity) { output, written in
      written = 0
      var accumulator: UInt32 = 0
      var bits = 0
      var padding = 0
      tables.withUnsafeBufferPointer { t in
        input.withUnsafeBufferPointer { input in
          guard let base = input.baseAddress, let out = output.baseAddress else { return }
          let count = input.count
          var i = 0
          var w = 0
          defer { written = w }
          while i < count {
            if bits == 0 && padding == 0 && i + 4 <= count {
              let v = t[Int(base[i])] | t[256 + Int(base[i + 1])] | t[512 + Int(base[i + 2])] | t[768 + Int(base[i + 3])]
              if v < 1 << 24 {
                out[w] = UInt8(truncatingIfNeeded: v >> 16)
                out[w + 1] = UInt8(truncatingIfNeeded: v >> 8)
                out[w + 2] = UInt8(truncatingIfNeeded: v)
                w += 3
                i += 4
                continue
              }
            }
            let c = base[i]
            i += 1
            if c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A { continue }
            if c == 0x3D {
              padding += 1
              continue
            }
            let v = t[768 + Int(c)]
            if padding > 0 || v >= 1 << 24 {
              failed = true
              return
            }
            accumulator = (accumulator << 6) | v
            bits += 6
            if bits >= 8 {
              bits -= 8
              out[w] = UInt8(truncatingIfNeeded: accumulator >> UInt32(bits))
              w += 1
            }
          }
        }
      }
      if padding > 2 { failed = true }
    }
    if failed || out.isEmpty { return nil }
    return out
  }
}

/// Slots written by parallel workers, each index once.
final class OutcomeBuffer: @unchecked Sendable {
  private var storage: [CertificateFile.Outcome?]
  private let lock = Mutex<Void>(())
  init(count: Int) { storage = Array(repeating: nil, count: count) }
  func set(_ index: Int, _ value: CertificateFile.Outcome) { lock.withLock { _ in storage[index] = value } }
  var values: [CertificateFile.Outcome] { storage.compactMap { $0 } }
}

func activeProcessorCount() -> Int { onlineProcessors }

/// Read once per process: `sysconf` reads /sys/devices/system/cpu/online on every call.
private let onlineProcessors: Int = {
  #if canImport(Glibc)
    return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
  #else
    return 2
  #endif
}()
