import Foundation

/// JUnit XML: one `<testsuite>` per area, one `<testcase>` per finding and per passed check. Findings at or above
/// `failOn` are `<failure>`s; lower findings leave their case passed and are listed in the suite's `<system-out>`
/// (and, in the `.annotated` dialect, in the case's own `<system-out>`), so dashboards show them without failing.
///
/// Neither schema in use allows `file` or `line` on a test case (the Ant schema by Windy Road and the Jenkins xUnit
/// `junit-10.xsd` both list a closed set of attributes), yet GitLab, CircleCI, mikepenz/action-junit-report and
/// EnricoMi/publish-unit-test-result-action read them. So, as pytest does with `junit_family` (xunit2, its default
/// since 6.0, dropped them to validate against the Jenkins schema; xunit1 keeps them):
/// - `.strict` (the `junit` format) is valid against both schemas as written. The location is in what both accept:
///   the case's name (`TG301 httpx at requirements.txt:12`) and the first line of the failure text
///   (`requirements.txt:12: error [TG301] …`).
/// - `.annotated` (the `junit-annotated` format) adds `file` and `line` to each case and `<system-out>` inside it;
///   it is valid against the Jenkins schema once those two attributes are removed.
///
/// Run properties (baseline, fail level) are written once, in the first suite: xunitparser merges every suite's
/// properties into one table and stops on a repeated name; the Ant schema still needs an empty `<properties/>` in
/// the others.
public struct JUnitReporter: Reporter {
  public enum Dialect: String, Sendable, CaseIterable {
    /// Valid against both the Ant (Windy Road) and the Jenkins xUnit schema; location in name and failure text.
    case strict
    /// `strict` plus `file`/`line` on test cases and `<system-out>` inside them.
    case annotated
  }

  public var dialect: Dialect
  /// Overrides the run's time (`Evaluation.time`) as `testsuite@timestamp`.
  public var timestamp: Date?
  /// `testsuite@hostname`; the Ant schema requires one and recommends `localhost` when unknown.
  public var hostname: String
  /// Paths relative to the repository in `file` attributes and case names.
  public var context: ReportContext

  public init(
    dialect: Dialect = .strict, timestamp: Date? = nil, hostname: String = "localhost",
    context: ReportContext = ReportContext()
  ) {
    self.dialect = dialect
    self.timestamp = timestamp
    self.hostname = hostname
    self.context = context
  }

  /// Suite name for passed checks whose rule is not in `Evaluation.rules`.
  static let unknownArea = "other"

  /// One test case: a finding, or a check that passed.
  struct Case {
    var ruleID: String
    var subject: String
    var finding: Finding?
    var name = ""
  }

  public func render(_ evaluation: Evaluation) -> String {
    var suites: [String: [Case]] = [:]
    for finding in evaluation.findings {
      suites[finding.area.rawValue, default: []].append(
        Case(ruleID: finding.ruleID, subject: finding.subject, finding: finding))
    }
    let failed = Set(evaluation.findings.map { $0.ruleID + "\u{1F}" + $0.subject })
    for check in evaluation.passed where !failed.contains(check.ruleID + "\u{1F}" + check.subject) {
      let area = evaluation.area(of: check)?.rawValue ?? Self.unknownArea
      suites[area, default: []].append(Case(ruleID: check.ruleID, subject: check.subject))
    }
    let areaOrder = Area.allCases.sorted().map(\.rawValue) + [Self.unknownArea]
    var lines = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>", "<testsuites>"]
    for (index, area) in areaOrder.filter({ suites[$0] != nil }).enumerated() {
      let cases = named(suites[area] ?? [])
      lines.append(contentsOf: suite(area: area, id: index, cases: cases, evaluation: evaluation))
    }
    lines.append("</testsuites>")
    return lines.joined(separator: "\n") + "\n"
  }

  /// Cases sorted by rule, subject and location, each with a name unique in its suite (GitLab keeps only the first
  /// case of a name): rule, subject and location, and a counter when those repeat.
  private func named(_ cases: [Case]) -> [Case] {
    var named = cases.map { testCase -> Case in
      var testCase = testCase
      var name = testCase.subject.isEmpty ? testCase.ruleID : "\(testCase.ruleID) \(testCase.subject.capped())"
      if let location = testCase.finding?.location { name += " at " + locationText(location) }
      testCase.name = name
      return testCase
    }
    named.sort { ($0.name, $0.finding?.message ?? "") < ($1.name, $1.finding?.message ?? "") }
    var seen: [String: Int] = [:]
    for index in named.indices {
      let count = seen[named[index].name, default: 0] + 1
      seen[named[index].name] = count
      if count > 1 { named[index].name += " (\(count))" }
    }
    return named
  }

