import XCTest

@testable import TrustgateCore

final class AzureReporterTests: XCTestCase {
  func testLogIssuesUseTaskLibEscaping() {
    let lines = AzureReporter().render(ReportSamples.evaluation).split(separator: "\n").map(String.init)
    XCTAssertEqual(
      lines,
      [
        "##vso[task.logissue type=error;code=TG101;]SSL_CERT_FILE=/etc/ssl/missing.pem does not exist"
          + "%0Afix: Unset SSL_CERT_FILE.",
        "##vso[task.logissue type=error;sourcepath=requirements.txt;linenumber=12;code=TG203;]"
          + "certifi 2023.7.22 removed 3 roots: GlobalSign, \"e-Szigno\" <Root> & Ünïcødé 根 — 100%AZP25\\r\\n"
          + "second line%0Afix: Pin certifi<2023.7.22, or serve a chain to a current root.",
        "##vso[task.logissue type=warning;sourcepath=docker/a,b:c%AZP25.Dockerfile;code=TG301;]base image pin, old"
          + "%0Afix: Rebuild.",
        "##vso[task.logissue type=warning;sourcepath=uv.lock;linenumber=40;code=TG301;]httpx 0.23.0 is pinned"
          + "%0Afix: Upgrade httpx.",
        "note [TG401] clock is 3 s ahead; fix: Enable NTP.",
        "FAIL: 2 findings at or above error (2 error, 2 warning, 1 note); 3 checks passed.",
      ])
  }

  func testPropertyEscapingCoversSemicolonAndBracket() {
    XCTAssertEqual(AzureReporter.escapeProperty("a;b]c%\r\n"), "a%3Bb%5Dc%AZP25%0D%0A")
    XCTAssertEqual(AzureReporter.escapeMessage("a;b]c%\r\n"), "a;b]c%AZP25%0D%0A")
  }

  func testNoteLinesCannotIssueCommands() {
    let finding = Finding(
      ruleID: "TG401", severity: .note, area: .clock, subject: "clock", message: "x ##vso[task.complete result=Failed]",
      fix: "")
    let evaluation = Evaluation(rules: [], findings: [finding], passed: [], failOn: .error, baseline: "none")
    XCTAssertFalse(AzureReporter().render(evaluation).contains("##vso["))
  }

  func testTaskCompleteOnlyWhenAsked() {
    XCTAssertFalse(AzureReporter().render(ReportSamples.evaluation).contains("task.complete"))
    XCTAssertTrue(
      AzureReporter(completeTask: true).render(ReportSamples.evaluation).hasSuffix(
        "##vso[task.complete result=Failed;]trustgate\n"))
    XCTAssertTrue(
      AzureReporter(completeTask: true).render(ReportSamples.empty).hasSuffix(
        "##vso[task.complete result=Succeeded;]trustgate\n"))
  }
}
