/// One typed difference between a baseline snapshot and the current one.
public struct Change: Codable, Sendable, Hashable, Comparable {
  public enum Kind: String, Codable, Sendable {
    case rootRemoved, rootAdded
    case storeAppeared, storeRemoved, storeEmptied
    case pinChanged, pinAdded, pinRemoved
    case installedChanged
    case envSet, envUnset, envRetargeted
    case proxyChanged
    case pythonVersionChanged, opensslVersionChanged
    case trustSourceChanged
  }

  public var kind: Kind
  public var area: Area
  /// What changed: a fingerprint, package, variable, client or store path.
  public var subject: String
  /// The trust source a root change belongs to (a store path, `certifi`, a variable name).
  public var source: String?
  public var before: String?
  public var after: String?
  /// Where the current side lives (lockfile and line), and the baseline side.
  public var location: Location?
  public var baseLocation: Location?

  public init(
    kind: Kind, area: Area, subject: String, source: String? = nil, before: String? = nil, after: String? = nil,
    location: Location? = nil, baseLocation: Location? = nil
  ) {
    self.kind = kind
    self.area = area
    self.subject = subject
    self.source = source
    self.before = before
    self.after = after
    self.location = location
    self.baseLocation = baseLocation
  }

  public static func < (lhs: Change, rhs: Change) -> Bool {
    (lhs.area.rawValue, lhs.kind.rawValue, lhs.source ?? "", lhs.subject, lhs.location?.path ?? "")
      < (rhs.area.rawValue, rhs.kind.rawValue, rhs.source ?? "", rhs.subject, rhs.location?.path ?? "")
  }
}
