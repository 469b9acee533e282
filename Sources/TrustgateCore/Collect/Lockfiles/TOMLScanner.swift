/// A value met by `TOMLScanner`, with the 1-based line where it starts.
struct ScannedValue: Sendable {
  enum Kind: Sendable {
    case string(String)
    case array([ScannedValue])
    case table([(key: String, value: ScannedValue)])
    /// Numbers, booleans, dates: kept as written.
    case other(String)
  }
  var kind: Kind
  var line: Int

  var string: String? {
    if case .string(let text) = kind { return text }
    return nil
  }

  var array: [ScannedValue]? {
    if case .array(let items) = kind { return items }
    return nil
  }

  subscript(key: String) -> ScannedValue? {
    guard case .table(let pairs) = kind else { return nil }
    return pairs.first { $0.key == key }?.value
  }
}

/// What `TOMLScanner` reports, in document order.
enum TOMLEvent: Sendable {
  /// `[a.b]` (array: false) or `[[a.b]]` (array: true).
  case header(path: [String], array: Bool, line: Int)
  /// `a.b = value` under the current header; the line is the key's.
  case pair(key: [String], value: ScannedValue, line: Int)
  /// The first place the document is not valid TOML, and why; nothing after it is reported.
  case invalid(line: Int, reason: String)
}

/// A position-keeping TOML reader: every key and value with its line, in one linear pass over the bytes.
///
/// It is the only TOML parser trustgate has (TOMLKit gives no positions and takes most of a second on a 7 MB
/// `uv.lock`). It checks the syntax lockfiles and `pyproject.toml` use — headers, `key = value` lines, strings,
/// arrays, inline tables, scalars — and stops at the first line that breaks it with an `invalid` event naming the
/// line. Semantic rules (a key defined twice) are left to the tools that write the files.
///
/// It reads the UTF-8 bytes in place (no copy of the document) and builds strings only for what is kept: values a
/// caller does not want, and the keys inside them, are checked and passed over without building anything.
struct TOMLScanner {
  /// The document's bytes; valid for the duration of `scan` only.
  private let bytes: UnsafeBufferPointer<UInt8>
  private var index = 0
  /// Whether the value being read is wanted (see `scan`): when not, strings, keys and arrays are only passed over.
  private var keep = true
  private(set) var line = 1
  /// The first syntax error met: its line and what is wrong.
  private var error: (line: Int, reason: String)?

  private init(_ bytes: UnsafeBufferPointer<UInt8>) {
    self.bytes = bytes
    // A byte order mark is not part of the document.
    if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { index = 3 }
  }

  /// Calls `handle` for each header and key/value pair.
  ///
  /// - Parameter keeps: whether a pair with this key (under the current header) is wanted; the values of others are
  ///   checked and passed over without building strings or arrays, and the pair is not reported. Lines and `invalid`
  ///   events are the same either way. Big lockfiles are mostly wheel URLs and hashes nobody reads.
  static func scan(_ text: String, keeps: ([String]) -> Bool = { _ in true }, _ handle: (TOMLEvent) -> Void) {
    var text = text
    // A native string's own storage: no copy.
    text.withUTF8 { scan(utf8: $0, keeps: keeps, handle) }
  }

  /// `scan` over UTF-8 bytes (valid UTF-8: the caller checked it).
  static func scan(
    utf8 bytes: UnsafeBufferPointer<UInt8>, keeps: ([String]) -> Bool = { _ in true }, _ handle: (TOMLEvent) -> Void
  ) {
    var scanner = TOMLScanner(bytes)
    scanner.run(keeps, handle)
  }

  /// `scan` keeping only the pairs whose key is one of `names`, a single part (bare or quoted). A bare key, what
  /// lockfiles write, is matched on its bytes: no string is built for the keys passed over.
  static func scan(utf8 bytes: UnsafeBufferPointer<UInt8>, keeping names: [String], _ handle: (TOMLEvent) -> Void) {
    var scanner = TOMLScanner(bytes)
    scanner.wanted = names.map { Array($0.utf8) }
    scanner.run({ $0.count == 1 && names.contains($0[0]) }, handle)
  }

  /// With `scan(utf8:keeping:)`: the names kept, as bytes.
  private var wanted: [[UInt8]]?

  /// Whether the single bare key `start..<end` is one of `wanted`.
  private func isWanted(_ start: Int, _ end: Int, _ wanted: [[UInt8]]) -> Bool {
    wanted.contains { name in
      name.count == end - start && name.withUnsafeBufferPointer { $0.elementsEqual(bytes[start..<end]) }
    }
  }

  private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

  private func peek(_ offset: Int) -> UInt8? {
    index + offset < bytes.count ? bytes[index + offset] : nil
  }

