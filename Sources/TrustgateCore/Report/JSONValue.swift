/// A JSON document built by the reporters and printed with sorted keys, so the same findings give the same bytes.
///
/// Foundation's `JSONEncoder` escapes `/` and orders keys by platform rules; writing the few lines here keeps the
/// output identical on Linux and macOS.
enum JSONValue: Equatable, Sendable {
  case string(String)
  case int(Int)
  case bool(Bool)
  case null
  case array([JSONValue])
  case object([String: JSONValue])

  /// Pretty-printed with two-space indent and keys in code-point order, ending in a newline.
  func rendered() -> String {
    var out = ""
    write(to: &out, indent: 0)
    out.append("\n")
    return JSONText.inert(out)
  }

  private func write(to out: inout String, indent: Int) {
    switch self {
    case .string(let text): JSONValue.writeString(text, to: &out)
    case .int(let number): out.append(String(number))
    case .bool(let flag): out.append(flag ? "true" : "false")
    case .null: out.append("null")
    case .array(let items):
      guard !items.isEmpty else {
        out.append("[]")
        return
      }
      out.append("[\n")
      for (index, item) in items.enumerated() {
        out.append(String(repeating: "  ", count: indent + 1))
        item.write(to: &out, indent: indent + 1)
        out.append(index == items.count - 1 ? "\n" : ",\n")
      }
      out.append(String(repeating: "  ", count: indent) + "]")
    case .object(let members):
      guard !members.isEmpty else {
        out.append("{}")
        return
      }
      out.append("{\n")
      // Compare scalars, not `String` (which uses canonical equivalence), so order never depends on Unicode tables.
      let keys = members.keys.sorted {
        Array($0.unicodeScalars.map(\.value)).lexicographicallyPrecedes($1.unicodeScalars.map(\.value))
      }
      for (index, key) in keys.enumerated() {
        out.append(String(repeating: "  ", count: indent + 1))
        JSONValue.writeString(key, to: &out)
        out.append(": ")
        members[key, default: .null].write(to: &out, indent: indent + 1)
        out.append(index == keys.count - 1 ? "\n" : ",\n")
      }
      out.append(String(repeating: "  ", count: indent) + "}")
    }
  }

  private static func writeString(_ text: String, to out: inout String) {
    out.append("\"")
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out.append("\\\"")
      case "\\": out.append("\\\\")
      case "\n": out.append("\\n")
      case "\r": out.append("\\r")
      case "\t": out.append("\\t")
      case "\u{08}": out.append("\\b")
      case "\u{0C}": out.append("\\f")
      default:
        // Control characters as \u escapes (JSON requires it; `rendered` escapes DEL, C1 and line separators).
        if scalar.value < 0x20 {
          let hex = String(scalar.value, radix: 16, uppercase: false)
          out.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    out.append("\"")
  }
}

extension JSONValue {
  /// `.null` when `value` is nil, so optional fields can be written inline; drop them with `compacted`.
  static func optional(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
  static func optional(_ value: Int?) -> JSONValue { value.map(JSONValue.int) ?? .null }

  /// An object without its `.null` members: formats that forbid `null` (SARIF) get absent keys instead.
  static func compact(_ members: [String: JSONValue]) -> JSONValue {
    .object(members.filter { $0.value != .null })
  }
}

/// JSON text made safe to print where CI runners read standard output. Every character changed here can only stand
/// inside a string (JSON's own syntax is ASCII without `#`), and becomes a `\u` escape: the same value to any JSON
/// reader. `##[` and `##vso[` anywhere in a line are GitHub and Azure commands, so the second `#` of a pair is
/// escaped; DEL, C1 controls, the line separators (which JSONEncoder leaves raw) and every invisible character the
/// text report escapes (bidi overrides, zero-width characters: the runners match commands culture-sensitively and
/// skip those, so `#\u{200B}#vso[` is `##vso[` to them) are escaped too.
public enum JSONText {
  public static func inert(_ json: String) -> String {
    var out = String.UnicodeScalarView()
    var previous: Unicode.Scalar?
    for scalar in json.unicodeScalars {
      defer { previous = scalar }
      let value = scalar.value
      guard InertText.needsReference(scalar, after: previous) else {
        out.append(scalar)
        continue
      }
      // Beyond the BMP (a tag character), as JSON writes it: a UTF-16 surrogate pair.
      let units = value > 0xFFFF ? [0xD800 + ((value - 0x10000) >> 10), 0xDC00 + ((value - 0x10000) & 0x3FF)] : [value]
      for unit in units {
        let hex = String(unit, radix: 16)
        out.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).unicodeScalars)
      }
    }
    return String(out)
  }
}
