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
        #"<testcase name="TG203 certifi" classname="trustgate.python" time="0" file="requirements.txt" line="12">"#))
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
      failure = root.find(".//testcase[@name='TG203 certifi']/failure")
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
        "trustgate.lockfiles | TG301 docker | pass",
        "trustgate.lockfiles | TG301 httpx | pass",
        "trustgate.python | TG203 certifi | FAIL TG203 certifi 2023.7.22 removed 3 roots: GlobalSign, \"e-Szigno\" "
          + "<Root> & Ünïcødé 根 — 100% second line",
        "trustgate.python | TG203 pip | pass",
        "trustgate.other | TG999 undescribed | pass",
      ])
    // The warning below failOn is a passed case but is listed in its suite's output.
    XCTAssertTrue(
      lines.contains {
        $0.hasPrefix("trustgate.lockfiles OUT ")
          && $0.contains("uv.lock:40: warning [TG301] httpx 0.23.0 is pinned\\nfix: Upgrade httpx.")
      })
    // CR LF in the message survives the round trip through XML (&#13;).
    XCTAssertTrue(
      lines.contains(
        "TEXT 'requirements.txt:12: error [TG203] certifi 2023.7.22 removed 3 roots: GlobalSign, \"e-Szigno\" <Root> & "
          + "Ünïcødé 根 — 100%\\r\\nsecond line\\nfix: Pin certifi<2023.7.22, or serve a chain to a current root.'"),
      outcome.output)
  }

  func testAnnotatedDialectPutsLowerFindingsInTheCaseOutput() {
    let xml = JUnitReporter(dialect: .annotated).render(ReportSamples.evaluation)
    XCTAssertTrue(
      xml.contains(
        "<testcase name=\"TG301 httpx\" classname=\"trustgate.lockfiles\" time=\"0\" file=\"uv.lock\" line=\"40\">\n"
          + "      <system-out>uv.lock:40: warning [TG301] httpx 0.23.0 is pinned\nfix: Upgrade httpx.\n</system-out>"))
  }

  func testTimestampIsUTCWithoutZoneAndDeterministicByDefault() {
    XCTAssertTrue(JUnitReporter().render(ReportSamples.evaluation).contains("timestamp=\"1970-01-01T00:00:00\""))
    let when = Date(timeIntervalSince1970: 1_795_000_000)  // 2026-11-18T11:06:40Z (python datetime)
    XCTAssertTrue(
      JUnitReporter(timestamp: when).render(ReportSamples.evaluation).contains("timestamp=\"2026-11-18T11:06:40\""))
  }
}
