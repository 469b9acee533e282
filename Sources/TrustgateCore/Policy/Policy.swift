/// What a team decided in `.trustgate.yml`: the severity that fails the build, per-rule overrides, ignores with a
/// reason and an expiry, roots that must be present, and which areas to compare with the baseline.
public struct Policy: Sendable, Equatable {
  public var failOn: Severity = .error
  public var severities: [String: Severity] = [:]
  public var disabled: Set<String> = []
  public var ignores: [Ignore] = []
  public var requiredRoots: [RequiredRoot] = []
  /// Servers the clients here must verify: a chain as served (a PEM file in the repository) and the host name.
  public var endpoints: [Endpoint] = []
  public var compare: Set<Area> = Set(Area.allCases)
  /// A baseline file named by the policy (relative to the repository).
  public var baseline: String?
  /// The line of `baseline:` in the policy, for messages.
  public var baselineLine: Int?
  /// Repository paths the lockfile walk leaves out (test fixtures, vendored examples).
  public var exclude: [String] = []
  /// Where the policy came from, for messages.
  public var path: String?

  public init() {}

  /// One suppressed finding: a rule, optionally narrowed to a package, path or fingerprint.
  public struct Ignore: Sendable, Equatable {
    public var rule: String
    public var package: String?
    public var path: String?
    public var fingerprint: String?
    public var reason: String
    /// `YYYY-MM-DD`; the ignore stops applying after that day.
    public var expires: String
    public var line: Int?

    public init(rule: String, package: String? = nil, path: String? = nil, fingerprint: String? = nil, reason: String, expires: String, line: Int? = nil) {
      self.rule = rule
      self.package = package.map(normalizePackageName)
      self.path = path
      self.fingerprint = fingerprint?.lowercased().replacingColons()
      self.reason = reason
      self.expires = expires
      self.line = line
    }

    public func isExpired(at now: String) -> Bool { String(now.prefix(10)) > expires }

    public func matches(_ finding: Finding) -> Bool {
      guard finding.ruleID == rule else { return false }
      if let package, finding.subject != package { return false }
      if let fingerprint, !finding.subject.lowercased().hasPrefix(fingerprint) { return false }
      if let path, finding.location?.path != path && finding.subject != path { return false }
      return true
    }
  }

  /// A root that must be trusted by the named sources (`os-bundle`, `certifi`, a variable such as `SSL_CERT_FILE`,
  /// or a client such as `requests`), matched by SHA-256 or SHA-1.
  public struct RequiredRoot: Sendable, Equatable {
    public var name: String
    public var sha256: String?
    public var sha1: String?
    public var sources: [String]
    public var line: Int?

    public init(name: String, sha256: String? = nil, sha1: String? = nil, sources: [String], line: Int? = nil) {
      self.name = name
      self.sha256 = sha256?.lowercased().replacingColons()
      self.sha1 = sha1?.lowercased().replacingColons()
      self.sources = sources
      self.line = line
    }
  }
}

extension Policy {
  /// One server the gate verifies for every client: `chain` is a repository-relative PEM file holding the leaf and
  /// intermediates as the server sends them; `host` is checked against the leaf.
  public struct Endpoint: Sendable, Equatable {
    public var name: String
    public var chain: String
    public var host: String?
    public var line: Int?

    public init(name: String, chain: String, host: String?, line: Int? = nil) {
      self.name = name
      self.chain = chain
      self.host = host
      self.line = line
    }
  }
}

extension String {
  func replacingColons() -> String { String(filter { $0 != ":" && $0 != " " }) }
}
