/// GitHub Actions workflow commands (`::error file=…,line=…,title=…::message`), escaped as actions/toolkit does.
///
/// GitHub keeps only 10 annotations per level per step and drops the rest silently, so at most
/// `annotationsPerLevel` are written per level, most severe first; the step summary (`stepSummary`) lists all.
public struct GitHubReporter: Reporter {
  /// Annotations GitHub shows per level (error, warning, notice) per step.
  public static let annotationsPerLevel = 10

  public init() {}

  public func render(_ evaluation: Evaluation) -> String {
    var lines: [String] = []
    var omitted = 0
    for severity in Severity.allCases.reversed() {
      let group = evaluation.findings.filter { $0.severity == severity }
      lines.append(contentsOf: group.prefix(Self.annotationsPerLevel).map { command($0, evaluation: evaluation) })
      omitted += max(0, group.count - Self.annotationsPerLevel)
    }
    if omitted > 0 {
      // Not a workflow command: plain log text, so it does not take an annotation slot.
      let noun = omitted == 1 ? "finding was" : "findings were"
      let note: InertText =
        "trustgate: \(omitted) more \(noun) not annotated (GitHub shows \(Self.annotationsPerLevel) per level per "
        + "step); all \(evaluation.findings.count) are in the step summary."
      lines.append(note.description)
    }
    lines.append(InertText(evaluation.verdictSentence, limit: InertText.sentenceLimit).description)
    return lines.joined(separator: "\n") + "\n"
  }

  /// Markdown for `$GITHUB_STEP_SUMMARY` (append to it): verdict and a table of every finding.
  public func stepSummary(_ evaluation: Evaluation) -> String {
    GitHubStepSummary.render(evaluation)
  }

  /// `error`, `warning` or `notice`: the workflow command for a severity.
  static func command(for severity: Severity) -> String {
    switch severity {
    case .error: return "error"
    case .warning: return "warning"
    case .note: return "notice"
    }
  }

  /// The one place a workflow command is written: every part is inert text first (no control characters, no
  /// runner markers, cut), then escaped as actions/toolkit does.
  private func command(_ finding: Finding, evaluation: Evaluation) -> String {
    var properties: [(String, InertText)] = []
    if let location = finding.location {
      properties.append(("file", InertText.path(location.path, limit: Self.pathLimit)))
      if let line = location.line, line >= 1 { properties.append(("line", "\(line)")) }
    }
    let title = evaluation.rule(finding.ruleID)?.title ?? ""
    properties.append(
      ("title", title.isEmpty ? "trustgate \(finding.ruleID)" : "trustgate \(finding.ruleID): \(title)"))
    let list = properties.map { "\($0.0)=\(Self.escapeProperty($0.1.description))" }.joined(separator: ",")
    return "::\(Self.command(for: finding.severity)) \(list)::\(Self.escapeData(finding.inertMessage))"
  }

  /// A `file` property keeps up to PATH_MAX characters: a cut path would name another file.
  static let pathLimit = 4_096

  /// actions/toolkit `escapeData`: `%` first, then CR and LF.
  public static func escapeData(_ text: String) -> String {
    replacingScalars(text, ["%": "%25", "\r": "%0D", "\n": "%0A"])
  }

  /// actions/toolkit `escapeProperty`: as `escapeData`, plus `:` and `,`, which end a property.
  public static func escapeProperty(_ text: String) -> String {
    replacingScalars(text, ["%": "%25", "\r": "%0D", "\n": "%0A", ":": "%3A", ",": "%2C"])
  }
}

/// The `github-summary` format: the step summary markdown as a reporter, for `--report github-summary=PATH`.
public struct GitHubStepSummaryReporter: Reporter {
  public init() {}
  public func render(_ evaluation: Evaluation) -> String { GitHubStepSummary.render(evaluation) }
}
