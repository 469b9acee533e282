/// A strict JSON parser that keeps only what `Pipfile.lock` needs, with lines: for each member of the
/// top-level objects it is told about, the member's line and its `version` string.
///
/// The only parser `Pipfile.lock` goes through: it walks the bytes once for lines, for the line where parsing stops
/// when the file is broken, and for members of the wrong type (a group or an entry that is not an object, a `version`
/// that is not a string).
///
/// A name given twice in one object is read as Python's `json` reads it, which pipenv uses: the last one wins. So a
/// second `"httpx"` entry, or a second `"default"` group, replaces the first (it was kept beside it, and an httpx
/// 0.27 → 0.28 bump written as a second entry passed the gate), and `"version": null` after a version clears it.
struct JSONLineScanner {
  struct Entry: Equatable {
    var group: String
    var name: String
    var line: Int
    var version: String?
    /// Whether the entry's object was read to its end (false when the file breaks inside it).
    var complete = false
  }

  /// The entries that count, in document order of their last occurrence.
  var entries: [Entry] { found.indices.filter { !superseded.contains($0) }.map { found[$0] } }
  /// Every entry read, and those a later one of the same name (or a later group of the same name) replaced.
  private var found: [Entry] = []
  private var superseded: Set<Int> = []
  /// The live entries of each group, by name: where a repeated name finds the one it replaces.
  private var live: [String: [String: Int]] = [:]
  /// 1-based line where the text stops being JSON; nil when it parses.
  private(set) var errorLine: Int?
  /// Members of the wrong type: line and what is wrong, in document order.
  private(set) var typeErrors: [(line: Int, message: String)] = []

  private let bytes: [UInt8]
  private let groups: Set<String>
  private var index = 0
  private var line = 1
  private static let maximumDepth = 256

  init(_ text: String, groups: Set<String>) {
    bytes = Array(text.utf8)
    self.groups = groups
    var path: [String] = []
    if !parseValue(path: &path) {
      errorLine = line
      return
    }
    skipSpace()
    if index < bytes.count { errorLine = line }
  }

  private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

  private mutating func skipSpace() {
    while let byte = current, isSpace(byte) {
      if byte == UInt8(ascii: "\n") { line += 1 }
      index += 1
    }
  }

  private mutating func expect(_ literal: String) -> Bool {
    for byte in literal.utf8 {
      guard current == byte else { return false }
      index += 1
    }
    return true
  }

  private mutating func parseValue(path: inout [String]) -> Bool {
    skipSpace()
    guard let byte = current, path.count < Self.maximumDepth else { return false }
    checkType(byte, at: path)
    switch byte {
    case UInt8(ascii: "{"): return parseObject(path: &path)
    case UInt8(ascii: "["):
      index += 1
      skipSpace()
      if current == UInt8(ascii: "]") {
        index += 1
        return true
      }
      path.append("[]")
      defer { path.removeLast() }
      while true {
        guard parseValue(path: &path) else { return false }
        skipSpace()
        if current == UInt8(ascii: ",") {
          index += 1
        } else {
          return expect("]")
        }
      }
    case UInt8(ascii: "\""):
      guard let string = parseString() else { return false }
      setVersion(string, at: path)
      return true
    case UInt8(ascii: "t"): return expect("true")
    case UInt8(ascii: "f"): return expect("false")
    case UInt8(ascii: "n"):
      setVersion(nil, at: path)
      return expect("null")
    default: return parseNumber()
    }
  }

  /// A `version` member's value, given to the entry being read (the last one given wins, as in Python).
  private mutating func setVersion(_ version: String?, at path: [String]) {
    guard path.count == 3, path[2] == "version", let last = found.indices.last,
      found[last].group == path[0] && found[last].name == path[1]
    else { return }
    found[last].version = version
  }

  /// Records a group or entry that is not an object, and a `version` that is not a string (null is allowed).
  private mutating func checkType(_ byte: UInt8, at path: [String]) {
    guard !path.isEmpty, groups.contains(path[0]), byte != UInt8(ascii: "n") else { return }
    switch path.count {
    case 1, 2:
      let what = path.count == 1 ? "`\(path[0])`" : "`\(path[0]).\(path[1])`"
      if byte != UInt8(ascii: "{") { typeErrors.append((line, "\(what) is not an object")) }
    case 3 where path[2] == "version" && byte != UInt8(ascii: "\""):
      typeErrors.append((line, "`\(path[0]).\(path[1]).version` is not a string"))
    default:
      break
    }
  }

  private mutating func parseObject(path: inout [String]) -> Bool {
    index += 1
    skipSpace()
    if current == UInt8(ascii: "}") {
      index += 1
      return true
    }
    while true {
      skipSpace()
      let keyLine = line
      guard current == UInt8(ascii: "\""), let key = parseString() else { return false }
      skipSpace()
      guard expect(":") else { return false }
      path.append(key)
      if path.count == 1, groups.contains(key), let earlier = live.removeValue(forKey: key) {
        // The group again: Python keeps this one only.
        superseded.formUnion(earlier.values)
      }
      let isEntry = path.count == 2 && groups.contains(path[0])
      if isEntry {
        if let earlier = live[path[0], default: [:]].updateValue(found.count, forKey: key) { superseded.insert(earlier) }
        found.append(Entry(group: path[0], name: key, line: keyLine))
      }
      let ok = parseValue(path: &path)
      path.removeLast()
      guard ok else { return false }
      if isEntry, let last = found.indices.last { found[last].complete = true }
      skipSpace()
      if current == UInt8(ascii: ",") {
        index += 1
      } else {
        return expect("}")
      }
    }
  }

  /// A string's content (escapes kept as written except `\"` and `\\`, enough for names and versions).
  private mutating func parseString() -> String? {
    index += 1
    var out: [UInt8] = []
    while let byte = current {
      index += 1
      switch byte {
      case UInt8(ascii: "\""):
        return String(decoding: out, as: UTF8.self)
      case UInt8(ascii: "\\"):
        guard let escaped = current else { return nil }
        index += 1
        switch escaped {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escaped)
        case UInt8(ascii: "b"): out.append(8)
        case UInt8(ascii: "f"): out.append(12)
        case UInt8(ascii: "n"): out.append(UInt8(ascii: "\n"))
        case UInt8(ascii: "r"): out.append(UInt8(ascii: "\r"))
        case UInt8(ascii: "t"): out.append(UInt8(ascii: "\t"))
        case UInt8(ascii: "u"):
          var value: UInt32 = 0
          for _ in 0..<4 {
            guard let hex = current, let digit = Self.hexValue(hex) else { return nil }
            value = value * 16 + digit
            index += 1
          }
          // A lone surrogate (half of a pair) becomes U+FFFD; names and versions are ASCII anyway.
          out.append(contentsOf: String(Character(Unicode.Scalar(value) ?? "\u{FFFD}")).utf8)
        default: return nil
        }
      case 0..<0x20:
        return nil  // Raw control characters (a newline among them) are not allowed in JSON strings.
      default:
        out.append(byte)
      }
    }
    return nil
  }

  private static func hexValue(_ byte: UInt8) -> UInt32? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
    default: return nil
    }
  }

  private mutating func parseNumber() -> Bool {
    let start = index
    while let byte = current,
      (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
        || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e")
        || byte == UInt8(ascii: "E")
    {
      index += 1
    }
    return index > start
  }
}
