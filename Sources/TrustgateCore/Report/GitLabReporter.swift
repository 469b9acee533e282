/// GitLab Code Quality report (`artifacts:reports:codequality`): a JSON array of issues, each with the required
/// `description`, `check_name`, `fingerprint`, `severity` and `location.path` + `location.lines.begin`.
///
/// GitLab requires a repository file on every issue and links it in the merge request. A finding is never placed at a
/// file that does not exist: one about no file (environment, clock, proxy), outside the repository (a host CA folder)
/// or about a file since deleted is placed at line 1 of the first of the context's anchors (policy file, CI
/// configuration, baseline, lockfiles), its own path kept in the description. A repository with none of those files
/// gets such findings left out of this report (the job's log and exit status still carry them).
public struct GitLabReporter: Reporter {
  public var context: ReportContext

  public init(context: ReportContext = ReportContext()) {
    self.context = context
  }

  /// Anchors file-less findings at `unlocatedPath`, a file the caller knows to exist.
  public init(unlocatedPath: String) {
    self.init(context: ReportContext(anchors: [unlocatedPath]))
  }

  public func render(_ evaluation: Evaluation) -> String {
    JSONValue.array(evaluation.findings.compactMap { issue($0, failOn: evaluation.failOn) }).rendered()
  }

  private func issue(_ finding: Finding, failOn: Severity) -> JSONValue? {
    guard let placed = context.existingRepositoryFile(for: finding.location) else { return nil }
    var description = "[\(finding.ruleID)] \(finding.message.capped(InertText.sentenceLimit))"
    if !finding.fix.isEmpty { description += " Fix: " + finding.fix.capped(InertText.sentenceLimit) }
    if let own = finding.location, context.repositoryPath(own.path) != placed.path {
      description += " (at \(own.path.capped(GitHubReporter.pathLimit)))"
    }
    return .object([
      "description": .string(description),
      "check_name": .string(finding.ruleID.capped()),
      "fingerprint": .string(finding.fingerprint),
      "severity": .string(Self.severity(finding.severity, failOn: failOn)),
      "location": .object([
        "path": .string(placed.path.capped(GitHubReporter.pathLimit)),
        "lines": .object(["begin": .int(max(1, placed.line ?? 1))]),
      ]),
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
