/// How the PEM readers that are not OpenSSL's frame a CA file, each written after its library's source and checked
/// against the real client on bundles made malformed in the usual ways (`PEMDialectTests`: two files joined without
/// a newline, an indented `-----BEGIN`, a block with bad base64, one that is not DER, one cut short). OpenSSL's own
/// framing (Python, curl, node) is OpenSSL's `PEM_read_bio` (`tg_pem_frame`).
///
/// Each returns the DER of the certificate blocks the library takes, in file order; whether the DER decodes is the
/// caller's question (Go and rustls pass over a block that does not; GnuTLS refuses the file).
enum PEMDialects {
  private static let begin = Array("-----BEGIN ".utf8)
  private static let end = Array("-----END ".utf8)
  private static let dashes = Array("-----".utf8)
  private static let certificate = Array("CERTIFICATE".utf8)

  // MARK: Go

  /// Go's `AppendCertsFromPEM` (crypto/x509, go 1.19.8) over `encoding/pem.Decode`: `-----BEGIN ` at the start of a
  /// line, an END line whose type is the BEGIN line's and after which only blanks follow, base64 with its padding;
  /// a block that breaks a rule is passed over and the search goes on after its BEGIN line. CERTIFICATE blocks without
  /// headers only.
  static func go(_ text: [UInt8]) -> [[UInt8]] {
    var found: [[UInt8]] = []
    var rest = text[...]
    while !rest.isEmpty, let (type, headers, bytes, next) = goDecode(rest) {
      rest = next
      if !headers, type.elementsEqual(certificate) { found.append(bytes) }
    }
    return found
  }

  /// `pem.Decode`: the next block (its type, whether it has headers, its bytes) and the text after it.
  private static func goDecode(
    _ data: ArraySlice<UInt8>
  ) -> (type: ArraySlice<UInt8>, headers: Bool, bytes: [UInt8], rest: ArraySlice<UInt8>)? {
    var rest = data
    while true {
      if rest.starts(with: begin) {
        rest = rest.dropFirst(begin.count)
      } else if let at = index(of: [UInt8(ascii: "\n")] + begin, in: rest) {
        rest = rest[(at + 1 + begin.count)...]
      } else {
        return nil
      }
      var (typeLine, after) = goLine(rest)
      rest = after
      guard typeLine.count >= dashes.count, typeLine.suffix(dashes.count).elementsEqual(dashes) else { continue }
      typeLine = typeLine.dropLast(dashes.count)
      var headers = false
      while true {
        if rest.isEmpty { return nil }
        let (line, next) = goLine(rest)
        guard line.contains(UInt8(ascii: ":")) else { break }
        headers = true
        rest = next
      }
      // `endAt`: where the base64 stops; `lineAt`: where the END line starts.
      let endAt: Int
      let lineAt: Int
      if !headers, rest.starts(with: end) {
        endAt = rest.startIndex
        lineAt = endAt
      } else if let at = index(of: [UInt8(ascii: "\n")] + end, in: rest) {
        endAt = at
        lineAt = at + 1
      } else {
        continue
      }
      let trailerAt = lineAt + end.count
      let trailer = rest[trailerAt...]
      let trailerLength = typeLine.count + dashes.count
      guard trailer.count >= trailerLength else { continue }
      let endType = trailer.prefix(trailerLength)
      guard endType.starts(with: typeLine), endType.suffix(dashes.count).elementsEqual(dashes) else { continue }
      guard goLine(trailer.dropFirst(trailerLength)).line.isEmpty else { continue }
      // `removeSpacesAndTabs`, then StdEncoding (which skips CR and LF): padding required.
      guard let bytes = strictBase64(rest[..<endAt]) else { continue }
      return (typeLine, headers, bytes, goLine(rest[lineAt...]).rest)
    }
  }

  /// Go's `getLine`: up to the first LF (a CR before it dropped), trailing spaces and tabs trimmed; and what follows.
  private static func goLine(_ data: ArraySlice<UInt8>) -> (line: ArraySlice<UInt8>, rest: ArraySlice<UInt8>) {
    guard let newline = data.firstIndex(of: UInt8(ascii: "\n")) else { return (trimmed(data), data[data.endIndex...]) }
    var line = data[..<newline]
    if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
    return (trimmed(line), data[(newline + 1)...])
  }

  private static func trimmed(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
    var line = line
    while let last = line.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { line = line.dropLast() }
    return line
  }

  // MARK: rustls

