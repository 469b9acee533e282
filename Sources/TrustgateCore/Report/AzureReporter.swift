import Foundation

/// Azure Pipelines logging commands: `##vso[task.logissue type=error;sourcepath=…;linenumber=…;code=…;]message`,
/// escaped as azure-pipelines-task-lib does.
///
/// Azure has only `error` and `warning` issues; notes are printed as plain log lines so they do not count as
/// warnings. trustgate fails the step through its exit code, so `task.complete` is written only when asked for.
public struct AzureReporter: Reporter {
  /// Also write `##vso[task.complete result=…;]` (Failed / SucceededWithIssues / Succeeded). Only for pipelines
  /// that ignore trustgate's exit status; the knowledge base advises relying on the exit code.
  public var completeTask: Bool

  public init(completeTask: Bool = false) {
    self.completeTask = completeTask
  }

  public func render(_ evaluation: Evaluation) -> String {
    var lines = evaluation.findings.map(line)
    lines.append(InertText(evaluation.verdictSentence, limit: InertText.sentenceLimit).description)
    if completeTask {
      let result: String
      if !evaluation.failing.isEmpty {
        result = "Failed"
      } else if evaluation.findings.contains(where: { $0.severity >= .warning }) {
        result = "SucceededWithIssues"
      } else {
        result = "Succeeded"
      }
      lines.append("##vso[task.complete result=\(result);]trustgate")
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// The one place a logging command is written: every part is inert text first (no control characters, no
  /// runner markers, cut), then escaped as azure-pipelines-task-lib does. Notes are plain inert lines.
  private func line(_ finding: Finding) -> String {
    guard finding.severity != .note else {
      let prefix: InertText = finding.locationInert.map { "\($0): " } ?? ""
      let message = finding.inertMessage.replacingOccurrences(of: "\n", with: "; ")
      let line: InertText = "\(prefix)note [\(finding.ruleID)] \(message, limit: 2 * InertText.sentenceLimit)"
      return line.description
    }
    var properties: [(String, InertText)] = [("type", finding.severity == .error ? "error" : "warning")]
    if let location = finding.location {
      properties.append(("sourcepath", InertText.path(location.path, limit: GitHubReporter.pathLimit)))
      if let line = location.line, line >= 1 { properties.append(("linenumber", "\(line)")) }
    }
    properties.append(("code", "\(finding.ruleID)"))
    let list = properties.map { "\($0.0)=\(Self.escapeProperty($0.1.description));" }.joined()
    return "##vso[task.logissue \(list)]\(Self.escapeMessage(finding.inertMessage))"
  }

  /// task-lib message escaping: `%` first (as `%AZP25`, which the agent decodes), then CR and LF.
  public static func escapeMessage(_ text: String) -> String {
    replacingScalars(text, ["%": "%AZP25", "\r": "%0D", "\n": "%0A"])
  }

  /// task-lib property escaping: as `escapeMessage`, plus `]` and `;`, which end the property list.
  public static func escapeProperty(_ text: String) -> String {
    replacingScalars(text, ["%": "%AZP25", "\r": "%0D", "\n": "%0A", "]": "%5D", ";": "%3B"])
  }
}
