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
}

/// Reads PEM bundles of any size (`CERTIFICATE`, `X509 CERTIFICATE` and OpenSSL `TRUSTED CERTIFICATE` blocks, text
/// between blocks ignored) and single DER certificates. A broken entry is an issue at its line; the rest still count.
public enum CertificateFile {
  private static let begin: [UInt8] = Array("-----BEGIN ".utf8)

  public static func read(_ bytes: [UInt8]) -> CertificateFileReading {
    var reading = CertificateFileReading()
    if bytes.isEmpty {
      reading.issues.append(
        .init(line: nil, message: "the file is empty", fix: "Restore the CA bundle (reinstall ca-certificates or certifi)."))
      return reading
    }
    if contains(bytes, begin) {
      readPEM(bytes, into: &reading)
    } else if bytes[0] == 0x30 {
      do {
        reading.entries.append(.init(line: 1, certificate: try X509Parser.certificate(der: bytes)))
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
    guard bytes.count >= needle.count else { return false }
    let first = needle[0]
    var i = 0
    let last = bytes.count - needle.count
    while i <= last {
      if bytes[i] == first {
        var j = 1
        while j < needle.count && bytes[i + j] == needle[j] { j += 1 }
        if j == needle.count { return true }
      }
      i += 1
    }
    return false
  }

  /// Splits into lines once, then walks the BEGIN/END blocks.
  private static func readPEM(_ bytes: [UInt8], into reading: inout CertificateFileReading) {
    var lineNumber = 0
    var blockLabel: String? = nil
    var blockLine = 0
    var body: [UInt8] = []
    body.reserveCapacity(4096)
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
          body.removeAll(keepingCapacity: true)
        } else if line.hasPrefix("-----END "), let label = blockLabel {
          finish(label: label, line: blockLine, body: body, into: &reading)
          blockLabel = nil
        }
      } else if blockLabel != nil {
        body.append(contentsOf: bytes[start..<lineEnd])
      }
      start = end + 1
    }
    if let open = blockLabel {
      reading.unparsable += isCertificateLabel(open) ? 1 : 0
      reading.issues.append(truncated(open, line: blockLine))
    }
  }

  private static func isCertificateLabel(_ label: String) -> Bool {
    label == "CERTIFICATE" || label == "TRUSTED CERTIFICATE" || label == "X509 CERTIFICATE"
  }

  private static func truncated(_ label: String, line: Int) -> CertificateFileReading.Issue {
    .init(
      line: line, message: "\(label) block has no END line (the file is truncated)",
      fix: "Regenerate the bundle (update-ca-certificates / update-ca-trust, or reinstall the package that ships it).")
  }

  private static func finish(label: String, line: Int, body: [UInt8], into reading: inout CertificateFileReading) {
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
    do {
      let certificate = try X509Parser.certificate(der: der, trusted: label == "TRUSTED CERTIFICATE")
      reading.entries.append(.init(line: line, certificate: certificate))
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
  private static let table: [UInt8] = {
    var t = [UInt8](repeating: 0xFF, count: 256)
    for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
      t[Int(c)] = UInt8(i)
    }
    return t
  }()

  static func decode(_ input: [UInt8]) -> [UInt8]? {
    var out: [UInt8] = []
    out.reserveCapacity(input.count * 3 / 4)
    var accumulator: UInt32 = 0
    var bits = 0
    var padding = 0
    for c in input {
      if c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A { continue }
      if c == 0x3D {
        padding += 1
        continue
      }
      if padding > 0 { return nil }
      let v = table[Int(c)]
      if v == 0xFF { return nil }
      accumulator = (accumulator << 6) | UInt32(v)
      bits += 6
      if bits >= 8 {
        bits -= 8
        out.append(UInt8((accumulator >> UInt32(bits)) & 0xFF))
      }
    }
    if padding > 2 || out.isEmpty { return nil }
    return out
  }
}
