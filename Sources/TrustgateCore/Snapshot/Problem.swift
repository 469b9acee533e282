/// Bad input met while collecting: where it is, what is wrong, and what to do about it.
///
/// Collectors never stop at the first error; they record a `Problem` and carry on.
public struct Problem: Codable, Sendable, Hashable, Comparable {
  public var area: Area
  public var path: String?
  public var line: Int?
  public var message: String
  public var fix: String

  public init(area: Area, path: String? = nil, line: Int? = nil, message: String, fix: String) {
    self.area = area
    self.path = path
    self.line = line
    self.message = message
    self.fix = fix
  }

  public static func < (lhs: Problem, rhs: Problem) -> Bool {
    (lhs.area.rawValue, lhs.path ?? "", lhs.line ?? 0, lhs.message)
      < (rhs.area.rawValue, rhs.path ?? "", rhs.line ?? 0, rhs.message)
  }
}

/// The parts of a trust setup that trustgate inspects; each collector fills one.
public enum Area: String, Codable, Sendable, CaseIterable, Comparable {
  case platform, stores, openssl, environment, proxy, python, lockfiles, clock

  public static func < (lhs: Area, rhs: Area) -> Bool { lhs.rawValue < rhs.rawValue }
}
