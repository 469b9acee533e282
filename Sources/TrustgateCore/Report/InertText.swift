/// One line of text for a terminal or a CI log that report data cannot drive. Every sink that prints lines builds
/// them from this type: the text report, `inspect`'s text, the plain lines and messages of GitHub and Azure
/// annotations, the step summary's cells and the command line's error messages.
///
/// Three rules keep a hostile file name, variable value, lockfile line or certificate subject inert:
/// - Control and invisible characters become visible escapes: C0 controls, DEL and ESC as `\x1b`, line ends and tab
///   as `\n`, `\r`, `\t`, and C1 controls, format characters (bidi overrides, zero-width spaces), line and paragraph
///   separators and every other default-ignorable code point as `\u{202e}`. So no escape sequence reaches a terminal,
///   no value starts a new line, and nothing hides between the characters of a CI command (the runners compare
///   culture-sensitively, which skips ignorable characters).
/// - Echoed values are cut at `valueLimit` characters, composed sentences at `sentenceLimit`, with "…": a 10 MB
///   version string prints as 200 characters.
/// - When a line leaves (`description`), the markers CI runners act on are broken with a backslash: `::` first on a
///   line after blanks (a GitHub workflow command; the runner trims leading whitespace) becomes `\::`; `##[` (GitHub's
///   legacy commands, Azure's formatting commands) and `##vso[` (Azure logging commands), which the runners find
///   anywhere in a line, become `#\#[` and `#\#vso[`.
///
/// Text enters only through the initialisers and string interpolation (literal parts are escaped as well, values are
/// escaped and cut), and leaves only through `description`, so a line cannot skip a rule.
public struct InertText: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringInterpolation {
  /// Characters an echoed value (path, subject, version, variable value) keeps before "…".
  public static let valueLimit = 200
  /// Characters a composed sentence (a finding's message or fix, an error message line) keeps before "…".
  public static let sentenceLimit = 2_000

  /// Escaped and cut; the CI markers are broken on the way out (two values may join into one marker).
  private var content: String

  private init(escaped content: String) { self.content = content }

  /// An echoed value: escaped, and cut at `limit` characters with "…".
  public init(_ value: some StringProtocol, limit: Int = InertText.valueLimit) {
    content = Self.escaped(Self.cut(value, to: limit))
  }

  /// A path: escaped, and cut in the middle so the file name stays visible (`/very/long/…/cacert.pem`).
  public static func path(_ value: some StringProtocol, limit: Int = InertText.valueLimit) -> InertText {
    InertText(escaped: escaped(cut(value, to: limit, keepingEnd: true)))
  }

  /// The line as written: the CI command markers broken (see the type's documentation).
  public var description: String { Self.breakingCommandMarkers(content) }

  /// Whether nothing was written into the line.
  public var isEmpty: Bool { content.isEmpty }

  public static func + (lhs: InertText, rhs: InertText) -> InertText { InertText(escaped: lhs.content + rhs.content) }

  public static func += (lhs: inout InertText, rhs: InertText) { lhs.content += rhs.content }

  /// `parts` with `separator` between them.
  public static func joined(_ parts: [InertText], separator: InertText) -> InertText {
    InertText(escaped: parts.map(\.content).joined(separator: separator.content))
  }

  /// A multi-line text (a message with a `fix:` line, an error): one inert line per line of `text`, at most
  /// `maximumLines`, each cut at `limit`.
  public static func lines(_ text: some StringProtocol, limit: Int = sentenceLimit, maximumLines: Int = 40)
    -> [InertText]
  {
    var lines: [InertText] = []
    var rest = Substring(text)
    while lines.count < maximumLines {
      guard let end = rest.firstIndex(where: \.isNewline) else {
        lines.append(InertText(rest, limit: limit))
        return lines
      }
      lines.append(InertText(rest[..<end], limit: limit))
      rest = rest[rest.index(after: end)...]
      if rest.isEmpty { return lines }
    }
    if !rest.isEmpty { lines.append("…") }
    return lines
  }

  /// Lines joined for writing, each ending in a newline.
  public static func document(_ lines: [InertText]) -> String {
    var out = ""
    for line in lines {
      out += line.description
      out += "\n"
    }
    return out
  }

  /// Text written to a terminal or a log as it stands (an error message, a usage message): every line made inert.
  public static func block(_ text: some StringProtocol, limit: Int = sentenceLimit, maximumLines: Int = 200) -> String {
    document(lines(text, limit: limit, maximumLines: maximumLines))
  }

  /// `text` in an SGR style (bold, a colour), for terminals that asked for colour. The escape sequences come from
  /// trustgate's own table, never from report data.
  static func styled(_ text: InertText, _ style: TerminalStyle) -> InertText {
    InertText(escaped: "\u{1B}[\(style.rawValue)m" + text.content + "\u{1B}[0m")
  }

  // MARK: - Interpolation

  public init(stringLiteral value: String) { content = Self.escaped(value) }

  public init(stringInterpolation: StringInterpolation) { content = stringInterpolation.content }

  /// Literal parts are escaped (they are trustgate's own, but a stray control character must still not pass);
  /// interpolated strings are escaped and cut at `valueLimit` unless a limit is given.
  public struct StringInterpolation: StringInterpolationProtocol {
    fileprivate var content = ""

    public init(literalCapacity: Int, interpolationCount: Int) {
      content.reserveCapacity(literalCapacity + 16 * interpolationCount)
    }

