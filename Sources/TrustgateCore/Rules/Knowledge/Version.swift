/// A PEP 440-ish version for ordering: numeric release parts, then pre-release (`a`, `b`, `rc`, `dev`) before
/// the release and post-release (`post`) after it. Enough to place versions around the knowledge table's boundaries.
///
/// Release numbers and phase numbers are kept as digit strings, compared without leading zeros by length and then
/// lexically, so a number of any length orders correctly (PEP 440 sets no upper bound; `2.18446744073709551647` must
/// not wrap to a small number).
public struct Version: Comparable, Sendable, CustomStringConvertible {
  /// Release numbers as digit strings without leading zeros (`"0"` for zero), trailing zeros removed.
  public var releaseDigits: [String]
  /// -4 dev, -3 alpha, -2 beta, -1 rc… encoded as (rank, digits); 0 for a final release, 1 for post.
  var phase: (rank: Int, number: String)
  public let description: String

  /// Release numbers as integers; a number too large for `Int` reads as `Int.max`. For display and small
  /// comparisons (an OpenSSL major); ordering uses `releaseDigits`.
  public var release: [Int] { releaseDigits.map { Int($0) ?? Int.max } }

  /// A final release from its numbers, for boundaries written in code (`Version(0, 28)`).
  public init(_ numbers: Int...) {
    let parts = numbers.isEmpty ? [0] : numbers
    description = parts.map(String.init).joined(separator: ".")
    releaseDigits = Self.trimmed(parts.map { Self.digits(Substring(String(max(0, $0)))) })
    phase = (0, "0")
  }

  public init?(_ text: String) {
    var s = Substring(text.trimmingWhitespace())
    if s.hasPrefix("v") { s = s.dropFirst() }
    if let bang = s.firstIndex(of: "!") { s = s[s.index(after: bang)...] }
    if let plus = s.firstIndex(of: "+") { s = s[..<plus] }
    var parts: [String] = []
    var start = s.startIndex
    var index = s.startIndex
    while index < s.endIndex {
      let c = s[index]
      if c.isASCII, c.isNumber {
        // A digit: part of the current number.
      } else if c == "." && index > start {
        parts.append(Self.digits(s[start..<index]))
        start = s.index(after: index)
      } else {
        break
      }
      index = s.index(after: index)
    }
    if index > start { parts.append(Self.digits(s[start..<index])) }
    guard !parts.isEmpty else { return nil }
    releaseDigits = Self.trimmed(parts)
    let rest = s[index...].lowercased().filter { $0 != "." && $0 != "-" && $0 != "_" }
    let number = Self.digits(Substring(rest.drop { !($0.isASCII && $0.isNumber) }.prefix { $0.isASCII && $0.isNumber }))
    if rest.isEmpty {
      phase = (0, "0")
    } else if rest.hasPrefix("dev") {
      phase = (-4, number)
    } else if rest.hasPrefix("a") || rest.hasPrefix("alpha") {
      phase = (-3, number)
    } else if rest.hasPrefix("b") || rest.hasPrefix("beta") {
      phase = (-2, number)
    } else if rest.hasPrefix("rc") || rest.hasPrefix("c") || rest.hasPrefix("pre") {
      phase = (-1, number)
    } else if rest.hasPrefix("post") || rest.hasPrefix("r") {
      phase = (1, number)
    } else {
      phase = (0, "0")
    }
    description = text
  }

  /// ASCII digits without leading zeros; `"0"` for none or all zeros.
  static func digits(_ text: Substring) -> String {
    let significant = text.drop { $0 == "0" }
    return significant.isEmpty ? "0" : String(significant)
  }

  /// Trailing zero parts removed (`1.0.0` is `1`), keeping at least one part.
  static func trimmed(_ parts: [String]) -> [String] {
    var parts = parts
    while parts.count > 1 && parts.last == "0" { parts.removeLast() }
    return parts
  }

  /// Orders two digit strings without leading zeros: the longer is larger, equal lengths compare lexically.
  static func less(_ a: String, _ b: String) -> Bool {
    a.utf8.count != b.utf8.count ? a.utf8.count < b.utf8.count : a < b
  }

  public static func == (lhs: Version, rhs: Version) -> Bool {
    lhs.releaseDigits == rhs.releaseDigits && lhs.phase == rhs.phase
  }

  public static func < (lhs: Version, rhs: Version) -> Bool {
    let count = max(lhs.releaseDigits.count, rhs.releaseDigits.count)
    for i in 0..<count {
      let a = i < lhs.releaseDigits.count ? lhs.releaseDigits[i] : "0"
      let b = i < rhs.releaseDigits.count ? rhs.releaseDigits[i] : "0"
      if a != b { return less(a, b) }
    }
    if lhs.phase.rank != rhs.phase.rank { return lhs.phase.rank < rhs.phase.rank }
    return less(lhs.phase.number, rhs.phase.number)
  }

  /// Whether moving from `old` to `new` crosses `boundary` (in either direction).
  public static func crosses(from old: Version, to new: Version, boundary: Version) -> Bool {
    (old < boundary) != (new < boundary)
  }
}