  private func suite(area: String, id: Int, cases: [Case], evaluation: Evaluation) -> [String] {
    let name = "trustgate." + area
    let failures = cases.filter { $0.finding.map { $0.severity >= evaluation.failOn } ?? false }.count
    let attributes = [
      ("name", name), ("package", name), ("id", String(id)), ("timestamp", timestampText(evaluation)),
      ("hostname", hostname.isEmpty ? "localhost" : hostname.capped()), ("tests", String(cases.count)),
      ("failures", String(failures)), ("errors", "0"), ("skipped", "0"), ("time", "0"),
    ]
    var lines = ["  <testsuite \(attributeList(attributes))>"]
    if id == 0 {
      lines.append("    <properties>")
      lines.append(
        "      <property name=\"trustgate.baseline\" value=\"\(XMLEscaping.attribute(evaluation.baseline.capped()))\"/>"
      )
      lines.append("      <property name=\"trustgate.failOn\" value=\"\(evaluation.failOn.rawValue)\"/>")
      lines.append("    </properties>")
    } else {
      lines.append("    <properties/>")
    }
    for testCase in cases { lines.append(contentsOf: self.testCase(testCase, suite: name, failOn: evaluation.failOn)) }
    let findings = cases.compactMap(\.finding)
    let output = findings.isEmpty ? "" : findings.map(describe).joined(separator: "\n") + "\n"
    lines.append("    <system-out>\(XMLEscaping.text(output))</system-out>")
    lines.append("    <system-err></system-err>")
    lines.append("  </testsuite>")
    return lines
  }

  private func testCase(_ testCase: Case, suite: String, failOn: Severity) -> [String] {
    var attributes = [("name", testCase.name), ("classname", suite), ("time", "0")]
    guard let finding = testCase.finding else { return ["    <testcase \(attributeList(attributes))/>"] }
    if dialect == .annotated, let location = finding.location {
      attributes.append(("file", repositoryPath(location.path)))
      if let line = location.line, line >= 1 { attributes.append(("line", String(line))) }
    }
    var children: [String] = []
    if finding.severity >= failOn {
      // The failure text starts with `path:line:`, where the schemas leave no attribute for them.
      let message = InertText(finding.message, limit: InertText.sentenceLimit).description
      let type = XMLEscaping.attribute(finding.ruleID)
      children.append(
        "      <failure message=\"\(XMLEscaping.attribute(message))\" type=\"\(type)\">"
          + XMLEscaping.text(describe(finding)) + "</failure>")
    } else if dialect == .annotated {
      children.append("      <system-out>\(XMLEscaping.text(describe(finding) + "\n"))</system-out>")
    }
    guard !children.isEmpty else { return ["    <testcase \(attributeList(attributes))/>"] }
    return ["    <testcase \(attributeList(attributes))>"] + children + ["    </testcase>"]
  }

  /// `path:line: severity [ID] message` and a `fix:` line, as in the text report: each an inert line (CI runners and
  /// dashboards print this text into the job log, so a newline or a command marker in a path or message must not act).
  func describe(_ finding: Finding) -> String {
    let prefix = finding.location.map { locationText($0) + ": " } ?? ""
    var lines = [
      InertText(
        "\(prefix)\(finding.severity.rawValue) [\(finding.ruleID)] \(finding.message)", limit: InertText.sentenceLimit)
    ]
    if !finding.fix.isEmpty { lines.append(InertText("fix: \(finding.fix)", limit: InertText.sentenceLimit)) }
    return lines.map(\.description).joined(separator: "\n")
  }

  private func repositoryPath(_ path: String) -> String {
    (context.repositoryPath(path) ?? path).capped(GitHubReporter.pathLimit)
  }

  private func locationText(_ location: Location) -> String {
    let path = repositoryPath(location.path)
    guard let line = location.line, line >= 1 else { return path }
    return "\(path):\(line)"
  }

  private func attributeList(_ attributes: [(String, String)]) -> String {
    attributes.map { "\($0.0)=\"\(XMLEscaping.attribute($0.1))\"" }.joined(separator: " ")
  }

  /// The run's time in UTC without zone (the Ant schema's pattern): `timestamp` when set, else the evaluation's
  /// clock, else now.
  private func timestampText(_ evaluation: Evaluation) -> String {
    if timestamp == nil, let time = evaluation.time, let text = Self.zoneless(time) { return text }
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
    let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: timestamp ?? Date())
    func pad(_ value: Int?, _ width: Int) -> String {
      let digits = String(value ?? 0)
      return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
    return "\(pad(parts.year, 4))-\(pad(parts.month, 2))-\(pad(parts.day, 2))T"
      + "\(pad(parts.hour, 2)):\(pad(parts.minute, 2)):\(pad(parts.second, 2))"
  }

  /// `2026-11-30T00:14:36Z` (or with fractions or an offset of zero) → `2026-11-30T00:14:36`; nil for anything else.
  static func zoneless(_ time: String) -> String? {
    let scalars = Array(time.utf8.prefix(19))
    guard scalars.count == 19 else { return nil }
    for (index, byte) in scalars.enumerated() {
      switch index {
      case 4, 7: guard byte == UInt8(ascii: "-") else { return nil }
      case 10: guard byte == UInt8(ascii: "T") else { return nil }
      case 13, 16: guard byte == UInt8(ascii: ":") else { return nil }
      default: guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
      }
    }
    let rest = time.utf8.dropFirst(19)
    let zone = String(decoding: rest.drop { $0 == UInt8(ascii: ".") || (0x30...0x39).contains($0) }, as: UTF8.self)
    guard ["Z", "", "+00:00"].contains(zone) else { return nil }
    return String(decoding: scalars, as: UTF8.self)
  }
}