  private mutating func advance() {
    if bytes[index] == UInt8(ascii: "\n") { line += 1 }
    index += 1
  }

  private mutating func run(_ keeps: ([String]) -> Bool, _ handle: (TOMLEvent) -> Void) {
    while index < bytes.count {
      keep = true
      skipBlank(newlines: true)
      guard let byte = current else { break }
      let startLine = line
      if byte == UInt8(ascii: "[") {
        let isArray = peek(1) == UInt8(ascii: "[")
        index += isArray ? 2 : 1
        skipBlank(newlines: false)
        let path = readKey()
        skipBlank(newlines: false)
        if let path, current == UInt8(ascii: "]"), !isArray || peek(1) == UInt8(ascii: "]") {
          index += isArray ? 2 : 1
          handle(.header(path: path, array: isArray, line: startLine))
        } else {
          fail("a table header must be `[name]` or `[[name]]` with a key inside", at: startLine)
        }
      } else if let key = readPairKey() {
        skipBlank(newlines: false)
        if current == UInt8(ascii: "=") {
          index += 1
          skipBlank(newlines: false)
          keep = keeps(key)
          let value = readValue(depth: 0)
          if error == nil && keep { handle(.pair(key: key, value: value, line: startLine)) }
        } else {
          fail("expected `=` after the key", at: startLine)
        }
      } else {
        fail("expected a key, a `[table]` header or a comment", at: startLine)
      }
      if error == nil {
        skipBlank(newlines: false)
        if let next = current, next != UInt8(ascii: "\n") { fail("unexpected text after the value", at: line) }
      }
      if let error {
        handle(.invalid(line: error.line, reason: error.reason))
        return
      }
      skipToLineEnd()
    }
  }

  /// Records the first syntax error; the scan stops after the current line.
  private mutating func fail(_ reason: String, at line: Int? = nil) {
    if error == nil { error = (line ?? self.line, reason) }
  }

  /// Skips spaces, tabs and comments, and newlines too when asked.
  private mutating func skipBlank(newlines: Bool) {
    while let byte = current {
      switch byte {
      case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
        index += 1
      case UInt8(ascii: "\n") where newlines:
        advance()
      case UInt8(ascii: "#"):
        while let next = current, next != UInt8(ascii: "\n") { index += 1 }
      default:
        return
      }
    }
  }

  private mutating func skipToLineEnd() {
    while let byte = current {
      advance()
      if byte == UInt8(ascii: "\n") { return }
    }
  }

  /// A pair's key, or nil when none starts here. With `wanted`, a single bare key that is not wanted comes back
  /// empty (so `keeps` refuses it) without a string built; any other key is read in full.
  private mutating func readPairKey() -> [String]? {
    guard let wanted else { return readKey() }
    let start = index
    while let next = current, isBareKeyByte(next) { index += 1 }
    let end = index
    if end > start {
      // What `readKey` skips between the parts of a dotted key (the blanks of `skipBlank`; a comment ends the line).
      var after = index
      while after < bytes.count,
        bytes[after] == UInt8(ascii: " ") || bytes[after] == UInt8(ascii: "\t") || bytes[after] == UInt8(ascii: "\r")
      {
        after += 1
      }
      // Not followed by a dot: the whole key is this one bare part.
      if after >= bytes.count || bytes[after] != UInt8(ascii: ".") {
        return isWanted(start, end, wanted) ? [text(start, end)] : []
      }
    }
    index = start
    return readKey()
  }

