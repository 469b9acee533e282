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
  /// A header whose first key character is neither a bare-key character nor a quote (`[[[x]]`, `[#`): invalid
  /// TOML that toml++ (inside TOMLKit) asserts on instead of reporting, so it must never be handed one.
  case badHeader(line: Int)
  /// A `}` where an array expects a value or `]` (`[1, }`): toml++ assumes it never meets one there (undefined
  /// behaviour in release builds, an assertion in debug builds), so it must never be handed one either.
  case badArrayValue(line: Int)
}

/// A lenient, position-keeping TOML reader for the few shapes lockfiles use.
///
/// TOMLKit decides whether a file is valid TOML but gives no positions; this scanner gives every key and value
/// its line. On anything it does not follow it skips to the next line rather than fail.
struct TOMLScanner {
  private let bytes: [UInt8]
  private var index = 0
  /// Whether the value being read is wanted (see `scan`): when not, strings and arrays are only passed over.
  private var keep = true
  private(set) var line = 1

  init(_ text: String) {
    bytes = Array(text.utf8)
  }

  /// Calls `handle` for each header and key/value pair.
  ///
  /// - Parameter keeps: whether the value of a pair with this key (under the current header) is wanted; others
  ///   are passed over without building strings or arrays and reported as an empty `.other` value. Lines and
  ///   `badArrayValue` events are the same either way. Big lockfiles are mostly wheel URLs and hashes nobody reads.
  static func scan(_ text: String, keeps: ([String]) -> Bool = { _ in true }, _ handle: (TOMLEvent) -> Void) {
    var scanner = TOMLScanner(text)
    scanner.run(keeps, handle)
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
        if !isSafeHeader() { handle(.badHeader(line: startLine)) }
        index += isArray ? 2 : 1
        skipBlank(newlines: false)
        let path = readKey()
        skipBlank(newlines: false)
        if let path, current == UInt8(ascii: "]"), !isArray || peek(1) == UInt8(ascii: "]") {
          index += isArray ? 2 : 1
          handle(.header(path: path, array: isArray, line: startLine))
        }
      } else if let key = readKey() {
        skipBlank(newlines: false)
        if current == UInt8(ascii: "=") {
          index += 1
          skipBlank(newlines: false)
          keep = keeps(key)
          let value = readValue(depth: 0, handle)
          handle(.pair(key: key, value: value, line: startLine))
        }
      }
      skipToLineEnd()
    }
  }

  /// Whether the header at `index` starts its key the way toml++ requires (mirrors its `parse_table_header`).
  private func isSafeHeader() -> Bool {
    var offset = 1
    func skipWhitespace() -> Bool {
      var skipped = false
      while let byte = peek(offset), byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") {
        offset += 1
        skipped = true
      }
      return skipped
    }
    let hadWhitespace = skipWhitespace()
    if peek(offset) == UInt8(ascii: "[") {
      if hadWhitespace { return true }  // toml++ reports `[ [` itself.
      offset += 1
      _ = skipWhitespace()
    }
    guard let byte = peek(offset) else { return true }
    return isBareKeyByte(byte) || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") || byte == UInt8(ascii: "]")
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

  /// A dotted key of bare or quoted parts, or nil when none starts here.
  private mutating func readKey() -> [String]? {
    var parts: [String] = []
    while true {
      skipBlank(newlines: false)
      guard let byte = current else { break }
      if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
        guard let part = readString() else { return nil }
        parts.append(part)
      } else {
        let start = index
        while let next = current, isBareKeyByte(next) { index += 1 }
        if start == index { return nil }
        parts.append(String(decoding: bytes[start..<index], as: UTF8.self))
      }
      skipBlank(newlines: false)
      guard current == UInt8(ascii: ".") else { break }
      index += 1
    }
    return parts.isEmpty ? nil : parts
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

  private mutating func readValue(depth: Int, _ handle: (TOMLEvent) -> Void) -> ScannedValue {
    let startLine = line
    guard let byte = current, depth < 64 else { return ScannedValue(kind: .other(""), line: startLine) }
    switch byte {
    case UInt8(ascii: "\""), UInt8(ascii: "'"):
      return ScannedValue(kind: .string(readString() ?? ""), line: startLine)
    case UInt8(ascii: "["):
      index += 1
      var items: [ScannedValue] = []
      while true {
        skipBlank(newlines: true)
        guard let next = current else { break }
        if next == UInt8(ascii: "]") {
          index += 1
          break
        }
        if next == UInt8(ascii: ",") {
          index += 1
          continue
        }
        if next == UInt8(ascii: "}") { handle(.badArrayValue(line: line)) }
        let before = index
        let item = readValue(depth: depth + 1, handle)
        if keep { items.append(item) }
        if index == before { index += 1 }  // Never stall on a byte no rule takes.
      }
      return ScannedValue(kind: .array(items), line: startLine)
    case UInt8(ascii: "{"):
      index += 1
      var pairs: [(key: String, value: ScannedValue)] = []
      while true {
        skipBlank(newlines: true)
        guard let next = current else { break }
        if next == UInt8(ascii: "}") {
          index += 1
          break
        }
        if next == UInt8(ascii: ",") {
          index += 1
          continue
        }
        let before = index
        if let key = readKey() {
          skipBlank(newlines: false)
          if current == UInt8(ascii: "=") {
            index += 1
            skipBlank(newlines: false)
            let value = readValue(depth: depth + 1, handle)
            if keep { pairs.append((key.joined(separator: "."), value)) }
          }
        }
        if index == before { index += 1 }
      }
      return ScannedValue(kind: .table(pairs), line: startLine)
    default:
      let start = index
      while let next = current, !isValueEnd(next) { index += 1 }
      guard keep else { return ScannedValue(kind: .other(""), line: startLine) }
      let raw = String(decoding: bytes[start..<index], as: UTF8.self)
      return ScannedValue(kind: .other(raw.trimmingSpaces), line: startLine)
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
    var out: [UInt8] = []
    if !keep && !multiline {
      // Passing over an unwanted one-line string: plain bytes in a tight loop; an escape goes the long way below.
      while index < bytes.count {
        let byte = bytes[index]
        if byte == quote {
          index += 1
          return ""
        }
        if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\\") { break }
        index += 1
      }
    }
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
