import Foundation
import XCTest

@testable import TrustgateCore

final class JUnitReporterTests: XCTestCase {
  private let schemas = ["junit.xsd", "junit-10-jenkins-xunit.xsd"]

  private func validate(_ xml: String, against schema: String, file: StaticString = #filePath, line: UInt = #line)
    throws
  {
    let path = try ExternalTool.temporaryFile(xml, suffix: ".xml")
    defer { try? FileManager.default.removeItem(atPath: path) }
    let outcome = try ExternalTool.run(
      ["xmllint", "--noout", "--schema", Fixtures.path("schemas/" + schema), path], file: file, line: line)
    XCTAssertEqual(outcome.status, 0, "not valid against \(schema):\n\(outcome.output)\n\(xml)", file: file, line: line)
  }

  func testStrictOutputIsValidAgainstBothSchemas() throws {
    for evaluation in [ReportSamples.evaluation, ReportSamples.empty] {
      let xml = JUnitReporter().render(evaluation)
      for schema in schemas { try validate(xml, against: schema) }
    }
    let empty = Evaluation(rules: [], findings: [], passed: [], failOn: .note, baseline: "none")
    for schema in schemas { try validate(JUnitReporter().render(empty), against: schema) }
  }

  func testAnnotatedOutputIsValidAgainstJenkinsOnceFileAndLineAreRemoved() throws {
    let xml = JUnitReporter(dialect: .annotated).render(ReportSamples.evaluation)
    XCTAssertTrue(
      xml.contains(
        #"<testcase name="TG203 certifi at requirements.txt:12" classname="trustgate.python" time="0" "#
          + #"file="requirements.txt" line="12">"#), xml)
    let stripped = xml.replacingOccurrences(of: #" (file|line)="[^"]*""#, with: "", options: .regularExpression)
    try validate(stripped, against: "junit-10-jenkins-xunit.xsd")
  }

  func testFailuresOnlyAtOrAboveFailOnAndLowerFindingsStayVisible() throws {
    let xml = JUnitReporter().render(ReportSamples.evaluation)
    let python = """
      import sys, xml.etree.ElementTree as ET
      root = ET.parse(sys.argv[1]).getroot()
      for suite in root.iter('testsuite'):
          cases = suite.findall('testcase')
          assert int(suite.get('tests')) == len(cases), suite.get('name')
          assert int(suite.get('failures')) == sum(1 for c in cases if c.find('failure') is not None), suite.get('name')
          for case in cases:
              failure = case.find('failure')
              state = 'FAIL ' + failure.get('type') + ' ' + failure.get('message') if failure is not None else 'pass'
              print(suite.get('name'), '|', case.get('name'), '|', state)
          print(suite.get('name'), 'OUT', repr(suite.find('system-out').text or ''))
      failure = root.find(".//testcase[@name='TG203 certifi at requirements.txt:12']/failure")
      print('TEXT', repr(failure.text))
      """
    let path = try ExternalTool.temporaryFile(xml, suffix: ".xml")
    defer { try? FileManager.default.removeItem(atPath: path) }
    let outcome = try ExternalTool.run(["python3", "-c", python, path])
    XCTAssertEqual(outcome.status, 0, outcome.output)
    let lines = outcome.output.split(separator: "\n").map(String.init)
    XCTAssertEqual(
      lines.filter { !$0.contains(" OUT ") && !$0.hasPrefix("TEXT") },
      [
        "trustgate.clock | TG401 clock | pass",
        "trustgate.environment | TG101 REQUESTS_CA_BUNDLE | pass",
        "trustgate.environment | TG101 SSL_CERT_FILE | FAIL TG101 SSL_CERT_FILE=/etc/ssl/missing.pem does not exist",
        "trustgate.lockfiles | TG301 docker at docker/a,b:c%.Dockerfile | pass",
        "trustgate.lockfiles | TG301 httpx at uv.lock:40 | pass",
        "trustgate.python | TG203 certifi at requirements.txt:12 | FAIL TG203 certifi 2023.7.22 removed 3 roots: "
          + "GlobalSign, \"e-Szigno\" <Root> & Ünïcødé 根 — 100%\\r\\nsecond line",
        "trustgate.python | TG203 pip | pass",
        "trustgate.other | TG999 undescribed | pass",
      ])
    // The warning below failOn is a passed case but is listed in its suite's output.
    XCTAssertTrue(
      lines.contains {
        $0.hasPrefix("trustgate.lockfiles OUT ")
          && $0.contains("uv.lock:40: warning [TG301] httpx 0.23.0 is pinned\\nfix: Upgrade httpx.")
      })
    // CR LF in the message is shown, not written: the failure's text is printed into job logs, where a line it
    // started could be a CI command (ReportInjectionTests); the line between message and fix is the reporter's.
    XCTAssertTrue(
      lines.contains(
        "TEXT 'requirements.txt:12: error [TG203] certifi 2023.7.22 removed 3 roots: GlobalSign, \"e-Szigno\" <Root> & "
          + "Ünïcødé 根 — 100%\\\\r\\\\nsecond line\\nfix: Pin certifi<2023.7.22, or serve a chain to a current root.'"),
      outcome.output)
  }

  func testAnnotatedDialectPutsLowerFindingsInTheCaseOutput() {
    let xml = JUnitReporter(dialect: .annotated).render(ReportSamples.evaluation)
    XCTAssertTrue(
      xml.contains(
        "<testcase name=\"TG301 httpx at uv.lock:40\" classname=\"trustgate.lockfiles\" time=\"0\" file=\"uv.lock\" "
          + "line=\"40\">\n"
          + "      <system-out>uv.lock:40: warning [TG301] httpx 0.23.0 is pinned\nfix: Upgrade httpx.\n</system-out>"))
  }

  func testTimestampIsTheRunsTimeInUTCWithoutZone() throws {
    var evaluation = ReportSamples.evaluation
    evaluation.time = "2026-11-30T00:14:36Z"
    XCTAssertTrue(JUnitReporter().render(evaluation).contains("timestamp=\"2026-11-30T00:14:36\""))
    let when = Date(timeIntervalSince1970: 1_795_000_000)  // 2026-11-18T11:06:40Z (python datetime)
    XCTAssertTrue(JUnitReporter(timestamp: when).render(evaluation).contains("timestamp=\"2026-11-18T11:06:40\""))
    // Without a run time: now, never the epoch (the old default, 1970-01-01T00:00:00).
    let year = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: Date()).year!
    let undated = JUnitReporter().render(ReportSamples.evaluation)
    XCTAssertFalse(undated.contains("1970-01-01"), undated)
    XCTAssertTrue(undated.contains("timestamp=\"\(year)-"), undated)
  }

  /// The issue's case: 16 findings of one rule about one package (in 16 lockfiles) were 2 failing test cases.
  func testOneTestCasePerFindingEvenForTheSameRuleAndPackage() throws {
    let findings = (1...16).map { (index: Int) -> Finding in
      Finding(
        ruleID: "TG301", severity: .error, area: .lockfiles, subject: "httpx", message: "httpx crossed 0.28",
        fix: "Pin httpx.", location: Location(path: "service\(index)/uv.lock", line: index))
    }
    let evaluation = Evaluation(
      rules: ReportSamples.rules, findings: findings, passed: [], failOn: .error, baseline: "none")
    for dialect in JUnitReporter.Dialect.allCases {
      let xml = JUnitReporter(dialect: dialect).render(evaluation)
      let python = """
        import sys, xml.etree.ElementTree as ET
        root = ET.parse(sys.argv[1]).getroot()
        cases = root.findall('.//testcase')
        suite = root.find('testsuite')
        print(len(cases), suite.get('tests'), suite.get('failures'), len({c.get('name') for c in cases}),
              sum(1 for c in cases if c.find('failure') is not None))
        print(cases[0].get('name'), cases[0].get('file'), cases[0].get('line'))
        """
      let path = try ExternalTool.temporaryFile(xml, suffix: ".xml")
      defer { try? FileManager.default.removeItem(atPath: path) }
      let outcome = try ExternalTool.run(["python3", "-c", python, path])
      let expectedFile = dialect == .annotated ? "service1/uv.lock 1" : "None None"
      XCTAssertEqual(outcome.output, "16 16 16 16 16\nTG301 httpx at service1/uv.lock:1 \(expectedFile)\n", xml)
      for schema in schemas where dialect == .strict { try validate(xml, against: schema) }
    }
  }

  /// xunitparser merges every suite's properties into one table and asserts no name repeats: the properties are
  /// written once (the Ant schema still wants an empty `<properties/>` in each suite).
  func testPropertiesAreWrittenOnceAndXunitparserReadsTheFile() throws {
    let xml = JUnitReporter().render(ReportSamples.evaluation)
    XCTAssertEqual(xml.components(separatedBy: "name=\"trustgate.baseline\"").count - 1, 1, xml)
    let path = try ExternalTool.temporaryFile(xml, suffix: ".xml")
    defer { try? FileManager.default.removeItem(atPath: path) }
    let python = """
      import sys, xunitparser
      suite, result = xunitparser.parse(open(sys.argv[1]))
      print(suite.properties['trustgate.failOn'], result.testsRun, len(result.failures), len(result.errors))
      """
    let outcome = try ExternalTool.run(["python3", "-c", python, path])
    XCTAssertEqual(outcome.output, "error 8 2 0\n", outcome.output)
  }
}
