/// Machine-readable findings for scripts: versioned (`"schema": "trustgate.findings/1"`), sorted keys, same input
/// gives the same bytes. Optional fields are absent rather than `null`. Echoed strings are cut with "…" (subjects at
/// 200 characters, messages at 2,000, paths at 4,096), so no input makes the report megabytes long.
public struct JSONReporter: Reporter {
  /// Identifies the document layout; bumped on any incompatible change.
  public static let schema = "trustgate.findings/1"

  public init() {}

  public func render(_ evaluation: Evaluation) -> String {
    let counts = evaluation.countsBySeverity
    let document: [String: JSONValue] = [
      "schema": .string(Self.schema),
      "baseline": .string(evaluation.baseline.capped()),
      "failOn": .string(evaluation.failOn.rawValue),
      "verdict": .string(evaluation.failing.isEmpty ? "pass" : "fail"),
      "exitStatus": .int(Int(evaluation.exitStatus)),
      "counts": .object([
        "error": .int(counts[.error] ?? 0),
        "warning": .int(counts[.warning] ?? 0),
        "note": .int(counts[.note] ?? 0),
        "failing": .int(evaluation.failing.count),
        "passed": .int(evaluation.passed.count),
      ]),
      "findings": .array(evaluation.findings.map(Self.finding)),
      "passed": .array(
        evaluation.passed.map { .object(["ruleID": .string($0.ruleID), "subject": .string($0.subject.capped())]) }
      ),
      "rules": .array(evaluation.rules.map(Self.rule)),
    ]
    return JSONValue.object(document).rendered()
  }

  private static func finding(_ finding: Finding) -> JSONValue {
    .compact([
      "ruleID": .string(finding.ruleID),
      "severity": .string(finding.severity.rawValue),
      "area": .string(finding.area.rawValue),
      "subject": .string(finding.subject.capped()),
      "message": .string(finding.message.capped(InertText.sentenceLimit)),
      "fix": .string(finding.fix.capped(InertText.sentenceLimit)),
      "fingerprint": .string(finding.fingerprint),
      "location": finding.location.map(location) ?? .null,
      "relatedLocations": .array(finding.relatedLocations.map(location)),
    ])
  }

  private static func location(_ location: Location) -> JSONValue {
    .compact(["path": .string(location.path.capped(GitHubReporter.pathLimit)), "line": .optional(location.line)])
  }

  private static func rule(_ rule: RuleDescription) -> JSONValue {
    .object([
      "id": .string(rule.id),
      "title": .string(rule.title),
      "area": .string(rule.area.rawValue),
      "severity": .string(rule.severity.rawValue),
      "rationale": .string(rule.rationale),
      "fix": .string(rule.fix),
      "sources": .array(rule.sources.map(JSONValue.string)),
    ])
  }
}