  /// A dotted key of bare or quoted parts, or nil when none starts here. When the value around it is not kept, the
  /// key is only checked: the parts come back empty.
  private mutating func readKey() -> [String]? {
    var parts: [String] = []
    var found = false
    while true {
      skipBlank(newlines: false)
      guard let byte = current else { break }
      if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
        guard let part = readString() else { return nil }
        if keep { parts.append(part) }
      } else {
        let start = index
        while let next = current, isBareKeyByte(next) { index += 1 }
        if start == index { return nil }
        if keep { parts.append(text(start, index)) }
      }
      found = true
      skipBlank(newlines: false)
      guard current == UInt8(ascii: ".") else { break }
      index += 1
    }
    return found ? parts : nil
  }

  /// The bytes `start..<end` as a string (they are valid UTF-8 and cut at ASCII delimiters).
  private func text(_ start: Int, _ end: Int) -> String {
    String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
  }

  private func isBareKeyByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
      UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
      return true
    default:
      return false
    }
  }

  private mutating func readValue(depth: Int) -> ScannedValue {
    let startLine = line
    guard let byte = current, depth < 64 else {
      fail(depth < 64 ? "expected a value" : "values nested more than 64 deep")
      return ScannedValue(kind: .other(""), line: startLine)
    }
    switch byte {
    case UInt8(ascii: "\""), UInt8(ascii: "'"):
      guard let text = readString() else {
        fail("string not closed", at: startLine)
        return ScannedValue(kind: .string(""), line: startLine)
      }
      return ScannedValue(kind: .string(text), line: startLine)
    case UInt8(ascii: "["):
      index += 1
      var items: [ScannedValue] = []
      // Values and commas alternate; a trailing comma is allowed.
      var expectsValue = true
      while error == nil {
        skipBlank(newlines: true)
        guard let next = current else {
          fail("array not closed (opened at line \(startLine))")
          break
        }
        if next == UInt8(ascii: "]") {
          index += 1
          break
        }
        if next == UInt8(ascii: ",") {
          if expectsValue { fail("expected a value or `]` in an array, found `,`") }
          index += 1
          expectsValue = true
          continue
        }
        guard expectsValue else {
          fail("expected `,` or `]` after an array value")
          break
        }
        if next == UInt8(ascii: "}") {
          fail("expected a value or `]` in an array, found `}`")
          break
        }
        let item = readValue(depth: depth + 1)
        if keep { items.append(item) }
        expectsValue = false
      }
      return ScannedValue(kind: .array(items), line: startLine)
    case UInt8(ascii: "{"):
      index += 1
      var pairs: [(key: String, value: ScannedValue)] = []
      var expectsPair = true
      while error == nil {
        skipBlank(newlines: true)
        guard let next = current else {
          fail("inline table not closed (opened at line \(startLine))")
          break
        }
        if next == UInt8(ascii: "}") {
          index += 1
          break
        }
        if next == UInt8(ascii: ",") {
          if expectsPair { fail("expected a key in an inline table, found `,`") }
          index += 1
          expectsPair = true
          continue
        }
        guard expectsPair, let key = readKey() else {
          fail(expectsPair ? "expected a key in an inline table" : "expected `,` or `}` after an inline table value")
          break
        }
        skipBlank(newlines: false)
        guard current == UInt8(ascii: "=") else {
          fail("expected `=` after the key")
          break
        }
        index += 1
        skipBlank(newlines: false)
        let value = readValue(depth: depth + 1)
        if keep { pairs.append((key.joined(separator: "."), value)) }
        expectsPair = false
      }
      return ScannedValue(kind: .table(pairs), line: startLine)
    default:
      let start = index
      while let next = current, !isValueEnd(next) { index += 1 }
      var end = index
      while end > start, isSpace(bytes[end - 1]) { end -= 1 }
      guard end > start, isScalar(bytes[start..<end]) else {
        let shown = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<min(end, start + 40)]), as: UTF8.self)
        fail(end > start ? "not a TOML value: `\(shown)`" : "expected a value")
        return ScannedValue(kind: .other(""), line: startLine)
      }
      guard keep else { return ScannedValue(kind: .other(""), line: startLine) }
      return ScannedValue(kind: .other(text(start, end)), line: startLine)
    }
  }

  /// Booleans, numbers (decimal, hex, octal, binary, floats, `inf`, `nan`) and dates, by their characters: a value
  /// that is none of these (a bare word, a second key on the line) is a syntax error.
  private func isScalar(_ raw: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
    if raw.elementsEqual("true".utf8) || raw.elementsEqual("false".utf8) { return true }
    guard let first = raw.first else { return false }
    let startsNumber =
      (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) || first == UInt8(ascii: "+")
      || first == UInt8(ascii: "-") || raw.starts(with: "inf".utf8) || raw.starts(with: "nan".utf8)
    guard startsNumber else { return false }
    // One space may separate a date from its time (`1979-05-27 07:32:00`); anywhere else it joins two values.
    if let space = raw.firstIndex(of: UInt8(ascii: " ")) {
      let offset = space - raw.startIndex
      guard offset == 10, raw[raw.startIndex + 4] == UInt8(ascii: "-"), raw[raw.startIndex + 7] == UInt8(ascii: "-"),
        raw[(space + 1)...].first.map({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) == true,
        !raw[(space + 1)...].contains(UInt8(ascii: " "))
      else { return false }
    }
    return raw.allSatisfy { byte in
      isBareKeyByte(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "+")
        || byte == UInt8(ascii: " ")
    }
  }

  private func isValueEnd(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"), UInt8(ascii: "\n"), UInt8(ascii: "#"):
      return true
    default:
      return false
    }
  }

  /// Reads a basic, literal or multi-line string starting at the quote; nil when unterminated.
  private mutating func readString() -> String? {
    guard let quote = current else { return nil }
    let multiline = peek(1) == quote && peek(2) == quote
    index += multiline ? 3 : 1
    if multiline, current == UInt8(ascii: "\r") { index += 1 }
    if multiline, current == UInt8(ascii: "\n") { advance() }
    let start = index
    if !multiline {
      // A one-line string: plain bytes in a tight loop, made a string in one go (or not at all when unwanted); an
      // escape goes the long way below with what came before it.
      let escapes = quote == UInt8(ascii: "\"")
      // Eight bytes at a time while none of them is the quote, a line break or (in a basic string) a backslash:
      // URLs and hashes, most of a lockfile, go by at a word per step.
      if let base = bytes.baseAddress {
        let quotes = repeatedByte(quote)
        let newlines = repeatedByte(UInt8(ascii: "\n"))
        let backslashes = escapes ? repeatedByte(UInt8(ascii: "\\")) : repeatedByte(quote)
        while index + 8 <= bytes.count {
          let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
          if hasZeroByte(word ^ quotes) || hasZeroByte(word ^ newlines) || hasZeroByte(word ^ backslashes) { break }
          index += 8
        }
      }
      while index < bytes.count {
        let byte = bytes[index]
        if byte == quote {
          index += 1
          return keep ? text(start, index - 1) : ""
        }
        if byte == UInt8(ascii: "\n") { return nil }
        if byte == UInt8(ascii: "\\") && escapes { break }
        index += 1
      }
    }
    var out: [UInt8] = keep ? Array(bytes[start..<index]) : []
    while let byte = current {
      if byte == quote {
        if !multiline {
          index += 1
          return String(decoding: out, as: UTF8.self)
        }
        if peek(1) == quote && peek(2) == quote {
          // Up to two quotes may close a multi-line string's content: `""""` ends with one quote inside.
          var extra = 0
          while extra < 2, peek(3 + extra) == quote { extra += 1 }
          out.append(contentsOf: repeatElement(quote, count: extra))
          index += 3 + extra
          return String(decoding: out, as: UTF8.self)
        }
      }
      if byte == UInt8(ascii: "\n") && !multiline { return nil }
      if byte == UInt8(ascii: "\\") && quote == UInt8(ascii: "\"") {
        index += 1
        readEscape(into: &out, multiline: multiline)
        continue
      }
      if keep { out.append(byte) }
      advance()
    }
    return nil
  }

  private mutating func readEscape(into out: inout [UInt8], multiline: Bool) {
    guard let byte = current else { return }
    index += 1
    switch byte {
    case UInt8(ascii: "n"): out.append(UInt8(ascii: "\n"))
    case UInt8(ascii: "t"): out.append(UInt8(ascii: "\t"))
    case UInt8(ascii: "r"): out.append(UInt8(ascii: "\r"))
    case UInt8(ascii: "b"): out.append(8)
    case UInt8(ascii: "f"): out.append(12)
    case UInt8(ascii: "e"): out.append(27)
    case UInt8(ascii: "u"), UInt8(ascii: "U"):
      let count = byte == UInt8(ascii: "u") ? 4 : 8
      var value: UInt32 = 0
      var digits = 0
      while digits < count, let next = current, let digit = hexValue(next) {
        value = value &* 16 &+ digit
        index += 1
        digits += 1
      }
      if let scalar = Unicode.Scalar(value) { out.append(contentsOf: Array(String(Character(scalar)).utf8)) }
    case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n"):
      // A line-ending backslash in a multi-line string swallows the following whitespace.
      index -= 1
      while let next = current,
        next == UInt8(ascii: " ") || next == UInt8(ascii: "\t") || next == UInt8(ascii: "\r")
          || next == UInt8(ascii: "\n")
      {
        advance()
      }
    default: out.append(byte)
    }
  }

  private func hexValue(_ byte: UInt8) -> UInt32? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
    default: return nil
    }
  }
}

/// `byte` in each of a word's eight bytes.
@inline(__always) private func repeatedByte(_ byte: UInt8) -> UInt64 { 0x0101_0101_0101_0101 &* UInt64(byte) }

/// Whether one of the word's bytes is zero (exact: borrows only start at a zero byte).
@inline(__always) private func hasZeroByte(_ word: UInt64) -> Bool {
  (word &- 0x0101_0101_0101_0101) & ~word & 0x8080_8080_8080_8080 != 0
}

extension String {
  /// The text without leading and trailing spaces, tabs and line breaks (no Foundation needed).
  var trimmingSpaces: String {
    let utf8 = self.utf8
    var start = utf8.startIndex
    var end = utf8.endIndex
    while start < end, isSpace(utf8[start]) { start = utf8.index(after: start) }
    while end > start, isSpace(utf8[utf8.index(before: end)]) { end = utf8.index(before: end) }
    return String(self[start..<end])
  }
}

@inline(__always) func isSpace(_ byte: UInt8) -> Bool {
  byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n")
}
