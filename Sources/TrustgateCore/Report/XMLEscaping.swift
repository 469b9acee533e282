/// Escaping for XML 1.0 text and attribute values.
enum XMLEscaping {
  /// Element content: `&`, `<`, `>` as entities, CR as `&#13;` (a parser would turn a raw CR into LF), and the
  /// characters XML 1.0 forbids (C0 controls other than tab/LF/CR, U+FFFE, U+FFFF) as U+FFFD.
  static func text(_ value: String) -> String { escape(value, inAttribute: false) }

  /// Attribute value in double quotes: as `text`, plus `"` and `'`, and tab/LF/CR as character references so
  /// attribute-value normalisation keeps them.
  static func attribute(_ value: String) -> String { escape(value, inAttribute: true) }

  /// Besides, what a CI runner reading standard output would act on is written as character references, the same
  /// text to any XML reader (the runners see a report printed with `--format junit`): the second `#` of a pair
  /// (`##[`, `##vso[` anywhere in a line), `::` first on a line of element text, DEL, C1 controls and the invisible
  /// characters the text report escapes (bidi overrides, zero-width characters, which the runners skip).
  private static func escape(_ value: String, inAttribute: Bool) -> String {
    var out = ""
    out.reserveCapacity(value.utf8.count)
    let scalars = Array(value.unicodeScalars)
    var lineStart = true
    for (index, scalar) in scalars.enumerated() {
      defer { lineStart = scalar == "\n" || (lineStart && (scalar == " " || scalar == "\t")) }
      if InertText.needsReference(scalar, after: index > 0 ? scalars[index - 1] : nil)
        || (scalar == ":" && lineStart && !inAttribute && index + 1 < scalars.count && scalars[index + 1] == ":")
      {
        out.append("&#x" + String(scalar.value, radix: 16, uppercase: true) + ";")
        continue
      }
      switch scalar {
      case "&": out.append("&amp;")
      case "<": out.append("&lt;")
      case ">": out.append("&gt;")
      case "\r": out.append("&#13;")
      case "\"" where inAttribute: out.append("&quot;")
      case "'" where inAttribute: out.append("&apos;")
      case "\n" where inAttribute: out.append("&#10;")
      case "\t" where inAttribute: out.append("&#9;")
      default:
        let code = scalar.value
        let forbidden = (code < 0x20 && scalar != "\n" && scalar != "\t") || code == 0xFFFE || code == 0xFFFF
        if forbidden {
          out.append("\u{FFFD}")
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out
  }
}
