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
  /// classifiers and requirements, and only two lines matter. One pass finds where the header ends and whether it
  /// holds any non-ASCII byte; lines are then read only until Name and Version are found.
  init(_ bytes: [UInt8]) {
    let (end, nonASCII) = Self.scanHeader(bytes)
    var start = 0
    // A UTF-8 byte order mark is tolerated, as Python's email parser does after decoding.
    if end >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { start = 3 }
    // ASCII is valid UTF-8; otherwise the header must validate as UTF-8.
    if nonASCII { invalidUTF8 = String(validating: bytes[start..<end], as: UTF8.self) == nil }
    var index = start
    while index < end && (name == nil || version == nil) {
      var lineEnd = index
      while lineEnd < end && bytes[lineEnd] != 0x0A { lineEnd += 1 }
      let line = bytes[index..<lineEnd]
      index = lineEnd + 1
      // Continuation lines (folded values) start with white space; Name and Version are never folded.
      guard let first = line.first, first != 0x20, first != 0x09 else { continue }
      if name == nil, let value = Self.value(of: Self.nameKey, in: line) { name = value }
      if version == nil, let value = Self.value(of: Self.versionKey, in: line) { version = value }
    }
  }

  /// Where the header ends (the start of the first empty line, LF or CRLF; the whole text when there is none) and
  /// whether a byte before it is not ASCII.
  static func scanHeader(_ bytes: [UInt8]) -> (end: Int, nonASCII: Bool) {
    bytes.withUnsafeBufferPointer { buffer in
      var high: UInt8 = 0
      var lineStart = 0
      for index in 0..<buffer.count {
        let byte = buffer[index]
        high |= byte
        if byte == 0x0A {
          let length = index - lineStart
          // The empty line's own bytes are ASCII: `high` says what the header holds.
          if length == 0 || (length == 1 && buffer[lineStart] == 0x0D) { return (lineStart, high >= 0x80) }
          lineStart = index + 1
        }
      }
      return (buffer.count, high >= 0x80)
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
