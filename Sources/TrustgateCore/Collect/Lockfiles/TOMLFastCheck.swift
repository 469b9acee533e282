/// A fast, strict check for the plain TOML that lock tools write: it says `true` only for documents that are
/// certainly valid TOML 1.0, and `false` for everything else, valid or not.
///
/// TOMLKit (toml++) validates any TOML but takes most of a second on a 7 MB `uv.lock` and leaks. Lockfiles use a
/// small subset: headers of bare or quoted keys, `key = value` pairs with single-line strings, decimal integers,
/// booleans, arrays and one-line inline tables. This check covers that subset, syntax and the semantic rules
/// (no duplicate keys, no table defined twice, no array of tables over a table or value), in one pass over the
/// bytes. Anything outside the subset (dotted keys, multi-line strings, floats, dates, hex numbers, escapes in
/// keys, a byte order mark...) answers `false`, and the caller asks TOMLKit, which decides and names the line.
struct TOMLFastCheck {
  static func isCertainlyValid(_ text: String) -> Bool {
    var text = text
    return text.withUTF8 { buffer in
      var check = TOMLFastCheck(bytes: buffer)
      return check.document()
    }
  }

  private let bytes: UnsafeBufferPointer<UInt8>
  private var index = 0

  private init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

  /// A table in the document's tree. Values (including inline tables, which cannot be extended) are leaves.
  private final class Node {
    enum Kind {
      case implicitTable
      case explicitTable
      case arrayOfTables
      case value
    }
    var kind: Kind
    var children: [String: Node] = [:]
    /// For an array of tables: its last element, the only one a later header can reach.
    var last: Node?
    init(_ kind: Kind) { self.kind = kind }
  }

  private static let maxDepth = 32
  private static let maxInlineKeys = 64

  private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

