/// What a rule sees: the current snapshot, the baseline (when there is one), the changes between them, the policy.
public struct RuleContext: Sendable {
  public var current: Snapshot
  public var baseline: Snapshot?
  public var changes: [Change] { didSet { byKind = Self.group(changes) } }
  public var policy: Policy
  /// Evaluation time, ISO 8601 UTC (`now` of the clock section when present).
  public var now: String
  /// `changes` by kind, in their order: most rules ask for one kind, and a lockfile diff can hold thousands.
  private var byKind: [Change.Kind: [Change]]

  public init(current: Snapshot, baseline: Snapshot?, changes: [Change], policy: Policy = Policy(), now: String) {
    self.current = current
    self.baseline = baseline
    self.changes = changes
    self.policy = policy
    self.now = now
    byKind = Self.group(changes)
  }

  private static func group(_ changes: [Change]) -> [Change.Kind: [Change]] { Dictionary(grouping: changes, by: \.kind) }

  /// The changes of these kinds, in `changes` order.
  public func changes(_ kinds: Change.Kind...) -> [Change] {
    if kinds.count == 1 { return byKind[kinds[0]] ?? [] }
    return changes.filter { kinds.contains($0.kind) }
  }

  var trust: SnapshotPaths { SnapshotPaths(current) }

  /// "CN=Root,O=Org" → "Root" plus a short fingerprint, for messages.
  public func label(_ fingerprint: String) -> String {
    let certificate = current.certificates[fingerprint] ?? baseline?.certificates[fingerprint]
    guard let subject = certificate?.subject else { return "sha256:\(fingerprint.prefix(16))…" }
    return "\(commonName(subject)) (sha256:\(fingerprint.prefix(16))…)"
  }
}

/// The CN of an RFC 2253 name (escapes undone, so `Weird\, Inc` is `Weird, Inc`), else its OU, else the whole name.
func commonName(_ subject: String) -> String { DistinguishedName.displayName(subject) }

/// A rule's verdicts: findings, and every subject it checked (those without a finding passed).
public struct RuleResult: Sendable {
  public var findings: [Finding] = []
  public var checked: [String] = []
  public init(findings: [Finding] = [], checked: [String] = []) {
    self.findings = findings
    self.checked = checked
  }
}

/// A scenario that documents a rule and is run as its test: the rule must (or must not) fire on it.
public struct RuleExample: Sendable {
  public var name: String
  public var triggers: Bool
  public var context: @Sendable () -> RuleContext
  public init(_ name: String, triggers: Bool, context: @escaping @Sendable () -> RuleContext) {
    self.name = name
    self.triggers = triggers
    self.context = context
  }
}

/// One check. Adding a rule is one new file in `Catalogue/` and one line in `RuleCatalogue.all`.
public protocol Rule: Sendable {
  static var description: RuleDescription { get }
  static var examples: [RuleExample] { get }
  /// Whether the policy's `ignore` entries can suppress this rule's findings (all but the rule that reports on
  /// the ignores themselves).
  static var ignorable: Bool { get }
  func evaluate(_ context: RuleContext) -> RuleResult
}

extension Rule {
  public var description: RuleDescription { Self.description }
  public static var ignorable: Bool { true }

  /// A finding with this rule's id, area, default severity and fix (overridable).
  public func finding(
    _ subject: String, _ message: String, at location: Location? = nil, related: [Location] = [], fix: String? = nil,
    severity: Severity? = nil
  ) -> Finding {
    Finding(
      ruleID: Self.description.id, severity: severity ?? Self.description.severity, area: Self.description.area,
      subject: subject, message: message, fix: fix ?? Self.description.fix, location: location,
      relatedLocations: related)
  }
}
