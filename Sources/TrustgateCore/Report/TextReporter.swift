/// The human summary: findings grouped by severity, most severe first, each as `path:line: severity [ID] message`
/// with a `fix:` line, then a verdict line. ANSI colour only when asked for.
public struct TextReporter: Reporter {
  public var colour: Bool

  public init(colour: Bool = false) {
    self.colour = colour
  }

  public func render(_ evaluation: Evaluation) -> String {
    var lines: [String] = []
    lines.append(paint("trustgate", .bold) + " — baseline: " + clean(evaluation.baseline, newlines: false))
    for severity in Severity.allCases.reversed() {
      let group = evaluation.findings.filter { $0.severity == severity }
      guard !group.isEmpty else { continue }
      let failing = severity >= evaluation.failOn ? ", fails the build" : ""
      lines.append("")
      lines.append(paint("\(heading(severity)) (\(group.count)\(failing))", .bold))
      for finding in group { lines.append(contentsOf: describe(finding)) }
    }
    lines.append("")
    lines.append(paint(evaluation.verdictSentence, evaluation.failing.isEmpty ? .green : .red))
    return lines.joined(separator: "\n") + "\n"
  }

  private func describe(_ finding: Finding) -> [String] {
    let prefix = finding.locationText.map { clean($0, newlines: false) + ": " } ?? ""
    let label = paint(finding.severity.rawValue, style(finding.severity))
    let messageLines = clean(finding.message, newlines: true).split(separator: "\n", omittingEmptySubsequences: false)
    var lines = ["\(prefix)\(label) [\(clean(finding.ruleID, newlines: false))] \(messageLines.first ?? "")"]
    lines.append(contentsOf: messageLines.dropFirst().map { "    " + $0 })
    if !finding.subject.isEmpty && !finding.message.contains(finding.subject) {
      lines.append("    subject: " + clean(finding.subject, newlines: false))
    }
    let fixLines = clean(finding.fix, newlines: true).split(separator: "\n", omittingEmptySubsequences: false)
    if let first = fixLines.first, !first.isEmpty {
      lines.append("    " + paint("fix:", .bold) + " " + first)
      lines.append(contentsOf: fixLines.dropFirst().map { "         " + $0 })
    }
    for related in finding.relatedLocations {
      let text = related.line.map { "\(related.path):\($0)" } ?? related.path
      lines.append("    was: " + clean(text, newlines: false))
    }
    return lines
  }

  private func heading(_ severity: Severity) -> String {
    switch severity {
    case .error: return "Errors"
    case .warning: return "Warnings"
    case .note: return "Notes"
    }
  }

  private func clean(_ text: String, newlines: Bool) -> String {
    ControlCharacters.neutralised(text, keepNewlines: newlines)
  }

  private enum Style: String {
    case bold = "1"
    case red = "31"
    case green = "32"
    case yellow = "33"
    case cyan = "36"
  }

  private func style(_ severity: Severity) -> Style {
    switch severity {
    case .error: return .red
    case .warning: return .yellow
    case .note: return .cyan
    }
  }

  private func paint(_ text: String, _ style: Style) -> String {
    colour ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
  }
}
