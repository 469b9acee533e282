import Foundation

/// JUnit XML: one `<testsuite>` per area, one `<testcase>` per rule and subject. Findings at or above `failOn`
/// are `<failure>`s; lower findings leave the case passed and are listed in the suite's `<system-out>` (and, in the
/// `.annotated` dialect, the case's own `<system-out>`), so dashboards show them without failing tests.
public struct JUnitReporter: Reporter {
  /// Which consumers the file is shaped for. No JUnit schema allows `testcase@file`/`@line`, yet GitLab, CircleCI
  /// timing splits and GitHub annotation actions read them.
  public enum Dialect: String, Sendable, CaseIterable {
    /// Valid against both the Ant (windyroad) and the Jenkins xUnit schema; file and line only in failure text.
    case strict
    /// `strict` plus `file`/`line` on test cases and `<system-out>` inside them: what GitLab, CircleCI,
    /// mikepenz/action-junit-report and EnricoMi/publish-unit-test-result-action read. Valid against the Jenkins
    /// xUnit schema once `file`/`line` are removed.
    case annotated
  }

  public var dialect: Dialect
  /// When the check ran, written as `testsuite@timestamp` in UTC without zone (the Ant schema's pattern). Nil
  /// writes the epoch so that output stays byte-identical; pass the start time when a dashboard shows run dates.
  public var timestamp: Date?
  /// `testsuite@hostname`; the Ant schema requires one and recommends `localhost` when unknown.
  public var hostname: String

  public init(dialect: Dialect = .strict, timestamp: Date? = nil, hostname: String = "localhost") {
    self.dialect = dialect
    self.timestamp = timestamp
    self.hostname = hostname
  }

  /// Suite name for passed checks whose rule is not in `Evaluation.rules`.
  static let unknownArea = "other"

  struct Case {
    var ruleID: String
    var subject: String
    var findings: [Finding] = []
  }

  public func render(_ evaluation: Evaluation) -> String {
    var suites: [String: [String: Case]] = [:]
    for finding in evaluation.findings {
      let key = finding.ruleID + "\u{1F}" + finding.subject
      suites[finding.area.rawValue, default: [:]][key, default: Case(ruleID: finding.ruleID, subject: finding.subject)]
        .findings.append(finding)
    }
    for check in evaluation.passed {
      let area = evaluation.area(of: check)?.rawValue ?? Self.unknownArea
      let key = check.ruleID + "\u{1F}" + check.subject
      if suites[area]?[key] == nil {
        suites[area, default: [:]][key] = Case(ruleID: check.ruleID, subject: check.subject)
      }
    }
    let areaOrder = Area.allCases.sorted().map(\.rawValue) + [Self.unknownArea]
    var lines = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>", "<testsuites>"]
    for (index, area) in areaOrder.filter({ suites[$0] != nil }).enumerated() {
      let cases = (suites[area] ?? [:]).values.sorted { ($0.ruleID, $0.subject) < ($1.ruleID, $1.subject) }
      lines.append(contentsOf: suite(area: area, id: index, cases: cases, evaluation: evaluation))
    }
    lines.append("</testsuites>")
    return lines.joined(separator: "\n") + "\n"
  }

  private func suite(area: String, id: Int, cases: [Case], evaluation: Evaluation) -> [String] {
    let name = "trustgate." + area
    let failures = cases.filter { $0.findings.contains { $0.severity >= evaluation.failOn } }.count
    let attributes = [
      ("name", name), ("package", name), ("id", String(id)), ("timestamp", timestampText),
      ("hostname", hostname.isEmpty ? "localhost" : hostname), ("tests", String(cases.count)),
      ("failures", String(failures)), ("errors", "0"), ("skipped", "0"), ("time", "0"),
    ]
    var lines = ["  <testsuite \(attributeList(attributes))>"]
    lines.append("    <properties>")
    lines.append(
      "      <property name=\"trustgate.baseline\" value=\"\(XMLEscaping.attribute(evaluation.baseline))\"/>")
    lines.append("      <property name=\"trustgate.failOn\" value=\"\(evaluation.failOn.rawValue)\"/>")
    lines.append("    </properties>")
    for testCase in cases { lines.append(contentsOf: self.testCase(testCase, suite: name, failOn: evaluation.failOn)) }
    let findings = cases.flatMap(\.findings)
    let output = findings.isEmpty ? "" : findings.map(Self.describe).joined(separator: "\n") + "\n"
    lines.append("    <system-out>\(XMLEscaping.text(output))</system-out>")
    lines.append("    <system-err></system-err>")
    lines.append("  </testsuite>")
    return lines
  }

  private func testCase(_ testCase: Case, suite: String, failOn: Severity) -> [String] {
    let name = testCase.subject.isEmpty ? testCase.ruleID : "\(testCase.ruleID) \(testCase.subject)"
    var attributes = [("name", name), ("classname", suite), ("time", "0")]
    if dialect == .annotated, let location = testCase.findings.compactMap(\.location).first {
      attributes.append(("file", location.path))
      if let line = location.line { attributes.append(("line", String(line))) }
    }
    let failing = testCase.findings.filter { $0.severity >= failOn }
    let below = testCase.findings.filter { $0.severity < failOn }
    var children: [String] = []
    if let first = failing.first {
      // Failure text carries every finding with file and line, since the schemas allow no file/line attributes.
      let message = ControlCharacters.neutralised(first.message, keepNewlines: false)
      let text = testCase.findings.map(Self.describe).joined(separator: "\n")
      children.append(
        "      <failure message=\"\(XMLEscaping.attribute(message))\" type=\"\(XMLEscaping.attribute(first.ruleID))\">"
          + XMLEscaping.text(text) + "</failure>")
    } else if dialect == .annotated && !below.isEmpty {
      let text = below.map(Self.describe).joined(separator: "\n") + "\n"
      children.append("      <system-out>\(XMLEscaping.text(text))</system-out>")
    }
    guard !children.isEmpty else { return ["    <testcase \(attributeList(attributes))/>"] }
    return ["    <testcase \(attributeList(attributes))>"] + children + ["    </testcase>"]
  }

  /// `path:line: severity [ID] message` and a `fix:` line, as in the text report.
  static func describe(_ finding: Finding) -> String {
    let prefix = finding.locationText.map { $0 + ": " } ?? ""
    var text = "\(prefix)\(finding.severity.rawValue) [\(finding.ruleID)] \(finding.message)"
    if !finding.fix.isEmpty { text += "\nfix: \(finding.fix)" }
    return text
  }

  private func attributeList(_ attributes: [(String, String)]) -> String {
    attributes.map { "\($0.0)=\"\(XMLEscaping.attribute($0.1))\"" }.joined(separator: " ")
  }

  private var timestampText: String {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
    let parts = calendar.dateComponents(
      [.year, .month, .day, .hour, .minute, .second], from: timestamp ?? Date(timeIntervalSince1970: 0))
    func pad(_ value: Int?, _ width: Int) -> String {
      let digits = String(value ?? 0)
      return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
    return "\(pad(parts.year, 4))-\(pad(parts.month, 2))-\(pad(parts.day, 2))T"
      + "\(pad(parts.hour, 2)):\(pad(parts.minute, 2)):\(pad(parts.second, 2))"
  }
}