  private mutating func document() -> Bool {
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return false }
    let root = Node(.explicitTable)
    var table = root
    while index < bytes.count {
      skipSpaces()
      guard let byte = current else { break }
      switch byte {
      case UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "#"):
        break
      case UInt8(ascii: "["):
        guard let opened = header(root) else { return false }
        table = opened
      default:
        guard let key = key(), !isDotted() else { return false }
        skipSpaces()
        guard current == UInt8(ascii: "=") else { return false }
        index += 1
        skipSpaces()
        guard table.children[key] == nil, value(depth: 0, inline: false) else { return false }
        table.children[key] = Node(.value)
      }
      guard lineEnd() else { return false }
    }
    return true
  }

  /// `[a.b]` or `[[a.b]]`: the table it opens, or nil when it is outside the subset or invalid.
  private mutating func header(_ root: Node) -> Node? {
    index += 1
    let isArray = current == UInt8(ascii: "[")
    if isArray { index += 1 }
    var path: [String] = []
    while true {
      skipSpaces()
      guard let part = key() else { return nil }
      path.append(part)
      skipSpaces()
      guard current == UInt8(ascii: ".") else { break }
      index += 1
    }
    guard current == UInt8(ascii: "]") else { return nil }
    index += 1
    if isArray {
      guard current == UInt8(ascii: "]") else { return nil }
      index += 1
    }
    var node = root
    for part in path.dropLast() {
      if let child = node.children[part] {
        switch child.kind {
        case .implicitTable, .explicitTable: node = child
        case .arrayOfTables: guard let last = child.last else { return nil }; node = last
        case .value: return nil
        }
      } else {
        let child = Node(.implicitTable)
        node.children[part] = child
        node = child
      }
    }
    let name = path[path.count - 1]
    let existing = node.children[name]
    if isArray {
      let array: Node
      if let existing {
        guard existing.kind == .arrayOfTables else { return nil }
        array = existing
      } else {
        array = Node(.arrayOfTables)
        node.children[name] = array
      }
      let element = Node(.explicitTable)
      array.last = element
      return element
    }
    if let existing {
      guard existing.kind == .implicitTable else { return nil }
      existing.kind = .explicitTable
      return existing
    }
    let table = Node(.explicitTable)
    node.children[name] = table
    return table
  }

  /// After a header or pair: spaces, an optional comment, then a line break or the end.
  private mutating func lineEnd() -> Bool {
    skipSpaces()
    if current == UInt8(ascii: "#") {
      index += 1
      while let byte = current, byte != UInt8(ascii: "\n") {
        if byte == UInt8(ascii: "\r") { break }
        guard isText(at: index) else { return false }
        index += 1
      }
    }
    guard let byte = current else { return true }
    if byte == UInt8(ascii: "\r") {
      index += 1
      guard current == UInt8(ascii: "\n") else { return false }
    }
    guard current == UInt8(ascii: "\n") else { return false }
    index += 1
    return true
  }

  private mutating func skipSpaces() {
    while let byte = current, byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { index += 1 }
  }

  /// Whether a `.` follows the key just read (a dotted key, outside the subset).
  private mutating func isDotted() -> Bool {
    skipSpaces()
    return current == UInt8(ascii: ".")
  }

  /// A bare key, or a quoted one without escapes; nil otherwise.
  private mutating func key() -> String? {
    guard let range = keyRange() else { return nil }
    return String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
  }

  /// The bytes of a key (without quotes), which are its name: escapes in quoted keys are outside the subset.
  private mutating func keyRange() -> Range<Int>? {
    guard let byte = current else { return nil }
    if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
      index += 1
      let start = index
      while let next = current, next != byte {
        guard next != UInt8(ascii: "\\"), isText(at: index) else { return nil }
        index += 1
      }
      guard current == byte, index > start else { return nil }
      index += 1
      return start..<(index - 1)
    }
    let start = index
    while let next = current, isBareKeyByte(next) { index += 1 }
    return index > start ? start..<index : nil
  }

  private mutating func value(depth: Int, inline: Bool) -> Bool {
    guard depth < Self.maxDepth, let byte = current else { return false }
    switch byte {
    case UInt8(ascii: "\""): return basicString()
    case UInt8(ascii: "'"): return literalString()
    case UInt8(ascii: "["): return array(depth: depth, inline: inline)
    case UInt8(ascii: "{"): return inlineTable(depth: depth)
    case UInt8(ascii: "t"): return word("true")
    case UInt8(ascii: "f"): return word("false")
    default: return integer()
    }
  }

  private mutating func word(_ text: StaticString) -> Bool {
    let count = text.utf8CodeUnitCount
    guard index + count <= bytes.count else { return false }
    for offset in 0..<count where bytes[index + offset] != text.utf8Start[offset] { return false }
    index += count
    return isValueEnd()
  }

  /// A decimal integer of at most 18 digits (so it fits in 64 bits), `_` between digits; a float or date fails.
  private mutating func integer() -> Bool {
    if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
    guard let first = current, isDigit(first) else { return false }
    var digits = 0
    var previousWasDigit = false
    while let byte = current {
      if isDigit(byte) {
        digits += 1
        previousWasDigit = true
      } else if byte == UInt8(ascii: "_") && previousWasDigit {
        previousWasDigit = false
      } else {
        break
      }
      index += 1
    }
    guard previousWasDigit, digits <= 18, first != UInt8(ascii: "0") || digits == 1 else { return false }
    return isValueEnd()
  }

  /// Whether what follows a scalar can end it: spaces, a comma, a closing bracket or brace, a comment, a line end.
  private func isValueEnd() -> Bool {
    guard let byte = current else { return true }
    switch byte {
    case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"),
      UInt8(ascii: "#"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
      return true
    default:
      return false
    }
  }

  /// A single-line basic string with the escapes TOML 1.0 defines.
  private mutating func basicString() -> Bool {
    if index + 2 < bytes.count, bytes[index + 1] == UInt8(ascii: "\""), bytes[index + 2] == UInt8(ascii: "\"") {
      return false  // Multi-line (or an empty string right before a quote): outside the subset.
    }
    index += 1
    while let byte = current {
      index += 1
      switch byte {
      case UInt8(ascii: "\""):
        return true
      case UInt8(ascii: "\\"):
        guard let escape = current else { return false }
        index += 1
        switch escape {
        case UInt8(ascii: "b"), UInt8(ascii: "t"), UInt8(ascii: "n"), UInt8(ascii: "f"), UInt8(ascii: "r"),
          UInt8(ascii: "\""), UInt8(ascii: "\\"):
          continue
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
          guard unicodeEscape(digits: escape == UInt8(ascii: "u") ? 4 : 8) else { return false }
        default:
          return false
        }
      default:
        guard isText(at: index - 1) else { return false }
      }
    }
    return false
  }

  private mutating func unicodeEscape(digits: Int) -> Bool {
    var value: UInt32 = 0
    for _ in 0..<digits {
      guard let byte = current, let digit = hexValue(byte) else { return false }
      value = value << 4 | digit
      index += 1
    }
    return value != 0 && Unicode.Scalar(value) != nil
  }

  private mutating func literalString() -> Bool {
    if index + 2 < bytes.count, bytes[index + 1] == UInt8(ascii: "'"), bytes[index + 2] == UInt8(ascii: "'") {
      return false
    }
    index += 1
    while let byte = current {
      index += 1
      if byte == UInt8(ascii: "'") { return true }
      guard isText(at: index - 1) else { return false }
    }
    return false
  }

  /// Spaces, line breaks and comments between array items; none inside an inline table (TOML 1.0).
  private mutating func skipArraySpace(inline: Bool) -> Bool {
    while let byte = current {
      switch byte {
      case UInt8(ascii: " "), UInt8(ascii: "\t"):
        index += 1
      case UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "#"):
        guard !inline, lineEnd() else { return false }
      default:
        return true
      }
    }
    return true
  }

  private mutating func array(depth: Int, inline: Bool) -> Bool {
    index += 1
    while true {
      guard skipArraySpace(inline: inline), let byte = current else { return false }
      if byte == UInt8(ascii: "]") {
        index += 1
        return true
      }
      guard value(depth: depth + 1, inline: inline), skipArraySpace(inline: inline), let next = current else {
        return false
      }
      if next == UInt8(ascii: ",") {
        index += 1
      } else if next != UInt8(ascii: "]") {
        return false
      }
    }
  }

  /// `{ a = 1, b = "x" }` on one line, keys unique and not dotted, no trailing comma.
  private mutating func inlineTable(depth: Int) -> Bool {
    index += 1
    skipSpaces()
    if current == UInt8(ascii: "}") {
      index += 1
      return true
    }
    var keys: [Range<Int>] = []
    while true {
      skipSpaces()
      guard keys.count < Self.maxInlineKeys, let range = keyRange(), !isDotted() else { return false }
      for other in keys where other.count == range.count {
        if bytes[other].elementsEqual(bytes[range]) { return false }
      }
      keys.append(range)
      skipSpaces()
      guard current == UInt8(ascii: "=") else { return false }
      index += 1
      skipSpaces()
      guard value(depth: depth + 1, inline: true) else { return false }
      skipSpaces()
      guard let next = current else { return false }
      index += 1
      if next == UInt8(ascii: "}") { return true }
      guard next == UInt8(ascii: ",") else { return false }
    }
  }

  /// Whether the byte at `position` may stand in a string or comment: not an ASCII control character other than
  /// tab. Non-ASCII bytes are valid UTF-8 here (the text is a Swift string); C1 controls (U+0080 to U+009F) are
  /// left to TOMLKit.
  private func isText(at position: Int) -> Bool {
    let byte = bytes[position]
    if byte >= 0x20 && byte != 0x7F {
      if byte == 0xC2, position + 1 < bytes.count, bytes[position + 1] <= 0x9F { return false }
      return true
    }
    return byte == UInt8(ascii: "\t")
  }

  private func isBareKeyByte(_ byte: UInt8) -> Bool {
    isAlphanumeric(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
  }

  private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

  private func hexValue(_ byte: UInt8) -> UInt32? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
    default: return nil
    }
  }
}
