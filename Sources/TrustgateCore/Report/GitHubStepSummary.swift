/// GitHub-flavoured markdown for `$GITHUB_STEP_SUMMARY`: verdict, counts, and a table of every finding, kept
/// under GitHub's 1 MiB per-step limit (over it the summary is not shown at all).
enum GitHubStepSummary {
  /// Bytes GitHub accepts per step summary, less room for the closing note.
  static let byteBudget = 1_048_576 - 4_096

  static func render(_ evaluation: Evaluation) -> String {
    let counts = evaluation.countsBySeverity
    var header = "## trustgate: " + (evaluation.failing.isEmpty ? "passed" : "failed") + "\n\n"
    header += cell(evaluation.verdictSentence) + "\n\n"
    header +=
      "Baseline: " + cell(evaluation.baseline, limit: InertText.valueLimit) + " · fails on: "
      + evaluation.failOn.rawValue + " and above"
    header += " · \(counts[.error] ?? 0) error, \(counts[.warning] ?? 0) warning, \(counts[.note] ?? 0) note\n\n"
    guard !evaluation.findings.isEmpty else { return header + "No findings.\n" }

    var out = header + "| Severity | Rule | Subject | Location | Message | Fix |\n|---|---|---|---|---|---|\n"
    var written = 0
    for finding in evaluation.findings {
      let icon = finding.severity >= evaluation.failOn ? "❌" : (finding.severity == .note ? "ℹ️" : "⚠️")
      let columns = [
        "\(icon) \(finding.severity.rawValue)", cell(finding.ruleID, limit: InertText.valueLimit),
        cell(finding.subject, limit: InertText.valueLimit), finding.locationInert.map { cell($0.description) } ?? "—",
        cell(finding.message), cell(finding.fix),
      ]
      let row = "| " + columns.joined(separator: " | ") + " |\n"
      if out.utf8.count + row.utf8.count > byteBudget { break }
      out += row
      written += 1
    }
    if written < evaluation.findings.count {
      out += "\n\(evaluation.findings.count - written) more findings omitted to stay under GitHub's 1 MiB summary "
      out += "limit; see the JSON or SARIF report.\n"
    }
    return out
  }

  /// One table cell: inert text (control characters and line ends escaped, cut at `limit`), markdown and HTML
  /// punctuation backslash-escaped so report data cannot break the table or inject markup.
  static func cell(_ text: String, limit: Int = InertText.sentenceLimit) -> String {
    let special: Set<Character> = ["\\", "`", "*", "_", "[", "]", "<", ">", "|", "&", "~", "#", "!"]
    var out = ""
    for character in InertText(text, limit: limit).description {
      if special.contains(character) { out.append("\\") }
      out.append(character)
    }
    return out
  }
}
