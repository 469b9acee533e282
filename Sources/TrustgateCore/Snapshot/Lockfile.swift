/// One package requirement found in a lockfile or requirements file, with where it was found.
public struct Pin: Codable, Sendable, Hashable, Comparable {
  /// PEP 503-normalised distribution name.
  public var name: String
  /// The exact version when the file pins one (`==1.2.3`, a lockfile entry); nil for a range or a bare name.
  public var version: String?
  /// The version specifier as written when it is not an exact pin (`>=0.27,<0.28`); nil for exact pins.
  public var specifier: String?
  /// 1-based line of the entry in its file.
  public var line: Int
  /// Dependency group when the format records one (`dev`, `default`, `develop`, …); nil otherwise.
  public var group: String?

  public init(name: String, version: String? = nil, specifier: String? = nil, line: Int, group: String? = nil) {
    self.name = normalizePackageName(name)
    self.version = version
    self.specifier = specifier
    self.line = line
    self.group = group
  }

  public static func < (lhs: Pin, rhs: Pin) -> Bool {
    // Field by field, so the common case (different names) compares one string and builds nothing.
    if lhs.name != rhs.name { return lhs.name < rhs.name }
    if lhs.line != rhs.line { return lhs.line < rhs.line }
    if lhs.group != rhs.group { return (lhs.group ?? "") < (rhs.group ?? "") }
    return (lhs.version ?? "") < (rhs.version ?? "")
  }
}

/// The lockfile and requirement formats trustgate reads.
public enum LockfileFormat: String, Codable, Sendable, CaseIterable, Comparable {
  case requirements, poetry = "poetry.lock", uv = "uv.lock", pipfile = "Pipfile.lock", pdm = "pdm.lock"
  case pylock = "pylock.toml", pyproject = "pyproject.toml"

  public static func < (lhs: LockfileFormat, rhs: LockfileFormat) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// One lockfile in the repository and the pins read from it.
public struct Lockfile: Codable, Sendable, Hashable, Comparable {
  /// Path relative to the repository root, `/`-separated.
  public var path: String
  public var format: LockfileFormat
  public var pins: [Pin]

  public init(path: String, format: LockfileFormat, pins: [Pin]) {
    self.path = path
    self.format = format
    self.pins = pins.sorted()
  }

  public static func < (lhs: Lockfile, rhs: Lockfile) -> Bool { lhs.path < rhs.path }
}
