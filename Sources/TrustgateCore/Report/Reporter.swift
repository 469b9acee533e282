/// Turns an `Evaluation` into one output format. Reporters only format: every decision (severity, what fails the
/// build) is already in the evaluation.
public protocol Reporter: Sendable {
  /// The whole report, UTF-8 text ending in a newline (empty when the format has nothing to say).
  func render(_ evaluation: Evaluation) -> String
}

extension Finding {
  /// SHA-256 hex of rule id, subject and path: the same finding keeps the same fingerprint across runs, line moves
  /// and message rewording (GitLab fingerprints, SARIF partial fingerprints).
  var fingerprint: String {
    // U+001F (unit separator) cannot appear in rule ids and keeps `a`+`bc` apart from `ab`+`c`.
    ContentDigest.hex([ruleID, subject, location?.path ?? ""].joined(separator: "\u{1F}"))
  }

  /// `path:line`, `path`, or nil when the finding is about no file.
  var locationText: String? {
    guard let location else { return nil }
    guard let line = location.line else { return location.path }
    return "\(location.path):\(line)"
  }
}

extension Evaluation {
  /// Number of findings per severity, every severity present (zero when none).
  var countsBySeverity: [Severity: Int] {
    var counts = Dictionary(uniqueKeysWithValues: Severity.allCases.map { ($0, 0) })
    for finding in findings { counts[finding.severity, default: 0] += 1 }
    return counts
  }

  /// One sentence for the end of a report: pass or fail, and why.
  var verdictSentence: String {
    let counts = countsBySeverity
    let breakdown = Severity.allCases.reversed().map { "\(counts[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", ")
    let checks = passed.count == 1 ? "1 check passed" : "\(passed.count) checks passed"
    if failing.isEmpty {
      return "PASS: no findings at or above \(failOn.rawValue) (\(breakdown)); \(checks)."
    }
    let noun = failing.count == 1 ? "finding" : "findings"
    return "FAIL: \(failing.count) \(noun) at or above \(failOn.rawValue) (\(breakdown)); \(checks)."
  }

  /// The area a passed check belongs to, from its rule's description; nil when the rule is not described.
  func area(of check: PassedCheck) -> Area? { rule(check.ruleID)?.area }
}

extension InertText {
  /// `path:line` or `path`, the path cut in the middle when long.
  static func location(_ location: Location) -> InertText {
    guard let line = location.line else { return .path(location.path) }
    return "\(path: location.path):\(line)"
  }
}

extension Finding {
  /// `locationText` as inert text, or nil when the finding is about no file.
  var locationInert: InertText? { location.map(InertText.location) }

  /// Message and `fix:` as two inert lines joined by LF, for annotation messages (which escape the LF themselves).
  /// Each is one line: a line end inside comes from a value and is shown as `\n`.
  var inertMessage: String {
    var lines: [InertText] = ["\(message, limit: InertText.sentenceLimit)"]
    if !fix.isEmpty { lines.append("fix: \(fix, limit: InertText.sentenceLimit)") }
    return lines.map(\.description).joined(separator: "\n")
  }
}
