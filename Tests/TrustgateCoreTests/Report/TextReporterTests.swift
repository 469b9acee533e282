import XCTest

@testable import TrustgateCore

final class TextReporterTests: XCTestCase {
  func testPlainTextGroupsBySeverityWithFixLinesAndVerdict() {
    let text = TextReporter(colour: false).render(ReportSamples.evaluation)
    XCTAssertEqual(
      text,
      """
      trustgate — baseline: baseline .trustgate/baseline.json

      Errors (2, fails the build)
      error [TG101] SSL_CERT_FILE=/etc/ssl/missing.pem does not exist
          fix: Unset SSL_CERT_FILE.
      requirements.txt:12: error [TG203] certifi 2023.7.22 removed 3 roots: GlobalSign, "e-Szigno" <Root> & Ünïcødé 根 — 100%\\r\\nsecond line
          fix: Pin certifi<2023.7.22, or serve a chain to a current root.
          was: requirements.txt:11

      Warnings (2)
      docker/a,b:c%.Dockerfile: warning [TG301] base image pin, old
          subject: docker
          fix: Rebuild.
      uv.lock:40: warning [TG301] httpx 0.23.0 is pinned
          fix: Upgrade httpx.

      Notes (1)
      note [TG401] clock is 3 s ahead
          fix: Enable NTP.

      FAIL: 2 findings at or above error (2 error, 2 warning, 1 note); 3 checks passed.

      """)
  }

  func testNoEscapeCodesWithoutColourEvenFromReportData() {
    let finding = Finding(
      ruleID: "TG101", severity: .error, area: .environment, subject: "x", message: "evil \u{1B}[2J\u{9B}31m text",
      fix: "none")
    let evaluation = Evaluation(rules: [], findings: [finding], passed: [], failOn: .error, baseline: "none")
    let text = TextReporter(colour: false).render(evaluation)
    XCTAssertFalse(text.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{9B}" || $0 == "\r" })
    XCTAssertTrue(text.contains(#"evil \x1b[2J\u{9b}31m text"#), text)
    XCTAssertFalse(TextReporter().render(ReportSamples.evaluation).contains("\u{1B}"))
  }

  func testColourOnlyWhenAsked() {
    let text = TextReporter(colour: true).render(ReportSamples.evaluation)
    XCTAssertTrue(text.contains("\u{1B}[31merror\u{1B}[0m [TG101]"))
    XCTAssertTrue(text.contains("\u{1B}[31mFAIL: "))
  }

  func testPassingVerdict() {
    XCTAssertTrue(
      TextReporter().render(ReportSamples.empty).hasSuffix(
        "\nPASS: no findings at or above error (0 error, 0 warning, 0 note); 3 checks passed.\n"))
  }
}
