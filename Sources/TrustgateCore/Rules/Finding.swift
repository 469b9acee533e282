/// How serious a finding is. The policy maps rules to severities and decides which severity fails the build.
public enum Severity: String, Codable, Sendable, CaseIterable, Comparable {
  case note, warning, error

  private var rank: Int {
    switch self {
    case .note: return 0
    case .warning: return 1
    case .error: return 2
    }
  }

  public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// A place in a file: repository-relative (or view-absolute) path and 1-based line.
public struct Location: Codable, Sendable, Hashable, Comparable {
  public var path: String
  public var line: Int?
  public init(path: String, line: Int? = nil) {
    self.path = path
    self.line = line
  }
  public static func < (lhs: Location, rhs: Location) -> Bool { (lhs.path, lhs.line ?? 0) < (rhs.path, rhs.line ?? 0) }
}

/// One rule's verdict on one subject: what is wrong, where, and how to fix it.
public struct Finding: Codable, Sendable, Hashable, Comparable {
  public var ruleID: String
  public var severity: Severity
  public var area: Area
  /// What the finding is about, stable across runs (`httpx`, a fingerprint, `SSL_CERT_FILE`, a path). With the rule
  /// id it identifies the finding (GitLab fingerprints, SARIF partial fingerprints, JUnit test case names).
  public var subject: String
  public var message: String
  public var fix: String
  /// Where to annotate; nil for findings about the environment rather than a file.
  public var location: Location?
  /// The other side of a change (the baseline's file and line), when there is one.
  public var relatedLocations: [Location]

  public init(
    ruleID: String, severity: Severity, area: Area, subject: String, message: String, fix: String,
    location: Location? = nil, relatedLocations: [Location] = []
  ) {
    self.ruleID = ruleID
    self.severity = severity
    self.area = area
    self.subject = subject
    self.message = message
    self.fix = fix
    self.location = location
    self.relatedLocations = relatedLocations
  }

  /// Most severe first, then by rule, file, line and subject: the order every report uses.
  public static func < (lhs: Finding, rhs: Finding) -> Bool {
    if lhs.severity != rhs.severity { return lhs.severity > rhs.severity }
    return (lhs.ruleID, lhs.location?.path ?? "", lhs.location?.line ?? 0, lhs.subject, lhs.message)
      < (rhs.ruleID, rhs.location?.path ?? "", rhs.location?.line ?? 0, rhs.subject, rhs.message)
  }
}

/// A rule's documentation: the catalogue, `explain`, SARIF rule metadata and JUnit names all come from it.
public struct RuleDescription: Codable, Sendable, Hashable {
  public var id: String
  public var title: String
  public var area: Area
  public var severity: Severity
  public var rationale: String
  public var fix: String
  public var sources: [String]

  public init(id: String, title: String, area: Area, severity: Severity, rationale: String, fix: String, sources: [String]) {
    self.id = id
    self.title = title
    self.area = area
    self.severity = severity
    self.rationale = rationale
    self.fix = fix
    self.sources = sources
  }
}

/// A rule that ran on a subject and found nothing: shown as a passed test case so dashboards show what was checked.
public struct PassedCheck: Codable, Sendable, Hashable, Comparable {
  public var ruleID: String
  public var subject: String
  public init(ruleID: String, subject: String) {
    self.ruleID = ruleID
    self.subject = subject
  }
  public static func < (lhs: PassedCheck, rhs: PassedCheck) -> Bool { (lhs.ruleID, lhs.subject) < (rhs.ruleID, rhs.subject) }
}

/// Everything a reporter needs: the rules that ran, what they found (severities already set by the policy),
/// what passed, and the severity that fails the build. Reporters only format this.
public struct Evaluation: Codable, Sendable, Equatable {
  public var rules: [RuleDescription]
  public var findings: [Finding]
  public var passed: [PassedCheck]
  public var failOn: Severity
  /// What was compared, for report headers (`baseline .trustgate/baseline.json`, `git ref origin/main`, `none`).
  public var baseline: String
  /// When the run judged the snapshot, ISO 8601 UTC (`2026-11-30T00:14:36Z`, the snapshot's clock): reports that show
  /// a run date (JUnit's timestamp) use it. Nil when the evaluation was not made by a run.
  public var time: String?

  public init(
    rules: [RuleDescription], findings: [Finding], passed: [PassedCheck], failOn: Severity, baseline: String,
    time: String? = nil
  ) {
    self.rules = rules.sorted { $0.id < $1.id }
    self.findings = findings.sorted()
    self.passed = passed.sorted()
    self.failOn = failOn
    self.baseline = baseline
    self.time = time
  }

  public var failing: [Finding] { findings.filter { $0.severity >= failOn } }
  public var exitStatus: Int32 { failing.isEmpty ? 0 : 1 }
  public func rule(_ id: String) -> RuleDescription? { rules.first { $0.id == id } }
}