  /// rustls-pki-types' PEM reader as rustls-native-certs calls it for SSL_CERT_FILE (measured uv 0.13.9): lines end
  /// at CR or LF; `-----BEGIN ` at the start of a line with exactly five dashes at its end opens a section, and a
  /// second one replaces it keeping the text gathered; a line that starts with `-----END <type>-----` closes it,
  /// whatever follows on that line; text outside a section is passed over. A section whose base64 does not decode,
  /// and one left open at the end, are errors that drop that block only: reading goes on after it. CERTIFICATE
  /// sections only (X509 CERTIFICATE and TRUSTED CERTIFICATE are other kinds).
  static func rustls(_ text: [UInt8]) -> [[UInt8]] {
    var found: [[UInt8]] = []
    var cursor = text.startIndex
    // One `read_one` per iteration: its section and its base64 start empty.
    while cursor < text.endIndex {
      var section: (type: ArraySlice<UInt8>, marker: [UInt8])?
      var base64: [UInt8] = []
      var item: [UInt8]?
      reading: while cursor < text.endIndex {
        let lineEnd = text[cursor...].firstIndex { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }
        let next = lineEnd.map { $0 + 1 } ?? text.endIndex
        let line = text[cursor..<next]
        cursor = next
        if line.starts(with: begin) {
          var trailer = 0
          var position = line.endIndex
          for at in line.indices.reversed() {
            let byte = line[at]
            if byte == UInt8(ascii: "-") {
              trailer += 1
              position = at
            } else if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: " ") {
              continue
            } else {
              break
            }
          }
          // Not five dashes: an error (IllegalSectionStart); the next read starts afresh.
          guard trailer == 5, position >= line.startIndex + begin.count else { break reading }
          let type = line[(line.startIndex + begin.count)..<position]
          section = (type, end + Array(type) + dashes)
          continue
        }
        if let open = section, line.starts(with: open.marker) {
          guard open.type.elementsEqual(certificate) else {
            // Another kind: rustls-native-certs asks for certificates only.
            section = nil
            base64.removeAll()
            continue
          }
          item = Base64.decode(base64[...])
          break reading
        }
        if section != nil { base64 += line }
      }
      if let item { found.append(item) }
    }
    return found
  }

  // MARK: GnuTLS

  /// GnuTLS's `gnutls_x509_crt_list_import` (3.7.9, what `gnutls_certificate_set_x509_trust_file` reads a CA file
  /// with): `-----BEGIN CERTIFICATE` anywhere in the text (not only at a line's start; `-----BEGIN X509 CERTIFICATE`
  /// only where no later CERTIFICATE one is), its base64 from the next five dashes to the next `-----END `, padding
  /// required. Nil when a block does not decode: GnuTLS refuses the whole file (curl then stops, exit 77). No block
  /// at all gives none (`GNUTLS_E_NO_CERTIFICATE_FOUND`, which the trust-file call takes as zero certificates).
  static func gnuTLS(_ text: [UInt8]) -> [[UInt8]]? {
    let first = begin + certificate
    let second = begin + Array("X509 CERTIFICATE".utf8)
    func next(from start: Int) -> Int? {
      index(of: first, in: text[start...]) ?? index(of: second, in: text[start...])
    }
    var found: [[UInt8]] = []
    var at = next(from: text.startIndex)
    while let start = at {
      // `gnutls_x509_crt_import`: the CERTIFICATE header from here, else the X509 CERTIFICATE one.
      guard let der = gnuTLSBlock(first, text[start...]) ?? gnuTLSBlock(second, text[start...]) else { return nil }
      found.append(der)
      at = start + 1 < text.endIndex ? next(from: start + 1) : nil
    }
    return found
  }

  /// `_gnutls_fbase64_decode`: the first `header` in `data`, then its body.
  private static func gnuTLSBlock(_ header: [UInt8], _ data: ArraySlice<UInt8>) -> [UInt8]? {
    guard let top = index(of: header, in: data), data.endIndex - top >= 4 + end.count,
      let close = index(of: dashes, in: data[(top + 1)...])
    else { return nil }
    let body = close + dashes.count
    guard let bottom = index(of: end, in: data[body...]), bottom - body >= 4 else { return nil }
    // `cpydata`: blanks dropped, the body cut at a dash.
    var digits = data[body..<bottom]
    if let dash = digits.firstIndex(of: UInt8(ascii: "-")) { digits = digits[..<dash] }
    return strictBase64(digits)
  }

  // MARK: Shared

  /// Base64 whose digits and padding come in whole groups of four (Go's StdEncoding, nettle's final check), blanks
  /// ignored; nil otherwise, or when nothing decodes.
  private static func strictBase64(_ data: ArraySlice<UInt8>) -> [UInt8]? {
    var significant = 0
    for byte in data
    where byte != UInt8(ascii: " ") && byte != UInt8(ascii: "\t") && byte != UInt8(ascii: "\r")
      && byte != UInt8(ascii: "\n") {
      significant += 1
    }
    guard significant > 0, significant % 4 == 0 else { return nil }
    return Base64.decode(data)
  }

  /// Where `needle` first occurs in `haystack` (an absolute index), as `memmem` finds it.
  static func index(of needle: [UInt8], in haystack: ArraySlice<UInt8>) -> Int? {
    firstIndex(of: needle, in: haystack)
  }
}
