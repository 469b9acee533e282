/// A PEP 440-ish version for ordering: numeric release parts, then pre-release (`a`, `b`, `rc`, `dev`) before
/// the release and post-release (`post`) after it. Enough to place versions around the knowledge table's boundaries.
public struct Version: Comparable, Sendable, CustomStringConvertible {
  public var release: [Int]
  /// -3 dev, -2 alpha, -1 beta/rc… encoded as (rank, number); 0 for a final release, 1 for post.
  var phase: (rank: Int, number: Int)
  public let description: String

  /// A final release from its numbers, for boundaries written in code (`Version(0, 28)`).
  public init(_ numbers: Int...) {
    var parts = numbers.isEmpty ? [0] : numbers
    description = parts.map(String.init).joined(separator: ".")
    while parts.count > 1 && parts.last == 0 { parts.removeLast() }
    release = parts
    phase = (0, 0)
  }

  public init?(_ text: String) {
    var s = Substring(text.trimmingWhitespace())
    if s.hasPrefix("v") { s = s.dropFirst() }
    if let bang = s.firstIndex(of: "!") { s = s[s.index(after: bang)...] }
    if let plus = s.firstIndex(of: "+") { s = s[..<plus] }
    var parts: [Int] = []
    var current = 0
    var digits = 0
    var index = s.startIndex
    while index < s.endIndex {
      let c = s[index]
      if let d = c.wholeNumberValue, c.isASCII {
        current = current &* 10 &+ d
        digits += 1
      } else if c == "." && digits > 0 {
        parts.append(current)
        current = 0
        digits = 0
      } else {
        break
      }
      index = s.index(after: index)
    }
    if digits > 0 { parts.append(current) }
    guard !parts.isEmpty else { return nil }
    while parts.count > 1 && parts.last == 0 { parts.removeLast() }
    release = parts
    let rest = s[index...].lowercased().filter { $0 != "." && $0 != "-" && $0 != "_" }
    let number = Int(rest.drop { !$0.isNumber }) ?? 0
    if rest.isEmpty {
      phase = (0, 0)
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
      phase = (0, 0)
    }
    description = text
  }

  public static func == (lhs: Version, rhs: Version) -> Bool {
    lhs.release == rhs.release && lhs.phase == rhs.phase
  }

  public static func < (lhs: Version, rhs: Version) -> Bool {
    let count = max(lhs.release.count, rhs.release.count)
    for i in 0..<count {
      let a = i < lhs.release.count ? lhs.release[i] : 0
      let b = i < rhs.release.count ? rhs.release[i] : 0
      if a != b { return a < b }
    }
    return lhs.phase < rhs.phase
  }

  /// Whether moving from `old` to `new` crosses `boundary` (in either direction).
  public static func crosses(from old: Version, to new: Version, boundary: Version) -> Bool {
    (old < boundary) != (new < boundary)
  }
}
