/// The header part of a core metadata file (`*.dist-info/METADATA`, `*.egg-info/PKG-INFO`): RFC 822 style
/// `Key: value` lines up to the first blank line. Only `Name` and `Version` matter to trustgate.
///
/// The description that follows the blank line can be hundreds of kilobytes; it is never decoded.
struct CoreMetadata: Sendable, Equatable {
  var name: String?
  var version: String?
  /// Whether the header held bytes that are not UTF-8 (they were replaced; `name`/`version` may still be usable).
  var invalidUTF8 = false

  init(name: String?, version: String?, invalidUTF8: Bool) {
    self.name = name
    self.version = version
    self.invalidUTF8 = invalidUTF8
  }

  /// Parses the header of a metadata file. Works on bytes: headers of big distributions run to kilobytes of
  /// classifiers and requirements, and only two lines matter.
  init(_ bytes: [UInt8]) {
    var header = Self.headerBytes(bytes)
    // A UTF-8 byte order mark is tolerated, as Python's email parser does after decoding.
    if header.starts(with: [0xEF, 0xBB, 0xBF]) { header = header.dropFirst(3) }
    // ASCII is valid UTF-8; otherwise decoding replaces bad sequences, so a round trip that changes bytes means bad input.
    if header.contains(where: { $0 >= 0x80 }) {
      invalidUTF8 = !String(decoding: header, as: UTF8.self).utf8.elementsEqual(header)
    }
    for line in header.split(separator: 0x0A, omittingEmptySubsequences: true) {
      // Continuation lines (folded values) start with white space; Name and Version are never folded.
      guard let first = line.first, first != 0x20, first != 0x09 else { continue }
      if name == nil, let value = Self.value(of: Self.nameKey, in: line) { name = value }
      if version == nil, let value = Self.value(of: Self.versionKey, in: line) { version = value }
      if name != nil && version != nil { break }
    }
  }

  private static let nameKey = Array("name:".utf8)
  private static let versionKey = Array("version:".utf8)

  /// The trimmed value when `line` starts with `key` (lowercase, ending in `:`), compared without case.
  static func value(of key: [UInt8], in line: ArraySlice<UInt8>) -> String? {
    guard line.count >= key.count else { return nil }
    for (offset, expected) in key.enumerated() {
      var byte = line[line.startIndex + offset]
      if byte >= 0x41 && byte <= 0x5A { byte += 0x20 }
      guard byte == expected else { return nil }
    }
    var value = line.dropFirst(key.count)
    while let first = value.first, first == 0x20 || first == 0x09 { value = value.dropFirst() }
    while let last = value.last, last == 0x20 || last == 0x09 || last == 0x0D { value = value.dropLast() }
    return value.isEmpty ? nil : String(decoding: value, as: UTF8.self)
  }

  /// The bytes before the first empty line (LF or CRLF line ends).
  static func headerBytes(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
    var index = 0
    var lineStart = 0
    while index < bytes.count {
      if bytes[index] == 0x0A {
        let line = bytes[lineStart..<index]
        if line.isEmpty || (line.count == 1 && line.first == 0x0D) { return bytes[0..<lineStart] }
        lineStart = index + 1
      }
      index += 1
    }
    return bytes[...]
  }
}

extension Substring {
  /// The text without leading and trailing spaces and tabs.
  func trimmingSpaces() -> String {
    var slice = self[...]
    while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
    while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
    return String(slice)
  }
}

/// `pyvenv.cfg`: `key = value` lines written by `venv`, `virtualenv` and `uv`.
struct VenvConfig: Sendable, Equatable {
  var values: [String: String] = [:]

  init(_ bytes: [UInt8]) {
    let text = String(decoding: bytes, as: UTF8.self)
    for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
      guard let equals = line.firstIndex(of: "=") else { continue }
      let key = line[..<equals].trimmingSpaces().lowercased()
      values[key] = line[line.index(after: equals)...].trimmingSpaces()
    }
  }

  /// `version` (venv), `version_info` (virtualenv, uv); virtualenv's `3.11.7.final.0` is cut to `3.11.7`.
  var pythonVersion: String? {
    guard let raw = values["version"] ?? values["version_info"], !raw.isEmpty else { return nil }
    let parts = raw.split(separator: ".")
    if parts.count > 3, parts[3] == "final" { return parts.prefix(3).joined(separator: ".") }
    return raw
  }

  /// The folder of the base interpreter (`/usr/bin`).
  var home: String? { values["home"].flatMap { $0.isEmpty ? nil : $0 } }

  var includesSystemSitePackages: Bool? {
    values["include-system-site-packages"].map { $0.lowercased() == "true" }
  }
}
