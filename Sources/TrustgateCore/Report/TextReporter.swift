/// The human summary: findings grouped by severity, most severe first, each as `path:line: severity [ID] message`
/// with a `fix:` line, then a verdict line. ANSI colour only when asked for. Every line is `InertText`.
public struct TextReporter: Reporter {
  public var colour: Bool

  public init(colour: Bool = false) {
    self.colour = colour
  }

  public func render(_ evaluation: Evaluation) -> String {
    var lines: [InertText] = []
    lines.append(paint("trustgate", .bold) + " — baseline: \(evaluation.baseline)")
    for severity in Severity.allCases.reversed() {
      let group = evaluation.findings.filter { $0.severity == severity }
      guard !group.isEmpty else { continue }
      let failing = severity >= evaluation.failOn ? ", fails the build" : ""
      lines.append("")
      lines.append(paint("\(heading(severity)) (\(group.count)\(failing))", .bold))
      // At most `findingsPerRule` of one rule: 100,000 `--trusted-host` lines are a few lines here, not 28 MB
      // (the machine formats keep every finding).
      var shown: [String: Int] = [:]
      var rules: [String] = []
      for finding in group {
        let count = shown[finding.ruleID, default: 0]
        if count == 0 { rules.append(finding.ruleID) }
        shown[finding.ruleID] = count + 1
        if count < Self.findingsPerRule { lines.append(contentsOf: describe(finding)) }
      }
      for rule in rules where shown[rule, default: 0] > Self.findingsPerRule {
        let more = shown[rule, default: 0] - Self.findingsPerRule
        lines.append(
          "… \(more) more [\(rule)] finding\(more == 1 ? "" : "s") not shown here (all are in --format json, "
            + "sarif or junit)")
      }
    }
    lines.append("")
    let verdict: InertText = "\(evaluation.verdictSentence, limit: InertText.sentenceLimit)"
    lines.append(paint(verdict, evaluation.failing.isEmpty ? .green : .red))
    return InertText.document(lines)
  }

  /// The most findings of one rule and severity the text report lists.
  public static let findingsPerRule = 50

  private func describe(_ finding: Finding) -> [InertText] {
    let prefix: InertText = finding.locationInert.map { "\($0): " } ?? ""
    let label = paint("\(finding.severity.rawValue)", style(finding.severity))
    // Messages and fixes are one line each: a line end inside one comes from a value (a file name) and is shown
    // as `\n`, so no value starts a line of its own.
    var lines: [InertText] = [
      "\(prefix)\(label) [\(finding.ruleID)] \(finding.message, limit: InertText.sentenceLimit)"
    ]
    if !finding.subject.isEmpty && !finding.message.contains(finding.subject) {
      lines.append("    subject: \(finding.subject)")
    }
    if !finding.fix.isEmpty {
      lines.append("    \(paint("fix:", .bold)) \(finding.fix, limit: InertText.sentenceLimit)")
    }
    for related in finding.relatedLocations {
      lines.append("    was: \(InertText.location(related))")
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

  private func style(_ severity: Severity) -> TerminalStyle {
    switch severity {
    case .error: return .red
    case .warning: return .yellow
    case .note: return .cyan
    }
  }

  private func paint(_ text: InertText, _ style: TerminalStyle) -> InertText {
    colour ? InertText.styled(text, style) : text
  }
}
