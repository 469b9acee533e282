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

  /// `<`'s fields joined into bytes, NUL after each (NUL sorts before every character): comparing keys bytewise orders
  /// changes as `<` does for text in normal form. `SnapshotDiff` sorts thousands of changes by it.
  var sortKey: [UInt8] {
    let fields = [area.rawValue, kind.rawValue, source ?? "", subject, location?.path ?? ""]
    var key: [UInt8] = []
    key.reserveCapacity(fields.reduce(fields.count) { $0 + $1.utf8.count })
    for field in fields {
      key += field.utf8
      key.append(0)
    }
    return key
  }

  /// By area, kind, source, subject and path, each by its text; a field is compared only when the ones before it tie
  /// (thousands of pin changes are sorted, and most differ already in the subject).
  public static func < (lhs: Change, rhs: Change) -> Bool {
    if lhs.area != rhs.area { return lhs.area.rawValue < rhs.area.rawValue }
    if lhs.kind != rhs.kind { return lhs.kind.rawValue < rhs.kind.rawValue }
    let (leftSource, rightSource) = (lhs.source ?? "", rhs.source ?? "")
    if leftSource != rightSource { return leftSource < rightSource }
    if lhs.subject != rhs.subject { return lhs.subject < rhs.subject }
    return (lhs.location?.path ?? "") < (rhs.location?.path ?? "")
  }
}
