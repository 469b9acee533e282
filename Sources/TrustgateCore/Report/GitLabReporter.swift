/// GitLab Code Quality report (`artifacts:reports:codequality`): a JSON array of issues, each with the required
/// `description`, `check_name`, `fingerprint`, `severity` and `location.path` + `location.lines.begin`.
public struct GitLabReporter: Reporter {
  /// GitLab requires a path on every issue; findings about no file (environment, clock, proxy) are placed here,
  /// at line 1. Point it at the file that configures the check (the policy file) so the MR widget can link it.
  public var unlocatedPath: String

  public init(unlocatedPath: String = ".trustgate.yml") {
    self.unlocatedPath = unlocatedPath
  }

  public func render(_ evaluation: Evaluation) -> String {
    JSONValue.array(evaluation.findings.map { issue($0, failOn: evaluation.failOn) }).rendered()
  }

  private func issue(_ finding: Finding, failOn: Severity) -> JSONValue {
    var description = "[\(finding.ruleID)] \(finding.message)"
    if !finding.fix.isEmpty { description += " Fix: " + finding.fix }
    let path = finding.location?.path ?? unlocatedPath
    let line = max(1, finding.location?.line ?? 1)
    return .object([
      "description": .string(description),
      "check_name": .string(finding.ruleID),
      "fingerprint": .string(finding.fingerprint),
      "severity": .string(Self.severity(finding.severity, failOn: failOn)),
      "location": .object(["path": .string(path), "lines": .object(["begin": .int(line)])]),
      "categories": .array([.string("Security")]),
    ])
  }

  /// GitLab's five levels from trustgate's three, so the MR widget sorts what fails the build first: an error
  /// (always failing) is `blocker`; a warning is `critical` when it fails the build, else `minor`; a note is
  /// `major` when it fails the build, else `info`.
  static func severity(_ severity: Severity, failOn: Severity) -> String {
    let fails = severity >= failOn
    switch severity {
    case .error: return "blocker"
    case .warning: return fails ? "critical" : "minor"
    case .note: return fails ? "major" : "info"
    }
  }
}