    public mutating func appendLiteral(_ literal: String) { content += InertText.escaped(literal) }
    public mutating func appendInterpolation(_ text: InertText) { content += text.content }
    public mutating func appendInterpolation(_ value: some StringProtocol, limit: Int = InertText.valueLimit) {
      content += InertText(value, limit: limit).content
    }
    /// A path, cut in the middle.
    public mutating func appendInterpolation(path: some StringProtocol) { content += InertText.path(path).content }
    public mutating func appendInterpolation(_ number: some BinaryInteger) { content += String(number) }
  }

  // MARK: - The rules

  /// `value` cut to `limit` Unicode scalars with "…" (scalars, not characters: one character may hold megabytes of
  /// combining marks). With `keepingEnd`, the middle goes and the end stays.
  static func cut(_ value: some StringProtocol, to limit: Int, keepingEnd: Bool = false) -> Substring {
    let scalars = value.unicodeScalars
    let limit = max(limit, 2)
    guard let end = scalars.index(scalars.startIndex, offsetBy: limit, limitedBy: scalars.endIndex),
      end != scalars.endIndex
    else { return Substring(value) }
    if keepingEnd {
      let head = scalars.index(scalars.startIndex, offsetBy: (limit - 1) / 2)
      let tail = scalars.index(scalars.endIndex, offsetBy: -(limit - 1 - (limit - 1) / 2))
      var out = String.UnicodeScalarView()
      out.append(contentsOf: scalars[..<head])
      out.append("…")
      out.append(contentsOf: scalars[tail...])
      return Substring(String(out))
    }
    let kept = scalars.index(scalars.startIndex, offsetBy: limit - 1)
    var out = String.UnicodeScalarView()
    out.append(contentsOf: scalars[..<kept])
    out.append("…")
    return Substring(String(out))
  }

  /// Control and invisible characters as visible escapes (see the type's documentation); everything else unchanged.
  static func escaped(_ text: some StringProtocol) -> String {
    var out = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
      guard needsEscape(scalar) else {
        out.append(scalar)
        continue
      }
      let escape: String
      switch scalar {
      case "\n": escape = "\\n"
      case "\r": escape = "\\r"
      case "\t": escape = "\\t"
      default:
        let hex = String(scalar.value, radix: 16)
        escape = scalar.value < 0x80 ? "\\x" + (hex.count < 2 ? "0" + hex : hex) : "\\u{" + hex + "}"
      }
      out.append(contentsOf: escape.unicodeScalars)
    }
    return String(out)
  }

  /// What a machine format (JSON, XML) writes as an escape when printed where runners read: the second `#` of a pair
  /// and, outside ASCII, what the text report escapes. The reader gets the same text back.
  static func needsReference(_ scalar: Unicode.Scalar, after previous: Unicode.Scalar?) -> Bool {
    (scalar == "#" && previous == "#") || (scalar.value >= 0x7F && needsEscape(scalar))
  }

  static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
    let value = scalar.value
    if value >= 0x20 && value < 0x7F { return false }
    if value < 0x20 || (0x7F...0x9F).contains(value) { return true }
    switch scalar.properties.generalCategory {
    case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate: return true
    default: return scalar.properties.isDefaultIgnorableCodePoint
    }
  }

  /// `::` first on the line (after blanks) becomes `\::`; `##[` and `##vso[` (any case) anywhere become `#\#[` and
  /// `#\#vso[`.
  static func breakingCommandMarkers(_ line: String) -> String {
    guard line.utf8.contains(UInt8(ascii: ":")) || line.utf8.contains(UInt8(ascii: "#")) else { return line }
    let scalars = Array(line.unicodeScalars)
    var out = String.UnicodeScalarView()
    var index = 0
    while index < scalars.count, scalars[index].properties.isWhitespace {
      out.append(scalars[index])
      index += 1
    }
    if index + 1 < scalars.count, scalars[index] == ":", scalars[index + 1] == ":" { out.append("\\") }
    while index < scalars.count {
      out.append(scalars[index])
      if scalars[index] == "#", index + 1 < scalars.count, scalars[index + 1] == "#",
        startsCommand(scalars, at: index + 2)
      {
        out.append("\\")
      }
      index += 1
    }
    return String(out)
  }

  /// `[` or `vso[` (any case) at `index`: what follows `##` in a runner command.
  private static func startsCommand(_ scalars: [Unicode.Scalar], at index: Int) -> Bool {
    guard index < scalars.count else { return false }
    if scalars[index] == "[" { return true }
    let word: [Unicode.Scalar] = ["v", "s", "o", "["]
    guard index + word.count <= scalars.count else { return false }
    for (offset, expected) in word.enumerated() {
      let scalar = scalars[index + offset]
      let lower = (0x41...0x5A).contains(scalar.value) ? Unicode.Scalar(scalar.value + 0x20) ?? scalar : scalar
      if lower != expected { return false }
    }
    return true
  }
}

/// SGR codes the text report paints with.
enum TerminalStyle: String, Sendable {
  case bold = "1"
  case red = "31"
  case green = "32"
  case yellow = "33"
  case cyan = "36"
}

extension StringProtocol {
  /// This text cut to `limit` Unicode scalars with "…", nothing escaped: for string fields of files (JSON, XML,
  /// SARIF), whose own escaping keeps control characters inert, so that no value makes a report megabytes long.
  func capped(_ limit: Int = InertText.valueLimit) -> String { String(InertText.cut(self, to: limit)) }
}
